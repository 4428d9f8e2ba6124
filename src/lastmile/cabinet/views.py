"""Pages of the subscriber cabinet.  Thin: a form, one service call, a page.
The customer always comes from the cabinet session, never from the URL."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lastmile.cabinet import charts, codes, documents, payments, queries, services
from lastmile.cabinet import support as support_service
from lastmile.cabinet.errors import CodeThrottled, LoginThrottled
from lastmile.cabinet.forms import (
    CodeForm,
    ContactForm,
    LoginForm,
    NotificationForm,
    PasswordChangeForm,
    PayForm,
    ResetConfirmForm,
    ResetRequestForm,
    StatementForm,
    SupportReplyForm,
    SupportRequestForm,
)
from lastmile.cabinet.session import (
    cabinet_view,
    load_session,
    log_in,
    log_out,
    refresh_fingerprint,
)
from lastmile.core.errors import DomainError
from lastmile.core.views import form_error, message_error
from lastmile.customers.models import Customer
from lastmile.notifications import services as notifications
from lastmile.notifications import telegram
from lastmile.notifications.models import SubscriberPreference
from lastmile.subscriptions import promised
from lastmile.subscriptions import services as subscriptions
from lastmile.subscriptions.models import Tariff

PAGE_SIZE = 20


def _customer(request: HttpRequest) -> Customer:
    customer: Customer = request.customer  # type: ignore[attr-defined]
    return customer


def _page(request: HttpRequest, queryset: Any) -> Page[Any]:
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def _home() -> HttpResponse:
    return HttpResponseRedirect(reverse("cabinet:home"))


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


@cabinet_view
def home(request: HttpRequest) -> HttpResponse:
    customer = _customer(request)
    return render(
        request,
        "cabinet/home.html",
        {"customer": customer, **queries.overview(customer), "title": _("My account")},
    )


@cabinet_view
def ledger(request: HttpRequest) -> HttpResponse:
    page = _page(request, queries.ledger(_customer(request)))
    return render(request, "cabinet/ledger.html", {"page": page, "title": _("Balance history")})


@cabinet_view
def sessions(request: HttpRequest) -> HttpResponse:
    customer = _customer(request)
    context = {
        "page": _page(request, queries.sessions(customer)),
        "traffic": queries.traffic_this_month(customer),
        "chart": charts.traffic_chart(queries.daily_traffic(customer)),
        "leases": queries.active_leases(customer),
        "title": _("Sessions and traffic"),
    }
    return render(request, "cabinet/sessions.html", context)


@cabinet_view
def tariffs(request: HttpRequest) -> HttpResponse:
    customer = _customer(request)
    context = {
        "tariffs": subscriptions.purchasable_tariffs(customer),
        "current": subscriptions.current_subscription(customer.pk),
        "preorder": subscriptions.pending_preorder(customer.pk),
        "title": _("Tariffs"),
    }
    return render(request, "cabinet/tariffs.html", context)


def _tariff(customer: Customer, pk: int) -> Tariff:
    """Only a tariff this customer may buy; any other id is "not found"."""
    return get_object_or_404(subscriptions.purchasable_tariffs(customer), pk=pk)


@cabinet_view
def buy(request: HttpRequest, pk: int) -> HttpResponse:
    """Preview the charge and refund of buying a tariff now, then confirm."""
    customer = _customer(request)
    tariff = _tariff(customer, pk)
    error = ""
    if request.method == "POST":
        try:
            subscriptions.buy_tariff(
                customer=customer,
                tariff=tariff,
                actor_label=services.actor_label(customer),
                auto_renew=request.POST.get("auto_renew") == "1",
            )
        except DomainError as exc:
            error = str(exc)
        else:
            messages.success(request, _("Tariff “%(tariff)s” is active.") % {"tariff": tariff})
            return _home()
    preview = subscriptions.preview_purchase(customer=customer, tariff=tariff)
    return render(
        request,
        "cabinet/buy.html",
        {"tariff": tariff, "preview": preview, "error": error, "title": _("Buy a tariff")},
    )


@cabinet_view
def preorder(request: HttpRequest, pk: int) -> HttpResponse:
    """Order the next tariff to start when the current period ends."""
    customer = _customer(request)
    tariff = _tariff(customer, pk)
    error = ""
    if request.method == "POST":
        try:
            subscriptions.preorder_tariff(
                customer=customer,
                tariff=tariff,
                actor_label=services.actor_label(customer),
                auto_renew=request.POST.get("auto_renew") == "1",
            )
        except DomainError as exc:
            error = str(exc)
        else:
            messages.success(request, _("Pre-order saved; it starts when the current one ends."))
            return _home()
    context = {
        "tariff": tariff,
        "current": subscriptions.current_subscription(customer.pk),
        "error": error,
        "title": _("Pre-order a tariff"),
    }
    return render(request, "cabinet/preorder.html", context)


@require_POST
@cabinet_view
def cancel_preorder(request: HttpRequest) -> HttpResponse:
    customer = _customer(request)
    waiting = subscriptions.pending_preorder(customer.pk)
    if waiting is None:
        raise Http404
    subscriptions.terminate_subscription(
        subscription=waiting, actor_label=services.actor_label(customer)
    )
    messages.success(request, _("Pre-order cancelled."))
    return _home()


@require_POST
@cabinet_view
def auto_renew(request: HttpRequest) -> HttpResponse:
    customer = _customer(request)
    current = subscriptions.current_subscription(customer.pk)
    if current is None:
        raise Http404
    subscriptions.set_auto_renew(
        subscription=current, auto_renew=request.POST.get("auto_renew") == "1"
    )
    messages.success(
        request,
        _("Auto-renew switched on.") if current.auto_renew else _("Auto-renew switched off."),
    )
    return _home()


@require_POST
@cabinet_view
def promised_payment(request: HttpRequest) -> HttpResponse:
    customer = _customer(request)
    try:
        account = promised.take_promised_payment(customer_id=customer.pk)
    except DomainError as exc:
        message_error(request, exc)
    else:
        messages.success(
            request,
            _("Promised payment of %(amount)s granted.") % {"amount": account.credit_limit},
        )
    return _home()


@cabinet_view
def pay(request: HttpRequest) -> HttpResponse:
    """Top up online: the amount, then the payment provider's page."""
    customer = _customer(request)
    form = PayForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        amount: Decimal = form.cleaned_data["amount"]
        try:
            url = payments.start(customer=customer, amount=amount)
        except payments.PaymentUnavailable as exc:
            form.add_error(None, str(exc))
        else:
            return HttpResponseRedirect(url)
    return render(request, "cabinet/pay.html", {"form": form, "title": _("Pay online")})


