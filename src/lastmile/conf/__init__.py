"""The one typed configuration of lastmile (web, worker and AAA share it).

Values come from environment variables with the ``LASTMILE_`` prefix, then
from an optional ``lastmile.toml`` (path in ``LASTMILE_CONFIG_FILE``, default
``./lastmile.toml``), then from the defaults in the group modules of this package
(one per area: runtime, radius, notifications, sorm, ...).  Secrets have no usable
default outside demo mode: starting without them is a clear error.
"""

from __future__ import annotations

import os
from functools import lru_cache

from pydantic import SecretStr, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from lastmile.conf.cabinet import CabinetSettings
from lastmile.conf.devices import DeviceSettings
from lastmile.conf.money import MoneySettings
from lastmile.conf.notifications import NotificationSettings
from lastmile.conf.radius import RadiusSettings
from lastmile.conf.requisites import IspRequisites
from lastmile.conf.runtime import RuntimeSettings
from lastmile.conf.security import SecuritySettings
from lastmile.conf.sorm import SormSettings
from lastmile.conf.tickets import TicketSettings

# Only used when LASTMILE_DEMO=1 (make demo, tests): never in production.
DEMO_SECRET_KEY = "demo-only-insecure-secret-key-do-not-use-in-production-0123456789"
DEMO_ENCRYPTION_KEY = "ZGVtby1vbmx5LWVuY3J5cHRpb24ta2V5LTMyYnl0ZXM="


class ConfigurationError(RuntimeError):
    """Raised when the configuration cannot be used (missing secret, bad value)."""


# One settings object made of the groups, one module each.  Pydantic lists the fields
# (and docs/configuration.md its rows) from the last base to the first.
class Settings(
    IspRequisites,
    SormSettings,
    SecuritySettings,
    MoneySettings,
    DeviceSettings,
    CabinetSettings,
    NotificationSettings,
    TicketSettings,
    RadiusSettings,
    RuntimeSettings,
    BaseSettings,
):
    model_config = SettingsConfigDict(
        env_prefix="LASTMILE_",
        extra="ignore",
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Read the path at instantiation (not import) so tools and tests can point elsewhere.
        toml_file = os.environ.get("LASTMILE_CONFIG_FILE", "lastmile.toml")
        return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls, toml_file))

    @model_validator(mode="after")
    def _demo_secrets(self) -> Settings:
        if self.demo:
            if self.secret_key is None:
                self.secret_key = SecretStr(DEMO_SECRET_KEY)
            if self.encryption_key is None:
                self.encryption_key = SecretStr(DEMO_ENCRYPTION_KEY)
            # Plain-HTTP demo conveniences, unless set explicitly.
            if "session_cookie_secure" not in self.model_fields_set:
                self.session_cookie_secure = False  # the demo serves plain HTTP
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


def configuration_markdown() -> str:
    """docs/configuration.md, generated from the fields of ``Settings`` (a test keeps it in sync)."""
    lines = [
        "# Configuration",
        "",
        "Every setting is an environment variable with the `LASTMILE_` prefix, or the same",
        "name in lowercase without the prefix in `lastmile.toml` (path: `LASTMILE_CONFIG_FILE`,",
        "default `./lastmile.toml`). The environment wins over the file. Lists are JSON",
        "(`LASTMILE_ALLOWED_HOSTS='[\"billing.example.net\"]'`). Generated from",
        "`src/lastmile/conf/` by `make docs`; do not edit by hand.",
        "",
        "| variable | default | meaning |",
        "|---|---|---|",
    ]
    for name, field in Settings.model_fields.items():
        default = field.get_default(call_default_factory=True)
        shown = "—" if default is None else f"`{default}`"
        if isinstance(default, SecretStr):
            shown = "(secret)"
        description = (field.description or "").replace("|", "\\|")
        lines.append(f"| `LASTMILE_{name.upper()}` | {shown} | {description} |")
    lines.append("")
    return "\n".join(lines)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (read once)."""
    return Settings()
