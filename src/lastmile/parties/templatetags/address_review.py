"""``{% other_reviews %}``: the parts of the address review page other apps
registered (``parties.matching.register_review_section``)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe

from lastmile.parties import matching

register = template.Library()


@register.simple_tag(takes_context=True)
def other_reviews(context: dict[str, Any]) -> SafeString:
    request = context.get("request")
    if request is None:
        return mark_safe("")
    # Each section is a rendered template (escaped there).
    return mark_safe("".join(matching.review_sections(request)))  # noqa: S308