@cabinet_view
def pay_return(request: HttpRequest) -> HttpResponse:
    """Where the payment provider sends the subscriber back."""
    messages.info(request, _("Thank you. The balance shows the payment once the bank confirms it."))
    return _home()


def _settings_context(customer: Customer, **forms: Any) -> dict[str, Any]:
    pref = SubscriberPreference.objects.filter(customer=customer).first()
    initial = (
        {"channels": pref.channels, "is_opted_out": pref.is_opted_out, "language": pref.language}
        if pref
        else {}
    )
    return {
        "password_form": forms.get("password_form") or PasswordChangeForm(),
        "notification_form": forms.get("notification_form") or NotificationForm(initial=initial),
        "telegram_linked": hasattr(customer, "telegram_link"),
        "contacts": codes.contact_status(customer),
        "contact_form": forms.get("contact_form") or ContactForm(),
        "pending_code": codes.pending_contact_code(customer),
        "code_form": forms.get("code_form") or CodeForm(),
        "title": _("Settings"),
    }


@cabinet_view
def settings_page(request: HttpRequest) -> HttpResponse:
    return render(request, "cabinet/settings.html", _settings_context(_customer(request)))


@require_POST
@cabinet_view
def change_password(request: HttpRequest) -> HttpResponse:
    customer = _customer(request)
    form = PasswordChangeForm(request.POST)
    if form.is_valid():
        try:
            services.change_password(
                customer=customer,
                current=form.cleaned_data["current_password"],
                new=form.cleaned_data["new_password"],
                request=request,
            )
        except DomainError as exc:  # WrongCurrentPassword names its field
            form_error(form, exc, field="new_password")
        else:
            refresh_fingerprint(request, customer)
            messages.success(request, _("Password changed."))
            return HttpResponseRedirect(reverse("cabinet:settings"))
    context = _settings_context(customer, password_form=form)
    return render(request, "cabinet/settings.html", context, status=400)


@require_POST
@cabinet_view
def notification_settings(request: HttpRequest) -> HttpResponse:
    customer = _customer(request)
    form = NotificationForm(request.POST)
    if not form.is_valid():
        context = _settings_context(customer, notification_form=form)
        return render(request, "cabinet/settings.html", context, status=400)
    notifications.set_preferences(
        customer=customer,
        channels=form.cleaned_data["channels"],
        is_opted_out=form.cleaned_data["is_opted_out"],
        language=form.cleaned_data["language"],
    )
    messages.success(request, _("Notification settings saved."))
    return HttpResponseRedirect(reverse("cabinet:settings"))


@require_POST
@cabinet_view
def telegram_code(request: HttpRequest) -> HttpResponse:
    customer = _customer(request)
    code = telegram.issue_link_code(customer=customer)
    context = _settings_context(customer)
    context.update(telegram_code=code.code, telegram_link=telegram.deep_link(code))
    return render(request, "cabinet/settings.html", context)


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


# Support requests ----------------------------------------------------------------


