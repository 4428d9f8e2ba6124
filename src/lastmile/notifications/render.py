"""Rendering notification templates: Django template syntax in a sandbox
without loaders or custom tags, where an unknown variable is an error; and
which template (staff-edited or built-in) fills a message."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.template import Context, Engine, TemplateSyntaxError
from django.utils import timezone

from lastmile.notifications.defaults import DEFAULT_TEMPLATES
from lastmile.notifications.errors import TemplateRenderError
from lastmile.notifications.models import NotificationTemplate, Outbox

_INVALID = "\x00INVALID:%s\x00"
_ENGINE = Engine(loaders=[], string_if_invalid=_INVALID, autoescape=False)


def plain_value(value: Any) -> Any:
    """A JSON- and template-safe form: money stays exact (Decimal → str, never float)."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value.tzinfo else str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): plain_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain_value(v) for v in value]
    if value is None or isinstance(value, str | int | bool):
        return value
    return str(value)


def render_text(source: str, context: dict[str, Any], *, what: str = "text") -> str:
    """Render ``source`` with ``context``; raise ``TemplateRenderError`` with a
    message naming the problem (syntax error or unknown variable)."""
    try:
        template = _ENGINE.from_string(source)
        text = template.render(Context(context, autoescape=False))
    except TemplateSyntaxError as exc:
        raise TemplateRenderError(f"Template error in the {what}: {exc}") from exc
    except Exception as exc:  # a filter failing on a value, etc.
        raise TemplateRenderError(f"Template error in the {what}: {exc}") from exc
    if "\x00INVALID:" in text:
        names = sorted(
            {part.split("\x00", 1)[0] for part in text.split("\x00INVALID:")[1:] if part}
        )
        known = ", ".join(sorted(context)) or "none"
        raise TemplateRenderError(
            f"Template error in the {what}: unknown variable(s) {', '.join(names) or '?'} "
            f"(available: {known})."
        )
    return text.strip()


def find_template(*, event: str, language: str, channel: str) -> NotificationTemplate | None:
    """The channel's own template, else the all-channels one; in the language, else English."""
    candidates = NotificationTemplate.objects.filter(
        event=event, is_active=True, channel__in=[channel, ""], language__in=[language, "en"]
    )
    ranked = sorted(candidates, key=lambda t: (t.language != language, t.channel != channel))
    return ranked[0] if ranked else None


def render_into(row: Outbox) -> None:
    """Fill subject and body of a subscriber/staff row from its template."""
    template = find_template(event=row.event, language=row.language, channel=row.channel)
    if template is not None:
        subject_src, body_src = template.subject, template.body
    else:
        subject_src, body_src = DEFAULT_TEMPLATES.get(
            (row.event, row.language), DEFAULT_TEMPLATES[(row.event, "en")]
        )
    row.template = template
    context = row.payload.get("context", {})
    row.subject = render_text(subject_src, context, what="subject")[:255]
    row.body = render_text(body_src, context, what="text")
