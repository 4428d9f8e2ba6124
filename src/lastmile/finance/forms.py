from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from lastmile.finance.cashier import DeskMethod
from lastmile.finance.errors import AmountTooLarge, InvalidAmount
from lastmile.finance.money import parse_money


class MoneyField(forms.Field):
    """Money typed by a person: "1500", "1 500.50" or "1500,50"; never a float,
    an exponent or non-ASCII digits (``finance.money.parse_money``)."""

    widget = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})

    def __init__(self, *, allow_negative: bool = False, **kwargs: Any) -> None:
        self.allow_negative = allow_negative
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> Decimal | None:
        text = "" if value is None else str(value).strip()
        if not text:
            return None
        try:
            amount = parse_money(text, separators=".,", grouping=True, allow_negative=True)
        except AmountTooLarge as exc:
            raise forms.ValidationError(
                _("The amount is above the maximum of %(maximum)s."),
                params={"maximum": exc.maximum},
            ) from exc
        except InvalidAmount as exc:
            raise forms.ValidationError(
                _("Enter an amount like 1500 or 1500.50 (at most two decimal places).")
            ) from exc
        if amount <= 0 and not self.allow_negative:
            raise forms.ValidationError(_("The amount must be greater than zero."))
        return amount


class IdempotentForm(forms.Form):
    """Carries a key generated when the form is shown, so a double click or a
    browser resubmit records the operation once."""

    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", uuid.uuid4().hex)


class PaymentForm(IdempotentForm):
    amount = MoneyField(label=_("Amount"))
    method = forms.ChoiceField(
        label=_("Method"), choices=DeskMethod.CHOICES, initial=DeskMethod.CASH
    )
    receipt_number = forms.CharField(label=_("Receipt number"), max_length=64, required=False)
    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class CorrectionForm(IdempotentForm):
    amount = MoneyField(
        label=_("Amount"),
        allow_negative=True,
        help_text=_("Positive adds to the balance, negative takes away."),
    )
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required: what this corrects and on whose request."),
    )

    def clean_amount(self) -> Decimal:
        amount: Decimal = self.cleaned_data["amount"]
        if amount == 0:
            raise forms.ValidationError(_("A correction of zero changes nothing."))
        return amount


class CreditForm(forms.Form):
    credit_limit = MoneyField(label=_("Credit limit"), allow_negative=True)
    credit_until = forms.DateTimeField(
        label=_("Credit until"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text=_("Leave empty for a permanent credit limit."),
    )

    def clean_credit_limit(self) -> Decimal:
        value: Decimal | None = self.cleaned_data["credit_limit"]
        if value is None or value < 0:
            raise forms.ValidationError(_("The credit limit cannot be negative."))
        return value


class ReversalForm(IdempotentForm):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required: why this payment is taken back."),
    )

    def clean_reason(self) -> str:
        reason: str = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("Say why the payment is reversed."))
        return reason


class ShiftReportForm(forms.Form):
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            raise forms.ValidationError(_("The end date is before the start date."))
        return data


class CustomerSearchForm(forms.Form):
    q = forms.CharField(label=_("Login or contract"), max_length=100, required=False)
