"""Set-based sources of the big files, for :mod:`lastmile.sorm.bulk`.

Each function turns a :class:`~lastmile.sorm.sources.Window` into one query
whose columns are the file's fields as text in the physical format.  Only
full and as-of runs of the journal files come from here (an incremental run
emits every version of a few changed objects: the Python sources do that);
payments and the AAA log come from here in every kind of run.  The rules are
the ones of the Python sources they replace (same rows, same order), which
stay for incremental runs and as the reference the golden tests compare.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

from django.apps import apps
from django.conf import settings

from lastmile.sorm import journal
from lastmile.sorm.bulk import SqlRows
from lastmile.sorm.journal_sources import CUSTOMER_FIELDS
from lastmile.sorm.source_base import Row, Window

DATETIME_SQL = "'DD.MM.YYYY\"T\"HH24:MI:SS'"
DATE_SQL = "'DD.MM.YYYY'"


def _conf() -> Any:
    return settings.LASTMILE


def dt(expr: str) -> str:
    """A timestamptz as the operator's local ``DD.MM.YYYYTHH:MM:SS`` ('' for NULL)."""
    return f"coalesce(to_char(({expr}) AT TIME ZONE %(tz)s, {DATETIME_SQL}), '')"


def dt_utc(expr: str) -> str:
    return f"coalesce(to_char(({expr}) AT TIME ZONE 'UTC', {DATETIME_SQL}), '')"


def local_date(expr: str) -> str:
    return f"to_char(({expr}) AT TIME ZONE %(tz)s, {DATE_SQL})"


def mac(expr: str) -> str:
    """``aa:bb:cc:dd:ee:ff`` from any common spelling, '' when not a MAC
    (``sources._mac_or_blank``)."""
    hex_ = f"lower(regexp_replace(coalesce({expr}, ''), '[^0-9a-fA-F]', '', 'g'))"
    return (
        f"CASE WHEN coalesce({expr}, '') ~ '^[0-9a-f]{{2}}(:[0-9a-f]{{2}}){{5}}$' THEN {expr} "
        f"WHEN {hex_} ~ '^[0-9a-f]{{12}}$' THEN regexp_replace({hex_}, "
        "'(..)(..)(..)(..)(..)(..)', '\\1:\\2:\\3:\\4:\\5:\\6') ELSE '' END"
    )


def _table(label: str) -> str:
    return str(apps.get_model(label)._meta.db_table)


def _params(window: Window, **extra: Any) -> dict[str, Any]:
    return {"tz": settings.TIME_ZONE, "until": window.until, **extra}


def _parties() -> bool:
    from lastmile.sorm import parties_sources

    return parties_sources.available()


def abonents(window: Window) -> SqlRows:
    snapshot = journal.snapshot_sql(
        apps.get_model("customers.CustomerEvent"),
        CUSTOMER_FIELDS,
        key_fields=("is_active", "login", "created_at"),
    )
    holder = "s.id::text"
    start = local_date("s.created_at")
    joins = ""
    if _parties():
        contracts = _table("contracts.Contract")
        joins = (
            f" LEFT JOIN {_table('parties.Branch')} b ON b.customer_id = s.id"
            f" LEFT JOIN (SELECT customer_id, min(starts_on) AS first FROM {contracts}"
            " WHERE customer_id IS NOT NULL AND kind = 'main' GROUP BY customer_id) cs"
            " ON cs.customer_id = s.id"
            f" LEFT JOIN (SELECT legal_entity_id, min(starts_on) AS first FROM {contracts}"
            " WHERE legal_entity_id IS NOT NULL AND kind = 'main' GROUP BY legal_entity_id) ls"
            " ON ls.legal_entity_id = b.legal_entity_id"
        )
        holder = (
            "CASE WHEN b.legal_entity_id IS NOT NULL THEN 'L' || b.legal_entity_id "
            "ELSE s.id::text END"
        )
        start = f"coalesce(to_char(coalesce(ls.first, cs.first), {DATE_SQL}), {start})"
    select = (
        f"SELECT s.obj_id AS _o, s.id::text AS customer_id, {holder} AS legal_customer_id, "
        f"{start} AS contract_start_date, coalesce(s.login, '') AS customer_login, "
        "%(standard)s::text AS communication_standard "
        f"FROM ({snapshot}) s{joins} WHERE s.is_active"
    )
    return SqlRows(
        select,
        _params(window, standard=str(int(_conf().sorm_communication_standard))),
        (
            "customer_id",
            "legal_customer_id",
            "contract_start_date",
            "customer_login",
            "communication_standard",
        ),
        order="v._o",
    )


