from typing import Any


def customer_contracts_context(customer: Any, user: Any) -> dict[str, Any] | None:
    return None
