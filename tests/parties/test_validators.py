"""Control digits of INN, OGRN(IP), KPP, BIK and accounts: golden values both ways."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from lastmile.parties import validators as v
from tests.parties.helpers import (
    VALID_ACCOUNT,
    VALID_BIK,
    VALID_CORR,
    VALID_INN10,
    VALID_INN12,
    VALID_KPP,
    VALID_OGRN,
    VALID_OGRNIP,
)


@pytest.mark.parametrize("inn", [VALID_INN10, VALID_INN12, "7830002293", "3664069397"])
def test_valid_inns_pass(inn):
    assert v.is_valid_inn(inn)


@pytest.mark.parametrize(
    "inn",
    [
        "7707083894",
        "500100732258",
        "500100732269",
        "770708389",
        "77070838931",
        "77070838a3",
        "７７０７０８３８９３",
    ],
)
def test_wrong_inns_fail(inn):
    assert not v.is_valid_inn(inn)


@pytest.mark.parametrize("ogrn", [VALID_OGRN, VALID_OGRNIP, "1037739010891"])
def test_valid_ogrns_pass(ogrn):
    assert v.is_valid_ogrn(ogrn)


@pytest.mark.parametrize(
    "ogrn", ["1027700132196", "304500116000158", "10277001321", "102770013219a"]
)
def test_wrong_ogrns_fail(ogrn):
    assert not v.is_valid_ogrn(ogrn)


def test_kpp_format():
    assert v.is_valid_kpp(VALID_KPP)
    assert v.is_valid_kpp("7736AB001")
    assert not v.is_valid_kpp("77360100")
    assert not v.is_valid_kpp("7736ab001")


def test_bik_and_accounts():
    assert v.is_valid_bik(VALID_BIK)
    assert not v.is_valid_bik("144525225")
    assert v.is_valid_correspondent_account(VALID_CORR, VALID_BIK)
    assert not v.is_valid_correspondent_account("30101810400000000226", VALID_BIK)
    assert v.is_valid_account(VALID_ACCOUNT, VALID_BIK)
    assert not v.is_valid_account("40702814400000000002", VALID_BIK)
    # The same account at another bank fails: the check covers the BIK too.
    assert not v.is_valid_account(VALID_ACCOUNT, "044525226")


@pytest.mark.parametrize(
    ("check", "args", "message"),
    [
        (v.check_inn, ("7707083894",), "control digit"),
        (v.check_inn, ("77070838",), "10 digits"),
        (v.check_ogrn, ("1027700132196",), "control digit"),
        (v.check_bik, ("14452522",), "starts with 04"),
        (v.check_account, ("40702814400000000002", VALID_BIK), "does not match the BIK"),
        (v.check_correspondent_account, ("40101810400000000225", VALID_BIK), "starts with 301"),
    ],
)
def test_checks_say_what_is_wrong(check, args, message):
    with pytest.raises(ValidationError) as info:
        check(*args)
    assert message in " ".join(info.value.messages)
