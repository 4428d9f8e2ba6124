"""E-mail over SMTP (smtplib; STARTTLS and login when configured)."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import make_msgid

from lastmile.conf import Settings
from lastmile.notifications.channels.base import DeliveryError, Message


class EmailChannel:
    name = "email"

    def is_configured(self, conf: Settings) -> bool:
        return bool(conf.smtp_host)

    def send(self, message: Message, conf: Settings) -> None:
        email = EmailMessage()
        email["From"] = conf.smtp_from
        email["To"] = message.recipient
        email["Subject"] = message.subject or message.event
        email["Message-ID"] = make_msgid(idstring=f"outbox{message.id}")
        email.set_content(message.body)
        try:
            with smtplib.SMTP(conf.smtp_host, conf.smtp_port, timeout=conf.smtp_timeout_s) as smtp:
                if conf.smtp_tls:
                    smtp.starttls(context=ssl.create_default_context())
                if conf.smtp_user:
                    password = conf.smtp_password.get_secret_value() if conf.smtp_password else ""
                    smtp.login(conf.smtp_user, password)
                smtp.send_message(email)
        except smtplib.SMTPRecipientsRefused as exc:
            raise DeliveryError(f"Recipient refused: {exc.recipients}", permanent=True) from exc
        except smtplib.SMTPResponseException as exc:
            permanent = 500 <= exc.smtp_code < 600
            text = (
                exc.smtp_error.decode("utf-8", "replace")
                if isinstance(exc.smtp_error, bytes)
                else str(exc.smtp_error)
            )
            raise DeliveryError(f"SMTP {exc.smtp_code}: {text}", permanent=permanent) from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise DeliveryError(
                f"Cannot deliver via {conf.smtp_host}:{conf.smtp_port}: {exc}"
            ) from exc
