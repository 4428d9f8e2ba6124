"""Extension points: an app below announces an event, an app above reacts.

Layers point one way (ground ← core ← accounts ← domain apps ← UI), so an app
never names the app that reacts to it.  It fires a hook defined here; the
reacting app registers a receiver in its ``AppConfig.ready()``.  Receivers
run in the firing service's transaction, in registration order, and must not
fail for a business reason (they decide and record); anything slow (a NAS, an
e-mail) is deferred as a job in that transaction, so it happens after commit.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Any


class Hook:
    """A named list of receivers, called with keyword arguments."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._receivers: list[Callable[..., object]] = []

    def register(self, receiver: Callable[..., object]) -> Callable[..., object]:
        """Add a receiver once (a repeated ``ready()`` registers nothing twice)."""
        if receiver not in self._receivers:
            self._receivers.append(receiver)
        return receiver

    def fire(self, **kwargs: Any) -> None:
        for receiver in self._receivers:
            receiver(**kwargs)


class AccessReason(StrEnum):
    """Why what a customer may do on the network changed."""

    BLOCKED = "blocked"
    UNBLOCKED = "unblocked"
    TARIFF_CHANGED = "tariff_changed"
    PREORDER_APPLIED = "preorder_applied"
    RENEWED = "renewed"
    RENEWED_AFTER_PAYMENT = "renewed_after_payment"
    EXPIRED = "expired"
    TERMINATED = "terminated"
    PROMISED_PAYMENT_ENDED = "promised_payment_ended"
    LEASE_ENDED = "lease_ended"
    STATIC_ADDRESS_CHANGED = "static_address_changed"
    STAFF_DISCONNECT = "staff_disconnect"
    EQUIPMENT_CHANGED = "equipment_changed"  # an interim update from other equipment
    BINDING_CHANGED = "binding_changed"  # an IPoE binding (MAC, switch port) deleted or moved


#: ``fire(customer_id=int, reason=AccessReason, address=str | None)``: after it
#: commits, the NAS must learn the customer's new access (``address``: only the
#: sessions on that address are concerned).
ACCESS_CHANGED = Hook("access_changed")

#: ``fire(customer=Customer)``: a customer was created (in its transaction).
CUSTOMER_CREATED = Hook("customer_created")

#: ``fire(customer=Customer, actor=User | None, reason=str)``: a customer was
#: disabled (``is_active`` became False), in that transaction.
CUSTOMER_DEACTIVATED = Hook("customer_deactivated")
