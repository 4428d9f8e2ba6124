"""The physical SORM file format: typed, ordered column schemas and the writer.

Every file is UTF-8 without BOM, no header row, ``;`` between fields, every
field in double quotes (an embedded ``"`` doubled), one record per line
ending in LF (``\\n``).  Dates are ``DD.MM.YYYY``, date-times
``DD.MM.YYYYTHH:MM:SS`` in the operator's local time (``TIME_ZONE``); the AAA
log alone is in UTC.  See /work/shared/sorm-format.md §1 and docs/sorm.md.

A column formats a Python value (``None`` is the empty field) and checks it
against the schema: a row that fails is not written, and the reason is kept
on the export record (the data-gaps report shows the same faults earlier).
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone

DATE_FORMAT = "%d.%m.%Y"
DATETIME_FORMAT = "%d.%m.%YT%H:%M:%S"
NAME_TIMESTAMP_FORMAT = "%d%m%Y%H%M%S"
# ftplib's storlines reads lines of at most 8192 bytes (sorm-format.md §1).
MAX_LINE_BYTES = 8192
UTC = ZoneInfo("UTC")
_MAC_HEX = re.compile(r"[0-9a-f]{12}")
_MAC_CANONICAL = re.compile(r"[0-9a-f]{2}(?::[0-9a-f]{2}){5}")


class RowError(ValueError):
    """A value that the file's schema refuses (the row is not written)."""


def _local(value: datetime) -> datetime:
    if value.tzinfo is None:
        return value
    # The operator's zone (TIME_ZONE), whatever a request activated.
    return value.astimezone(timezone.get_default_timezone())


def fmt_str(value: Any) -> str:
    return "" if value is None else str(value)


def fmt_int(value: Any) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        raise RowError("not an integer")
    try:
        return str(int(value))
    except (TypeError, ValueError) as exc:
        raise RowError(f"{value!r} is not an integer") from exc


def fmt_date(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = _local(value).date()
    if not isinstance(value, date):
        raise RowError(f"{value!r} is not a date")
    return value.strftime(DATE_FORMAT)


def fmt_datetime(value: Any) -> str:
    if value is None:
        return ""
    if not isinstance(value, datetime):
        raise RowError(f"{value!r} is not a date and time")
    return _local(value).strftime(DATETIME_FORMAT)


def fmt_datetime_utc(value: Any) -> str:
    if value is None:
        return ""
    if not isinstance(value, datetime):
        raise RowError(f"{value!r} is not a date and time")
    if timezone.is_aware(value):
        value = value.astimezone(UTC)
    return str(value.strftime(DATETIME_FORMAT))


def fmt_decimal6(value: Any) -> str:
    if value is None:
        return ""
    amount = Decimal(value).quantize(Decimal("0.000001"))
    # max 11 digits with 6 decimals: below 100 000.
    if abs(amount) >= Decimal("100000"):
        raise RowError(f"amount {amount} is 100000 or more (the format allows 5 integer digits)")
    return f"{amount:.6f}"


def fmt_ip(value: Any) -> str:
    if value in (None, ""):
        return ""
    text = str(value)
    if "/" in text:
        try:
            ipaddress.ip_network(text, strict=False)
        except ValueError as exc:
            raise RowError(f"{text!r} is not an IP network") from exc
        return text
    for family in (socket.AF_INET, socket.AF_INET6):  # inet_pton: fast, strict
        try:
            socket.inet_pton(family, text)
        except OSError:
            continue
        return text
    raise RowError(f"{text!r} is not an IP address")


def fmt_cidr(value: Any) -> str:
    try:
        return str(ipaddress.ip_network(str(value), strict=False))
    except ValueError as exc:
        raise RowError(f"{value!r} is not a network") from exc


def fmt_mac(value: Any) -> str:
    """``aa:bb:cc:dd:ee:ff`` from any common spelling; empty stays empty."""
    if value in (None, ""):
        return ""
    if _MAC_CANONICAL.fullmatch(str(value)):
        return str(value)
    hex_digits = re.sub(r"[^0-9a-fA-F]", "", str(value)).lower()
    if not _MAC_HEX.fullmatch(hex_digits):
        raise RowError(f"{value!r} is not a MAC address")
    return ":".join(hex_digits[i : i + 2] for i in range(0, 12, 2))


def fmt_digits(value: Any) -> str:
    text = fmt_str(value)
    if text and not text.isdigit():
        raise RowError(f"{text!r} is not digits only")
    return text


KIND_FORMATTERS: dict[str, Callable[[Any], str]] = {
    "str": fmt_str,
    "int": fmt_int,
    "date": fmt_date,
    "datetime": fmt_datetime,
    "datetime_utc": fmt_datetime_utc,
    "decimal6": fmt_decimal6,
    "ip": fmt_ip,
    "cidr": fmt_cidr,
    "mac": fmt_mac,
    "digits": fmt_digits,
    "reserved": lambda value: "",
}


@dataclass(frozen=True)
class Column:
    """One field of a file: its name, kind, whether it must be filled, its
    longest length, and an optional formatter replacing the kind's."""

    name: str
    kind: str = "str"
    required: bool = False
    max_length: int | None = None
    formatter: Callable[[Any], str] | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "_format", self.formatter or KIND_FORMATTERS[self.kind])

    def render(self, value: Any) -> str:
        text: str = self._format(value)  # type: ignore[attr-defined]
        if self.required and text == "":
            raise RowError(f"{self.name}: required")
        if self.max_length is not None and len(text) > self.max_length:
            raise RowError(f"{self.name}: longer than {self.max_length} characters")
        return text


