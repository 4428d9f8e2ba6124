"""The port search endpoint (htmx): ``<option>`` rows for the IPoE binding
form's port picker."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from lastmile.devices.port_search import (
    MAX_PAGE,
    PER_PAGE,
    BadSearch,
    parse_int,
    port_label,
    search_ports,
    visible_ports,
)


@login_required
@require_GET
def port_search(request: HttpRequest) -> HttpResponse:
    """``?q=`` device name / IP / port; ``page``, ``per_page`` (≤ 100); the
    chosen port (``selected``, or the form's ``device_port``) stays first."""
    try:
        page = parse_int(request.GET.get("page"), default=1, low=1, high=MAX_PAGE, what=_("page"))
        per_page = parse_int(
            request.GET.get("per_page"), default=PER_PAGE, low=1, high=100, what=_("per page")
        )
        chosen_id = parse_int(
            request.GET.get("selected") or request.GET.get("device_port"),
            default=0, low=0, high=2**31 - 1, what=_("the chosen port"),
        )  # fmt: skip
        found = search_ports(request.user, request.GET.get("q", ""), page=page, per_page=per_page)
    except BadSearch as exc:
        return HttpResponseBadRequest(str(exc), content_type="text/plain; charset=utf-8")
    chosen = visible_ports(request.user).filter(pk=chosen_id).first() if chosen_id else None
    options = [(p.pk, port_label(p)) for p in found.ports if chosen is None or p.pk != chosen.pk]
    return render(
        request,
        "devices/_port_options.html",
        {
            "chosen": (chosen.pk, port_label(chosen)) if chosen else None,
            "options": options,
            "found": found,
        },
    )
