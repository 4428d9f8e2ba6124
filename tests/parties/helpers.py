"""Golden requisites (valid control digits) and builders shared by the tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from lastmile.parties import services

VALID_INN10 = "7707083893"
VALID_INN12 = "500100732259"
VALID_OGRN = "1027700132195"
VALID_OGRNIP = "304500116000157"
VALID_KPP = "773601001"
VALID_BIK = "044525225"
VALID_CORR = "30101810400000000225"
VALID_ACCOUNT = "40702814400000000001"


def legal_values(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "full_name": "Общество с ограниченной ответственностью «Ромашка»",
        "short_name": "ООО «Ромашка»",
        "inn": VALID_INN10,
        "kpp": VALID_KPP,
        "ogrn": VALID_OGRN,
        "bank_name": "ПАО Сбербанк",
        "bik": VALID_BIK,
        "account": VALID_ACCOUNT,
        "correspondent_account": VALID_CORR,
        "legal_address_text": "г Москва, ул Ленина, д. 1",
        "responsible_last_name": "Иванов",
        "responsible_first_name": "Иван",
        "responsible_position": "директор",
    }
    values.update(overrides)
    return values


def legal_entity(**overrides: Any):  # type: ignore[no-untyped-def]
    return services.create_legal_entity(**legal_values(**overrides))


def legal_with_contract(starts_on: dt.date = dt.date(2024, 1, 10), number: str = "L-1"):  # type: ignore[no-untyped-def]
    from lastmile.contracts import services as contracts

    entity = legal_entity()
    contract = contracts.create_contract(
        number=number, starts_on=starts_on, legal_entity=entity, state="active"
    )
    return entity, contract
