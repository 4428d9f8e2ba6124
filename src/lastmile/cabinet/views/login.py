"""Logging in and out of the cabinet, and the forgotten-password reset."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lastmile.cabinet import codes, services
from lastmile.cabinet.errors import CodeThrottled, LoginThrottled
from lastmile.cabinet.forms import LoginForm, ResetConfirmForm, ResetRequestForm
from lastmile.cabinet.session import cabinet_view, load_session, log_in, log_out
from lastmile.core.errors import DomainError
from lastmile.core.views import form_error


@cabinet_view(login_required=False)
def login(request: HttpRequest) -> HttpResponse:
    """Log in with the login (or contract number) and the cabinet password."""
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not next_url.startswith("/cabinet/") or not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}
    ):
        next_url = reverse("cabinet:home")
    if request.customer is not None:  # type: ignore[attr-defined]
        return HttpResponseRedirect(next_url)
    form = LoginForm(request.POST if request.method == "POST" else None)
    status, retry_after_s = 200, 0
    if request.method == "POST" and form.is_valid():
        try:
            customer = services.authenticate_customer(
                login=form.cleaned_data["login"],
                password=form.cleaned_data["password"],
                request=request,
            )
        except LoginThrottled as exc:
            form.add_error(None, str(exc))
            status, retry_after_s = 429, exc.retry_after_s
        except DomainError as exc:
            form_error(form, exc)
        else:
            log_in(request, customer)
            return HttpResponseRedirect(next_url)
    context = {"form": form, "next": next_url}
    response = render(request, "cabinet/login.html", context, status=status)
    if retry_after_s:
        response["Retry-After"] = str(retry_after_s)
    return response


@require_POST
@cabinet_view(login_required=False)
def logout(request: HttpRequest) -> HttpResponse:
    customer = request.customer  # type: ignore[attr-defined]
    if customer is not None:
        services.record_auth_event(
            kind=services.Kind.LOGOUT, login=customer.login, customer=customer, request=request
        )
    log_out(request)
    return HttpResponseRedirect(reverse("cabinet:login"))


# Forgotten password --------------------------------------------------------------

_RESET_LOGIN = "cabinet_reset_login"


def _throttled(response: HttpResponse, exc: DomainError) -> HttpResponse:
    retry = getattr(exc, "retry_after_s", 0)
    if retry:
        response["Retry-After"] = str(retry)
    return response


@cabinet_view(login_required=False)
def password_forgot(request: HttpRequest) -> HttpResponse:
    """Ask for a code: the same answer whether or not the login exists."""
    form = ResetRequestForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        login_text = form.cleaned_data["login"]
        try:
            codes.request_password_reset(
                login=login_text, kind=form.cleaned_data["kind"], request=request
            )
        except CodeThrottled as exc:
            form_error(form, exc)
            response = render(
                request,
                "cabinet/password_forgot.html",
                {"form": form, "title": _("Forgot your password?")},
                status=429,
            )
            return _throttled(response, exc)
        load_session(request)[_RESET_LOGIN] = login_text[:150]
        messages.info(
            request,
            _(
                "If this account has a confirmed contact of that kind, we have sent a code "
                "there. Enter it below."
            ),
        )
        return HttpResponseRedirect(reverse("cabinet:password_reset"))
    return render(
        request, "cabinet/password_forgot.html", {"form": form, "title": _("Forgot your password?")}
    )


@cabinet_view(login_required=False)
def password_reset(request: HttpRequest) -> HttpResponse:
    """Enter the code and a new password (the one cabinet password operation)."""
    session = load_session(request)
    login_text = session.get(_RESET_LOGIN)
    if not isinstance(login_text, str) or not login_text:
        return HttpResponseRedirect(reverse("cabinet:password_forgot"))
    form = ResetConfirmForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                codes.confirm_password_reset(
                    login=login_text,
                    code=form.cleaned_data["code"],
                    new=form.cleaned_data["new_password"],
                    request=request,
                )
            except CodeThrottled as exc:
                form_error(form, exc)
                status = 429
            except DomainError as exc:  # a wrong code names "code", a weak password its field
                form_error(form, exc, field="new_password")
            else:
                session.pop(_RESET_LOGIN, None)
                log_out(request)
                messages.success(request, _("Your password is changed. Log in with it."))
                return HttpResponseRedirect(reverse("cabinet:login"))
    context = {"form": form, "login": login_text, "title": _("Set a new password")}
    return render(request, "cabinet/password_reset.html", context, status=status)
