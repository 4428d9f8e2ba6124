"""The subscriber's own session, apart from the staff session.

Staff log in with Django's ``sessionid`` cookie and ``request.user``; a
subscriber's session lives under its own cookie (``lastmile_cabinet``), so
a staff member and a subscriber logged in in one browser never mix.  The
session holds only the customer id and a fingerprint of the password hash:
a password change ends every other session.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from importlib import import_module
from typing import Any, overload
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpRequest, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.urls import reverse
from django.utils.crypto import constant_time_compare

from lastmile.cabinet import services
from lastmile.customers.models import Customer

COOKIE = "lastmile_cabinet"
_CUSTOMER = "cabinet_customer_id"
_FINGERPRINT = "cabinet_fingerprint"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


def load_session(request: HttpRequest) -> SessionBase:
    """The cabinet session of this request (loaded once)."""
    session: SessionBase | None = getattr(request, "cabinet_session", None)
    if session is None:
        engine = import_module(settings.SESSION_ENGINE)
        session = engine.SessionStore(request.COOKIES.get(COOKIE))
        request.cabinet_session = session  # type: ignore[attr-defined]
    assert session is not None
    return session


def session_customer(request: HttpRequest) -> Customer | None:
    """The logged-in, still active customer whose password has not changed since."""
    session = load_session(request)
    customer_id = session.get(_CUSTOMER)
    if not isinstance(customer_id, int):
        return None
    customer = Customer.objects.filter(pk=customer_id, is_active=True).first()
    fingerprint = session.get(_FINGERPRINT, "")
    if customer is None or not constant_time_compare(
        fingerprint, services.password_fingerprint(customer)
    ):
        session.flush()
        return None
    return customer


def log_in(request: HttpRequest, customer: Customer) -> None:
    session = load_session(request)
    session.cycle_key()  # a new key at login: no session fixation
    session[_CUSTOMER] = customer.pk
    session[_FINGERPRINT] = services.password_fingerprint(customer)


def refresh_fingerprint(request: HttpRequest, customer: Customer) -> None:
    """Keep this session after the customer changed the password here."""
    session = getattr(request, "cabinet_session", None)
    if session is not None and session.get(_CUSTOMER) == customer.pk:
        session[_FINGERPRINT] = services.password_fingerprint(customer)
        session.save()


def log_out(request: HttpRequest) -> None:
    load_session(request).flush()


def save_session(request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
    """Write the session and its cookie (like Django's SessionMiddleware)."""
    session = getattr(request, "cabinet_session", None)
    if session is None:
        return response
    if session.is_empty():
        if COOKIE in request.COOKIES:
            response.delete_cookie(COOKIE, path="/", samesite="Lax")
        return response
    if session.modified:
        session.save()
        response.set_cookie(
            COOKIE,
            session.session_key,
            max_age=settings.SESSION_COOKIE_AGE,
            path="/",
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Lax",
        )
    return response


View = Callable[..., HttpResponseBase]


@overload
def cabinet_view(view: View, *, login_required: bool = True) -> View: ...


@overload
def cabinet_view(view: None = None, *, login_required: bool = True) -> Callable[[View], View]: ...


def cabinet_view(
    view: View | None = None, *, login_required: bool = True
) -> View | Callable[[View], View]:
    """Decorate a cabinet page: load the cabinet session, put the customer on
    ``request.customer`` (or send to the login page), run changes under the
    customer's history context, and save the session."""

    def decorate(func: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
        @functools.wraps(func)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            customer = session_customer(request)
            request.customer = customer  # type: ignore[attr-defined]
            if customer is None and login_required:
                query = urlencode({"next": request.get_full_path()})
                response: HttpResponseBase = HttpResponseRedirect(
                    f"{reverse('cabinet:login')}?{query}"
                )
            elif customer is not None and request.method not in _SAFE_METHODS:
                with services.acting_customer(customer, request):
                    response = func(request, *args, **kwargs)
            else:
                response = func(request, *args, **kwargs)
            return save_session(request, response)

        return wrapped

    return decorate(view) if view is not None else decorate
