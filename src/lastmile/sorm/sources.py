"""Where each file's rows come from.

A source turns a :class:`Window` into row dicts (column name → value) for
one file type.  Rows are streamed (server-side cursors, ``iterator``), never
collected, so a file of any size costs bounded memory.

Two families:

* **journal sources** read pghistory's event tables (see ``journal``): the
  state as of the window's end (full and as-of runs), or every version of
  the objects that changed since the previous run (incremental runs), each
  version with its own start and end;
* **window sources** (payments, AAA) read append-mostly tables by time and
  id, and dictionaries that are small enough to send whole every time.

Parts that need the parties branch (contracts, address objects, individuals,
legal entities, access points) yield nothing until wired (docs/sorm.md).
"""

from __future__ import annotations

import ipaddress
import itertools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import models

from lastmile.sorm import journal
from lastmile.sorm.formats import DATETIME_FORMAT, RowError, fmt_mac

Row = dict[str, Any]

SERVICE_STATES = ("active", "expired", "terminated")


@dataclass
class Window:
    """What one run covers.

    ``until``: the moment the data is valid at.  ``since``: the previous
    run's moment (incremental only).  ``after``/``upto``: journal
    watermarks per table label (incremental only).
    """

    until: datetime
    since: datetime | None = None
    after: dict[str, int] = field(default_factory=dict)
    upto: dict[str, int] = field(default_factory=dict)

    @property
    def incremental(self) -> bool:
        return self.since is not None


def _conf() -> Any:
    return settings.LASTMILE


def _event_model(label: str) -> type[models.Model]:
    return apps.get_model(label)


@dataclass(frozen=True)
class JournalSource:
    """A file fed from one tracked model's journal.

    ``project`` turns one snapshot into the file's rows (without the
    interval).  ``interval``: the start/end columns filled from the
    version's validity (contacts, individuals…); None when the rows carry
    their own dates (services, leases).  ``delete_end``: the end column a
    delete event fills (pools, NASes).  ``is_current``: whether a version's
    rows belong in a full snapshot at moment T.
    """

    event_label: str
    fields: tuple[str, ...]
    project: Callable[[dict[str, Any]], list[Row]]
    interval: tuple[str, str] | None = None
    delete_end: str | None = None
    is_current: Callable[[dict[str, Any], datetime], bool] = lambda data, at: True
    seed_condition: str = ""
    # The fields whose change is a new version (None: any tracked field).
    key_fields: tuple[str, ...] | None = None
    # An SQL condition on the snapshot (``s.<field>``): objects without rows.
    snapshot_where: str = ""

    @property
    def event_model(self) -> type[models.Model]:
        return _event_model(self.event_label)

    def rows(self, window: Window) -> Iterator[Row]:
        if window.incremental:
            yield from self._changes(window)
        else:
            yield from self._snapshot(window.until)

    def _key(self, data: dict[str, Any]) -> Any:
        if self.key_fields is None:
            return tuple(data.values())
        return tuple(data[name] for name in self.key_fields)

    def _snapshot(self, at: datetime) -> Iterator[Row]:
        # The as-of state is computed by the database (journal.snapshot_sql).
        for version in journal.iter_snapshot(
            self.event_model,
            self.fields,
            until=at,
            key_fields=self.key_fields,
            where=self.snapshot_where,
        ):
            if self.is_current(version.data, at):
                yield from self._rows_of(version, end=None)

    def _changes(self, window: Window) -> Iterator[Row]:
        model = self.event_model
        label = journal.watermark_key(model)
        after, upto = window.after.get(label, 0), window.upto.get(label, 0)
        if upto <= after:
            return
        changed = journal.changed_objects(model, after, upto)
        assert window.since is not None
        for start in range(0, len(changed), journal.CHUNK):
            ids = changed[start : start + journal.CHUNK]
            for versions in journal.iter_versions(
                model, self.fields, upto_id=upto, obj_ids=ids, projection=self._key
            ):
                for version in versions:
                    if version.valid_to is not None and version.valid_to <= window.since:
                        continue  # ended before the previous run: already sent
                    if version.ended_by_delete and not (self.interval or self.delete_end):
                        continue  # the file has no end column for it
                    superseded = self.interval is None and version is not versions[-1]
                    if superseded and not version.ended_by_delete:
                        continue  # rows carry their own dates: the last state says all
                    yield from self._rows_of(version, end=version.valid_to)

    def _rows_of(self, version: journal.Version, *, end: datetime | None) -> Iterator[Row]:
        for row in self.project(version.data):
            if self.interval is not None:
                start_col, end_col = self.interval
                row[start_col] = version.valid_from
                row[end_col] = end
            if self.delete_end is not None and version.ended_by_delete:
                row[self.delete_end] = version.valid_to
            yield row


# ---- projections ---------------------------------------------------------------


