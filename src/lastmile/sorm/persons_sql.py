"""Set-based sources of the parties files about people (legal entities with
their branches, individuals), for :mod:`lastmile.sorm.bulk`; the same rules as
:mod:`lastmile.sorm.parties_sources`, as in :mod:`lastmile.sorm.parties_sql`.

Individuals cannot be written by PostgreSQL alone: passports are Fernet
tokens that only Python can decrypt (the key never goes to the database).
:func:`individual_rows` therefore streams one query, with every other field
already computed, through a server-side cursor and decrypts the passport of
each row on the way to the writer.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.apps import apps
from django.db import connection, transaction

from lastmile.sorm import journal
from lastmile.sorm.bulk import SqlRows
from lastmile.sorm.parties_sources import DOCUMENT_TYPE, INDIVIDUAL_FIELDS
from lastmile.sorm.parties_sql import address_parts_sql, house_columns
from lastmile.sorm.source_base import Row, Window
from lastmile.sorm.sql_sources import _params, _table, dt


def _branches_sql() -> str:
    """Active branches of active legal entities created by the window's end,
    with the legal entity's first main contract (start, end) and its
    postal address (the legal one when none is set)."""
    contracts = _table("contracts.Contract")
    return (
        "SELECT b.customer_id, l.*, lc.starts_on AS c_start, lc.ends_on AS c_end, "
        "CASE WHEN l.postal_address_id IS NOT NULL OR l.postal_address_text <> '' "
        "THEN l.postal_address_id ELSE l.legal_address_id END AS post_id, "
        "CASE WHEN l.postal_address_id IS NOT NULL OR l.postal_address_text <> '' "
        "THEN l.postal_address_text ELSE l.legal_address_text END AS post_text "
        f"FROM {_table('parties.Branch')} b "
        f"JOIN {_table('parties.LegalEntity')} l ON l.id = b.legal_entity_id "
        f"JOIN {_table('customers.Customer')} cu ON cu.id = b.customer_id "
        "LEFT JOIN LATERAL (SELECT starts_on, ends_on FROM "
        f"{contracts} c WHERE c.legal_entity_id = l.id AND c.kind = 'main' "
        "ORDER BY c.starts_on, c.id LIMIT 1) lc ON true "
        "WHERE b.created_at <= %(until)s AND cu.is_active AND l.is_active"
    )


def _day_start(expr: str) -> str:
    return f"(({expr})::timestamp AT TIME ZONE %(tz)s)"


def _interval() -> str:
    start = f"coalesce({_day_start('br.c_start')}, br.created_at)"
    end = f"CASE WHEN br.c_end <= %(at_day)s THEN {_day_start('br.c_end')} END"
    return f"{dt(start)} AS actual_start_time, {dt(end)} AS actual_end_time"


#: A legal-entity address block: file column suffix → address part.
_BLOCK_PARTS = (
    ("post_index", "postcode"),
    ("office", "office"),
    ("parent_id_ao", "street_id"),
    ("house", "house"),
    ("building", "building"),
    ("building_corpus", "corpus"),
)


def _address_block(prefix: str, parts: str, text: str) -> tuple[str, tuple[str, ...]]:
    """The columns of one address block (``parties_sources._address_block``):
    the parts when the address is in the registry, else the free text only."""
    columns = [f"coalesce({parts}.{part}, '') AS {prefix}{name}" for name, part in _BLOCK_PARTS]
    full = (
        f"CASE WHEN {parts}.id IS NULL THEN {text} "
        f"ELSE coalesce(nullif({parts}.full, ''), {text}) END"
    )
    columns.append(f"left({full}, 1024) AS {prefix}full_description")
    names = (*(prefix + name for name, _part in _BLOCK_PARTS), f"{prefix}full_description")
    return ", ".join(columns), names


def jur(window: Window) -> SqlRows:
    """One row per active branch of each legal entity (key: legal id +
    branch); the postal address serves as the delivery address too."""
    title = (
        "regexp_replace(btrim(translate(coalesce(nullif(br.short_name, ''), br.full_name), "
        "'\"''«»„“”', ''), E' \\t\\n\\r\\f\\v'), E'[ \\t\\n\\r\\f\\v]+', ' ', 'g')"
    )
    legal_cols, legal_names = _address_block("", "la", "br.legal_address_text")
    post_cols, post_names = _address_block("post_", "pa", "br.post_text")
    delivery_cols, delivery_names = _address_block("delivery_", "pa", "br.post_text")
    phones = "concat_ws(', ', nullif(br.phone, ''), nullif(br.responsible_phone, ''))"
    ids = "SELECT legal_address_id FROM br UNION SELECT post_id FROM br"
    select = (
        f"WITH br AS ({_branches_sql()}), parts AS ({address_parts_sql(ids)}) "
        "SELECT br.id AS _l, br.customer_id AS _c, 'L' || br.id AS legal_id, "
        f"left({title}, 256) AS legal_title, br.inn, {legal_cols}, "
        "br.bank_name AS customer_bank, br.account AS customer_bank_num, "
        f"left({phones}, 128) AS contact_telephones, {post_cols}, {delivery_cols}, "
        f"{_interval()}, br.customer_id::text AS customer_id "
        "FROM br LEFT JOIN parts la ON la.id = br.legal_address_id "
        "LEFT JOIN parts pa ON pa.id = br.post_id"
    )
    return SqlRows(
        select,
        _params(window, at_day=window.until.date()),
        (
            "legal_id",
            "legal_title",
            "inn",
            *legal_names,
            "customer_bank",
            "customer_bank_num",
            "contact_telephones",
            *post_names,
            *delivery_names,
            "actual_start_time",
            "actual_end_time",
            "customer_id",
        ),
        order="v._l, v._c",
        text_columns=(
            "legal_title",
            "customer_bank",
            "full_description",
            "post_full_description",
            "delivery_full_description",
        ),
    )


INDIVIDUAL_COLUMNS = (
    "part",
    "contract_id",
    "name",
    "last_name",
    "surname",
    "passport_encrypted",
    "has_passport",
    "house",
    "parent_id_ao",
    "house_num",
    "building",
    "building_corpus",
    "full_description",
    "actual_start_time",
    "actual_end_time",
    "customer_id",
)


def _individuals_sql() -> str:
    snapshot = journal.snapshot_sql(
        apps.get_model("parties.IndividualDetailsEvent"), INDIVIDUAL_FIELDS
    )
    branch = _table("parties.Branch")
    people = (
        f"SELECT * FROM ({snapshot}) s WHERE (s.first_name <> '' OR s.last_name <> '') "
        f"AND NOT EXISTS (SELECT 1 FROM {branch} b WHERE b.customer_id = s.customer_id)"
    )
    return (
        f"WITH s AS ({people}), br AS ({_branches_sql()}), parts AS ("
        + address_parts_sql(
            "SELECT registration_address_id FROM s UNION SELECT legal_address_id FROM br"
        )
        + ") SELECT 0 AS part, s.obj_id AS _a, 0 AS _b, "
        "s.customer_id::text AS contract_id, coalesce(nullif(s.first_name, ''), s.last_name) AS name, "
        "s.patronymic AS last_name, "
        "CASE WHEN s.first_name <> '' THEN s.last_name ELSE '' END AS surname, "
        "s.passport_encrypted, s.has_passport, coalesce(p.office, '') AS house, "
        f"{house_columns('p', 's.registration_address_text')}, "
        "s.valid_from AS actual_start_time, NULL::timestamptz AS actual_end_time, "
        "s.customer_id::text AS customer_id "
        "FROM s LEFT JOIN parts p ON p.id = s.registration_address_id "
        "UNION ALL SELECT 1, br.id, br.customer_id, 'L' || br.id, "
        "coalesce(nullif(br.responsible_first_name, ''), br.responsible_last_name), "
        "br.responsible_patronymic, "
        "CASE WHEN br.responsible_first_name <> '' THEN br.responsible_last_name ELSE '' END, "
        "'', false, '', "
        f"{house_columns('p', 'br.legal_address_text')}, "
        f"coalesce({_day_start('br.c_start')}, br.created_at), "
        f"CASE WHEN br.c_end <= %(at_day)s THEN {_day_start('br.c_end')} END, "
        "br.customer_id::text "
        "FROM br LEFT JOIN parts p ON p.id = br.legal_address_id "
        "ORDER BY 1, 2, 3"
    )


def individual_rows(window: Window) -> Iterator[Row]:
    """The ``fiz`` file's rows of a full run: people as of the window's end,
    then each branch's responsible person; streamed, and each passport
    decrypted on the way (see the module docstring)."""
    from lastmile.parties.models import Passport

    with transaction.atomic(), connection.chunked_cursor() as cursor:
        cursor.execute(_individuals_sql(), _params(window, at_day=window.until.date()))
        while True:
            fetched = cursor.fetchmany(journal.CHUNK)
            if not fetched:
                break
            for values in fetched:
                part, _a, _b, *rest = values
                row: dict[str, Any] = dict(zip(INDIVIDUAL_COLUMNS[1:], rest, strict=True))
                yield _individual(part, row, Passport)


def _individual(part: int, row: dict[str, Any], passport_type: Any) -> Row:
    token, has_passport = row.pop("passport_encrypted"), row.pop("has_passport")
    if part == 1:
        return row
    passport = passport_type()
    if token:
        from lastmile.core.crypto import decrypt_secret

        passport = passport_type.from_json(decrypt_secret(token))
    return row | {
        "birthday": passport.birth_date,
        "document_type": DOCUMENT_TYPE if has_passport else "",
        "document_serial": passport.series,
        "document_number": passport.number,
        "document_distributor": passport.issued_by,
        "passport_code": passport.unit_code,
        "passport_date": passport.issued_on,
    }
