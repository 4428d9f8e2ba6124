"""What every cabinet page module shares: the session's customer, paging, the way home."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from lastmile.customers.models import Customer

PAGE_SIZE = 20


def customer_of(request: HttpRequest) -> Customer:
    """The customer of the cabinet session (set by ``cabinet_view``)."""
    customer: Customer = request.customer  # type: ignore[attr-defined]
    return customer


def paginate(request: HttpRequest, queryset: Any) -> Page[Any]:
    """The page of ``queryset`` the ``page`` parameter asks for."""
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def redirect_home() -> HttpResponse:
    """Back to the cabinet's start page."""
    return HttpResponseRedirect(reverse("cabinet:home"))
