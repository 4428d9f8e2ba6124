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
