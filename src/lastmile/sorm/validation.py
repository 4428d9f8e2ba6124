"""Checks before export: what SORM needs and the data does not have.

Each check is a set-based query (a queryset of the faulty rows with the gap's
columns annotated); its findings replace the previous list (``DataGap``) in
one ``INSERT … SELECT`` per check, so a check of 100,000 customers costs one
statement, not 100,000 Python objects.  Staff work through the list on the
data-gaps page.  The export still runs: a row the file schema refuses is left
out and counted on the export record, and the same problem shows here with a
link to fix it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import OperationalError, connection, models, transaction
from django.db.models import Exists, F, OuterRef, Q, Value
from django.db.models.functions import Cast, Coalesce, ConcatPair, NullIf
from django.utils.translation import gettext as _

from lastmile.sorm.models import DataGap, GapKind


@dataclass(frozen=True)
class Check:
    """One check: the gap kind, the file it affects, the object type, and a
    queryset of ``object_id``, ``customer`` and ``message`` values."""

    kind: str
    file_type: str
    object_type: str
    rows: Callable[[], Any]  # a queryset, or None when the check does not apply


class ConcatWs(models.Func):
    """``concat_ws(', ', …)``: the non-null parts joined."""

    function = "concat_ws"
    output_field = models.CharField()

    def __init__(self, *expressions: Any) -> None:
        super().__init__(Value(", "), *expressions)


class Host(models.Func):
    """An inet's address without the prefix length."""

    function = "host"
    output_field = models.CharField()


def _customers() -> Any:
    return apps.get_model("customers.Customer").objects.filter(is_active=True)


def _text(template: str, **parts: Any) -> Any:
    """``template`` (with ``%(name)s`` placeholders) as an SQL expression whose
    placeholders are the given expressions."""
    pieces: list[Any] = []
    rest = template
    while rest:
        positions = [(rest.find(f"%({name})s"), name) for name in parts if f"%({name})s" in rest]
        if not positions:
            pieces.append(Value(rest))
            break
        at, name = min(positions)
        if at:
            pieces.append(Value(rest[:at]))
        pieces.append(parts[name])
        rest = rest[at + len(f"%({name})s") :]
    if not pieces:
        return Value("")
    expression = pieces[0]
    for piece in pieces[1:]:
        expression = ConcatPair(expression, piece)
    return Cast(expression, models.CharField())


def _gap_rows(queryset: Any, message: Any, *, customer: str = "pk") -> Any:
    return queryset.annotate(
        gap_object=Cast("pk", models.CharField()),
        gap_customer=F(customer),
        gap_message=message,
    ).values_list("gap_object", "gap_customer", "gap_message")


def _parties() -> bool:
    from lastmile.sorm import parties_sources

    return parties_sources.available()


def _no_name() -> Any:
    return _gap_rows(_customers().filter(full_name=""), Value(_("The full name is empty.")))


def _no_phone() -> Any:
    return _gap_rows(
        _customers().filter(phones=[], email=""),
        Value(_("No phone and no e-mail: the contacts file gets no row.")),
    )


def _not_branch() -> Any:
    return ~Exists(apps.get_model("parties.Branch").objects.filter(customer=OuterRef("pk")))


def _no_passport() -> Any:
    if not _parties():
        return None
    details = apps.get_model("parties.IndividualDetails")
    has = details.objects.filter(customer=OuterRef("pk"), has_passport=True)
    return _gap_rows(
        _customers().filter(~Exists(has), _not_branch()),
        Value(_("No passport series and number.")),
    )


def _no_contract() -> Any:
    if not _parties():
        return None
    contract = apps.get_model("contracts.Contract")
    main = contract.objects.filter(customer=OuterRef("pk"), kind="main")
    return _gap_rows(
        _customers().filter(~Exists(main), _not_branch()), Value(_("No main contract."))
    )


def _address_text() -> Any:
    parts = [NullIf(F(name), Value("")) for name in ("locality", "street", "house")]
    joined = ConcatWs(*parts)
    return Coalesce(NullIf(joined, Value("")), Value(_("empty")))


def _no_address() -> Any:
    if _parties():
        rows = _customers().filter(address_object__isnull=True)
        template = _("Not linked to the address registry: %(text)s")
    else:
        rows = _customers().filter(Q(street="") | Q(house=""))
        template = _("The address is not in the registry (street and house needed): %(text)s")
    return _gap_rows(rows, _text(template, text=_address_text()))


def _no_service() -> Any:
    subscription = apps.get_model("subscriptions.Subscription")
    active = subscription.objects.filter(customer=OuterRef("pk"), state="active")
    return _gap_rows(
        _customers().filter(~Exists(active)),
        Value(_("Active customer without an active tariff: no service row.")),
    )


def _lease_of_inactive() -> Any:
    lease = apps.get_model("network.Lease")
    rows = lease.objects.filter(ended_at__isnull=True, customer__is_active=False)
    message = _text(
        _("Active lease %(address)s of a disabled customer."),
        address=Host(F("address")),
    )
    return _gap_rows(rows, message, customer="customer_id")


