"""The one NinjaAPI instance; each app mounts its router here."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import NinjaAPI, Schema

from lastmile.api import errors
from lastmile.api.auth import staff_auth

api = NinjaAPI(
    title="lastmile API",
    version="1",
    description="REST API of lastmile. Errors are RFC 9457 problem details.",
    urls_namespace="api",
    auth=staff_auth,
    docs_url="/docs",
)
errors.install(api)


class Status(Schema):
    status: str
    version: str


@api.get("/status", auth=None, response=Status, tags=["system"])
def status(request: HttpRequest) -> dict[str, str]:
    """Liveness probe; needs no authentication."""
    from lastmile import __version__

    return {"status": "ok", "version": __version__}


def _mount() -> None:
    from lastmile.accounts.api import router as accounts_router

    api.add_router("/accounts", accounts_router)
    api.add_router("/network", "lastmile.network.api.router")
    api.add_router("/devices", "lastmile.devices.api.router")
    api.add_router("/aaa", "lastmile.aaa.api.router")
    api.add_router("/tasks", "lastmile.tickets.api.router")
    api.add_router("/notifications", "lastmile.notifications.api.router")
    api.add_router("/customers", "lastmile.customers.api.router")
    api.add_router("/parties", "lastmile.parties.api.router")
    api.add_router("/contracts", "lastmile.contracts.api.router")
    api.add_router("/addresses", "lastmile.addresses.api.router")
    api.add_router("/finance", "lastmile.finance.api.router")
    api.add_router("/billing", "lastmile.subscriptions.api.router")
    api.add_router("/me", "lastmile.cabinet.api.router")


_mount()
