"""The header search: one box for login, contract, name, phone, IP, MAC and
ticket number.  Results come grouped by kind, each group limited to what the
user may view and to ``LIMIT`` rows, with a link to the filtered list."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from lastmile.core.phones import phone_key
from lastmile.customers.models import Customer
from lastmile.customers.queries import customers_by_phone, search_customers
from lastmile.network.models import Lease, Session, normalize_mac
from lastmile.tickets.models import Ticket

LIMIT = 10
MAX_QUERY = 200


@dataclass
class ResultGroup:
    title: str
    rows: list[Any]
    more_url: str = ""
    has_more: bool = False
    kind: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def _take(queryset: Any) -> tuple[list[Any], bool]:
    rows = list(queryset[: LIMIT + 1])
    return rows[:LIMIT], len(rows) > LIMIT


def _url(name: str, **params: object) -> str:
    return f"{reverse(name)}?{urlencode(params)}" if params else reverse(name)


def _ip(text: str) -> str:
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return ""


def search(user: Any, text: str) -> list[ResultGroup]:
    text = " ".join(text.split())[:MAX_QUERY]
    if not text:
        return []
    groups: list[ResultGroup] = []
    ip = _ip(text)
    mac = normalize_mac(text)
    phone = phone_key(text)

    customers = Customer.objects.restrict(user, "view")
    condition = Q(pk__in=search_customers(customers, text).values("pk"))
    if phone:
        condition |= Q(pk__in=customers_by_phone(customers, phone).values("pk"))
    rows, more = _take(customers.filter(condition).order_by("login"))
    if rows:
        groups.append(
            ResultGroup(
                _("Customers"), rows, _url("customers:customer_list", q=text), more, "customer"
            )
        )

    if ip or mac:
        leases = Lease.objects.restrict(user, "view").filter(ended_at__isnull=True)
        leases = leases.filter(address=ip) if ip else leases.filter(mac=mac)
        rows, more = _take(leases.select_related("customer", "pool").order_by("-started_at"))
        if rows:
            params = {"address": ip} if ip else {}
            groups.append(
                ResultGroup(
                    _("Active leases"), rows, _url("network:lease_list", **params), more, "lease"
                )
            )
        sessions = Session.objects.restrict(user, "view").filter(stopped_at__isnull=True)
        if ip:
            sessions = sessions.filter(address=ip)
        else:
            # The NAS reports the MAC in its own spelling (Calling-Station-Id).
            sessions = sessions.filter(
                mac__in={mac, mac.upper(), mac.replace(":", "-"), mac.replace(":", "-").upper()}
            )
        rows, more = _take(sessions.select_related("customer", "nas").order_by("-started_at"))
        if rows:
            params = {"address": ip, "is_open": "true"} if ip else {"is_open": "true"}
            groups.append(
                ResultGroup(
                    _("Online sessions"),
                    rows,
                    _url("network:session_list", **params),
                    more,
                    "session",
                )
            )

    number = text.lstrip("#")
    if number.isdigit() and len(number) < 10:
        tickets = Ticket.objects.restrict(user, "view").filter(pk=int(number))
        rows, more = _take(tickets.select_related("kind", "customer"))
        if rows:
            groups.append(
                ResultGroup(
                    _("Tickets"), rows, _url("tickets:ticket_list", q=number), more, "ticket"
                )
            )
    return groups


@login_required
def search_view(request: HttpRequest) -> HttpResponse:
    text = request.GET.get("q", "")
    groups = search(request.user, text)
    # A direct hit: the text is exactly one customer's login or contract number.
    needle = text.strip()
    if needle and len(groups) == 1 and groups[0].kind == "customer" and len(groups[0].rows) == 1:
        customer = groups[0].rows[0]
        if needle.lower() in (customer.login.lower(), customer.contract_number.lower()) or (
            phone_key(needle) and not groups[0].has_more
        ):
            return redirect("customers:customer_detail", pk=customer.pk)
    return render(request, "core/search.html", {"q": text, "groups": groups})
