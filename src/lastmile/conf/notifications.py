"""Settings of notifications: e-mail, Telegram, SMS, webhooks and the delivery policy."""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, Field, SecretStr


class NotificationSettings(BaseModel):
    """Notification channels and the delivery policy."""

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
