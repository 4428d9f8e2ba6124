"""The start page, the balance history, sessions and traffic."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from lastmile.cabinet import charts, queries
from lastmile.cabinet.session import cabinet_view
from lastmile.cabinet.views.common import customer_of, paginate


@cabinet_view
def home(request: HttpRequest) -> HttpResponse:
    customer = customer_of(request)
    return render(
        request,
        "cabinet/home.html",
        {"customer": customer, **queries.overview(customer), "title": _("My account")},
    )


@cabinet_view
def ledger(request: HttpRequest) -> HttpResponse:
    page = paginate(request, queries.ledger(customer_of(request)))
    return render(request, "cabinet/ledger.html", {"page": page, "title": _("Balance history")})


@cabinet_view
def sessions(request: HttpRequest) -> HttpResponse:
    customer = customer_of(request)
    context = {
        "page": paginate(request, queries.sessions(customer)),
        "traffic": queries.traffic_this_month(customer),
        "chart": charts.traffic_chart(queries.daily_traffic(customer)),
        "leases": queries.active_leases(customer),
        "title": _("Sessions and traffic"),
    }
    return render(request, "cabinet/sessions.html", context)