def reserved(name: str) -> Column:
    return Column(name, "reserved")


@dataclass(frozen=True)
class FileType:
    """A SORM file type: name, remote directory, ordered columns, how it is
    sent, and where it stands in the dependency order."""

    code: str
    base_name: str
    directory: str
    columns: tuple[Column, ...]
    stage: int  # 0 dictionaries, 1 subscribers, 2 services, 3 payments, 4 AAA
    title: Any = ""
    quoted: bool = True
    timestamped: bool = True
    transfer_mode: str = "ascii"  # "ascii" (TYPE A, storlines) or "binary" (TYPE I)
    key: tuple[str, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_names", frozenset(c.name for c in self.columns))
        # (name, formatter, required, longest) per column, None for a reserved one:
        # the hot loop of every file reads this plan instead of the dataclasses.
        plan = tuple(
            None
            if c.kind == "reserved"
            else (c.name, c.formatter or KIND_FORMATTERS[c.kind], c.required, c.max_length)
            for c in self.columns
        )
        object.__setattr__(self, "_plan", plan)

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def file_name(self, at: datetime) -> str:
        if not self.timestamped:
            return f"{self.base_name}.txt"
        return f"{self.base_name}_{_local(at).strftime(NAME_TIMESTAMP_FORMAT)}.txt"

    def remote_path(self, at: datetime) -> str:
        name = self.file_name(at)
        return f"{self.directory}/{name}" if self.directory else name

    def render_row(self, row: dict[str, Any]) -> str:
        """One line (with its LF) or RowError.  Unknown keys are refused so a
        typo in a source cannot silently empty a column."""
        extra = row.keys() - self._names  # type: ignore[attr-defined]
        if extra:
            raise RowError(f"unknown columns: {', '.join(sorted(extra))}")
        get = row.get
        values: list[str] = []
        for step in self._plan:  # type: ignore[attr-defined]
            if step is None:
                values.append("")
                continue
            name, formatter, required, longest = step
            text = formatter(get(name))
            if required and text == "":
                raise RowError(f"{name}: required")
            if longest is not None and len(text) > longest:
                raise RowError(f"{name}: longer than {longest} characters")
            values.append(text)
        if self.quoted:
            line = '"' + '";"'.join([v.replace('"', '""') if '"' in v else v for v in values]) + '"'
        else:
            line = ";".join(values)
        if "\n" in line or "\r" in line:
            line = line.replace("\r\n", " ").replace("\n", " ").replace("\r", " ")
        if len(line) * 4 >= MAX_LINE_BYTES and len(line.encode()) >= MAX_LINE_BYTES:
            raise RowError(f"line longer than {MAX_LINE_BYTES} bytes")
        return line + "\n"


@dataclass
class Rendered:
    """What a writer produced: the lines (as bytes chunks), counts and faults."""

    rows: int = 0
    rejected: int = 0
    errors: list[str] = field(default_factory=list)


def render_rows(
    file_type: FileType,
    rows: Iterable[dict[str, Any]],
    sink: Callable[[bytes], None],
    *,
    result: Rendered | None = None,
    max_errors: int = 200,
    chunk_lines: int = 2000,
) -> Rendered:
    """Stream ``rows`` into ``sink`` as encoded chunks; bad rows are counted
    and their reasons kept (the first ``max_errors``)."""
    result = result or Rendered()
    buffer: list[str] = []
    for row in rows:
        try:
            buffer.append(file_type.render_row(row))
        except RowError as exc:
            result.rejected += 1
            if len(result.errors) < max_errors:
                key = ", ".join(f"{k}={row.get(k)}" for k in file_type.key if row.get(k))
                result.errors.append(f"{key}: {exc}" if key else str(exc))
            continue
        result.rows += 1
        if len(buffer) >= chunk_lines:
            sink("".join(buffer).encode())
            buffer.clear()
    if buffer:
        sink("".join(buffer).encode())
    return result


def render_to_bytes(file_type: FileType, rows: Iterable[dict[str, Any]]) -> bytes:
    """The whole file in memory (tests and small files)."""
    chunks: list[bytes] = []
    render_rows(file_type, rows, chunks.append)
    return b"".join(chunks)


def iter_lines(data: bytes) -> Iterator[bytes]:
    yield from data.splitlines(keepends=True)
