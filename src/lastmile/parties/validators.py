"""Russian requisites with their official control digits.

* INN (ИНН): 10 digits for an organisation (one control digit, weights
  2 4 10 3 5 9 4 6 8), 12 for a person (two control digits, weights
  7 2 4 10 3 5 9 4 6 8 and 3 7 2 4 10 3 5 9 4 6 8); each control digit is
  the weighted sum mod 11 mod 10.
* OGRN (ОГРН, 13 digits): the first 12 as a number mod 11, mod 10, is the last.
  OGRNIP (ОГРНИП, 15 digits): the first 14 mod 13, mod 10.
* KPP (КПП): 4 digits, 2 digits or capital Latin letters, 3 digits.
* BIK (БИК): 9 digits, starting with 04 (Russia).
* Accounts: the 3 last BIK digits + the 20-digit settlement account (or "0" +
  BIK digits 5–6 + the correspondent account), weighted 7 1 3 7 1 3 …, must
  sum to a multiple of 10.

Each ``check_*`` raises django ``ValidationError`` with a message that says
what is wrong; ``is_valid_*`` are the booleans behind them.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_INN10 = (2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN11 = (7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN12 = (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
_ACCOUNT_WEIGHTS = ((7, 1, 3) * 8)[:23]


def _control(digits: str, weights: tuple[int, ...]) -> int:
    return sum(int(d) * w for d, w in zip(digits, weights, strict=False)) % 11 % 10


def is_valid_inn(value: str) -> bool:
    if not value.isdigit() or not value.isascii():
        return False
    if len(value) == 10:
        return _control(value, _INN10) == int(value[9])
    if len(value) == 12:
        return _control(value, _INN11) == int(value[10]) and _control(value, _INN12) == int(
            value[11]
        )
    return False


def is_valid_ogrn(value: str) -> bool:
    if not value.isdigit() or not value.isascii():
        return False
    if len(value) == 13:
        return int(value[:12]) % 11 % 10 == int(value[12])
    if len(value) == 15:
        return int(value[:14]) % 13 % 10 == int(value[14])
    return False


def is_valid_kpp(value: str) -> bool:
    return bool(re.fullmatch(r"[0-9]{4}[0-9A-Z]{2}[0-9]{3}", value))


def is_valid_bik(value: str) -> bool:
    return bool(re.fullmatch(r"04[0-9]{7}", value))


def _account_sum_ok(key: str) -> bool:
    return sum(int(d) * w for d, w in zip(key, _ACCOUNT_WEIGHTS, strict=True)) % 10 == 0


def is_valid_account(account: str, bik: str) -> bool:
    """A settlement account checked against the bank's BIK."""
    if not re.fullmatch(r"[0-9]{20}", account) or not is_valid_bik(bik):
        return False
    return _account_sum_ok(bik[-3:] + account)


def is_valid_correspondent_account(account: str, bik: str) -> bool:
    """A correspondent account (30101…) checked against the bank's BIK."""
    if not re.fullmatch(r"301[0-9]{17}", account) or not is_valid_bik(bik):
        return False
    return _account_sum_ok("0" + bik[4:6] + account)


def check_inn(value: str, *, entrepreneur: bool = False) -> None:
    length = 12 if entrepreneur else 10
    if not (value.isdigit() and value.isascii() and len(value) == length):
        raise ValidationError(
            _("An INN has %(length)s digits.") % {"length": length}, code="inn_length"
        )
    if not is_valid_inn(value):
        raise ValidationError(
            _("This INN fails its control digit check: look for a typo."), code="inn_checksum"
        )


def check_ogrn(value: str, *, entrepreneur: bool = False) -> None:
    length, name = (15, _("An OGRNIP")) if entrepreneur else (13, _("An OGRN"))
    if not (value.isdigit() and value.isascii() and len(value) == length):
        raise ValidationError(
            _("%(name)s has %(length)s digits.") % {"name": name, "length": length},
            code="ogrn_length",
        )
    if not is_valid_ogrn(value):
        raise ValidationError(
            _("This OGRN fails its control digit check: look for a typo."), code="ogrn_checksum"
        )


def check_kpp(value: str) -> None:
    if not is_valid_kpp(value):
        raise ValidationError(
            _("A KPP has 9 characters: 4 digits, 2 digits or capital letters, 3 digits."),
            code="kpp_format",
        )


def check_bik(value: str) -> None:
    if not is_valid_bik(value):
        raise ValidationError(_("A BIK has 9 digits and starts with 04."), code="bik_format")


def check_account(account: str, bik: str) -> None:
    if not re.fullmatch(r"[0-9]{20}", account):
        raise ValidationError(_("An account number has 20 digits."), code="account_length")
    if not is_valid_account(account, bik):
        raise ValidationError(
            _("This account does not match the BIK (control digit): check both."),
            code="account_checksum",
        )


def check_correspondent_account(account: str, bik: str) -> None:
    if not re.fullmatch(r"301[0-9]{17}", account):
        raise ValidationError(
            _("A correspondent account has 20 digits and starts with 301."),
            code="corr_account_format",
        )
    if not is_valid_correspondent_account(account, bik):
        raise ValidationError(
            _("This correspondent account does not match the BIK (control digit): check both."),
            code="corr_account_checksum",
        )


def check_unit_code(value: str) -> None:
    if not re.fullmatch(r"[0-9]{3}-[0-9]{3}", value):
        raise ValidationError(
            _("A passport unit code looks like 770-001."), code="unit_code_format"
        )
