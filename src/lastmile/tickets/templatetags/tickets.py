from __future__ import annotations

from typing import Any

from django import template

from lastmile.accounts.permissions import has_model_permission
from lastmile.tickets.models import Ticket
from lastmile.tickets.queries import visible_tickets

register = template.Library()


@register.simple_tag(takes_context=True)
def customer_tickets(context: Any, customer: Any, limit: int = 20) -> list[Ticket]:
    """The customer's tickets the current user may see, open first."""
    user = context["request"].user
    return list(visible_tickets(user).filter(customer=customer)[:limit])


@register.simple_tag(takes_context=True)
def can_add_ticket(context: Any) -> bool:
    return has_model_permission(context["request"].user, Ticket, "add")
