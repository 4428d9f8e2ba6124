"""Sending a stored file to the SORM FTP server (FTP or explicit FTPS).

Each file goes up under a temporary name in its final directory and is
renamed when the transfer is complete, so the receiver never sees a partial
file under the final name.  Files of the buffered types go in ASCII mode
(``TYPE A``: each line ends in CRLF on the wire and the server stores its
native ending), the AAA log and special numbers in binary mode, as the
predecessor did (sorm-format.md §1).
"""

from __future__ import annotations

import ftplib
import ssl
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings


class DeliveryError(RuntimeError):
    """An upload that did not complete (the message says at which step)."""


@dataclass(frozen=True)
class FtpTarget:
    host: str
    port: int
    user: str
    password: str
    tls: bool
    tls_verify: bool
    base_dir: str
    timeout_s: float

    @classmethod
    def from_settings(cls) -> FtpTarget | None:
        conf: Any = settings.LASTMILE
        if not conf.sorm_ftp_host:
            return None
        password = conf.sorm_ftp_password.get_secret_value() if conf.sorm_ftp_password else ""
        return cls(
            host=conf.sorm_ftp_host,
            port=conf.sorm_ftp_port,
            user=conf.sorm_ftp_user,
            password=password,
            tls=conf.sorm_ftp_tls,
            tls_verify=conf.sorm_ftp_tls_verify,
            base_dir=conf.sorm_ftp_dir.strip("/"),
            timeout_s=conf.sorm_ftp_timeout_s,
        )


def _connect(target: FtpTarget) -> ftplib.FTP:
    if target.tls:
        context = ssl.create_default_context()
        if not target.tls_verify:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        ftp: ftplib.FTP = ftplib.FTP_TLS(  # noqa: S321 (the SORM side speaks FTP/FTPS only)
            context=context, timeout=target.timeout_s
        )
    else:
        ftp = ftplib.FTP(timeout=target.timeout_s)  # noqa: S321
    ftp.connect(target.host, target.port)
    ftp.login(target.user, target.password)
    if isinstance(ftp, ftplib.FTP_TLS):
        ftp.prot_p()
    return ftp


def _ensure_directory(ftp: ftplib.FTP, directory: str) -> None:
    """Make the directory chain if it is missing (an existing one is fine)."""
    path = ""
    for part in [p for p in directory.split("/") if p]:
        path = f"{path}/{part}" if path else part
        with suppress(ftplib.error_perm):  # exists (or not ours to make: STOR will say)
            ftp.mkd(path)


def upload(target: FtpTarget, local: Path, remote_path: str, *, mode: str) -> None:
    """Upload ``local`` as ``remote_path`` (relative to the login home and
    ``base_dir``) through a temporary name; raises DeliveryError."""
    full = f"{target.base_dir}/{remote_path}" if target.base_dir else remote_path
    directory, _, name = full.rpartition("/")
    temporary = f"{directory}/.{name}.part" if directory else f".{name}.part"
    step = "connect"
    ftp: ftplib.FTP | None = None
    try:
        ftp = _connect(target)
        step = "mkdir"
        if directory:
            _ensure_directory(ftp, directory)
        step = "upload"
        with local.open("rb") as handle:
            if mode == "binary":
                ftp.storbinary(f"STOR {temporary}", handle)
            else:
                ftp.storlines(f"STOR {temporary}", handle)
        step = "rename"
        with suppress(ftplib.error_perm):  # some servers refuse to rename over a file
            ftp.delete(full)
        ftp.rename(temporary, full)
        step = "quit"
        with suppress(OSError, EOFError, ftplib.Error):
            ftp.quit()
    except (OSError, EOFError, ftplib.Error, ssl.SSLError) as exc:
        if ftp is not None:
            _cleanup(ftp, temporary)
        raise DeliveryError(f"{step}: {type(exc).__name__}: {exc}".strip()) from exc


def _cleanup(ftp: ftplib.FTP, temporary: str) -> None:
    with suppress(OSError, EOFError, ftplib.Error):
        ftp.delete(temporary)
    with suppress(OSError):
        ftp.close()
