"""Schemathesis over the whole REST API, in-process: no input may answer 5xx,
and every error is an RFC 9457 problem document.

Every operation of the OpenAPI document django-ninja serves is fuzzed with a fixed
seed (derandomized) and a bounded number of examples (``RUNS``: schema-valid
cases, then a few schema-breaking ones): staff operations as a
superuser with a bearer API token, ``/api/v1/me`` operations as a subscriber with
a cabinet token.  The fuzzer may revoke its own token, change the password or
deactivate its own user; those are restored after every case so the rest of the
run stays authenticated.  The run's size is printed even when output is captured.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from lastmile.accounts.models import ApiToken
from lastmile.accounts.services import create_api_token
from lastmile.cabinet.models import CabinetToken
from lastmile.cabinet.services import create_token
from lastmile.customers.models import Customer
from tests.factories import (
    CustomerFactory,
    CustomerGroupFactory,
    ExtraFieldFactory,
    NasFactory,
    PoolFactory,
    TariffFactory,
    TicketFactory,
    UserFactory,
)

# Valid inputs by the schema, then a few that break it (wrong types, missing fields).
RUNS = [(GenerationMode.POSITIVE, 10), (GenerationMode.NEGATIVE, 3)]
CABINET_PREFIX = "/api/v1/me"

pytestmark = pytest.mark.django_db(transaction=True, reset_sequences=True)


def _world() -> dict[str, Any]:
    """A few rows of each kind, so small ids in paths hit real objects."""
    admin = UserFactory(username="fuzz-admin", is_superuser=True, is_staff=True)
    group = CustomerGroupFactory()
    subscriber = CustomerFactory(group=group)
    CustomerFactory(group=group)
    ExtraFieldFactory()
    TariffFactory()
    TariffFactory()
    TicketFactory(author=admin)
    NasFactory()
    PoolFactory()
    staff_token, staff_secret = create_api_token(user=admin, name="fuzz")
    cabinet_token, cabinet_secret = create_token(customer=subscriber, name="fuzz")
    return {
        "admin": admin,
        "subscriber": subscriber,
        "staff_token": staff_token,
        "cabinet_token": cabinet_token,
        "staff": {"Authorization": f"Bearer {staff_secret}"},
        "cabinet": {"Authorization": f"Bearer {cabinet_secret}"},
    }


def _restore(world: dict[str, Any]) -> None:
    """Undo what the fuzzer may do to its own credentials."""
    ApiToken.objects.filter(pk=world["staff_token"].pk).update(revoked_at=None)
    CabinetToken.objects.filter(pk=world["cabinet_token"].pk).update(revoked_at=None)
    type(world["admin"]).objects.filter(pk=world["admin"].pk).update(is_active=True)
    Customer.objects.filter(pk=world["subscriber"].pk).update(is_active=True)


def _content_type(response: Any) -> str:
    headers = {key.lower(): value for key, value in response.headers.items()}
    value = headers.get("content-type", "")
    return str(value[0] if isinstance(value, list) else value).split(";")[0]


def _fuzz(
    operation: Any, mode: GenerationMode, examples: int, world: dict[str, Any], seen: Counter[int]
) -> list[str]:
    """Run ``examples`` cases of one operation; the 5xx and non-problem errors, described."""
    headers = world["cabinet"] if operation.path.startswith(CABINET_PREFIX) else world["staff"]
    errors: list[str] = []

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case: Any) -> None:
        response = case.call(headers=headers)
        seen[response.status_code] += 1
        content_type = _content_type(response)
        if response.status_code >= 400 and content_type != "application/problem+json":
            errors.append(
                f"[{mode}] {case.method} {case.formatted_path} -> {response.status_code} "
                f"not a problem document ({content_type}): {response.text[:200]}"
            )
        if response.status_code >= 500:
            errors.append(
                f"[{mode}] {case.method} {case.formatted_path} query={case.query!r} "
                f"body={case.body!r} -> {response.status_code} {response.text[:200]}"
            )
        _restore(world)

    try:
        run()
    except Unsatisfiable:
        # An operation without parameters or body has nothing a negative case can break.
        if mode is not GenerationMode.NEGATIVE:
            raise
    return errors


def test_no_input_answers_a_server_error(capsys: pytest.CaptureFixture[str]) -> None:
    world = _world()
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
    operations = [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]
    statuses: Counter[int] = Counter()
    server_errors: list[str] = []
    for operation in operations:
        for mode, examples in RUNS:
            server_errors += _fuzz(operation, mode, examples, world, statuses)

    with capsys.disabled():
        print(
            f"\nschemathesis: {len(operations)} operations, {statuses.total()} cases, "
            f"statuses {dict(sorted(statuses.items()))}"
        )
    assert len(operations) > 80  # the whole API: staff and cabinet
    assert not server_errors, "\n".join(server_errors)
