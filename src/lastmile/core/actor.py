"""Who does something: the type of every service's ``actor`` argument.

A staff member (``request.user``, a ``lastmile.accounts.models.User``), an
anonymous user, or whatever else has a primary key and a user name (the cabinet's
customer proxy, a test double). Services take ``actor: Actor | None``; ``None`` is
the system itself (a job, a management command). The change history and the
ledger record ``actor_label(actor)``.

A Protocol, so that this ground-floor module does not import the accounts app.
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable


@runtime_checkable
class Actor(Protocol):
    @property
    def pk(self) -> Any: ...

    @property
    def is_authenticated(self) -> bool: ...

    def get_username(self) -> str: ...


def actor_label(actor: Actor | None) -> str:
    """The name a ledger row or a log line records for ``actor`` ("system" for none)."""
    if actor is None:
        return "system"
    return actor.get_username()
