"""Devices' typed installation addresses → registry objects, with the rest
on the review list of typed addresses.

The text is one line ("Зеленоград, ул. Ленина, 12к1, подвал"), split into
the locality, street, house and apartment that the customers' matching
(``parties.matching.find_address``) takes, so a device matches exactly when
a customer typed the same address would.  Registered with the customers'
matching (``lastmile match-addresses`` and the review page's button) in
``DevicesConfig.ready()``; a device saved with a new typed address and no
picked object is matched at once (``inventory.save_device``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.template.loader import render_to_string

from lastmile.devices.models import Device, DeviceAddressReview
from lastmile.parties.matching import MatchResult, find_address
from lastmile.parties.models import ReviewReason

#: A house part: "12", "12к1", "д. 5", "дом 7 стр. 2" (not "1-я", a street).
_HOUSE = re.compile(r"^(?:д\.?|дом)?\s*\d+(?![-\d])", re.IGNORECASE)
REVIEW_ROWS = 200


def split_address(text: str) -> tuple[str, str, str, str]:
    """(locality, street, house, apartment) of a typed address.  Parts are
    comma-separated; the house is the first part after the first that starts
    with a number, or the number ending a part ("Ленина 12к1"); the street
    and the locality are the parts before it, earlier parts (region,
    district) are dropped; what follows is the apartment or office (a note
    such as "подвал" matches no apartment, so the house is taken)."""
    parts = [" ".join(p.split()) for p in text.split(",") if p.strip()]
    for i, part in enumerate(parts):
        if i and _HOUSE.match(part):
            before = parts[:i]
            street = before[-1] if len(before) > 1 else ""
            locality = before[-2] if len(before) > 1 else before[-1]
            return locality, street, part, ", ".join(parts[i + 1 :])
        words = part.split()
        if i and len(words) > 1 and _HOUSE.match(words[-1]):
            return parts[i - 1], " ".join(words[:-1]), words[-1], ", ".join(parts[i + 1 :])
    return "", "", "", ""


def match_device_addresses(
    *, batch: int = 500, report: Callable[[str], None] | None = None
) -> MatchResult:
    """Link every unlinked device whose typed address matches one registry
    object; put the others on the review list with the reason."""
    result = MatchResult()
    last_pk = 0
    while True:
        chunk = list(
            Device.objects.filter(address_object__isnull=True, pk__gt=last_pk)
            .exclude(address="")
            .order_by("pk")
            .only("pk", "address")[:batch]
        )
        if not chunk:
            return result
        last_pk = chunk[-1].pk
        with transaction.atomic():
            for device in chunk:
                _match_one(device, result)
        if report:
            report(f"devices: {result.matched} matched, {result.unmatched} to review")


def registry_match(text: str) -> tuple[Any, str]:
    """The registry object a device's typed address names, or (None, reason)."""
    locality, street, house, apartment = split_address(text)
    return find_address(locality, street, house, apartment)


def note_review(device: Device, reason: str) -> None:
    """Put a device whose typed address matched nothing on the review list
    (``reason`` empty: take it off)."""
    if not reason:
        DeviceAddressReview.objects.filter(device=device).update(is_resolved=True)
        return
    DeviceAddressReview.objects.update_or_create(
        device=device,
        defaults={"address_text": device.address[:500], "reason": reason, "is_resolved": False},
    )


def _match_one(device: Device, result: MatchResult) -> None:
    found, reason = registry_match(device.address)
    if found is not None:
        Device.objects.filter(pk=device.pk).update(address_object=found)
        note_review(device, "")
        result.matched += 1
        return
    note_review(device, reason or ReviewReason.EMPTY)
    result.unmatched += 1


def review_section(request: HttpRequest) -> str:
    """The devices part of the review page: the devices the user may see
    whose typed address is still unmatched (picking one in the device form
    takes it off)."""
    visible = Device.objects.restrict(request.user, "view")
    rows: Any = (
        DeviceAddressReview.objects.filter(
            is_resolved=False, device__address_object__isnull=True, device__in=visible
        )
        .select_related("device")
        .order_by("device__name")
    )
    return render_to_string(
        "devices/_address_review.html",
        {"reviews": rows[:REVIEW_ROWS], "total": rows.count(), "limit": REVIEW_ROWS},
        request=request,
    )
