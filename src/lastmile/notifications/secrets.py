"""Secrets in outbox rows (a one-time code): kept out of what staff can read.

The row's subject and body are rendered with a mark in place of each secret,
so the delivery log, its API and anything else that shows a row show the mark.
The secret values ride in ``payload["secrets"]`` (no page or endpoint shows the
payload), are put back into the text only when the worker hands the message to
its channel, and are wiped once the row is sent or has failed for good.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

#: payload key of the values (wiped after delivery) and of their names (kept).
SECRETS_KEY = "secrets"
NAMES_KEY = "secret_names"


def mark(name: str) -> str:
    """What staff see instead of the secret called ``name``."""
    return f"⟨hidden:{name}⟩"


def masked(context: Mapping[str, Any], secrets: Mapping[str, str]) -> dict[str, Any]:
    """The render context with each secret replaced by its mark."""
    return {**context, **{name: mark(name) for name in secrets}}


def reveal(text: str, secrets: Mapping[str, str]) -> str:
    """The text as the recipient gets it: each mark replaced by its secret."""
    for name, value in secrets.items():
        text = text.replace(mark(name), str(value))
    return text


def values_of(payload: Mapping[str, Any]) -> dict[str, str]:
    found = payload.get(SECRETS_KEY) or {}
    return dict(found) if isinstance(found, Mapping) else {}


def has_secrets(payload: Mapping[str, Any]) -> bool:
    """Whether the row was written with secrets (still there or already wiped)."""
    return bool(payload.get(NAMES_KEY))


def without_values(payload: Mapping[str, Any]) -> dict[str, Any]:
    """The payload with the secret values dropped (names stay)."""
    return {key: value for key, value in payload.items() if key != SECRETS_KEY}
