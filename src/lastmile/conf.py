"""The one typed configuration of lastmile (web, worker and AAA share it).

Values come from environment variables with the ``LASTMILE_`` prefix, then
from an optional ``lastmile.toml`` (path in ``LASTMILE_CONFIG_FILE``, default
``./lastmile.toml``), then from the defaults below.  Secrets have no usable
default outside demo mode: starting without them is a clear error.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

# Only used when LASTMILE_DEMO=1 (make demo, tests): never in production.
DEMO_SECRET_KEY = "demo-only-insecure-secret-key-do-not-use-in-production-0123456789"
DEMO_ENCRYPTION_KEY = "ZGVtby1vbmx5LWVuY3J5cHRpb24ta2V5LTMyYnl0ZXM="


class ConfigurationError(RuntimeError):
    """Raised when the configuration cannot be used (missing secret, bad value)."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="LASTMILE_",
        extra="ignore",
        toml_file=os.environ.get("LASTMILE_CONFIG_FILE", "lastmile.toml"),
    )

    demo: bool = Field(False, description="Demo mode: insecure demo secrets are allowed.")
    debug: bool = Field(False, description="Django debug pages. Never in production.")
    secret_key: SecretStr | None = Field(None, description="Django secret key (required).")
    encryption_key: SecretStr | None = Field(
        None,
        description="Fernet key (urlsafe base64, 32 bytes) for secrets stored encrypted "
        "at rest: PPPoE passwords, NAS secrets. Required.",
    )
    database_url: str | None = Field(
        None,
        description="postgresql://user:pass@host:port/db. Unset: lastmile runs its own "
        "embedded PostgreSQL under pg_dir.",
    )
    pg_dir: Path = Field(Path("var/pg"), description="Data directory of the embedded cluster.")
    db_name: str = Field("lastmile", description="Database name inside the embedded cluster.")
    allowed_hosts: list[str] = Field(
        default_factory=lambda: ["127.0.0.1", "localhost"],
        description="Host names the web server answers to.",
    )
    csrf_trusted_origins: list[str] = Field(default_factory=list)
    sites_enabled: bool = Field(
        False, description="Sites/branches as a dimension of customers, staff and permissions."
    )
    log_json: bool = Field(False, description="Log as JSON lines (production) instead of console.")
    log_level: str = Field("INFO")
    language_code: str = Field("en", description="Default UI language: en or ru.")
    time_zone: str = Field("Europe/Moscow")
    media_root: Path = Field(Path("var/media"), description="Uploaded files.")
    static_root: Path = Field(Path("var/static"))
    login_max_failures: int = Field(5, description="Failed logins in a row before throttling.")
    login_lockout_s: int = Field(900, description="Throttle window after too many failures.")
    api_token_days: int = Field(90, description="Default lifetime of new API tokens.")
    session_cookie_secure: bool = Field(False)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls))

    @model_validator(mode="after")
    def _demo_secrets(self) -> Settings:
        if self.demo:
            if self.secret_key is None:
                self.secret_key = SecretStr(DEMO_SECRET_KEY)
            if self.encryption_key is None:
                self.encryption_key = SecretStr(DEMO_ENCRYPTION_KEY)
        return self

    def require_secrets(self) -> None:
        """Refuse to start without real secrets (outside demo mode)."""
        missing = [
            f"LASTMILE_{name.upper()}"
            for name in ("secret_key", "encryption_key")
            if getattr(self, name) is None
        ]
        if missing:
            raise ConfigurationError(
                "Missing required settings: "
                + ", ".join(missing)
                + ". Set them in the environment or lastmile.toml "
                "(or LASTMILE_DEMO=1 for a demo with insecure built-in keys)."
            )

    def describe(self) -> list[dict[str, Any]]:
        """Name, default and description of every setting (for docs/configuration.md)."""
        rows = []
        for name, field in type(self).model_fields.items():
            default = field.get_default(call_default_factory=True)
            rows.append(
                {
                    "env": f"LASTMILE_{name.upper()}",
                    "default": default,
                    "description": field.description or "",
                }
            )
        return rows


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (read once)."""
    return Settings()
