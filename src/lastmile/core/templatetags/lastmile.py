from __future__ import annotations

from django import template
from django.db import models
from django.urls import reverse

register = template.Library()


@register.simple_tag
def history_url(obj: models.Model) -> str:
    """Link to the history page of any tracked object."""
    meta = obj._meta
    return reverse("object_history", args=[meta.app_label, meta.model_name, obj.pk])
