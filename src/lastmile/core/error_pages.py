"""403, 404 and 500 pages in the layout of the part of the site they happen in,
each with a way back (the page the user came from, and the start page).

The staff UI and the subscriber cabinet get their own layout; the REST API
gets RFC 9457 problem details instead of HTML.  The 500 page is rendered
without the request's context processors: whatever broke the request (the
database, say) must not break its error page too.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.template import loader
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from lastmile.core.errors import DomainError
from lastmile.core.problem import problem_response


def _texts(status: int, *, csrf: bool = False) -> tuple[str, str]:
    """Title and explanation of an error page (looked up in the active language)."""
    if csrf:
        return _("The form has expired"), _(
            "The page was open too long or the session changed. Go back, reload the page "
            "and send the form again."
        )
    if status == 403:
        return _("Access denied"), _(
            "Your account may not open this page. Ask an administrator if you need it."
        )
    if status == 404:
        return _("Page not found"), _(
            "There is nothing at this address: the link may be old or the object deleted."
        )
    return _("Something went wrong"), _(
        "The error was recorded. Try again in a minute; if it happens again, tell support "
        "the request number."
    )


def _area(request: HttpRequest) -> str:
    if request.path.startswith("/api/"):
        return "api"
    if request.path.startswith("/cabinet/"):
        return "cabinet"
    return "staff"


def _context(request: HttpRequest, area: str, status: int, *, csrf: bool) -> dict[str, Any]:
    """What the page says, and the ways back: the start page of its area, and
    the referring page when that is one of ours (and not this very page)."""
    referer = request.headers.get("Referer")
    if referer and not url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        referer = None
    if referer == request.build_absolute_uri():
        referer = None
    title, text = _texts(status, csrf=csrf)
    return {
        "status": status,
        "error_title": title,
        "error_text": text,
        "back_url": referer,
        "home_url": reverse("cabinet:home") if area == "cabinet" else reverse("dashboard"),
        "request_id": getattr(request, "request_id", ""),
    }


def _template(area: str) -> str:
    return "cabinet/error.html" if area == "cabinet" else "errors/error.html"


def _page(request: HttpRequest, status: int, *, csrf: bool = False) -> HttpResponse:
    area = _area(request)
    if area == "api":
        return problem_response(request, status, _texts(status, csrf=csrf)[1])
    context = _context(request, area, status, csrf=csrf)
    if status >= 500:
        html = loader.render_to_string(_template(area), context)
        return HttpResponse(html, status=status)
    return render(request, _template(area), context, status=status)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _page(request, 403)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _page(request, 404)


def server_error(request: HttpRequest) -> HttpResponse:
    return _page(request, 500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent without a valid CSRF token (CSRF_FAILURE_VIEW): usually a
    page left open across a new login; the reason stays in the server log."""
    return _page(request, 403, csrf=True)


def domain_error_page(request: HttpRequest, exc: DomainError) -> HttpResponse:
    """A domain error no view caught, on a staff or cabinet page: never a 500.

    After a form was sent (POST…) the user goes back to the page the form was on,
    with the message on top; a page that cannot be shown says why, in the layout of
    its area, with the error's status.
    """
    area = _area(request)
    if area == "api":
        return problem_response(request, exc.status, exc.detail, **exc.problem_members())
    context = _context(request, area, exc.status, csrf=False)
    if request.method not in ("GET", "HEAD"):
        messages.error(request, str(exc))
        return HttpResponseRedirect(context["back_url"] or request.path, status=303)
    context["error_text"] = str(exc)
    return render(request, _template(area), context, status=exc.status)