def holder_id_individual(customer_id: int) -> str:
    """Individuals are held under their customer id; legal entities under
    ``L<pk>`` (a disjoint namespace: sorm-format.md §6.10)."""
    return str(customer_id)


def _abonent(data: dict[str, Any]) -> list[Row]:
    if not data["is_active"]:
        return []
    row = {
        "customer_id": str(data["id"]),
        "legal_customer_id": holder_id_individual(data["id"]),
        "contract_start_date": data["created_at"],
        "customer_login": data["login"],
        "communication_standard": _conf().sorm_communication_standard,
    }
    from lastmile.sorm import parties_sources

    if parties_sources.available():
        row.update(parties_sources.abonent_row(data))
    return [row]


def _contacts(data: dict[str, Any]) -> list[Row]:
    if not data["is_active"]:
        return []
    name = (data["full_name"] or "").strip()
    contacts = [f"{name} {phone}".strip() for phone in data["phones"] or [] if phone]
    if data["email"]:
        contacts.append(f"{name} {data['email']}".strip())
    return [{"customer_id": str(data["id"]), "contact": c[:128]} for c in contacts]


_tariff_cache: dict[int, tuple[str, str]] = {}


def _tariff_parameter(tariff_id: int) -> str:
    if tariff_id not in _tariff_cache:
        tariff = apps.get_model("subscriptions.Tariff").objects.filter(pk=tariff_id).first()
        _tariff_cache[tariff_id] = (
            (tariff.name, _speed(tariff.rate_down_kbps)) if tariff else (str(tariff_id), "")
        )
    name, speed = _tariff_cache[tariff_id]
    return f"{name}, {speed}" if speed else name


def _speed(kbps: int) -> str:
    # The files are read by the Russian SORM side: Russian units.
    return f"{kbps // 1000} Мбит/с" if kbps % 1000 == 0 else f"{kbps} кбит/с"  # noqa: RUF001


def _service(data: dict[str, Any]) -> list[Row]:
    if data["state"] not in SERVICE_STATES:
        return []
    begin = data["anchor"] or data["period_start"] or data["created_at"]
    return [
        {
            "service_id": data["tariff_id"],
            "idents": str(data["customer_id"]),
            "parameter": _tariff_parameter(data["tariff_id"])[:256],
            "begin_time": begin,
            "end_time": data["ended_at"],
        }
    ]


def _service_current(data: dict[str, Any], at: datetime) -> bool:
    return data["state"] == "active" and (data["ended_at"] is None or data["ended_at"] > at)


def ip_type(address: str) -> int:
    """0 gray (private, CGNAT and other non-global), 1 white (global)."""
    try:
        ip = ipaddress.ip_address(address.split("/")[0])
    except ValueError:
        return 0
    return 1 if ip.is_global else 0


def _mac_or_blank(value: str) -> str:
    try:
        return fmt_mac(value)
    except RowError:
        return ""


def _static_lease(data: dict[str, Any]) -> list[Row]:
    if data["kind"] != "static":
        return []
    address = str(data["address"])
    prefix = f"{address}/{data['prefix_length']}" if data["prefix_length"] else address
    return [
        {
            "customer_id": str(data["customer_id"]),
            "ip_addr": prefix,
            "ip_addr_type": ip_type(address),
            "assign_time": data["started_at"],
            "dead_time": data["ended_at"],
            "mac_addr": _mac_or_blank(data["mac"]),
        }
    ]


def _lease_current(data: dict[str, Any], at: datetime) -> bool:
    return data["ended_at"] is None or data["ended_at"] > at


POOL_DESCRIPTIONS = {"dynamic": "Динамические;ШПД", "static": "Статические;ШПД"}


def _pool(data: dict[str, Any]) -> list[Row]:
    return [
        {
            "ip_net": data["network"],
            "descr": POOL_DESCRIPTIONS.get(data["kind"], "Динамические;ШПД"),
            "start_usage_time": data["created_at"],
        }
    ]


def _nas(data: dict[str, Any]) -> list[Row]:
    address = str(data["address"])
    host = f"[{address}]" if ":" in address else address
    place = (data["description"] or "").strip() or _conf().sorm_gateway_place
    return [
        {
            "gw_id": data["id"],
            "gw_type": _conf().sorm_gateway_type,
            "descr": data["name"],
            "gw_addr": place,
            "start_use_time": data["created_at"],
            "ip_addrs": f"{host}:{data['coa_port']}",
        }
    ]


CUSTOMER_FIELDS = (
    "id",
    "login",
    "full_name",
    "phones",
    "email",
    "is_active",
    "created_at",
)

