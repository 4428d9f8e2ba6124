"""The registry page's breadcrumb and import-status card."""

from __future__ import annotations

from typing import Any

from django import template

from lastmile.addresses.models import AddressObject, GarImport

register = template.Library()


@register.inclusion_tag("addresses/_trail.html")
def address_trail(parent: str | None) -> dict[str, Any]:
    node = AddressObject.objects.filter(pk=parent).first() if parent and parent.isdigit() else None
    return {"trail": node.ancestors() if node else []}


@register.inclusion_tag("addresses/_imports.html", takes_context=True)
def gar_imports(context: Any) -> dict[str, Any]:
    user = context["request"].user
    return {"imports": GarImport.objects.restrict(user, "view")[:10]}
