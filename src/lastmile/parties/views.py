from typing import Any


def customer_party_context(customer: Any, user: Any) -> dict[str, Any] | None:
    return None
