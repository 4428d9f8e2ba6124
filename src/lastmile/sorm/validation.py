"""Checks before export: what SORM needs and the data does not have.

Each check is a set-based query; its findings replace the previous list
(``DataGap``), which staff work through on the data-gaps page.  The export
still runs: a row the file schema refuses is left out and counted on the
export record, and the same problem shows here with a link to fix it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _

from lastmile.sorm.models import DataGap, GapKind

Gap = tuple[str, str, str, str, int | None, str]  # kind, file, object type, id, customer, text
BATCH = 5000


def _customers() -> Any:
    return apps.get_model("customers.Customer").objects.filter(is_active=True)


def _no_name() -> Iterator[Gap]:
    for pk in _customers().filter(full_name="").values_list("pk", flat=True).iterator(BATCH):
        yield (GapKind.NO_NAME, "contacts", "customer", str(pk), pk, _("The full name is empty."))


def _no_phone() -> Iterator[Gap]:
    rows = _customers().filter(phones=[], email="").values_list("pk", flat=True).iterator(BATCH)
    for pk in rows:
        yield (
            GapKind.NO_PHONE,
            "contacts",
            "customer",
            str(pk),
            pk,
            _("No phone and no e-mail: the contacts file gets no row."),
        )


def _parties() -> bool:
    from lastmile.sorm import parties_sources

    return parties_sources.available()


def _no_passport() -> Iterator[Gap]:
    if not _parties():
        return
    details = apps.get_model("parties.IndividualDetails")
    branch = apps.get_model("parties.Branch")
    has = details.objects.filter(customer=OuterRef("pk"), has_passport=True)
    is_branch = branch.objects.filter(customer=OuterRef("pk"))
    rows = (
        _customers()
        .filter(~Exists(has), ~Exists(is_branch))
        .values_list("pk", flat=True)
        .iterator(BATCH)
    )
    for pk in rows:
        yield (
            GapKind.NO_PASSPORT,
            "fiz",
            "customer",
            str(pk),
            pk,
            _("No passport series and number."),
        )


def _no_contract() -> Iterator[Gap]:
    if not _parties():
        return
    contract = apps.get_model("contracts.Contract")
    branch = apps.get_model("parties.Branch")
    main = contract.objects.filter(customer=OuterRef("pk"), kind="main")
    is_branch = branch.objects.filter(customer=OuterRef("pk"))
    rows = (
        _customers()
        .filter(~Exists(main), ~Exists(is_branch))
        .values_list("pk", flat=True)
        .iterator(BATCH)
    )
    for pk in rows:
        yield (GapKind.NO_CONTRACT, "contracts", "customer", str(pk), pk, _("No main contract."))


def _no_address() -> Iterator[Gap]:
    if _parties():
        rows = (
            _customers()
            .filter(address_object__isnull=True)
            .values_list("pk", "locality", "street", "house")
            .iterator(BATCH)
        )
        yield from _address_gaps(rows, _("Not linked to the address registry: %(text)s"))
        return
    rows = (
        _customers()
        .filter(Q(street="") | Q(house=""))
        .values_list("pk", "locality", "street", "house")
        .iterator(BATCH)
    )
    yield from _address_gaps(rows)


def _address_gaps(rows: Iterable[tuple[Any, ...]], template: str = "") -> Iterator[Gap]:
    template = template or _(
        "The address is not in the registry (street and house needed): %(text)s"
    )
    for pk, locality, street, house in rows:
        text = ", ".join(p for p in (locality, street, house) if p) or _("empty")
        yield (
            GapKind.NO_ADDRESS,
            "ap",
            "customer",
            str(pk),
            pk,
            template % {"text": text},
        )


def _no_service() -> Iterator[Gap]:
    subscription = apps.get_model("subscriptions.Subscription")
    active = subscription.objects.filter(customer=OuterRef("pk"), state="active")
    rows = _customers().filter(~Exists(active)).values_list("pk", flat=True).iterator(BATCH)
    for pk in rows:
        yield (
            GapKind.NO_SERVICE,
            "services",
            "customer",
            str(pk),
            pk,
            _("Active customer without an active tariff: no service row."),
        )


def _lease_of_inactive() -> Iterator[Gap]:
    lease = apps.get_model("network.Lease")
    rows = (
        lease.objects.filter(ended_at__isnull=True, customer__is_active=False)
        .values_list("pk", "address", "customer_id")
        .iterator(BATCH)
    )
    for pk, address, customer_id in rows:
        yield (
            GapKind.LEASE_NO_CUSTOMER,
            "ip_nets",
            "lease",
            str(pk),
            customer_id,
            _("Active lease %(address)s of a disabled customer.") % {"address": address},
        )


def _bad_mac() -> Iterator[Gap]:
    lease = apps.get_model("network.Lease")
    rows = (
        lease.objects.filter(ended_at__isnull=True, kind="static")
        .exclude(mac="")
        .exclude(mac__iregex=r"^([0-9a-f]{2}[:-]?){5}[0-9a-f]{2}$")
        .values_list("pk", "mac", "customer_id")
        .iterator(BATCH)
    )
    for pk, mac, customer_id in rows:
        yield (
            GapKind.BAD_MAC,
            "ip_nets",
            "lease",
            str(pk),
            customer_id,
            _("MAC %(mac)s is not understood; the file gets no MAC.") % {"mac": mac},
        )


def _nas_without_place() -> Iterator[Gap]:
    if settings.LASTMILE.sorm_gateway_place:
        return
    nas = apps.get_model("network.Nas")
    for pk, name in nas.objects.filter(description="").values_list("pk", "name"):
        yield (
            GapKind.NO_DESCRIPTION,
            "gateways",
            "nas",
            str(pk),
            None,
            _("NAS %(name)s has no description (its installation address).") % {"name": name},
        )


CHECKS: tuple[Callable[[], Iterable[Gap]], ...] = (
    _no_contract,
    _no_passport,
    _no_name,
    _no_phone,
    _no_address,
    _no_service,
    _lease_of_inactive,
    _bad_mac,
    _nas_without_place,
)


def refresh_gaps() -> int:
    """Run every check and replace the list; returns how many gaps there are."""
    total = 0
    with transaction.atomic():
        DataGap.objects.all().delete()
        batch: list[DataGap] = []
        for check in CHECKS:
            for kind, file_type, object_type, object_id, customer_id, message in check():
                batch.append(
                    DataGap(
                        kind=kind,
                        file_type=file_type,
                        object_type=object_type,
                        object_id=object_id,
                        customer_id=customer_id,
                        message=message[:500],
                    )
                )
                if len(batch) >= BATCH:
                    DataGap.objects.bulk_create(batch)
                    total += len(batch)
                    batch.clear()
        DataGap.objects.bulk_create(batch)
        total += len(batch)
    return total
