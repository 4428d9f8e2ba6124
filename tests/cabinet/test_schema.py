"""schemathesis against the /api/v1/me part of the OpenAPI schema, in-process
against the WSGI application, with a cabinet token: no server error."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from lastmile.wsgi import application
from tests.cabinet.conftest import bearer, make_subscriber
from tests.factories import TariffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def keep_db_connection(db):
    """Calls into the WSGI app must not close the test's connection (Django's
    test client disconnects the same signal handlers)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application).include(
    path_regex=r"^/api/v1/me"
)


@pytest.fixture
def cabinet_headers(keep_db_connection):
    customer = make_subscriber(login="fuzz", balance="1000.00")
    TariffFactory(name="Fuzz tariff", price="100.00")
    return bearer(customer)


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_me_api_has_no_server_errors(case, cabinet_headers):
    case.call_and_validate(headers=cabinet_headers, checks=[not_a_server_error])
