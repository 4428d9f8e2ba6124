from typing import Any


def on_customer_created(**kwargs: Any) -> None:
    pass


def on_customer_deactivated(**kwargs: Any) -> None:
    pass
