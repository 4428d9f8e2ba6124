"""Demo tickets: a technician and a few tickets on the first demo customers.

Idempotent: the demo technician is reused, and tickets are recognised by a
marker in their description, so a second run adds nothing.
"""

from __future__ import annotations

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from lastmile.accounts.models import User
from lastmile.customers.models import Customer
from lastmile.tickets import services
from lastmile.tickets.models import Ticket, TicketKind

DEMO_TECH = ("tech", "tech-demo-pass", "Pavel")
DEMO_TICKETS = [
    # kind, priority, description, state path
    ("repair", "high", "No link since the morning", ["in_progress"]),
    ("connection", "normal", "New connection, router to install", []),
    ("repair", "low", "Slow speed in the evening", ["in_progress", "done"]),
    ("dismantling", "normal", "Contract ended: take the ONU back", []),
]


def load_demo(*, customers: int, seed: int) -> list[str]:
    admin = User.objects.filter(username="admin").first()
    if admin is None or not TicketKind.objects.exists():
        return []
    tech = _technician()
    # Routing: new repair requests nobody is assigned to go to the technician.
    TicketKind.objects.filter(code="repair", default_responsible__isnull=True).update(
        default_responsible=tech
    )
    logins = [f"user{n}" for n in range(1, min(customers, 20) + 1)]
    pool = list(Customer.objects.filter(login__in=logins).order_by("login"))
    rng = random.Random(seed)
    created = 0
    for number, (code, priority, text, path) in enumerate(DEMO_TICKETS, start=1):
        marker = f"[demo {number}]"
        if Ticket.objects.filter(description__endswith=marker).exists():
            continue
        kind = TicketKind.objects.filter(code=code).first() or TicketKind.objects.first()
        assert kind is not None
        with transaction.atomic():
            ticket = services.create_ticket(
                actor=admin,
                kind=kind,
                description=f"{text} {marker}",
                priority=priority,
                customer=rng.choice(pool) if pool else None,
                due_at=timezone.now().replace(microsecond=0) + timedelta(days=number),
                executors=[tech],
            )
            for state in path:
                comment = "Done, link is fine (demo)." if state == "done" else ""
                services.change_state(ticket=ticket, actor=tech, to_state=state, comment=comment)
        created += 1
    return [f"tickets: {created} new demo tickets, technician {DEMO_TECH[0]} / {DEMO_TECH[1]}"]


def _technician() -> User:
    username, password, first_name = DEMO_TECH
    user: User
    user, _created = User.objects.get_or_create(
        username=username, defaults={"first_name": first_name, "is_superuser": True}
    )
    user.set_password(password)
    user.is_active = True
    user.save()
    return user
