"""Demo: the card gateway in test mode (its hosted page is lastmile's own
test provider), so "pay online" in the cabinet works offline."""

from __future__ import annotations

from decimal import Decimal

from lastmile.finance.gateways.models import GatewayConfig

DEMO_CARD_SECRET = "demo-card-secret-not-for-production"
LOCAL_NETWORKS = ["127.0.0.0/8", "::1/128"]


def load_demo(*, customers: int, seed: int) -> list[str]:
    card, _ = GatewayConfig.objects.get_or_create(name="card", defaults={"title": "Card (test)"})
    card.is_enabled = True
    card.mode = GatewayConfig.Mode.TEST
    card.allowed_networks = LOCAL_NETWORKS
    card.min_amount, card.max_amount = Decimal("10.00"), Decimal("50000.00")
    card.options = {**(card.options or {}), "currency": "RUB"}
    card.set_credentials({"secret": DEMO_CARD_SECRET})
    card.save()
    GatewayConfig.objects.get_or_create(
        name="registry", defaults={"title": "Bank registry", "is_enabled": True}
    )
    return ["payment gateways: card (test provider at /pay/card/test-provider/…), registry import"]
