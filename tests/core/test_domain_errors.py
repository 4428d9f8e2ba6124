"""One DomainError: its status, code and field reach every surface without a mapping."""

from __future__ import annotations

import pytest
from django import forms
from django.contrib.messages import get_messages

from lastmile.core.errors import DomainError
from lastmile.core.views import form_error
from lastmile.customers.errors import AlreadyExists, InvalidValue, NotAllowed
from lastmile.finance.errors import (
    DuplicatePaymentMismatch,
    FinanceError,
    InsufficientFunds,
)
from lastmile.subscriptions.errors import SubscriptionError, TariffNotAllowed
from tests.core.test_error_pages import FAILING


def test_every_app_error_is_a_domain_error_with_its_own_status_and_code():
    cases = [
        (InsufficientFunds(needed=1, available=0), 402, "insufficient_funds"),  # type: ignore[arg-type]
        (DuplicatePaymentMismatch("x"), 409, "duplicate_payment_mismatch"),
        (FinanceError("x"), 422, "finance"),
        (TariffNotAllowed("x"), 403, "tariff_not_allowed"),
        (SubscriptionError("x"), 409, "subscription"),
        (NotAllowed(), 403, "not_allowed"),
        (AlreadyExists("x", field="login"), 409, "already_exists"),
    ]
    for error, status, code in cases:
        assert isinstance(error, DomainError)
        assert (error.status, error.code) == (status, code), error
    assert AlreadyExists("x", field="login").problem_members() == {
        "code": "already_exists",
        "field": "login",
    }


class _Form(forms.Form):
    login = forms.CharField()


def test_form_error_puts_the_message_on_the_field_the_error_names():
    form = _Form(data={"login": "a"})
    assert form.is_valid()
    form_error(form, InvalidValue("Taken.", field="login"))
    assert form.errors == {"login": ["Taken."]}
    other = _Form(data={"login": "a"})
    assert other.is_valid()
    form_error(other, InvalidValue("No.", field="not_on_this_form"))
    assert other.non_field_errors() == ["No."]


@pytest.mark.django_db
def test_an_uncaught_domain_error_on_a_page_is_a_message_not_a_500(admin_client, settings):
    settings.ROOT_URLCONF = FAILING
    page = admin_client.get("/refuse/")
    assert page.status_code == 409
    assert "Promised payments are not offered." in page.content.decode()
    sent = admin_client.post("/refuse/", HTTP_REFERER="http://testserver/customers/")
    assert (sent.status_code, sent["Location"]) == (303, "http://testserver/customers/")
    assert [str(m) for m in get_messages(sent.wsgi_request)] == [
        "Promised payments are not offered."
    ]
