"""Set-based sources of the parties files about places and contracts (address
objects, contracts, access points), for :mod:`lastmile.sorm.bulk`; the legal
entities and individuals are in :mod:`lastmile.sorm.persons_sql`.

The rules are those of :mod:`lastmile.sorm.parties_sources` (same rows, same
order, same bytes: the golden tests hold both paths to the same files); the
Python sources stay for incremental runs of the journal files (``ap``,
``fiz``) and as the reference.  Address parts come from one recursive query
over the addresses a file references (:func:`address_parts_sql`), not one
query per address.
"""

from __future__ import annotations

from django.apps import apps

from lastmile.sorm import journal
from lastmile.sorm.bulk import SqlRows
from lastmile.sorm.parties_sources import CONTRACT_TITLE, OBJECT_LEVELS
from lastmile.sorm.source_base import Window
from lastmile.sorm.sql_sources import DATE_SQL, WHITESPACE, _params, _table, dt

_LEVELS_SQL = ", ".join(f"'{level}'" for level in OBJECT_LEVELS)


def _rank(expr: str) -> str:
    whens = " ".join(f"WHEN '{level}' THEN {i}" for i, level in enumerate(OBJECT_LEVELS))
    return f"CASE {expr} {whens} END"


def address_parts_sql(ids_sql: str) -> str:
    """For each address id ``ids_sql`` yields (one column ``id``): its street
    id, house, building, corpus, office, postcode and full text, as
    ``parties_sources.address_parts`` computes them (deepest part wins)."""
    table = _table("addresses.AddressObject")
    cols = "level, type_short, name, building, structure, letter, postcode"
    house = "CASE WHEN c.letter <> '' THEN c.name || c.letter ELSE c.name END"
    label = (
        f"CASE WHEN c.level IN ({_LEVELS_SQL}) "
        f"THEN btrim(c.type_short || ' ' || c.name, {WHITESPACE}) "
        f"WHEN c.level = 'house' THEN 'д. ' || {house} "
        "|| CASE WHEN c.building <> '' THEN ' к. ' || c.building ELSE '' END "
        "|| CASE WHEN c.structure <> '' THEN ' стр. ' || c.structure ELSE '' END "
        "WHEN c.level = 'apartment' THEN coalesce(nullif(c.type_short, ''), 'кв.') || ' ' "
        "|| c.name END"
    )

    def deepest(value: str, condition: str) -> str:
        return f"coalesce((array_agg({value} ORDER BY c.depth) FILTER (WHERE {condition}))[1], '')"

    street, is_house = "c.level = 'street'", "c.level = 'house'"
    is_apartment, has_postcode = "c.level = 'apartment'", "c.postcode <> ''"
    return (
        "WITH RECURSIVE chain AS ("
        f"SELECT a.id AS start_id, a.id, a.parent_id, {cols}, 0 AS depth FROM {table} a "
        f"WHERE a.id IN ({ids_sql}) "
        "UNION ALL "
        f"SELECT c.start_id, a.id, a.parent_id, "
        + ", ".join(f"a.{name.strip()}" for name in cols.split(","))
        + f", c.depth + 1 FROM {table} a JOIN chain c ON a.id = c.parent_id WHERE c.depth < 20) "
        "SELECT c.start_id AS id, "
        f"{deepest('c.id::text', street)} AS street_id, "
        f"{deepest(house, is_house)} AS house, "
        f"{deepest('c.structure', is_house)} AS building, "
        f"{deepest('c.building', is_house)} AS corpus, "
        f"{deepest('c.name', is_apartment)} AS office, "
        f"{deepest('c.postcode', has_postcode)} AS postcode, "
        f"coalesce(string_agg({label}, ', ' ORDER BY c.depth DESC) "
        f"FILTER (WHERE c.level IN ({_LEVELS_SQL}, 'house', 'apartment')), '') AS full "
        "FROM chain c GROUP BY c.start_id"
    )


