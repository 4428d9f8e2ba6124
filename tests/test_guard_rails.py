"""Guard rails: money is Decimal everywhere, ledger immutability is in the schema,
production hashes passwords at full strength."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.apps import apps
from django.db import connection, models

SRC = Path(__file__).resolve().parents[1] / "src" / "lastmile"
MONEY_NAMES = re.compile(r"(price|amount|balance|credit_limit|total|sum|cost|fee)", re.I)


def test_no_float_fields_anywhere():
    offenders = [
        f"{m._meta.label}.{f.name}"
        for m in apps.get_models()
        for f in m._meta.get_fields()
        if isinstance(f, models.FloatField)
    ]
    assert offenders == []


def test_money_fields_are_numeric_14_2():
    for model in apps.get_models():
        if not model.__module__.startswith("lastmile."):
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, models.DecimalField) and MONEY_NAMES.search(field.name):
                assert (field.max_digits, field.decimal_places) == (14, 2), (
                    f"{model._meta.label}.{field.name}"
                )


def test_no_float_conversions_near_money_in_source():
    pattern = re.compile(r"float\(|: float\b|-> float\b")
    hits = []
    for app in ("finance", "subscriptions"):
        for path in (SRC / app).rglob("*.py"):
            for number, line in enumerate(path.read_text().splitlines(), 1):
                if pattern.search(line) and "float | bool" not in line:
                    hits.append(f"{path.relative_to(SRC)}:{number}: {line.strip()}")
    assert hits == []


@pytest.mark.django_db
def test_ledger_table_has_append_only_trigger():
    with connection.cursor() as cur:
        cur.execute(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = 'finance_ledgerentry'::regclass AND NOT tgisinternal"
        )
        names = [row[0] for row in cur.fetchall()]
    assert any("append_only" in name for name in names)


def test_production_settings_hash_passwords_with_full_strength_pbkdf2():
    """The suite swaps in a cheap hasher (tests/hashers.py); production must not."""
    from django.contrib.auth.hashers import PBKDF2PasswordHasher

    from lastmile import settings as production

    assert production.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.PBKDF2PasswordHasher"
    assert PBKDF2PasswordHasher.iterations >= 1_000_000
