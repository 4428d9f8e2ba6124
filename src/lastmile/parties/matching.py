"""Today's free-text customer addresses → registry objects, with a review list.

``match_customer_addresses`` walks customers without ``address_object`` in
batches: locality → street → house (→ apartment when the registry has it;
otherwise the house, and the apartment text stays).  A customer with no
single match gets an ``AddressReview`` row saying why; a later match clears it.

Other apps' typed addresses (the devices' installation addresses) are matched
with the same ``find_address``: an app above registers its matcher and a
section of the review page in its ``AppConfig.ready()``
(``register_matcher``, ``register_review_section``), so ``match-addresses``
and the page's button match everything and this module names no app above.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from lastmile.addresses import lookup
from lastmile.addresses.models import AddressObject, Level
from lastmile.customers.models import Customer
from lastmile.parties.models import AddressReview, ReviewReason


@dataclass
class MatchResult:
    matched: int = 0
    unmatched: int = 0


#: ``matcher(report=callable | None) -> MatchResult``: another app's typed addresses.
Matcher = Callable[..., MatchResult]
#: ``section(request) -> str``: HTML of another app's part of the review page.
ReviewSection = Callable[[Any], str]
_matchers: list[Matcher] = []
_review_sections: list[ReviewSection] = []


def register_matcher(matcher: Matcher) -> None:
    if matcher not in _matchers:
        _matchers.append(matcher)


def register_review_section(section: ReviewSection) -> None:
    if section not in _review_sections:
        _review_sections.append(section)


def review_sections(request: Any) -> list[str]:
    """The other apps' parts of the review page, in registration order."""
    return [section(request) for section in _review_sections]


def match_all_addresses(*, report: Callable[[str], None] | None = None) -> MatchResult:
    """The customers' typed addresses, then every registered app's."""
    total = match_customer_addresses(report=report)
    for matcher in _matchers:
        result = matcher(report=report)
        total.matched += result.matched
        total.unmatched += result.unmatched
    return total


def find_address(
    locality: str, street: str, house: str, apartment: str = ""
) -> tuple[AddressObject | None, str]:
    """The registry object for a typed address, or (None, reason)."""
    if not (locality and house):
        return None, ReviewReason.EMPTY
    towns = list(lookup.localities(lookup.clean_name(locality))[:2])
    if not towns:
        return None, ReviewReason.NO_LOCALITY
    if len(towns) > 1:
        return None, ReviewReason.AMBIGUOUS
    parent = towns[0]
    if street:
        found = list(lookup.streets(parent, lookup.clean_name(street))[:2])
        if not found:
            return None, ReviewReason.NO_STREET
        if len(found) > 1:
            return None, ReviewReason.AMBIGUOUS
        parent = found[0]
    homes = list(lookup.houses(parent, house)[:2])
    if not homes:
        return None, ReviewReason.NO_HOUSE
    if len(homes) > 1:
        return None, ReviewReason.AMBIGUOUS
    home = homes[0]
    if apartment:
        number = lookup.clean_name(apartment)
        flat = AddressObject.objects.filter(
            parent=home, level=Level.APARTMENT, name__iexact=number
        ).first()
        if flat is not None:
            return flat, ""
    return home, ""


def match_customer_addresses(
    *, batch: int = 500, report: Callable[[str], None] | None = None
) -> MatchResult:
    """Link every unlinked customer whose text address matches; list the others."""
    result = MatchResult()
    last_pk = 0
    while True:
        chunk = list(
            Customer.objects.filter(address_object__isnull=True, pk__gt=last_pk)
            .exclude(locality="", street="", house="")
            .order_by("pk")
            .only("pk", "locality", "street", "house", "apartment")[:batch]
        )
        if not chunk:
            return result
        last_pk = chunk[-1].pk
        with transaction.atomic():
            for customer in chunk:
                _match_one(customer, result)
        if report:
            report(f"{result.matched} matched, {result.unmatched} to review")


def _match_one(customer: Customer, result: MatchResult) -> None:
    found, reason = find_address(
        customer.locality, customer.street, customer.house, customer.apartment
    )
    if found is not None:
        # The one write parties makes to the customers table besides ``kind``.
        Customer.objects.filter(pk=customer.pk).update(address_object=found)
        AddressReview.objects.filter(customer=customer).update(is_resolved=True)
        result.matched += 1
        return
    AddressReview.objects.update_or_create(
        customer=customer,
        defaults={
            "address_text": customer.address[:500],
            "reason": reason,
            "is_resolved": False,
        },
    )
    result.unmatched += 1


@transaction.atomic
def resolve_review(*, review: AddressReview, address: AddressObject) -> None:
    """Staff picked the registry object for a customer on the review list."""
    Customer.objects.filter(pk=review.customer_id).update(address_object=address)
    AddressReview.objects.filter(pk=review.pk).update(is_resolved=True)