def regions(window: Window) -> SqlRows:
    """Address objects above the house, parents first; the full title joins
    the titles of the ancestors written before the object."""
    table = _table("addresses.AddressObject")
    own = f"btrim(o.type_short || ' ' || o.name, {WHITESPACE})"
    objects = (
        f"SELECT a.id, a.parent_id, a.type_code, a.type_short, a.name, {_rank('a.level')} AS rank "
        f"FROM {table} a WHERE a.level IN ({_LEVELS_SQL}) AND a.created_at <= %(until)s"
    )
    # A parent counts when it is written before the child (rank, then id).
    before = "(p.rank < o.rank OR (p.rank = o.rank AND p.id < o.id))"
    select = (
        f"WITH RECURSIVE o AS ({objects}), t AS ("
        f"SELECT o.id, o.rank, {own} AS full FROM o "
        f"WHERE NOT EXISTS (SELECT 1 FROM o p WHERE p.id = o.parent_id AND {before}) "
        "UNION ALL "
        f"SELECT o.id, o.rank, t.full || ', ' || {own} FROM o "
        "JOIN t ON t.id = o.parent_id JOIN o p ON p.id = o.parent_id "
        f"WHERE {before}) "
        "SELECT o.rank AS _r, o.id AS _i, o.id::text AS address_id, "
        "coalesce(o.parent_id::text, '') AS parent_id, coalesce(o.type_code::text, '') AS type_id, "
        "o.type_short AS region_type, o.name AS title, left(t.full, 512) AS full_title "
        "FROM o JOIN t ON t.id = o.id"
    )
    return SqlRows(
        select,
        _params(window),
        ("address_id", "parent_id", "type_id", "region_type", "title", "full_title"),
        order="v._r, v._i",
        text_columns=("title", "full_title"),
    )


def contracts(window: Window) -> SqlRows:
    """Customer contracts that had started by the window's end (legal
    entities' own contracts have no rows: their branches' do)."""
    where = "c.customer_id IS NOT NULL AND c.created_at <= %(until)s"
    if window.incremental:
        where += " AND c.updated_at > %(since)s"
    else:
        where += " AND c.state <> 'draft'"
    select = (
        "SELECT c.id AS _i, c.id::text AS contract_id, c.customer_id::text AS customer_id, "
        f"coalesce(to_char(c.starts_on, {DATE_SQL}), '') AS contract_start_date, "
        "CASE WHEN c.ends_on <= %(at_day)s "
        f"THEN to_char(c.ends_on, {DATE_SQL}) ELSE '' END AS contract_end_date, "
        "c.number AS contract_number, "
        "left(coalesce(nullif(c.title, ''), %(title)s), 256) AS contract_title "
        f"FROM {_table('contracts.Contract')} c WHERE {where}"
    )
    return SqlRows(
        select,
        _params(window, since=window.since, at_day=window.until.date(), title=CONTRACT_TITLE),
        (
            "contract_id",
            "customer_id",
            "contract_start_date",
            "contract_end_date",
            "contract_number",
            "contract_title",
        ),
        order="v._i",
        text_columns=("contract_number", "contract_title"),
    )


def house_columns(parts: str, text: str) -> str:
    """The street, house parts and full text of ``parts`` (an alias of
    :func:`address_parts_sql`), the free ``text`` when not in the registry."""
    return (
        f"coalesce({parts}.street_id, '') AS parent_id_ao, "
        f"coalesce({parts}.house, '') AS house_num, "
        f"coalesce({parts}.building, '') AS building, "
        f"coalesce({parts}.corpus, '') AS building_corpus, "
        f"left(coalesce({parts}.full, {text}), 1024) AS full_description"
    )


def access_points(window: Window) -> SqlRows:
    """The registry address of each active customer, as of the window's end."""
    snapshot = journal.snapshot_sql(
        apps.get_model("customers.CustomerEvent"),
        ("id", "is_active", "address_object_id"),
        key_fields=("is_active", "address_object_id"),
    )
    where = "s.is_active AND s.address_object_id IS NOT NULL"
    empty = "''"
    select = (
        f"WITH s AS (SELECT * FROM ({snapshot}) s WHERE {where}), "
        f"ap AS ({address_parts_sql('SELECT address_object_id FROM s')}) "
        "SELECT s.obj_id AS _o, s.address_object_id::text AS ap_id, s.id::text AS customer_id, "
        "coalesce(nullif(ap.house, ''), ap.office) AS house, left(ap.full, 512) AS full_address, "
        f"{house_columns('ap', empty)}, "
        f"{dt('s.valid_from')} AS actual_start_time, '' AS actual_end_time "
        "FROM s JOIN ap ON ap.id = s.address_object_id"
    )
    return SqlRows(
        select,
        _params(window),
        (
            "ap_id",
            "customer_id",
            "house",
            "full_address",
            "parent_id_ao",
            "house_num",
            "building",
            "building_corpus",
            "full_description",
            "actual_start_time",
            "actual_end_time",
        ),
        order="v._o",
        text_columns=("full_address", "full_description"),
    )