WHITESPACE = "E' \\t\\n\\r\\f\\v'"


def contacts(window: Window) -> SqlRows:
    snapshot = journal.snapshot_sql(
        apps.get_model("customers.CustomerEvent"),
        CUSTOMER_FIELDS,
        key_fields=("is_active", "full_name", "phones", "email"),
    )
    name = f"btrim(coalesce(s.full_name, ''), {WHITESPACE})"
    select = (
        "SELECT s.obj_id AS _o, p.n AS _n, s.id::text AS customer_id, "
        f"left(btrim({name} || ' ' || p.contact, {WHITESPACE}), 128) AS contact, "
        f"{dt('s.valid_from')} AS actual_start_time, '' AS actual_end_time "
        f"FROM ({snapshot}) s CROSS JOIN LATERAL ("
        "SELECT u.phone AS contact, u.n FROM unnest(s.phones) WITH ORDINALITY AS u(phone, n) "
        "WHERE coalesce(u.phone, '') <> '' "
        "UNION ALL SELECT s.email, 2147483647 WHERE coalesce(s.email, '') <> '') p "
        "WHERE s.is_active"
    )
    return SqlRows(
        select,
        _params(window),
        ("customer_id", "contact", "actual_start_time", "actual_end_time"),
        order="v._o, v._n",
        text_columns=("contact",),
    )


SERVICE_FIELDS = (
    "customer_id",
    "tariff_id",
    "state",
    "anchor",
    "period_start",
    "ended_at",
    "created_at",
)


def services(window: Window) -> SqlRows:
    snapshot = journal.snapshot_sql(
        apps.get_model("subscriptions.SubscriptionEvent"), SERVICE_FIELDS
    )
    # Russian units: the files are read by the Russian SORM side.
    parameter = (
        "CASE WHEN t.id IS NULL THEN s.tariff_id::text "
        "WHEN mod(t.rate_down_kbps, 1000) = 0 "
        "THEN t.name || ', ' || (t.rate_down_kbps / 1000) || ' Мбит/с' "
        "ELSE t.name || ', ' || t.rate_down_kbps || ' кбит/с' END"
    )
    select = (
        "SELECT s.obj_id AS _o, s.tariff_id::text AS service_id, "
        "coalesce(s.customer_id::text, '') AS idents, "
        f"left({parameter}, 256) AS parameter, "
        f"{dt('coalesce(s.anchor, s.period_start, s.created_at)')} AS begin_time, "
        f"{dt('s.ended_at')} AS end_time "
        f"FROM ({snapshot}) s LEFT JOIN {_table('subscriptions.Tariff')} t ON t.id = s.tariff_id "
        "WHERE s.state = 'active' AND (s.ended_at IS NULL OR s.ended_at > %(until)s)"
    )
    return SqlRows(
        select,
        _params(window),
        ("service_id", "idents", "parameter", "begin_time", "end_time"),
        order="v._o",
        text_columns=("parameter",),
    )


def payments(window: Window) -> SqlRows:
    table = _table("finance.Payment")
    label = journal.watermark_key(apps.get_model("finance.Payment"))
    if window.incremental:
        where = "p.id > %(after)s AND p.id <= %(upto)s"
        extra: dict[str, Any] = {
            "after": window.after.get(label, 0),
            "upto": window.upto.get(label, 0),
        }
    else:
        where = "p.created_at <= %(until)s AND p.paid_at > %(since)s AND p.paid_at <= %(until)s"
        extra = {"since": window.until - timedelta(days=_conf().sorm_payments_full_days)}
    amount = "round(p.amount, 6)"
    receipt = "coalesce(p.receipt_number, '')"
    select = (
        "SELECT p.paid_at AS _t, p.id AS _i, p.account_id::text AS customer_id, "
        f"{dt('p.paid_at')} AS pay_time, coalesce({amount}::text, '') AS amount, "
        "CASE WHEN p.gateway IN ('cash', 'desk') THEN 'Наличные' ELSE 'Безналичный' END "
        "AS pay_description, "
        "'шлюз ' || p.gateway || ', платёж ' || p.id "
        f"|| CASE WHEN {receipt} <> '' THEN ', чек ' || {receipt} ELSE '' END AS pay_params, "
        f"CASE WHEN abs({amount}) >= 100000 THEN 'amount ' || {amount} "
        "|| ' is 100000 or more (the format allows 5 integer digits)' END AS _invalid "
        f"FROM {table} p WHERE {where}"
    )
    return SqlRows(
        select,
        _params(window, **extra),
        ("customer_id", "pay_time", "amount", "pay_description", "pay_params"),
        order="v._t, v._i",
        has_invalid=True,
        text_columns=("pay_params",),
    )


