"""Settings of the process itself: demo mode, secrets, the database, hosts, logs,
language, file paths and the API."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field, SecretStr


class RuntimeSettings(BaseModel):
    """Demo mode, secrets, the database, hosts, logs, language, paths, API limits."""

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
    pg_dir: Path = Field(
        Path("var/pg"),
        description="Data directory of the embedded cluster. As root it is a symlink into "
        "pg_root_dir, where the cluster really lives.",
    )
    pg_root_dir: Path = Field(
        Path("/var/lib/lastmile/embedded-postgres"),
        description="As root only: where the embedded cluster's binaries and data live. "
        "PostgreSQL refuses to run as root, so it runs as the system user embedded_postgres, "
        "which owns this folder; every parent must be traversable by others (mode o+x).",
    )
    db_name: str = Field("lastmile", description="Database name inside the embedded cluster.")
    pg_shared_buffers: str = Field(
        "256MB", pattern=r"^\d+(kB|MB|GB)$", description="shared_buffers of the embedded cluster."
    )
    allowed_hosts: list[str] = Field(
        default_factory=lambda: ["127.0.0.1", "localhost"],
        description="Host names the web server answers to.",
    )
    csrf_trusted_origins: list[str] = Field(
        default_factory=list,
        description="Origins allowed to POST (https://billing.example.net) behind a proxy.",
    )
    sites_enabled: bool = Field(
        False, description="Sites/branches as a dimension of customers, staff and permissions."
    )
    log_json: bool = Field(False, description="Log as JSON lines (production) instead of console.")
    log_level: str = Field("INFO", description="DEBUG, INFO, WARNING or ERROR.")
    language_code: str = Field("en", description="Default UI language: en or ru.")
    time_zone: str = Field(
        "Europe/Moscow",
        description="Operator time zone: billing periods and dates are counted in it.",
    )
    media_root: Path = Field(Path("var/media"), description="Uploaded files.")
    static_root: Path = Field(Path("var/static"), description="Where collectstatic puts files.")
    api_token_days: int = Field(90, description="Default lifetime of new API tokens.")
    api_max_page_size: int = Field(
        200,
        ge=1,
        le=10000,
        description="Most rows one page of an API list returns (?limit= above it is refused).",
    )
