"""The one typed configuration of lastmile (web, worker and AAA share it).

Values come from environment variables with the ``LASTMILE_`` prefix, then
from an optional ``lastmile.toml`` (path in ``LASTMILE_CONFIG_FILE``, default
``./lastmile.toml``), then from the defaults below.  Secrets have no usable
default outside demo mode: starting without them is a clear error.
"""

from __future__ import annotations

import os
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

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
    login_max_failures: int = Field(
        5, ge=1, description="Failed logins of one account (staff or subscriber) before throttling."
    )
    login_lockout_s: int = Field(900, ge=1, description="Throttle window after too many failures.")
    api_token_days: int = Field(90, description="Default lifetime of new API tokens.")
    session_cookie_secure: bool = Field(
        True, description="Send session and CSRF cookies over HTTPS only (demo default: off)."
    )
    # RADIUS server and IPAM (aaa, network apps) ---------------------------------
    radius_bind: str = Field(
        "0.0.0.0",  # noqa: S104 - NASes reach the RADIUS server over the network
        description="Address the RADIUS server listens on.",
    )
    radius_auth_port: int = Field(1812, description="RADIUS authentication port (UDP).")
    radius_acct_port: int = Field(1813, description="RADIUS accounting port (UDP).")
    radius_interim_interval_s: int = Field(
        300, description="Acct-Interim-Interval sent to NASes; 3 missed intervals = stale."
    )
    radius_session_timeout_s: int = Field(
        86400,
        description="Session-Timeout of paid sessions. Not tied to the paid period: a "
        "subscriber who renews stays online across the boundary; one who does not is moved "
        "at the boundary by CoA or Disconnect.",
    )
    radius_guest_session_timeout_s: int = Field(
        600, description="Session-Timeout of guest (blocked) sessions, so they re-auth soon."
    )
    radius_split_rate: bool = Field(
        True, description="Split a tariff's speed across all of a customer's addresses."
    )
    radius_commit_delay_ms: float = Field(
        2.0, description="Group commit: how long a batch of writes may wait for company."
    )
    radius_writers: int = Field(2, description="Database connections that commit batches.")
    radius_dup_cache_s: int = Field(30, description="How long replies are kept for duplicates.")
    radius_coa_timeout_s: float = Field(2.0, description="Wait for a CoA/Disconnect answer.")
    radius_coa_retries: int = Field(2, description="CoA/Disconnect attempts before 'timeout'.")
    worker_poll_interval_s: float = Field(
        1.0,
        gt=0,
        le=60,
        description="How often the worker looks for scheduled jobs (period-boundary billing "
        "runs, CoA retries start at most this late).",
    )
    radius_coa_parallel: int = Field(
        64, ge=1, le=1024, description="CoA/Disconnect requests in flight at once per worker job."
    )
    lease_time_s: int = Field(86400, description="Lifetime of a dynamic lease; renewed on use.")
    lease_hold_after_stop_s: int = Field(
        300, description="A dynamic lease is kept this long after its session stops."
    )
    # Tickets -------------------------------------------------------------------
    ticket_attachment_max_bytes: int = Field(
        10 * 1024 * 1024, description="Largest file a ticket comment may carry."
    )
    ticket_attachment_types: list[str] = Field(
        default_factory=lambda: ["jpg", "jpeg", "png", "gif", "webp", "pdf", "txt", "log", "csv"],
        description="File name extensions allowed as ticket attachments.",
    )
    # Notifications: e-mail over SMTP --------------------------------------------
    smtp_host: str = Field("", description="SMTP server for notification e-mail; empty: off.")
    smtp_port: int = Field(25, description="SMTP server port.")
    smtp_user: str = Field("", description="SMTP login (empty: no authentication).")
    smtp_password: SecretStr | None = Field(None, description="SMTP password.")
    smtp_from: str = Field("lastmile@localhost", description="From address of e-mail.")
    smtp_tls: bool = Field(False, description="Use STARTTLS on the SMTP connection.")
    smtp_timeout_s: int = Field(15, description="SMTP connect/read timeout.")
    # Notifications: Telegram Bot API --------------------------------------------
    telegram_bot_token: SecretStr | None = Field(None, description="Bot token; empty: off.")
    telegram_api_url: str = Field(
        "https://api.telegram.org", description="Bot API base URL (a local fake in tests)."
    )
    telegram_bot_username: str = Field(
        "", description="Bot user name, for t.me deep links with a one-time code."
    )
    telegram_link_code_ttl_s: int = Field(900, description="Lifetime of a linking code.")
    # Notifications: generic HTTP SMS gateway ------------------------------------
    sms_url_template: str = Field(
        "",
        description="SMS gateway URL with {phone}, {text}, {sender} placeholders "
        "(URL-encoded); empty: off.",
    )
    sms_method: str = Field("GET", description="GET, or POST with sms_body_template as a form.")
    sms_body_template: str = Field(
        "", description="POST body (form-encoded) with the same placeholders."
    )
    sms_auth_user: str = Field("", description="HTTP basic auth user of the SMS gateway.")
    sms_auth_password: SecretStr | None = Field(None, description="HTTP basic auth password.")
    sms_auth_header: SecretStr | None = Field(
        None, description="A full Authorization header value instead (e.g. 'Bearer …')."
    )
    sms_sender: str = Field("", description="Sender name passed as {sender}.")
    sms_success_text: str = Field(
        "", description="If set, a 2xx answer must contain this text to count as sent."
    )
    # Notifications: signed webhooks ---------------------------------------------
    webhook_urls: list[str] = Field(
        default_factory=list, description="URLs that receive every event as signed JSON."
    )
    webhook_secret: SecretStr | None = Field(
        None, description="HMAC-SHA256 key of the X-Lastmile-Signature header."
    )
    webhook_events: list[str] = Field(
        default_factory=list, description="Events sent to webhooks; empty: all of them."
    )
    # Notifications: delivery policy ---------------------------------------------
    notify_http_timeout_s: int = Field(10, description="Timeout of channel HTTP calls.")
    notify_max_attempts: int = Field(8, description="Attempts before a message is failed.")
    notify_retry_base_s: int = Field(30, description="First retry delay; doubles each time.")
    notify_retry_cap_s: int = Field(3600, description="Longest delay between retries.")
    notify_default_channels: list[str] = Field(
        default_factory=lambda: ["email", "telegram", "sms"],
        description="Channels a subscriber gets until they choose their own.",
    )
    notify_quiet_hours_start: int = Field(
        22, ge=0, le=23, description="Quiet hours start (local hour)."
    )
    notify_quiet_hours_end: int = Field(8, ge=0, le=23, description="Quiet hours end (local hour).")
    notify_quiet_channels: list[str] = Field(
        default_factory=lambda: ["sms"], description="Channels held back during quiet hours."
    )
    notify_balance_threshold: Decimal = Field(
        Decimal("100.00"), description="Warn a subscriber when the balance falls below this."
    )
    notify_days_before_end: int = Field(
        3, description="Warn a subscriber this many days before the subscription ends."
    )
    # Subscriber cabinet: promised payment -----------------------------------------
    promised_payment_enabled: bool = Field(
        True, description="Subscribers may take a promised payment in the cabinet."
    )
    promised_payment_amount: Decimal = Field(
        Decimal("300.00"), description="Credit a promised payment gives (money, two decimals)."
    )
    promised_payment_days: int = Field(3, ge=1, description="How long a promised payment lasts.")
    promised_payment_interval_days: int = Field(
        30, ge=0, description="At most one promised payment within this many days."
    )
    cabinet_token_days: int = Field(
        90, ge=1, description="Lifetime of cabinet API tokens (mobile app) in days."
    )
    cabinet_code_ttl_s: int = Field(
        900, ge=60, description="Lifetime of a one-time code (password reset, contact check)."
    )
    cabinet_code_max_attempts: int = Field(
        5, ge=1, description="Wrong entries of a one-time code before it stops working."
    )
    cabinet_requests_per_hour: int = Field(
        5, ge=1, description="Support requests one subscriber may open in the cabinet per hour."
    )
    cabinet_replies_per_hour: int = Field(
        20, ge=1, description="Replies one subscriber may write to support requests per hour."
    )
    cabinet_request_kind: str = Field(
        "other", description="Ticket kind (code) of a support request with no category chosen."
    )
    # Devices (switches, OLTs) ----------------------------------------------------------
    devices_operation_timeout_s: float = Field(
        20.0, gt=0, description="Longest a staff operation on a device (SNMP or CLI) may take."
    )
    devices_cli_lock_timeout_s: float = Field(
        30.0,
        gt=0,
        description="How long an operation waits for another CLI session to the same device "
        "(a PostgreSQL advisory lock, so across processes and machines).",
    )
    devices_poll_concurrency: int = Field(
        200, ge=1, le=5000, description="Devices polled at once by the monitoring job."
    )
    devices_poll_timeout_s: float = Field(
        2.0, gt=0, description="SNMP timeout of one monitoring poll of one device."
    )
    devices_flap_polls: int = Field(
        2,
        ge=1,
        description="Flap damping: a new status counts after this many polls in a row saw it.",
    )
    devices_flap_seconds: int = Field(
        0,
        ge=0,
        description="Flap damping: and after it has held this many seconds (0: polls only).",
    )
    devices_webhook_token: SecretStr | None = Field(
        None,
        description="Token external monitors (Zabbix) send in the X-Lastmile-Token header to "
        "POST /devices/webhook/status; empty: the webhook is off.",
    )
    # Money input -------------------------------------------------------------------
    payment_max_amount: Decimal = Field(
        Decimal("10000000.00"),
        gt=0,
        le=Decimal("999999999999.99"),
        decimal_places=2,
        description="Largest amount accepted from any input: a payment (desk, API, gateway, "
        "registry line), a correction, a credit limit, a price. Larger amounts are refused "
        "before anything is written. At most 999999999999.99 (what a money column holds).",
    )
    # Login protection and security headers (accounts app) ---------------------
    login_max_failures_per_address: int = Field(
        20,
        ge=1,
        description="Failed logins from one source address, on any accounts, "
        "before that address is throttled (subscribers behind CGNAT share one).",
    )
    content_security_policy: str = Field(
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; "
        "frame-ancestors 'none'",
        description="Content-Security-Policy header of every page (no inline scripts); "
        "empty: no header.",
    )
    content_security_policy_report_only: bool = Field(
        False, description="Send the policy as Content-Security-Policy-Report-Only instead."
    )
    permissions_policy: str = Field(
        "camera=(), microphone=(), geolocation=(), usb=()",
        description="Permissions-Policy header; empty: no header.",
    )
    no_store_authenticated: bool = Field(
        True,
        description="Cache-Control: no-store on every response to a logged-in staff member "
        "or subscriber (pages and API), so balances and personal data stay out of caches.",
    )
    hsts_seconds: int = Field(
        31536000,
        ge=0,
        description="Strict-Transport-Security max-age, sent on HTTPS requests only; 0: off.",
    )
    hsts_include_subdomains: bool = Field(False, description="HSTS for every subdomain too.")
    ssl_redirect: bool = Field(False, description="Redirect plain HTTP requests to HTTPS.")
    secure_proxy_ssl_header: str = Field(
        "",
        pattern=r"^[A-Za-z0-9-]*$",
        description="Header a TLS-terminating reverse proxy sets to 'https' (e.g. "
        "X-Forwarded-Proto); empty: only a direct TLS connection counts as secure.",
    )
    second_factor_groups: list[str] = Field(
        default_factory=list,
        description="Staff groups (roles) whose members must log in with a second factor "
        "(TOTP app, recovery codes).",
    )
    second_factor_superusers: bool = Field(
        False, description="Superusers must log in with a second factor too."
    )
    admin_enabled: bool = Field(
        True,
        description="Serve Django's admin site at /admin/ (staff and permissions are managed "
        "there; its login is throttled like /login/). Off: /admin/ answers 404.",
    )
    radius_simultaneous_use: int = Field(
        1,
        ge=0,
        description="Sessions one customer may have open at once (0: no limit). A login "
        "beyond it is refused, unless the open session is stale (no accounting for 3 interim "
        "intervals) or it is the same session re-authenticating (same NAS and NAS-Port or MAC).",
    )
    api_max_page_size: int = Field(
        200,
        ge=1,
        le=10000,
        description="Most rows one page of an API list returns (?limit= above it is refused).",
    )

    # Cashier desk (finance app) ----------------------------------------------------
    isp_name: str = Field(
        "lastmile ISP",
        min_length=1,
        max_length=200,
        description="The ISP's name printed on payment receipts and shift reports.",
    )
    isp_details: str = Field(
        "",
        max_length=500,
        description="Extra lines under the name on receipts (address, tax number, phone).",
    )
    currency_symbol: str = Field(
        "₽",
        max_length=8,
        description="Shown after every amount of money on staff pages, the cabinet and receipts "
        "(empty: amounts without a symbol).  Amounts are grouped and use the decimal "
        "separator of the page's language.",
    )

    # SORM-3 subscriber-data export (sorm app, docs/sorm.md) ------------------------
    sorm_enabled: bool = Field(
        False,
        description="Run the SORM export (periodic job) and refuse to delete customers "
        "(their history must reach SORM; disable them instead).",
    )
    sorm_ftp_host: str = Field("", description="SORM FTP server; empty: files are only stored.")
    sorm_ftp_port: int = Field(21, ge=1, le=65535, description="SORM FTP server port.")
    sorm_ftp_user: str = Field("", description="SORM FTP login.")
    sorm_ftp_password: SecretStr | None = Field(None, description="SORM FTP password.")
    sorm_ftp_tls: bool = Field(
        False, description="FTPS: explicit TLS (AUTH TLS) with a protected data channel."
    )
    sorm_ftp_tls_verify: bool = Field(
        True, description="FTPS: verify the server certificate (off only for a test peer)."
    )
    sorm_ftp_dir: str = Field(
        "",
        description="Directory under the FTP login home that holds ISP/abonents, ISP/dict "
        "and ISP/aaa (empty: the home itself).",
    )
    sorm_ftp_timeout_s: float = Field(30.0, gt=0, description="FTP connect/read timeout.")
    sorm_ftp_attempts: int = Field(
        4, ge=1, description="Upload attempts per file within one run (then left for the next)."
    )
    sorm_ftp_retry_base_s: float = Field(
        2.0, ge=0, description="Delay before the second upload attempt; doubles each time."
    )
    sorm_ftp_retry_cap_s: float = Field(120.0, ge=0, description="Longest delay between attempts.")
    sorm_storage_dir: Path = Field(
        Path("var/sorm"),
        description="Where every produced file is kept (the upload, the retries and the "
        "staff download read it; its SHA-256 is in the export record).",
    )
    sorm_upload_empty: bool = Field(
        False, description="Upload files with no rows too (the vendor does not expect them)."
    )
    sorm_cron: str = Field(
        "30 1 * * *", description="When the periodic SORM export runs (cron, local time)."
    )
    sorm_full_cron_weekday: int = Field(
        0,
        ge=-1,
        le=6,
        description="Day of the week (0 Monday) on which the periodic run is a full one; "
        "-1: always incremental after the first full run.",
    )
    sorm_telco_id: str = Field(
        "", max_length=64, description="Operator (telco) identifier given by the SORM side."
    )
    sorm_communication_standard: int = Field(
        4, ge=0, le=10, description="Subscriber file column 6 (4 = Ethernet, fixed network)."
    )
    sorm_network_type: str = Field(
        "Ethernet", description="Network type label in the service list and switches."
    )
    sorm_gateway_type: str = Field(
        "aaa",
        pattern=r"^(unknown|sgsn|ggsn|smsc|gmsc|hss|pstn|voip-gw|aaa|nat)$",
        description="Gateway type of every NAS in the gateways file.",
    )
    sorm_gateway_place: str = Field(
        "",
        max_length=1024,
        description="Installation address of the NASes (used when a NAS has no description).",
    )
    sorm_payments_full_days: int = Field(
        31, ge=1, description="How far back a full export sends payments."
    )
    sorm_aaa_full_hours: int = Field(
        24, ge=1, description="How far back a full export sends the AAA log."
    )
    sorm_special_numbers: list[str] = Field(
        default_factory=list,
        description="Special numbers, each 'number;description;DD.MM.YYYYTHH:MM:SS' "
        "(e.g. the support line).",
    )
    sorm_watermark_wait_s: float = Field(
        30.0,
        ge=0,
        description="How long an incremental run waits for transactions older than itself "
        "to finish, so no journal entry is skipped.",
    )
    # The ISP's own requisites (contract documents; lastmile.contracts) ---------------
    isp_full_name: str = Field(
        "", max_length=500, description="The ISP's full legal name on contract documents."
    )
    isp_inn: str = Field("", max_length=12, description="The ISP's INN (contract documents).")
    isp_kpp: str = Field("", max_length=9, description="The ISP's KPP (contract documents).")
    isp_ogrn: str = Field(
        "", max_length=15, description="The ISP's OGRN or OGRNIP (contract documents)."
    )
    isp_address: str = Field(
        "", max_length=500, description="The ISP's legal address (contract documents)."
    )
    isp_bank_name: str = Field("", max_length=255, description="The ISP's bank name.")
    isp_bik: str = Field("", max_length=9, description="The ISP's bank BIK.")
    isp_account: str = Field("", max_length=20, description="The ISP's settlement account.")
    isp_correspondent_account: str = Field(
        "", max_length=20, description="The ISP's bank correspondent account."
    )
    isp_phone: str = Field("", max_length=50, description="The ISP's phone on documents.")
    isp_email: str = Field("", max_length=100, description="The ISP's e-mail on documents.")
    isp_license: str = Field(
        "", max_length=255, description="The ISP's telecom licence number and date."
    )
    isp_signatory: str = Field(
        "", max_length=255, description="Who signs contracts for the ISP (position and name)."
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


def csp_directives(policy: str) -> dict[str, list[str]]:
    """A Content-Security-Policy text ("default-src 'self'; img-src data:") as
    django-csp's DIRECTIVES: each directive's name and its list of sources."""
    directives: dict[str, list[str]] = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            directives[words[0].lower()] = words[1:]
    return directives


def configuration_markdown() -> str:
    """docs/configuration.md, generated from the fields above (a test keeps it in sync)."""
    lines = [
        "# Configuration",
        "",
        "Every setting is an environment variable with the `LASTMILE_` prefix, or the same",
        "name in lowercase without the prefix in `lastmile.toml` (path: `LASTMILE_CONFIG_FILE`,",
        "default `./lastmile.toml`). The environment wins over the file. Lists are JSON",
        "(`LASTMILE_ALLOWED_HOSTS='[\"billing.example.net\"]'`). Generated from",
        "`src/lastmile/conf.py` by `make docs`; do not edit by hand.",
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
