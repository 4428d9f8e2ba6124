"""Addresses and sessions on the customer timeline."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from lastmile.customers.timeline import TimelineEvent
from lastmile.network.models import Lease, Session


def network_events(customer: Any, user: Any, limit: int) -> list[TimelineEvent]:
    events = []
    for lease in (
        Lease.objects.restrict(user, "view").filter(customer=customer).order_by("-id")[:limit]
    ):
        events.append(
            TimelineEvent(
                at=lease.started_at,
                kind="network",
                title=_("Address %(address)s assigned") % {"address": lease.address},
                detail=lease.get_kind_display(),
            )
        )
        if lease.ended_at is not None:
            events.append(
                TimelineEvent(
                    at=lease.ended_at,
                    kind="network",
                    title=_("Address %(address)s released") % {"address": lease.address},
                    detail=lease.get_end_reason_display() if lease.end_reason else "",
                )
            )
    sessions = (
        Session.objects.restrict(user, "view")
        .filter(customer=customer)
        .select_related("nas")
        .order_by("-id")[:limit]
    )
    for session in sessions:
        where = f"{session.nas} · {session.address or ''}".strip(" ·")
        events.append(
            TimelineEvent(
                at=session.started_at,
                kind="network",
                title=_("Went online"),
                detail=where,
            )
        )
        if session.stopped_at is not None:
            events.append(
                TimelineEvent(
                    at=session.stopped_at,
                    kind="network",
                    title=_("Went offline"),
                    detail=session.terminate_cause or "",
                )
            )
    return events
