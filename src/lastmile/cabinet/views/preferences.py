"""The settings page: password, notifications, Telegram and confirmed contacts."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lastmile.cabinet import codes, services
from lastmile.cabinet.forms import CodeForm, ContactForm, NotificationForm, PasswordChangeForm
from lastmile.cabinet.session import cabinet_view, refresh_fingerprint
from lastmile.cabinet.views.common import customer_of
from lastmile.core.errors import DomainError
from lastmile.core.views import form_error
from lastmile.customers.models import Customer
from lastmile.notifications import services as notifications
from lastmile.notifications import telegram
from lastmile.notifications.models import SubscriberPreference


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
    return render(request, "cabinet/settings.html", _settings_context(customer_of(request)))


@require_POST
@cabinet_view
def change_password(request: HttpRequest) -> HttpResponse:
    customer = customer_of(request)
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
    customer = customer_of(request)
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
    customer = customer_of(request)
    code = telegram.issue_link_code(customer=customer)
    context = _settings_context(customer)
    context.update(telegram_code=code.code, telegram_link=telegram.deep_link(code))
    return render(request, "cabinet/settings.html", context)


# Contacts ------------------------------------------------------------------------


@require_POST
@cabinet_view
def contact_start(request: HttpRequest) -> HttpResponse:
    customer = customer_of(request)
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
    customer = customer_of(request)
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
