"""Settings of the SORM-3 subscriber-data export (sorm app, docs/sorm.md)."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field, SecretStr


class SormSettings(BaseModel):
    """The SORM export: schedule, FTP upload, storage and file contents."""

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
