from __future__ import annotations

from typing import Any

from django import template
from django.db import models
from django.urls import reverse

from lastmile.core.formatting import format_money

register = template.Library()


@register.filter
def money(value: Any) -> str:
    """An amount as money: grouped, localized, with the currency symbol."""
    return format_money(value)


@register.simple_tag
def history_url(obj: models.Model) -> str:
    """Link to the history page of any tracked object."""
    meta = obj._meta
    return reverse("object_history", args=[meta.app_label, meta.model_name, obj.pk])


@register.simple_tag(takes_context=True)
def access_outcomes(context: Any) -> str:
    """What the user's last actions became (``core.notices``: e.g. the NAS's answer)."""
    from django.utils.safestring import mark_safe

    from lastmile.core import notices

    request = context.get("request")
    user = getattr(request, "user", None)
    if request is None or not getattr(user, "is_authenticated", False):
        return ""
    return mark_safe(notices.render(request))  # noqa: S308 - rendered templates


@register.simple_tag(takes_context=True)
def menu_links(context: Any, group: str) -> list[tuple[Any, str]]:
    """The links of one menu group this user may open (for an area's sub-menu)."""
    from lastmile.core.menu import menu_for

    request = context.get("request")
    user = getattr(request, "user", None)
    for shown in menu_for(user):
        if shown.group.key == group:
            return shown.links
    return []