JOURNAL_SOURCES: dict[str, JournalSource] = {
    "abonents": JournalSource(
        "customers.CustomerEvent",
        CUSTOMER_FIELDS,
        _abonent,
        key_fields=("is_active", "login", "created_at"),
    ),
    "contacts": JournalSource(
        "customers.CustomerEvent",
        CUSTOMER_FIELDS,
        _contacts,
        interval=("actual_start_time", "actual_end_time"),
        key_fields=("is_active", "full_name", "phones", "email"),
    ),
    "services": JournalSource(
        "subscriptions.SubscriptionEvent",
        (
            "customer_id",
            "tariff_id",
            "state",
            "anchor",
            "period_start",
            "ended_at",
            "created_at",
        ),
        _service,
        is_current=_service_current,
    ),
    "ip_nets": JournalSource(
        "network.LeaseEvent",
        ("customer_id", "address", "prefix_length", "kind", "mac", "started_at", "ended_at"),
        _static_lease,
        is_current=_lease_current,
        seed_condition="b.kind = 'static'",
        snapshot_where="s.kind = 'static'",
    ),
    "ip_numbering": JournalSource(
        "network.PoolEvent",
        ("network", "kind", "created_at"),
        _pool,
        delete_end="end_usage_time",
    ),
    "gateways": JournalSource(
        "network.NasEvent",
        ("id", "name", "address", "coa_port", "description", "created_at"),
        _nas,
        delete_end="deactivate_time",
    ),
}


# ---- window and dictionary sources --------------------------------------------------


def service_list(window: Window) -> Iterator[Row]:
    """Every tariff created by the window's end is a service of the list."""
    tariffs = apps.get_model("subscriptions.Tariff").objects.filter(created_at__lte=window.until)
    for tariff in tariffs.order_by("id").iterator(journal.CHUNK):
        yield {
            "service_id": tariff.pk,
            "mnemonic": tariff.name[:64],
            "description": (tariff.description or tariff.name)[:256],
            "begin_time": tariff.created_at,
            "operator_type_id": _conf().sorm_network_type,
        }


def lease_binds(window: Window) -> Iterator[Row]:
    """``login;ip,ip`` for each customer with a lease active at the window's end."""
    lease_model = apps.get_model("network.Lease")
    at = window.until
    leases = (
        lease_model.objects.filter(started_at__lte=at)
        .filter(models.Q(ended_at__isnull=True) | models.Q(ended_at__gt=at))
        .order_by("customer__login", "address")
        .values_list("customer__login", "address")
        .iterator(journal.CHUNK)
    )
    current: str | None = None
    addresses: list[str] = []
    for login, address in leases:
        if login != current and addresses and current is not None:
            yield {"login": current, "ips": ",".join(addresses)}
            addresses = []
        current = login
        addresses.append(str(address))
    if addresses and current is not None:
        yield {"login": current, "ips": ",".join(addresses)}


CASH_GATEWAYS = frozenset({"cash", "desk"})


def payments(window: Window) -> Iterator[Row]:
    """Payments received: by id watermark (incremental) or the last
    ``sorm_payments_full_days`` (full / as of)."""
    payment_model = apps.get_model("finance.Payment")
    label = journal.watermark_key(payment_model)
    queryset = payment_model.objects.filter(created_at__lte=window.until)
    if window.incremental:
        queryset = payment_model.objects.filter(
            pk__gt=window.after.get(label, 0), pk__lte=window.upto.get(label, 0)
        )
    else:
        since = window.until - timedelta(days=_conf().sorm_payments_full_days)
        queryset = queryset.filter(paid_at__gt=since, paid_at__lte=window.until)
    rows = (
        queryset.order_by("paid_at", "id")
        .values_list("account__customer_id", "paid_at", "amount", "gateway", "receipt_number", "id")
        .iterator(journal.CHUNK)
    )
    for customer_id, paid_at, amount, gateway, receipt, pk in rows:
        params = [f"шлюз {gateway}", f"платёж {pk}"]
        if receipt:
            params.append(f"чек {receipt}")
        yield {
            "customer_id": str(customer_id),
            "pay_time": paid_at,
            "amount": amount,
            "pay_description": "Наличные" if gateway in CASH_GATEWAYS else "Безналичный",
            "pay_params": ", ".join(params),
        }


def aaa(window: Window) -> Iterator[Row]:
    """Session starts (0) and stops (1) in the window, from the session log.
    Interim updates are not sent: a session row keeps only its latest
    counters, so they could not be rebuilt as of a past moment."""
    session_model = apps.get_model("network.Session")
    nas_model = apps.get_model("network.Nas")
    nas_ips = dict(nas_model.objects.values_list("id", "address"))
    since = window.since or window.until - timedelta(hours=_conf().sorm_aaa_full_hours)
    fields = (
        "acct_session_id",
        "address",
        "login",
        "nas_id",
        "nas_port",
        "mac",
        "octets_in",
        "octets_out",
    )
    starts = session_model.objects.filter(started_at__gt=since, started_at__lte=window.until)
    for values in (
        starts.order_by("started_at", "id")
        .values_list("started_at", *fields)
        .iterator(journal.CHUNK)
    ):
        yield _aaa_row(0, values, nas_ips, octets=False)
    stops = session_model.objects.filter(stopped_at__gt=since, stopped_at__lte=window.until)
    for values in (
        stops.order_by("stopped_at", "id")
        .values_list("stopped_at", *fields)
        .iterator(journal.CHUNK)
    ):
        yield _aaa_row(1, values, nas_ips, octets=True)


