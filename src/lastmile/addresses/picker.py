"""Picking a registry object in a staff form: a search box that asks the
server (htmx) for matching objects and lists them as radio buttons of the
form's field, so the choice is submitted with the form and no script runs
in the page.  The empty choice keeps the free-text address as typed (it is
then matched later, and a customer's address that does not match stays on
the review list).  The object already linked stays among the options, and
chosen, whatever is typed: a search that ends without a pick must not
unlink it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from lastmile.addresses import lookup
from lastmile.addresses.models import AddressObject, Level

PICK_LEVELS = (Level.STREET, Level.HOUSE, Level.APARTMENT)
#: What an object can be inside of (the registry's own form picks a parent).
PARENT_LEVELS = tuple(level for level in Level if level != Level.APARTMENT)
SCOPES = {"": PICK_LEVELS, "parent": PARENT_LEVELS}
PICK_LIMIT = 10


class RegistryPicker(forms.Widget):
    """Renders the current object (if any), a search box and the options."""

    template_name = "addresses/widgets/picker.html"

    def __init__(self, attrs: dict[str, Any] | None = None, *, scope: str = "") -> None:
        super().__init__(attrs)
        self.scope = scope

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        current = None
        if value not in (None, ""):
            current = AddressObject.objects.filter(pk=value).first()
        context["widget"].update(
            {
                "current": current,
                "current_label": current.full_name() if current else "",
                "pick_url": f"{reverse('addresses:pick')}?field={name}"
                + (f"&scope={self.scope}" if self.scope else "")
                + (f"&current={current.pk}" if current else ""),
            }
        )
        return context


def registry_field(user: Any, label: Any) -> forms.ModelChoiceField[AddressObject]:
    """An optional registry object the user may see (active objects only)."""
    queryset = AddressObject.objects.restrict(user, "view").filter(is_active=True)
    return forms.ModelChoiceField(
        queryset=queryset,
        required=False,
        label=label,
        widget=RegistryPicker,
        help_text=_("Type part of the address and pick it; leave unpicked to keep the text."),
    )


def search(
    queryset: QuerySet[AddressObject], text: str, levels: tuple[str, ...] = PICK_LEVELS
) -> list[AddressObject]:
    """Objects of ``levels`` (streets, houses and apartments) matching "street
    house" words: the last word starts the object's name; earlier words must
    appear in its parents'."""
    words = [w for w in lookup.clean_name(text.replace(",", " ")).split() if w]
    if not words:
        return []
    *context, last = words
    found = queryset.filter(level__in=levels, name__istartswith=last)
    for word in context:
        found = found.filter(
            Q(parent__name__icontains=word) | Q(parent__parent__name__icontains=word)
        )
    return list(found.select_related("parent").order_by("level", "name", "id")[:PICK_LIMIT])
