"""Faster replacements for two helper functions of pgtrigger and pghistory.

Both libraries read a custom setting inside ``BEGIN … EXCEPTION WHEN OTHERS``;
when the setting is not defined (the usual case), every row that fires a
trigger raises and rolls back a subtransaction.  On bulk statements that made
the cost grow with the square of the row count (a 50,000-subscription billing
run took minutes).  These versions read the settings with
``current_setting(name, missing_ok => true)`` and need no exception block;
behaviour is otherwise the same.  They are installed after every migrate,
after the libraries install theirs (this app comes later in INSTALLED_APPS).
"""

from __future__ import annotations

from typing import Any

from django.db import connections

SHOULD_IGNORE_SQL = """
CREATE OR REPLACE FUNCTION "public"._pgtrigger_should_ignore(trigger_name NAME)
RETURNS BOOLEAN AS $$
DECLARE
    _ignore TEXT := NULLIF(current_setting('pgtrigger.ignore', true), '');
BEGIN
    IF _ignore IS NULL THEN
        RETURN FALSE;
    END IF;
    RETURN trigger_name = ANY(_ignore::TEXT[]);
END;
$$ LANGUAGE plpgsql;
"""

ATTACH_CONTEXT_SQL = """
CREATE OR REPLACE FUNCTION _pgh_attach_context() RETURNS UUID AS $$
DECLARE
    _pgh_context_id UUID := NULLIF(current_setting('pghistory.context_id', true), '')::UUID;
    _pgh_context_metadata JSONB := NULLIF(current_setting('pghistory.context_metadata', true), '')::JSONB;
BEGIN
    IF _pgh_context_id IS NOT NULL AND _pgh_context_metadata IS NOT NULL THEN
        INSERT INTO pghistory_context (id, metadata, created_at, updated_at)
            VALUES (_pgh_context_id, _pgh_context_metadata, NOW(), NOW())
            ON CONFLICT (id) DO UPDATE
                SET metadata = EXCLUDED.metadata, updated_at = EXCLUDED.updated_at
                WHERE pghistory_context.metadata != EXCLUDED.metadata;
        RETURN _pgh_context_id;
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
"""


def install(using: str = "default", **kwargs: Any) -> None:
    with connections[using].cursor() as cursor:
        cursor.execute(SHOULD_IGNORE_SQL)
        cursor.execute(ATTACH_CONTEXT_SQL)
