"""Notification events: the names writers pass to ``notify(event=…)``.

Each event has a sample context (for the template preview) that lists the
variables its templates may use.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

PAYMENT_RECEIVED = "payment_received"
BALANCE_LOW = "balance_low"
SUBSCRIPTION_ENDING = "subscription_ending"
SUBSCRIPTION_ENDED = "subscription_ended"
ACCESS_BLOCKED = "access_blocked"
TARIFF_CHANGED = "tariff_changed"
TICKET_ASSIGNED = "ticket_assigned"
TICKET_FINISHED = "ticket_finished"
TICKET_SUBSCRIBER_REPLY = "ticket_subscriber_reply"
TICKET_UNASSIGNED = "ticket_unassigned"
DEVICE_DOWN = "device_down"
DEVICE_UP = "device_up"
PORT_DOWN = "port_down"
PORT_UP = "port_up"
ONE_TIME_CODE = "one_time_code"
STAFF_MESSAGE = "staff_message"

EVENT_CHOICES = [
    (PAYMENT_RECEIVED, _("payment received")),
    (BALANCE_LOW, _("balance below threshold")),
    (SUBSCRIPTION_ENDING, _("subscription ends soon")),
    (SUBSCRIPTION_ENDED, _("subscription ended")),
    (ACCESS_BLOCKED, _("access blocked")),
    (TARIFF_CHANGED, _("tariff changed")),
    (TICKET_ASSIGNED, _("ticket assigned to me")),
    (TICKET_FINISHED, _("ticket finished")),
    (TICKET_SUBSCRIBER_REPLY, _("subscriber replied to my ticket")),
    (TICKET_UNASSIGNED, _("new ticket waits for someone")),
    (DEVICE_DOWN, _("device down")),
    (DEVICE_UP, _("device up again")),
    (PORT_DOWN, _("device port link down")),
    (PORT_UP, _("device port link up again")),
    (ONE_TIME_CODE, _("one-time code")),
    (STAFF_MESSAGE, _("message from staff")),
]
EVENTS = frozenset(name for name, _label in EVENT_CHOICES)

# Variables every customer message has, added by notify() itself.
_CUSTOMER = {"login": "user1", "full_name": "Ivan Petrov", "contract_number": "C-0001"}

SAMPLE_CONTEXTS: dict[str, dict[str, Any]] = {
    PAYMENT_RECEIVED: {**_CUSTOMER, "amount": Decimal("500.00"), "balance": Decimal("742.50")},
    BALANCE_LOW: {**_CUSTOMER, "balance": Decimal("42.00"), "threshold": Decimal("100.00")},
    SUBSCRIPTION_ENDING: {
        **_CUSTOMER,
        "tariff": "Home 100",
        "ends_on": "2026-12-01",
        "days_left": 3,
        "price": Decimal("650.00"),
    },
    SUBSCRIPTION_ENDED: {**_CUSTOMER, "tariff": "Home 100", "ended_on": "2026-12-01"},
    ACCESS_BLOCKED: {**_CUSTOMER, "reason": "debt", "balance": Decimal("-15.00")},
    TARIFF_CHANGED: {
        **_CUSTOMER,
        "old_tariff": "Home 100",
        "new_tariff": "Home 300",
        "price": Decimal("900.00"),
    },
    TICKET_ASSIGNED: {
        "staff_name": "Pavel",
        "ticket_id": 42,
        "ticket_kind": "repair",
        "ticket_priority": "high",
        "ticket_description": "No link since morning",
        "ticket_url": "http://127.0.0.1:8000/tickets/42/",
        "customer_login": "user1",
        "customer_address": "Lenina 1, 5",
        "due_at": "2026-12-01 18:00",
    },
    TICKET_FINISHED: {**_CUSTOMER, "ticket_id": 42, "ticket_kind": "repair", "comment": "Fixed"},
    TICKET_SUBSCRIBER_REPLY: {
        "staff_name": "Pavel",
        "ticket_id": 42,
        "ticket_kind": "repair",
        "ticket_url": "http://127.0.0.1:8000/tickets/42/",
        "customer_login": "user1",
        "customer_address": "Lenina 1, 5",
        "reply_text": "Still no link after the reboot.",
        "file_count": 1,
        "was_reopened": False,
    },
    TICKET_UNASSIGNED: {
        "staff_name": "Pavel",
        "ticket_id": 42,
        "ticket_kind": "repair",
        "ticket_priority": "normal",
        "ticket_description": "No link since morning",
        "ticket_url": "http://127.0.0.1:8000/tickets/42/",
        "customer_login": "user1",
        "customer_address": "Lenina 1, 5",
        "author": "anna",
        "by_subscriber": True,
    },
    DEVICE_DOWN: {
        "staff_name": "Pavel",
        "device": "sw-lenina-1",
        "device_ip": "10.0.0.2",
        "device_address": "Lenina 1",
        "status": "down",
        "since": "2026-12-01 18:00",
        "detail": "no answer",
        "device_url": "http://127.0.0.1:8000/devices/1/",
    },
    DEVICE_UP: {
        "staff_name": "Pavel",
        "device": "sw-lenina-1",
        "device_ip": "10.0.0.2",
        "device_address": "Lenina 1",
        "status": "up",
        "since": "2026-12-01 18:05",
        "detail": "",
        "device_url": "http://127.0.0.1:8000/devices/1/",
    },
    PORT_DOWN: {
        "staff_name": "Pavel",
        "device": "sw-lenina-1",
        "device_ip": "10.0.0.2",
        "device_address": "Lenina 1",
        "port": "ge1/0/25",
        "port_number": 25,
        "port_description": "to core-1",
        "port_role": "uplink",
        "link": "down",
        "previous": "up",
        "since": "2026-12-01 18:00",
        "device_url": "http://127.0.0.1:8000/devices/1/",
    },
    PORT_UP: {
        "staff_name": "Pavel",
        "device": "sw-lenina-1",
        "device_ip": "10.0.0.2",
        "device_address": "Lenina 1",
        "port": "ge1/0/25",
        "port_number": 25,
        "port_description": "to core-1",
        "port_role": "uplink",
        "link": "up",
        "previous": "down",
        "since": "2026-12-01 18:05",
        "device_url": "http://127.0.0.1:8000/devices/1/",
    },
    ONE_TIME_CODE: {**_CUSTOMER, "code": "482913", "purpose": "password reset", "minutes": 15},
}

SAMPLE_CONTEXTS[STAFF_MESSAGE] = {
    **_CUSTOMER,
    "subject": "Planned works",
    "text": "On Friday from 2 to 4 a.m. the network in your building is serviced.",
}
