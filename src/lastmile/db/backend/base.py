"""Django's PostgreSQL backend, pointed at the configured or embedded server.

The embedded cluster is started lazily, at the first real connection, so that
commands which never touch the database (lint, ``--help``) start nothing.
"""

from __future__ import annotations

from typing import Any

from django.db.backends.postgresql import base

from lastmile.db import runtime


class DatabaseWrapper(base.DatabaseWrapper):
    def get_connection_params(self) -> dict[str, Any]:
        if not self.settings_dict.get("HOST"):
            params = runtime.connection_params()
            self.settings_dict.update({k: v for k, v in params.items() if k != "NAME"})
        return super().get_connection_params()
