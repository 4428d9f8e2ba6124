"""The subscriber's cabinet password: one policy, one way to set it.

Both the subscriber's own change (the cabinet) and a staff reset (customers)
come here. The cabinet, which owns the subscriber's sessions and API tokens,
registers on ``CABINET_PASSWORD_SET`` and ends them (all but the caller's own
token), so a staff reset cannot leave an old token valid. Customers does not
import the cabinet: the cabinet sits above it.
"""

from __future__ import annotations

from typing import Any, cast

from django.contrib.auth.password_validation import (
    UserAttributeSimilarityValidator,
    get_default_password_validators,
    validate_password,
)
from django.core.exceptions import ValidationError
from django.db import transaction

from lastmile.core.hooks import Hook
from lastmile.customers.errors import InvalidValue
from lastmile.customers.models import Customer

#: ``fire(customer=Customer, via=str, request=HttpRequest | None, keep_token=Any)``
#: in the transaction that set a new cabinet password.
CABINET_PASSWORD_SET = Hook("cabinet_password_set")

_SIMILAR_TO = ("login", "contract_number", "full_name", "email")


def _password_validators() -> list[Any]:
    """The configured validators, with similarity checked against the customer's
    own attributes (login, contract number, name, e-mail) instead of a user's."""
    others = [
        v
        for v in get_default_password_validators()
        if not isinstance(v, UserAttributeSimilarityValidator)
    ]
    return [UserAttributeSimilarityValidator(user_attributes=_SIMILAR_TO), *others]


def validate_cabinet_password(customer: Customer, password: str) -> None:
    """Django's validators (length, common, all digits, similar to the login or
    contract number); ``InvalidValue`` (field ``cabinet_password``) says why."""
    try:
        # The validators only read attributes and ``_meta`` of the "user": a customer does.
        subject = cast(Any, customer)
        validate_password(password, user=subject, password_validators=_password_validators())
    except ValidationError as exc:
        raise InvalidValue(" ".join(exc.messages), field="cabinet_password") from exc


def set_cabinet_password(
    *, customer: Customer, new: str, via: str, request: Any = None, keep_token: Any = None
) -> Customer:
    """Validate and store a new cabinet password; the receivers of
    ``CABINET_PASSWORD_SET`` (the cabinet) end the subscriber's sessions and tokens."""
    validate_cabinet_password(customer, new)
    with transaction.atomic():
        customer.set_cabinet_password(new)
        Customer.objects.filter(pk=customer.pk).update(cabinet_password=customer.cabinet_password)
        CABINET_PASSWORD_SET.fire(
            customer=customer, via=via, request=request, keep_token=keep_token
        )
    return customer
