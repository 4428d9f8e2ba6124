from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lastmile.accounts import second_factor, services
from lastmile.accounts.errors import InvalidScope, SessionNotFound, TokenNotFound
from lastmile.accounts.filtersets import AuthEventFilterSet, SiteFilterSet
from lastmile.accounts.forms import SecondFactorForm, SiteForm, StaffLoginForm, TokenCreateForm
from lastmile.accounts.models import ApiToken, AuthEvent, Site, staff_user
from lastmile.accounts.tables import AuthEventTable, SiteTable
from lastmile.core.views import ObjectDeleteView, ObjectEditView, ObjectListView


class LoginView(auth_views.LoginView):
    form_class = StaffLoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    pass


@login_required
def tokens(request: HttpRequest) -> HttpResponse:
    """The user's own API tokens: create (secret shown once) and revoke."""
    new_secret = None
    days = settings.LASTMILE.api_token_days
    form = TokenCreateForm(request.POST or None, initial={"expires_in_days": days})
    if request.method == "POST" and form.is_valid():
        try:
            _token, new_secret = services.create_api_token(
                user=staff_user(request),
                name=form.cleaned_data["name"],
                expires_in_days=form.cleaned_data["expires_in_days"],
                scopes=form.cleaned_data["scopes"],
            )
        except InvalidScope as exc:
            form.add_error("scopes", str(exc))
        else:
            messages.success(request, _("Token created. Copy it now: it will not be shown again."))
            form = TokenCreateForm(initial={"expires_in_days": days})
    return render(
        request,
        "accounts/tokens.html",
        {
            "form": form,
            "tokens": ApiToken.objects.filter(user=staff_user(request)),
            "new_secret": new_secret,
        },
    )


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        services.revoke_user_token(user=staff_user(request), token_id=pk)
    except TokenNotFound as exc:
        raise Http404 from exc
    messages.success(request, _("Token revoked."))
    return HttpResponseRedirect(reverse("accounts:tokens"))


def _require_sites() -> None:
    if not settings.LASTMILE.sites_enabled:
        raise Http404(_("Sites are disabled (LASTMILE_SITES_ENABLED)."))


class SiteListView(ObjectListView):
    queryset = Site.objects.all()
    table = SiteTable
    filterset = SiteFilterSet
    add_url = "accounts:site_add"

    def get(self, request: HttpRequest) -> HttpResponse:
        _require_sites()
        return super().get(request)


class SiteEditView(ObjectEditView):
    queryset = Site.objects.all()
    form = SiteForm
    success_url = "accounts:site_list"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        _require_sites()
        return super().dispatch(request, *args, **kwargs)


class SiteDeleteView(ObjectDeleteView):
    queryset = Site.objects.all()
    success_url = "accounts:site_list"


class AuthEventListView(ObjectListView):
    queryset = AuthEvent.objects.all()
    table = AuthEventTable
    filterset = AuthEventFilterSet

    def get(self, request: HttpRequest) -> HttpResponse:
        if not request.user.is_superuser and not request.user.has_perm("accounts.view_authevent"):
            raise PermissionDenied
        return super().get(request)


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return reverse("dashboard")


@login_required
def otp_setup(request: HttpRequest) -> HttpResponse:
    """Set up the authenticator app: scan, confirm with a code, get recovery codes.
    Replacing an app needs a verified session (or none set up yet)."""
    user = staff_user(request)
    if second_factor.has_device(user) and not user.is_verified():  # type: ignore[attr-defined]
        return HttpResponseRedirect(reverse("accounts:otp_verify"))
    device = second_factor.pending_device(user)
    form = SecondFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = second_factor.confirm_device(
            request=request, device=device, token=form.cleaned_data["code"]
        )
        if codes is not None:
            shown = {"codes": codes, "next": _next_url(request), "title": _("Recovery codes")}
            return render(request, "accounts/otp_codes.html", shown)
        form.add_error("code", _("Wrong code. Check the time on your phone and try again."))
    context: dict[str, Any] = {
        "form": form,
        "qr_code": second_factor.qr_code_svg(device),
        "secret": second_factor.secret_text(device),
        "next": _next_url(request),
        "title": _("Two-factor authentication"),
    }
    return render(request, "accounts/otp_setup.html", context)


@login_required
def otp_verify(request: HttpRequest) -> HttpResponse:
    """The second step of a login: a code from the app or a recovery code."""
    if not second_factor.has_device(staff_user(request)):
        return HttpResponseRedirect(reverse("accounts:otp_setup"))
    form = SecondFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if second_factor.verify(request=request, token=form.cleaned_data["code"]) is not None:
            return HttpResponseRedirect(_next_url(request))
        form.add_error("code", _("Wrong code, or too many tries: wait a little and try again."))
    context = {"form": form, "next": _next_url(request), "title": _("Enter your code")}
    return render(request, "accounts/otp_verify.html", context)


@login_required
@require_POST
def otp_recovery_codes(request: HttpRequest) -> HttpResponse:
    """New recovery codes (the old ones stop working); needs a verified session."""
    user = staff_user(request)
    if not user.is_verified():  # type: ignore[attr-defined]
        raise PermissionDenied
    codes = second_factor.new_recovery_codes(user)
    context = {"codes": codes, "next": reverse("accounts:tokens"), "title": _("Recovery codes")}
    return render(request, "accounts/otp_codes.html", context)


@login_required
def staff_sessions(request: HttpRequest) -> HttpResponse:
    """Where I am logged in; end any other session."""
    rows = services.live_staff_sessions(staff_user(request))
    context = {
        "sessions": rows,
        "current_key": request.session.session_key,
        "title": _("My sessions"),
    }
    return render(request, "accounts/sessions.html", context)


@login_required
@require_POST
def staff_session_end(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        services.end_staff_session(user=staff_user(request), session_id=pk)
    except SessionNotFound as exc:
        raise Http404 from exc
    messages.success(request, _("Session ended."))
    return HttpResponseRedirect(reverse("accounts:sessions"))