def aaa(window: Window) -> SqlRows:
    """Session starts (0), stops (1), then last interim updates (2) in the
    window (``window_sources.aaa``)."""
    since = window.since or window.until - timedelta(hours=_conf().sorm_aaa_full_hours)
    sessions, nases = _table("network.Session"), _table("network.Nas")

    def part(kind: int, at: str, octets: bool, extra: str = "") -> str:
        octets_in = "coalesce(s.octets_in::text, '')" if octets else "'0'"
        octets_out = "coalesce(s.octets_out::text, '')" if octets else "'0'"
        return (
            f"SELECT {kind} AS _k, s.{at} AS _t, s.id AS _i, {dt_utc('s.' + at)} AS event_time, "
            f"'{kind}' AS event_type, coalesce(s.acct_session_id, '') AS session_id, "
            "coalesce(host(s.address), '') AS customer_ip, "
            "coalesce(s.login, '') AS customer_db_username, '0' AS connection_type, "
            "coalesce(host(n.address), '0.0.0.0') AS nas_ip_addr, "
            "CASE WHEN coalesce(s.nas_port, '') ~ '^[0-9]+$' THEN (s.nas_port::numeric)::text "
            "ELSE '0' END AS nas_port, "
            f"{octets_in} AS input_octets, {octets_out} AS output_octets, "
            f"{mac('s.mac')} AS customer_device_mac, '0' AS device_point_id "
            f"FROM {sessions} s LEFT JOIN {nases} n ON n.id = s.nas_id "
            f"WHERE s.{at} > %(since)s AND s.{at} <= %(until)s{extra}"
        )

    interim = part(
        2,
        "updated_at",
        True,
        " AND s.updated_at > s.started_at"
        " AND (s.stopped_at IS NULL OR s.stopped_at > s.updated_at)",
    )
    select = (
        f"{part(0, 'started_at', False)} UNION ALL {part(1, 'stopped_at', True)} "
        f"UNION ALL {interim}"
    )
    return SqlRows(
        select,
        _params(window, since=since),
        (
            "event_time",
            "event_type",
            "session_id",
            "customer_ip",
            "customer_db_username",
            "connection_type",
            "nas_ip_addr",
            "nas_port",
            "input_octets",
            "output_octets",
            "customer_device_mac",
            "device_point_id",
        ),
        order="v._k, v._t, v._i",
        text_columns=("session_id", "customer_db_username"),
    )


FULL_ONLY: dict[str, Callable[[Window], SqlRows]] = {
    "abonents": abonents,
    "contacts": contacts,
    "services": services,
}
ALWAYS: dict[str, Callable[[Window], SqlRows]] = {"payments": payments, "aaa": aaa}


Queries = dict[str, Callable[[Window], SqlRows]]


def _parties_queries() -> tuple[Queries, Queries]:
    """The parties files' queries: (every run, full runs only)."""
    if not _parties():
        return {}, {}
    from lastmile.sorm import parties_sql, persons_sql

    always: Queries = {
        "regions": parties_sql.regions,
        "contracts": parties_sql.contracts,
        "jur": persons_sql.jur,
    }
    return always, {"ap": parties_sql.access_points}


def sql_rows_for(code: str, window: Window) -> SqlRows | None:
    """The set-based query of a file type for this window, or None (the
    Python source then writes it)."""
    parties_always, parties_full = _parties_queries()
    always = {**ALWAYS, **parties_always}
    full_only = {**FULL_ONLY, **parties_full}
    if code in always:
        return always[code](window)
    if code in full_only and not window.incremental:
        return full_only[code](window)
    return None


def streamed_rows_for(code: str, window: Window) -> Iterator[Row] | None:
    """Rows of one streamed query that Python must finish (the individuals'
    passports are decrypted on the way), or None."""
    if code != "fiz" or window.incremental or not _parties():
        return None
    from lastmile.sorm import persons_sql

    return persons_sql.individual_rows(window)


def set_based_codes() -> tuple[str, ...]:
    """Every file type a full run writes from one query (tests compare them
    with the Python sources)."""
    parties_always, parties_full = _parties_queries()
    streamed = ("fiz",) if _parties() else ()
    return (*FULL_ONLY, *ALWAYS, *parties_always, *parties_full, *streamed)
