"""Statement-level change notifications name the changed rows in chunks.

Before, a statement that changed more than 400 rows sent ``<kind>:*`` and
every other RADIUS node reloaded all its pools and leases.  A node's
deferred lease flush (accounting Stops, up to thousands of leases every
half second) made that a full reload on every other node twice a second.
Now the ids go out in notifications of up to 400 each (a payload stays
well under PostgreSQL's 8,000-byte limit); only a statement of more than
50,000 rows still says ``*``.
"""

from importlib import import_module

from django.db import migrations

# The function as migration 0002 created it (for the reverse step).
PREVIOUS = import_module("lastmile.network.migrations.0002_aaa_notify").FUNCTION

CHUNKED = r"""
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
    IF col = '' OR n > 50000 THEN
        PERFORM pg_notify('lastmile_aaa', kind || ':*');
        RETURN NULL;
    END IF;
    FOR ids IN EXECUTE format(
        'SELECT string_agg(x::text, '','') FROM ('
        '  SELECT x, (row_number() OVER (ORDER BY x) - 1) / 400 AS chunk'
        '  FROM (SELECT DISTINCT %I AS x FROM changed_rows WHERE %I IS NOT NULL) d'
        ') c GROUP BY chunk ORDER BY chunk',
        col, col
    ) LOOP
        PERFORM pg_notify('lastmile_aaa', kind || ':' || ids);
    END LOOP;
    RETURN NULL;
END;
$$;
"""



class Migration(migrations.Migration):
    dependencies = [("network", "0003_accounting_write_path")]

    operations = [migrations.RunSQL(CHUNKED, PREVIOUS)]
