"""Tickets (the ``tickets`` app)."""

from __future__ import annotations

import factory

from lastmile.tickets.models import Ticket, TicketKind
from tests.factories.accounts import UserFactory
from tests.factories.base import ModelFactory


class TicketKindFactory(ModelFactory[TicketKind]):
    class Meta:
        model = "tickets.TicketKind"
        django_get_or_create = ("code",)

    code = "repair"
    name = "Repair"


class TicketFactory(ModelFactory[Ticket]):
    class Meta:
        model = "tickets.Ticket"

    kind = factory.SubFactory(TicketKindFactory)
    description = factory.Sequence(lambda n: f"Problem {n}")
    author = factory.SubFactory(UserFactory)
