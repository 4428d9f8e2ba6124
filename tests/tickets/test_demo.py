from __future__ import annotations

import pytest

from lastmile.notifications import demo as notifications_demo
from lastmile.tickets import demo as tasks_demo
from lastmile.tickets.models import Ticket
from tests.factories import CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_demo_tickets_are_idempotent():
    UserFactory(username="admin", is_superuser=True)
    CustomerFactory(reachable=True, login="user1")
    tasks_demo.load_demo(customers=5, seed=1)
    tasks_demo.load_demo(customers=5, seed=1)
    assert Ticket.objects.count() == len(tasks_demo.DEMO_TICKETS)
    assert set(Ticket.objects.values_list("state", flat=True)) == {"new", "in_progress", "done"}
    assert "0 new" in notifications_demo.load_demo(customers=5, seed=1)[0]