def _bad_mac() -> Any:
    lease = apps.get_model("network.Lease")
    rows = (
        lease.objects.filter(ended_at__isnull=True, kind="static")
        .exclude(mac="")
        .exclude(mac__iregex=r"^([0-9a-f]{2}[:-]?){5}[0-9a-f]{2}$")
    )
    message = _text(_("MAC %(mac)s is not understood; the file gets no MAC."), mac=F("mac"))
    return _gap_rows(rows, message, customer="customer_id")


def _nas_without_place() -> Any:
    if settings.LASTMILE.sorm_gateway_place:
        return None
    nas = apps.get_model("network.Nas")
    message = _text(
        _("NAS %(name)s has no description (its installation address)."), name=F("name")
    )
    return (
        nas.objects.filter(description="")
        .annotate(
            gap_object=Cast("pk", models.CharField()),
            gap_customer=Value(None, output_field=models.IntegerField()),
            gap_message=message,
        )
        .values_list("gap_object", "gap_customer", "gap_message")
    )


def _no_type_code() -> Any:
    if not _parties():
        return None
    from lastmile.addresses import socrbase

    address = apps.get_model("addresses.AddressObject")
    rows = address.objects.filter(level__in=list(socrbase.LEVELS), type_code__isnull=True)
    message = _text(
        _("Address object %(name)s: type %(type)s has no SOCRBASE code."),
        name=F("name"),
        type=Coalesce(NullIf(F("type_short"), Value("")), Value("?")),
    )
    return rows.annotate(
        gap_object=Cast("pk", models.CharField()),
        gap_customer=Value(None, output_field=models.IntegerField()),
        gap_message=message,
    ).values_list("gap_object", "gap_customer", "gap_message")


def _switch_without_registry_address() -> Any:
    """A switch (a device with a typed installation address) not linked to
    the registry: the file sends the typed text instead."""
    if not (apps.is_installed("lastmile.devices") and _parties()):
        return None
    device = apps.get_model("devices.Device")
    rows = device.objects.filter(address_object__isnull=True).exclude(address="")
    message = _text(
        _(
            "Switch %(name)s is not linked to the address registry; the file sends the text: %(text)s"
        ),
        name=F("name"),
        text=F("address"),
    )
    return rows.annotate(
        gap_object=Cast("pk", models.CharField()),
        gap_customer=Value(None, output_field=models.IntegerField()),
        gap_message=message,
    ).values_list("gap_object", "gap_customer", "gap_message")


CHECKS: tuple[Check, ...] = (
    Check(GapKind.NO_CONTRACT, "contracts", "customer", _no_contract),
    Check(GapKind.NO_PASSPORT, "fiz", "customer", _no_passport),
    Check(GapKind.NO_NAME, "contacts", "customer", _no_name),
    Check(GapKind.NO_PHONE, "contacts", "customer", _no_phone),
    Check(GapKind.NO_ADDRESS, "ap", "customer", _no_address),
    Check(GapKind.NO_SERVICE, "services", "customer", _no_service),
    Check(GapKind.LEASE_NO_CUSTOMER, "ip_nets", "lease", _lease_of_inactive),
    Check(GapKind.BAD_MAC, "ip_nets", "lease", _bad_mac),
    Check(GapKind.NO_DESCRIPTION, "gateways", "nas", _nas_without_place),
    Check(GapKind.NO_TYPE_CODE, "regions", "address", _no_type_code),
    Check(GapKind.NO_ADDRESS, "switches", "device", _switch_without_registry_address),
)


def _empty(cursor: Any, table: str) -> None:
    """TRUNCATE, not DELETE: the list is rebuilt whole (100,000s of rows at
    full size) and a DELETE would leave them all as dead tuples.  Inside a
    caller's transaction that already wrote gaps (deferred foreign-key
    checks pending) PostgreSQL refuses TRUNCATE: DELETE then."""
    try:
        with transaction.atomic():
            cursor.execute(f"TRUNCATE {table}")
    except OperationalError:
        cursor.execute(f"DELETE FROM {table}")  # noqa: S608 (the model's table)


def refresh_gaps() -> int:
    """Run every check and replace the list; returns how many gaps there are."""
    table = DataGap._meta.db_table
    total = 0
    with transaction.atomic(), connection.cursor() as cursor:
        _empty(cursor, table)
        for check in CHECKS:
            queryset = check.rows()
            if queryset is None:
                continue
            select, params = queryset.query.sql_with_params()
            cursor.execute(
                f"INSERT INTO {table} (kind, file_type, object_type, object_id, customer_id,"  # noqa: S608
                f" message) SELECT %s, %s, %s, g.gap_object, g.gap_customer::bigint,"
                f" left(g.gap_message, 500) FROM ({select}) AS g(gap_object, gap_customer,"
                " gap_message)",
                [check.kind, check.file_type, check.object_type, *params],
            )
            total += max(cursor.rowcount, 0)
    return total
