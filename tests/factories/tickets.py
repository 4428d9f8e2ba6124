"""Tickets (the ``tasks`` app)."""

from __future__ import annotations

import factory

from tests.factories.accounts import UserFactory


class TicketKindFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "tasks.TicketKind"
        django_get_or_create = ("code",)

    code = "repair"
    name = "Repair"


class TicketFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "tasks.Ticket"

    kind = factory.SubFactory(TicketKindFactory)
    description = factory.Sequence(lambda n: f"Problem {n}")
    author = factory.SubFactory(UserFactory)
