"""What happened to a staff member's NAS action, in words, while it happens.

Disconnect, block and end lease only record an access change; a job sends
the request to the NAS and retries it (``aaa.apply``).  The page that asked
shows a line for each change it caused, polled by htmx until the NAS's
answer is final: "disconnected", "the NAS refused", "no answer, retrying".

The changes to watch are kept in the session (``core.notices``: the views
remember them, ``render_watched`` shows them), so the line
survives the redirect after the POST and appears on whatever page follows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from lastmile.aaa.models import REASON_LABELS, AccessChange, NasAttempt
from lastmile.core import notices

MAX_WATCHED = 10
#: A NAK that means the session had ended before the request came.
_GONE = "Session-Context-Not-Found"


@dataclass(frozen=True, slots=True)
class Outcome:
    text: str
    final: bool
    level: str  # "pending", "success", "error"


def describe(change: AccessChange) -> Outcome:
    """The change's state as one sentence (in the active language)."""
    attempts = list(change.attempts.order_by("sent_at", "pk"))
    last: NasAttempt | None = attempts[-1] if attempts else None
    if change.state == AccessChange.State.PENDING:
        if change.tries == 0 or last is None:
            return Outcome(
                _("Sent to the job queue; waiting for the NAS's answer…"), False, "pending"
            )
        if last.result == "nak":
            text = _("The NAS refused (%(detail)s); retrying (attempt %(tries)d).")
        elif last.result == "error":
            text = _("The request could not be sent (%(detail)s); retrying (attempt %(tries)d).")
        else:
            text = _("No answer from the NAS; retrying (attempt %(tries)d).")
        return Outcome(
            text % {"detail": last.detail or "—", "tries": change.tries}, False, "pending"
        )
    if change.state == AccessChange.State.APPLIED:
        if last is None:
            return Outcome(
                _("No open session: there was nothing to send to the NAS."), True, "success"
            )
        if last.result == "nak" and last.detail == _GONE:
            return Outcome(_("The session had already ended."), True, "success")
        if last.kind == NasAttempt.Kind.DISCONNECT:
            return Outcome(_("Disconnected: the NAS confirmed."), True, "success")
        return Outcome(_("The NAS applied the change."), True, "success")
    if last is not None and last.result == "nak":
        return Outcome(
            _("The NAS refused: %(detail)s.") % {"detail": last.detail or "—"}, True, "error"
        )
    if last is not None and last.result == "error":
        return Outcome(
            _("The request could not be sent: %(detail)s.") % {"detail": last.detail or "—"},
            True,
            "error",
        )
    return Outcome(
        _("No answer from the NAS after %(tries)d attempts; gave up.") % {"tries": change.tries},
        True,
        "error",
    )


def visible_changes(user: Any) -> QuerySet[AccessChange]:
    """Changes of customers the user may view (who caused them may follow them)."""
    from lastmile.customers.models import Customer

    return AccessChange.objects.filter(
        customer__in=Customer.objects.restrict(user, "view")  # type: ignore[attr-defined]
    ).select_related("customer")


def render_watched(request: HttpRequest, entries: list[dict[str, Any]]) -> str:
    """``core.notices`` provider: one polled line per change the entries name."""
    wanted = Q()
    for entry in entries:
        if entry.get("kind") == notices.ACCESS_CHANGES:
            since = parse_datetime(str(entry.get("since", "")))
            if since is not None:
                wanted |= Q(customer_id=entry.get("customer_id"), requested_at__gte=since)
    if not wanted:
        return ""
    changes = visible_changes(request.user).filter(wanted).order_by("-pk")[:MAX_WATCHED]
    html = "".join(
        render_to_string("aaa/_outcome.html", outcome_context(change), request=request)
        for change in reversed(changes)
    )
    return f'<div class="access-outcomes">{html}</div>' if html else ""


def outcome_context(change: AccessChange) -> dict[str, Any]:
    return {
        "change": change,
        "reason": REASON_LABELS.get(change.reason, change.reason),  # type: ignore[call-overload]
        "outcome": describe(change),
    }


@login_required
def change_outcome(request: HttpRequest, pk: int) -> HttpResponse:
    """The fragment htmx polls until the NAS's answer is final."""
    change = get_object_or_404(visible_changes(request.user), pk=pk)
    response = render(request, "aaa/_outcome.html", outcome_context(change))
    response["Cache-Control"] = "no-store"
    return response
