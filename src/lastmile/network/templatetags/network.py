from __future__ import annotations

from typing import Any

from django import template

from lastmile.network.models import Lease, Session

register = template.Library()


@register.simple_tag
def customer_network(customer: Any) -> dict[str, Any]:
    """Active leases and open sessions of one customer (for the customer page)."""
    return {
        "leases": list(
            Lease.objects.filter(customer=customer, ended_at__isnull=True)
            .select_related("pool")
            .order_by("address")
        ),
        "sessions": list(
            Session.objects.filter(customer=customer, stopped_at__isnull=True)
            .select_related("nas")
            .order_by("-started_at")[:20]
        ),
    }
