"""Money: accounts and payments, only through ``lastmile.finance.services``
(no factory writes a balance or a ledger row itself)."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

import factory

from lastmile.finance.models import Account, Payment
from tests.factories.customers import CustomerFactory


class AccountFactory(factory.Factory):
    """A customer's account (created the way finance creates it); ``credit``
    sets the credit limit through ``set_credit``, ``paid`` records a payment."""

    class Meta:
        model = Account

    customer = factory.SubFactory(CustomerFactory)
    credit = None
    credit_until = None
    paid = None

    @classmethod
    def _create(cls, model_class: type[Account], **kw: Any) -> Account:
        from lastmile.finance import services
        from lastmile.finance.locks import ensure_accounts

        customer = kw["customer"]
        ensure_accounts([customer.pk])
        if kw["credit"] is not None:
            services.set_credit(
                customer_id=customer.pk, limit=kw["credit"], until=kw["credit_until"]
            )
        if kw["paid"] is not None:
            services.record_payment(customer_id=customer.pk, amount=Decimal(str(kw["paid"])))
        return Account.objects.get(pk=customer.pk)

    @classmethod
    def _build(cls, model_class: type[Account], **kw: Any) -> Account:
        return Account(customer=kw["customer"])


class PaymentFactory(factory.Factory):
    """A completed payment, recorded by ``finance.services.record_payment``."""

    class Meta:
        model = Payment

    customer = factory.SubFactory(CustomerFactory)
    amount = Decimal("100.00")
    gateway = "cash"
    external_id = factory.Sequence(lambda n: f"pay-{n}")
    receipt_number = ""
    comment = ""
    actor = None
    paid_at = None

    if TYPE_CHECKING:

        def __new__(cls, *args: Any, **kwargs: Any) -> Payment:  # type: ignore[misc]
            ...

    @classmethod
    def _create(cls, model_class: type[Payment], **kw: Any) -> Payment:
        from lastmile.finance.services import record_payment

        customer = kw.pop("customer")
        kw["amount"] = Decimal(str(kw["amount"]))
        return record_payment(customer_id=customer.pk, **kw).payment
