"""A PostgreSQL prefix column, and the one spelling of a MAC address."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class CidrField(models.CharField[str, str]):
    """A PostgreSQL ``cidr`` column (an IPv4 or IPv6 prefix), read as text."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 43)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> tuple[str, str, Sequence[Any], dict[str, Any]]:
        # Migrations name the field by its public path (this package re-exports it),
        # as they did when it lived in network/models.py.
        name, _path, args, kwargs = super().deconstruct()
        return name, "lastmile.network.models.CidrField", args, kwargs

    def db_type(self, connection: Any) -> str:
        return "cidr"

    def to_python(self, value: Any) -> Any:
        value = super().to_python(value)
        if value in (None, ""):
            return value
        try:
            return str(ipaddress.ip_network(str(value).strip(), strict=True))
        except ValueError as exc:
            raise ValidationError(
                _("Enter a prefix like 10.64.0.0/16 or 2001:db8::/48 (host bits zero).")
            ) from exc


_HEX = frozenset("0123456789abcdef")


def normalize_mac(value: str) -> str:
    """``AA-BB-CC-DD-EE-FF``, ``aabb.ccdd.eeff`` … → ``aa:bb:cc:dd:ee:ff``; '' if not a MAC."""
    if len(value) == 17 and value[2::3] == ":::::":
        # The usual spelling (every Access-Request's Calling-Station-Id on
        # most NASes): only the case may differ, no rebuilding needed.
        low = value.lower()
        if _HEX.issuperset(low[0::3]) and _HEX.issuperset(low[1::3]):
            return low
    digits = "".join(c for c in value.lower() if c in _HEX)
    if len(digits) != 12 or len(value) > 17:
        return ""
    return ":".join(digits[i : i + 2] for i in range(0, 12, 2))
