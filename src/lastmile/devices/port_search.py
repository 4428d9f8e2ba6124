"""Finding inventory ports as staff type (the IPoE binding form's port picker):
by device name, management IP or port number / name, among the ports of the
devices the user may view, a page at a time."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from lastmile.devices.models import Device, Port

MAX_QUERY_CHARS = 100
MAX_TERMS = 5
MAX_PAGE = 1000
PER_PAGE = 50


class BadSearch(ValueError):
    """A search parameter out of shape (the endpoint answers 400)."""


@dataclass(frozen=True)
class PortPage:
    ports: list[Port]
    total: int
    page: int
    per_page: int

    @property
    def has_more(self) -> bool:
        return self.page * self.per_page < self.total

    @property
    def more(self) -> int:
        return max(0, self.total - self.page * self.per_page)


def port_label(port: Port) -> str:
    """``sw-north-1 (10.0.0.2) · 5 eth5``: what staff recognise a port by."""
    device = port.device
    where = f"{device.name} ({device.ip})" if device.ip else device.name
    return f"{where} · {port.number}" + (f" {port.name}" if port.name else "")


def visible_ports(user: Any) -> Any:
    """Ports of the devices ``user`` may view (as the binding service checks)."""
    visible = Device.objects.restrict(user, "view").values("pk")
    return Port.objects.filter(device__in=visible).select_related("device")


def parse_int(value: str | None, *, default: int, low: int, high: int, what: str) -> int:
    if value in (None, ""):
        return default
    text = str(value).strip()
    if not text.isdigit() or len(text) > 9 or not low <= int(text) <= high:
        raise BadSearch(
            _("%(what)s is a whole number from %(low)s to %(high)s.")
            % {"what": what, "low": low, "high": high}
        )
    return int(text)


def search_ports(user: Any, query: str, *, page: int = 1, per_page: int = PER_PAGE) -> PortPage:
    """Every term must match the device's name or IP (its start), or the
    port's name, or (a number) the port's number."""
    query = query or ""
    if len(query) > MAX_QUERY_CHARS or not query.isprintable():
        raise BadSearch(
            _("Search for at most %(n)s printable characters.") % {"n": MAX_QUERY_CHARS}
        )
    terms = query.split()
    if len(terms) > MAX_TERMS:
        raise BadSearch(_("Search for at most %(n)s words.") % {"n": MAX_TERMS})
    ports = visible_ports(user)
    for term in terms:
        match = (
            Q(device__name__icontains=term)
            | Q(device__ip__startswith=term)
            | Q(name__icontains=term)
        )
        if term.isdigit() and len(term) <= 9:
            match |= Q(number=int(term))
        ports = ports.filter(match)
    total = ports.count()
    start = (page - 1) * per_page
    rows = list(ports.order_by("device__name", "number")[start : start + per_page])
    return PortPage(ports=rows, total=total, page=page, per_page=per_page)