@cabinet_view
def support(request: HttpRequest) -> HttpResponse:
    """The subscriber's requests, and a form to write a new one."""
    customer = _customer(request)
    form = SupportRequestForm(
        request.POST if request.method == "POST" else None, categories=support_service.categories()
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                ticket = support_service.open_request(
                    customer=customer,
                    subject=form.cleaned_data["subject"],
                    message=form.cleaned_data["message"],
                    kind=form.cleaned_data["category"],
                )
            except DomainError as exc:  # the text stays in the form
                form_error(form, exc)
                status = exc.status if exc.status == 429 else 400
            else:
                messages.success(
                    request,
                    _("Request №%(id)s is sent. We will answer here.") % {"id": ticket.pk},
                )
                return HttpResponseRedirect(reverse("cabinet:support_detail", args=[ticket.pk]))
    page = _page(request, support_service.requests(customer))
    for ticket in page:
        ticket.cab_subject = support_service.subject_and_body(ticket)[0]  # type: ignore[attr-defined]
    context = {"form": form, "page": page, "title": _("Support")}
    return render(request, "cabinet/support.html", context, status=status)


@cabinet_view
def support_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One request with the public replies, and a form to reply (POST).  A reply
    to a closed request reopens it; the page says so."""
    customer = _customer(request)
    ticket = support_service.request_of(customer, pk)
    if ticket is None:
        raise Http404
    form = SupportReplyForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            was_open = ticket.is_open
            try:
                support_service.reply(
                    customer=customer, ticket=ticket, text=form.cleaned_data["text"]
                )
            except DomainError as exc:  # the text stays in the form
                form_error(form, exc)
                status = exc.status if exc.status == 429 else 400
            else:
                messages.success(
                    request,
                    _("Your reply is sent.")
                    if was_open
                    else _("Your reply is sent and the request is open again."),
                )
                url = reverse("cabinet:support_detail", args=[ticket.pk])
                return HttpResponseRedirect(f"{url}#replies")
    subject, body = support_service.subject_and_body(ticket)
    context = {
        "ticket": ticket,
        "subject": subject,
        "body": body,
        "comments": support_service.public_comments(ticket),
        "form": form,
        "title": _("Request №%(id)s") % {"id": ticket.pk},
    }
    return render(request, "cabinet/support_detail.html", context, status=status)


# Contacts ------------------------------------------------------------------------


@require_POST
@cabinet_view
def contact_start(request: HttpRequest) -> HttpResponse:
    customer = _customer(request)
    form = ContactForm(request.POST)
    if form.is_valid():
        try:
            codes.start_contact_check(
                customer=customer,
                kind=form.cleaned_data["kind"],
                value=form.cleaned_data["value"],
                request=request,
            )
        except DomainError as exc:
            form_error(form, exc, field="value")
        else:
            messages.info(request, _("We have sent a code. Enter it to confirm the contact."))
            return HttpResponseRedirect(reverse("cabinet:settings") + "#contacts")
    context = _settings_context(customer, contact_form=form)
    return render(request, "cabinet/settings.html", context, status=400)


@require_POST
@cabinet_view
def contact_confirm(request: HttpRequest) -> HttpResponse:
    customer = _customer(request)
    form = CodeForm(request.POST)
    if form.is_valid():
        try:
            contact = codes.confirm_contact(
                customer=customer, code=form.cleaned_data["code"], request=request
            )
        except DomainError as exc:
            form_error(form, exc, field="code")
        else:
            messages.success(request, _("%(contact)s is confirmed.") % {"contact": contact.value})
            return HttpResponseRedirect(reverse("cabinet:settings") + "#contacts")
    context = _settings_context(customer, code_form=form)
    return render(request, "cabinet/settings.html", context, status=400)


# Payments, receipts and statements --------------------------------------------------


@cabinet_view
def payment_list(request: HttpRequest) -> HttpResponse:
    page = _page(request, queries.payments(_customer(request)))
    return render(request, "cabinet/payments.html", {"page": page, "title": _("Payments")})


@cabinet_view
def payment_receipt(request: HttpRequest, pk: int) -> HttpResponse:
    """The receipt of one of the customer's own payments (the cashier's receipt)."""
    payment = queries.payment_of(_customer(request), pk)
    if payment is None:
        raise Http404
    return documents.receipt_pdf(payment, request)


def _statement_period(request: HttpRequest) -> tuple[StatementForm, date, date]:
    default_start, today = queries.default_statement_period()
    form = StatementForm(request.GET if "start" in request.GET else None,
                         initial={"start": default_start, "end": today})  # fmt: skip
    if form.is_bound and form.is_valid():
        return form, form.cleaned_data["start"], form.cleaned_data["end"]
    return form, default_start, today


@cabinet_view
def statement(request: HttpRequest) -> HttpResponse:
    """A period's statement on the page, with PDF and CSV of the same period."""
    customer = _customer(request)
    form, start, end = _statement_period(request)
    invalid = form.is_bound and not form.is_valid()
    context = {
        "form": form,
        "statement": queries.statement(customer, start, end),
        "query": urlencode({"start": start.isoformat(), "end": end.isoformat()}),
        "title": _("Statement"),
    }
    return render(request, "cabinet/statement.html", context, status=400 if invalid else 200)


@cabinet_view
def statement_pdf(request: HttpRequest) -> HttpResponse:
    customer = _customer(request)
    _form, start, end = _statement_period(request)
    return documents.statement_pdf(customer, queries.statement(customer, start, end), request)


@cabinet_view
def statement_csv(request: HttpRequest) -> HttpResponse:
    """The statement as CSV (``documents.statement_csv``)."""
    customer = _customer(request)
    _form, start, end = _statement_period(request)
    return documents.statement_csv(queries.statement(customer, start, end))
