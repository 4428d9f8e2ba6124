"""Bank statement / registry import: a CSV file uploaded by a cashier.

Columns: date, customer login or contract number, amount, bank transaction
id; ``;`` or ``,`` separated, an optional header line, UTF-8 or cp1251.
``preview_registry`` stores every line with what it matched (new,
duplicate, error); ``confirm_registry`` credits all new lines in one
transaction with gateway "registry" and external id = bank transaction id,
or nothing at all when any line is bad.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from lastmile.accounts.models import actor_user
from lastmile.core.actor import Actor
from lastmile.finance.errors import FinanceError, InvalidAmount
from lastmile.finance.gateways.base import DayTotals, Gateway, find_customer, register, sum_by_day
from lastmile.finance.gateways.models import GatewayConfig, RegistryImport, RegistryRow
from lastmile.finance.locks import lock_accounts
from lastmile.finance.models import Payment
from lastmile.finance.money import parse_money
from lastmile.finance.services import record_payment

NAME = "registry"
DATE_FORMATS = ("%d.%m.%Y", "%Y-%m-%d", "%d/%m/%Y", "%d.%m.%y")
MAX_ROWS = 20_000
Status = RegistryRow.Status


class RegistryNotImportable(FinanceError):
    """The file has bad lines, or was already confirmed; nothing was credited."""


@register
class RegistryGateway(Gateway):
    name = NAME
    title = "Bank registry import"

    def provider_totals(self, *, since: date, until: date) -> DayTotals:
        rows = RegistryRow.objects.filter(
            status=Status.IMPORTED, paid_on__gte=since, paid_on__lte=until
        ).values_list("paid_on", "amount")
        return sum_by_day(rows)


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1251", errors="replace")


def _delimiter(text: str) -> str:
    first = text.strip().splitlines()[0] if text.strip() else ""
    return ";" if first.count(";") >= first.count(",") else ","


def _parse_date(value: str) -> date:
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(value.strip(), fmt).date()
        except ValueError:
            continue
    raise ValueError(f"date {value!r} is not DD.MM.YYYY or YYYY-MM-DD")


def _is_header(cells: list[str]) -> bool:
    try:
        _parse_date(cells[0])
    except (ValueError, IndexError):
        return True
    return False


def _row(
    line_number: int, cells: list[str], config: GatewayConfig | None, seen: set[str]
) -> dict[str, Any]:
    row: dict[str, Any] = {"line_number": line_number, "raw": ";".join(cells)[:1000]}
    if len(cells) < 4:
        return {
            **row,
            "status": Status.ERROR,
            "error": "expected 4 columns: date, customer, amount, id",
        }
    date_text, reference, amount_text, bank_id = (c.strip() for c in cells[:4])
    row.update(account_ref=reference[:100], bank_transaction_id=bank_id[:100])
    try:
        row["paid_on"] = _parse_date(date_text)
        row["amount"] = parse_money(amount_text, separators=".,", grouping=True)
    except (ValueError, InvalidAmount) as exc:
        return {**row, "status": Status.ERROR, "error": str(exc)}
    customer = find_customer(reference, field_name="any")
    row["customer"] = customer
    problem = _problem(row["amount"], bank_id, customer, config)
    if problem:
        return {**row, "status": Status.ERROR, "error": problem}
    if bank_id in seen:
        return {**row, "status": Status.DUPLICATE, "error": "repeated in this file"}
    seen.add(bank_id)
    if Payment.objects.filter(gateway=NAME, external_id=bank_id).exists():
        return {**row, "status": Status.DUPLICATE, "error": "already imported"}
    return {**row, "status": Status.NEW}


def _problem(amount: Decimal, bank_id: str, customer: Any, config: GatewayConfig | None) -> str:
    if amount <= 0:
        return "the amount must be positive"
    if not bank_id or len(bank_id) > 100:
        return "the bank transaction id is missing or longer than 100 characters"
    if customer is None:
        return "no active customer with this login or contract number"
    return config.amount_problem(amount) if config else ""


def preview_registry(*, data: bytes, file_name: str, actor: Actor | None) -> RegistryImport:
    """Parse an uploaded file and store its lines for a preview; credits nothing."""
    text = _decode(data)
    reader = csv.reader(io.StringIO(text), delimiter=_delimiter(text))
    config = GatewayConfig.objects.filter(name=NAME).first()
    seen: set[str] = set()
    rows: list[dict[str, Any]] = []
    for number, cells in enumerate(reader, start=1):
        if not any(c.strip() for c in cells) or (number == 1 and _is_header(cells)):
            continue
        if len(rows) >= MAX_ROWS:
            raise RegistryNotImportable(f"A registry may have at most {MAX_ROWS} lines.")
        rows.append(_row(number, cells, config, seen))
    if not rows:
        raise RegistryNotImportable("The file has no payment lines.")
    with transaction.atomic():
        registry = RegistryImport.objects.create(
            file_name=file_name[:200], uploaded_by=actor_user(actor)
        )
        RegistryRow.objects.bulk_create(RegistryRow(registry=registry, **row) for row in rows)
    return registry


def confirm_registry(*, registry: RegistryImport, actor: Actor | None) -> int:
    """Credit every new line of a previewed registry, all or nothing.

    Refused while any line is an error.  Accounts are locked in customer-id
    order first (as the billing run does), so an import never deadlocks it.
    Returns the number of payments credited.
    """
    with transaction.atomic():
        locked = RegistryImport.objects.select_for_update().get(pk=registry.pk)
        if locked.state != RegistryImport.State.PREVIEW:
            raise RegistryNotImportable("This registry was already imported.")
        rows = list(locked.rows.order_by("line_number"))
        bad = [r.line_number for r in rows if r.status == Status.ERROR]
        if bad:
            raise RegistryNotImportable(
                "Lines with errors: "
                + ", ".join(map(str, bad))
                + ". Fix the file and upload it again."
            )
        new = [r for r in rows if r.status == Status.NEW]
        lock_accounts(r.customer_id for r in new if r.customer_id is not None)
        credited = sum(_credit(row, locked, actor) for row in new)
        locked.state, locked.confirmed_at = RegistryImport.State.CONFIRMED, timezone.now()
        locked.save(update_fields=["state", "confirmed_at"])
    return credited


def _credit(row: RegistryRow, registry: RegistryImport, actor: Actor | None) -> int:
    assert row.customer_id is not None and row.amount is not None and row.paid_on is not None
    paid_at = timezone.make_aware(datetime.combine(row.paid_on, time(12, 0)))
    try:
        result = record_payment(
            customer_id=row.customer_id,
            amount=row.amount,
            gateway=NAME,
            external_id=row.bank_transaction_id,
            paid_at=paid_at,
            comment=f"registry {registry.file_name}, line {row.line_number}",
            actor=actor,
        )
    except FinanceError as exc:
        raise RegistryNotImportable(f"Line {row.line_number}: {exc} Nothing was imported.") from exc
    row.payment = result.payment
    row.status = Status.IMPORTED if result.created else Status.DUPLICATE
    row.save(update_fields=["payment", "status"])
    return 1 if result.created else 0
