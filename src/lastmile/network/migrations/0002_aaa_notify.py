"""Statement-level triggers that tell RADIUS nodes what changed (LISTEN/NOTIFY).

Channel ``lastmile_aaa``; payload ``<kind>:<comma-separated ids>`` or
``<kind>:*`` when a statement touched more rows than fit in one notification.
Kinds: customer, subscription (customer ids), tariff, nas, pool, binding,
lease (lease ids).  Notifications are sent at commit, so a node never sees a
change that was rolled back.

Tables that also carry pghistory's row triggers (customers, subscriptions,
tariffs) notify per row: a statement trigger with a transition table next
to an AFTER ROW trigger made bulk updates quadratic (a 50,000-row billing
run took minutes; measured in bench/billing.py).  PostgreSQL folds repeated
payloads within a transaction, and the listener batches what arrives.
"""

from django.db import migrations

FUNCTION = r"""
CREATE OR REPLACE FUNCTION lastmile_aaa_notify() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    kind text := TG_ARGV[0];
    col text := TG_ARGV[1];
    n bigint;
    ids text;
BEGIN
    EXECUTE 'SELECT count(*) FROM changed_rows' INTO n;
    IF n = 0 THEN
        RETURN NULL;
    END IF;
    IF col = '' OR n > 400 THEN
        PERFORM pg_notify('lastmile_aaa', kind || ':*');
        RETURN NULL;
    END IF;
    EXECUTE format(
        'SELECT string_agg(DISTINCT %I::text, '','') FROM changed_rows WHERE %I IS NOT NULL',
        col, col
    ) INTO ids;
    PERFORM pg_notify('lastmile_aaa', kind || ':' || coalesce(ids, ''));
    RETURN NULL;
END;
$$;
"""

ROW_FUNCTION = r"""
CREATE OR REPLACE FUNCTION lastmile_aaa_notify_row() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    kind text := TG_ARGV[0];
    id_value text;
BEGIN
    -- A bulk writer (the billing run) announces its changes itself, in chunks.
    IF current_setting('lastmile.aaa_bulk', true) = 'on' THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'DELETE' THEN
        id_value := to_jsonb(OLD) ->> TG_ARGV[1];
    ELSE
        id_value := to_jsonb(NEW) ->> TG_ARGV[1];
    END IF;
    PERFORM pg_notify('lastmile_aaa', kind || ':' || coalesce(id_value, '*'));
    RETURN NULL;
END;
$$;
"""

# (table, kind, id column): one notification per row.
ROW_TABLES = [
    ("customers_customer", "customer", "id"),
    ("subscriptions_subscription", "subscription", "customer_id"),
    ("subscriptions_tariff", "tariff", "id"),
]

# (table, kind, id column): one notification per statement.
TABLES = [
    ("network_nas", "nas", ""),
    ("network_pool", "pool", ""),
    ("network_pool_tariffs", "pool", ""),
    ("network_pool_groups", "pool", ""),
    ("network_pool_nases", "pool", ""),
    ("network_accessbinding", "binding", ""),
    ("network_lease", "lease", "id"),
]


def _forward() -> str:
    parts = [FUNCTION, ROW_FUNCTION]
    for table, kind, col in ROW_TABLES:
        parts.append(
            f"DROP TRIGGER IF EXISTS lastmile_aaa_row ON {table};"
            f"CREATE TRIGGER lastmile_aaa_row AFTER INSERT OR UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION lastmile_aaa_notify_row('{kind}', '{col}');"
        )
    for table, kind, col in TABLES:
        for event, transition in (("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD")):
            name = f"lastmile_aaa_{event.lower()}"
            parts.append(
                f"DROP TRIGGER IF EXISTS {name} ON {table};"
                f"CREATE TRIGGER {name} AFTER {event} ON {table} "
                f"REFERENCING {transition} TABLE AS changed_rows "
                f"FOR EACH STATEMENT EXECUTE FUNCTION lastmile_aaa_notify('{kind}', '{col}');"
            )
    return "\n".join(parts)


def _backward() -> str:
    parts = [f"DROP TRIGGER IF EXISTS lastmile_aaa_row ON {table};" for table, _k, _c in ROW_TABLES]
    for table, _kind, _col in TABLES:
        for event in ("insert", "update", "delete"):
            parts.append(f"DROP TRIGGER IF EXISTS lastmile_aaa_{event} ON {table};")
    parts.append("DROP FUNCTION IF EXISTS lastmile_aaa_notify();")
    parts.append("DROP FUNCTION IF EXISTS lastmile_aaa_notify_row();")
    return "\n".join(parts)


class Migration(migrations.Migration):
    dependencies = [
        ("network", "0001_initial"),
        ("customers", "0001_initial"),
        ("subscriptions", "0001_initial"),
    ]

    operations = [migrations.RunSQL(_forward(), _backward())]