def _aaa_row(
    event_type: int, values: tuple[Any, ...], nas_ips: dict[int, str], *, octets: bool
) -> Row:
    at, session_id, address, login, nas_id, nas_port, mac, octets_in, octets_out = values
    return {
        "event_time": at,
        "event_type": event_type,
        "session_id": session_id,
        "customer_ip": address or "",
        "customer_db_username": login,
        "connection_type": 0,
        "nas_ip_addr": nas_ips.get(nas_id, "0.0.0.0"),  # noqa: S104 (a value, not a bind)
        "nas_port": int(nas_port) if str(nas_port or "").isdigit() else 0,
        # octets_in is what the NAS received from the subscriber.
        "input_octets": octets_in if octets else 0,
        "output_octets": octets_out if octets else 0,
        "customer_device_mac": _mac_or_blank(mac),
        "device_point_id": 0,
    }


def special_numbers(window: Window) -> Iterator[Row]:
    """The operator's special numbers from ``LASTMILE_SORM_SPECIAL_NUMBERS``."""
    for entry in _conf().sorm_special_numbers:
        parts = [p.strip() for p in entry.split(";")]
        number = "".join(ch for ch in parts[0] if ch.isdigit())
        start = None
        if len(parts) > 2 and parts[2]:
            try:
                start = datetime.strptime(parts[2], DATETIME_FORMAT).astimezone()
            except ValueError:
                start = None
        yield {
            "tel_number": number,
            "description": (parts[1] if len(parts) > 1 else "").replace('"', ""),
            "start_time": start,
        }


def nothing(window: Window) -> Iterator[Row]:
    """A file type whose data does not exist yet (switches: no devices app)."""
    return iter(())


WINDOW_SOURCES: dict[str, Callable[[Window], Iterable[Row]]] = {
    "service_list": service_list,
    "lease_binds": lease_binds,
    "payments": payments,
    "aaa": aaa,
    "special_numbers": special_numbers,
    "switches": nothing,
    "regions": nothing,
    "contracts": nothing,
    "fiz": nothing,
    "jur": nothing,
    "ap": nothing,
}

PENDING_PARTIES = frozenset({"regions", "contracts", "fiz", "jur", "ap"})


def _parties_sources() -> dict[str, Callable[[Window], Iterable[Row]]]:
    from lastmile.sorm import parties_sources

    if not parties_sources.available():
        return {}
    wired: dict[str, Callable[[Window], Iterable[Row]]] = {
        code: source.rows for code, source in parties_sources.journal_sources().items()
    }
    individuals = wired["fiz"]
    wired["fiz"] = lambda window: itertools.chain(
        individuals(window), parties_sources.branch_people(window)
    )
    wired["regions"] = parties_sources.regions
    wired["contracts"] = parties_sources.contracts
    wired["jur"] = parties_sources.jur
    return wired


def all_journal_sources() -> list[JournalSource]:
    from lastmile.sorm import parties_sources

    extra = list(parties_sources.journal_sources().values()) if parties_sources.available() else []
    return [*JOURNAL_SOURCES.values(), *extra]


def rows_for(code: str, window: Window) -> Iterable[Row]:
    wired = _parties_sources()
    if code in wired:
        return wired[code](window)
    if code in JOURNAL_SOURCES:
        return JOURNAL_SOURCES[code].rows(window)
    return WINDOW_SOURCES[code](window)


def seed_journal() -> int:
    """First journal entries for rows that have none (see journal.seed_missing)."""
    seeded = 0
    done: set[str] = set()
    for source in all_journal_sources():
        if source.event_label in done:
            continue
        done.add(source.event_label)
        seeded += journal.seed_missing(source.event_model, condition=source.seed_condition)
    return seeded


def watermark_models() -> list[tuple[type[models.Model], str]]:
    """Every table whose id is a watermark: the journal tables and payments."""
    labels = sorted({source.event_label for source in all_journal_sources()})
    return [(_event_model(label), "pgh_id") for label in labels] + [
        (apps.get_model("finance.Payment"), "id")
    ]


def reset_caches() -> None:
    from lastmile.sorm import parties_sources

    _tariff_cache.clear()
    parties_sources.reset_caches()
