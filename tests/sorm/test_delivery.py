"""Delivery to a real FTP peer (pyftpdlib), plain and FTPS: a peer that
drops the connection mid-upload, retries from the stored file, no partial
file under the final name, and the record of every attempt."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from pyftpdlib.authorizers import DummyAuthorizer
from pyftpdlib.handlers import DTPHandler, FTPHandler, TLS_DTPHandler, TLS_FTPHandler
from pyftpdlib.servers import FTPServer

from lastmile.sorm import services
from lastmile.sorm.models import ExportFile, FileState, RunState
from tests.factories import CustomerFactory
from tests.sorm.conftest import travel

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("journal_clock")]

MSK = ZoneInfo("Europe/Moscow")
AT = dt.datetime(2026, 4, 1, 1, 30, tzinfo=MSK)


class Peer:
    """A pyftpdlib server in a thread; ``drops`` uploads are cut off after
    their first bytes arrive (control and data connection closed)."""

    def __init__(self, home: Path, *, tls_cert: Path | None = None) -> None:
        self.home = home
        self.drops = 0
        self.dropped: list[str] = []
        authorizer = DummyAuthorizer()
        authorizer.add_user("cdr", "secret", str(home), perm="elradfmwMT")
        peer = self
        base_dtp = TLS_DTPHandler if tls_cert else DTPHandler

        class DroppingDTP(base_dtp):  # type: ignore[misc, valid-type]
            def handle_read_event(self) -> None:
                super().handle_read_event()
                if peer.drops > 0 and self.tot_bytes_received > 0 and self.connected:
                    peer.drops -= 1
                    peer.dropped.append(getattr(self.file_obj, "name", "?"))
                    self.cmd_channel.close()
                    self.close()

        base = TLS_FTPHandler if tls_cert else FTPHandler

        class Handler(base):  # type: ignore[misc, valid-type]
            pass

        Handler.authorizer = authorizer
        Handler.dtp_handler = DroppingDTP
        Handler.passive_ports = None
        if tls_cert:
            Handler.certfile = str(tls_cert)
            Handler.tls_control_required = True
            Handler.tls_data_required = True
        self.server = FTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.address[1]
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self._stop = threading.Event()

    def _serve(self) -> None:
        while not self._stop.is_set():
            self.server.serve_forever(timeout=0.05, blocking=False)

    def __enter__(self) -> Peer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self.thread.join(5)
        self.server.close_all()

    def files(self) -> dict[str, bytes]:
        return {
            str(p.relative_to(self.home)): p.read_bytes()
            for p in self.home.rglob("*")
            if p.is_file()
        }


def _self_signed(directory: Path) -> Path:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    path = directory / "peer.pem"
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        + cert.public_bytes(serialization.Encoding.PEM)
    )
    return path


@pytest.fixture
def ftp_conf(sorm_storage):  # type: ignore[no-untyped-def]
    conf = sorm_storage
    saved = {
        n: getattr(conf, n)
        for n in ("sorm_ftp_port", "sorm_ftp_user", "sorm_ftp_password", "sorm_ftp_tls")
    }
    saved |= {n: getattr(conf, n) for n in ("sorm_ftp_tls_verify", "sorm_ftp_attempts")}
    from pydantic import SecretStr

    conf.sorm_ftp_host = "127.0.0.1"
    conf.sorm_ftp_user = "cdr"
    conf.sorm_ftp_password = SecretStr("secret")
    conf.sorm_ftp_timeout_s = 5.0
    conf.sorm_ftp_attempts = 3
    yield conf
    for name, value in saved.items():
        setattr(conf, name, value)
    conf.sorm_ftp_host = ""


@pytest.fixture
def peer(tmp_path, ftp_conf) -> Iterator[Peer]:  # type: ignore[no-untyped-def]
    home = tmp_path / "ftp-home"
    home.mkdir()
    with Peer(home) as server:
        ftp_conf.sorm_ftp_port = server.port
        ftp_conf.sorm_ftp_tls = False
        yield server


@pytest.fixture
def tls_peer(tmp_path, ftp_conf) -> Iterator[Peer]:  # type: ignore[no-untyped-def]
    home = tmp_path / "ftps-home"
    home.mkdir()
    with Peer(home, tls_cert=_self_signed(tmp_path)) as server:
        ftp_conf.sorm_ftp_port = server.port
        ftp_conf.sorm_ftp_tls = True
        ftp_conf.sorm_ftp_tls_verify = False  # the test peer's certificate is self-signed
        yield server


def _customers() -> None:
    with travel(AT - dt.timedelta(hours=5)):
        for n in range(3):
            CustomerFactory(
                pppoe=True, login=f"user{n}", full_name=f"Абонент {n}", phones=[f"+7900{n}"]
            )


def _check_delivered(peer: Peer, run) -> None:  # type: ignore[no-untyped-def]
    on_server = peer.files()
    for export_file in run.files.exclude(state=FileState.EMPTY):
        assert export_file.state == FileState.UPLOADED, export_file.remote_path
        assert on_server[export_file.remote_path] == services.stored_file(export_file).read_bytes()
    assert not [name for name in on_server if name.endswith(".part") or "/." in name]


def test_upload_lands_in_the_vendor_directories(peer):  # type: ignore[no-untyped-def]
    _customers()
    with travel(AT):
        run = services.run_export(full=True)
    assert run.state == RunState.SUCCEEDED
    _check_delivered(peer, run)
    assert "ISP/abonents/abonents_v1_01042026013000.txt" in peer.files()
    assert "customer_ip_binds.txt" not in peer.files()  # empty: not sent


def test_a_dropped_upload_is_retried_and_the_record_says_so(peer):  # type: ignore[no-untyped-def]
    _customers()
    peer.drops = 2
    with travel(AT):
        run = services.run_export(full=True)
    assert len(peer.dropped) == 2
    assert run.state == RunState.SUCCEEDED
    _check_delivered(peer, run)
    first = run.files.exclude(state=FileState.EMPTY).order_by("stage", "id").first()
    assert first is not None
    assert first.attempts == 3
    assert [bool(a["error"]) for a in first.attempt_log] == [True, True, False]
    assert "upload" in first.attempt_log[0]["error"]


def test_a_file_that_keeps_failing_holds_the_later_ones_until_retried(peer):  # type: ignore[no-untyped-def]
    _customers()
    peer.drops = 3  # every attempt of the first file
    with travel(AT):
        run = services.run_export(full=True)
    assert run.state == RunState.PARTIAL
    files = list(run.files.exclude(state=FileState.EMPTY).order_by("stage", "id"))
    assert files[0].state == FileState.FAILED
    assert files[0].last_error.startswith("upload")
    assert {f.state for f in files[1:]} == {FileState.HELD}
    assert files[0].remote_path not in peer.files()  # nothing under the final name
    assert not any(name.startswith("ISP/abonents/abonents") for name in peer.files())
    with travel(AT + dt.timedelta(hours=1)):
        sent = services.retry_due()
    assert sent == len(files)
    run.refresh_from_db()
    assert run.state == RunState.SUCCEEDED
    _check_delivered(peer, run)


def test_a_stored_file_that_changed_is_not_sent(peer):  # type: ignore[no-untyped-def]
    _customers()
    peer.drops = 3
    with travel(AT):
        run = services.run_export(full=True, only=["abonents"])
    export_file = ExportFile.objects.get(run=run)
    services.stored_file(export_file).write_bytes(b"tampered\n")
    with travel(AT + dt.timedelta(hours=1)):
        services.retry_due()
    export_file.refresh_from_db()
    assert export_file.state == FileState.FAILED
    assert "SHA-256" in export_file.last_error


def test_ftps_upload_with_a_drop(tls_peer):  # type: ignore[no-untyped-def]
    _customers()
    tls_peer.drops = 1
    with travel(AT):
        run = services.run_export(full=True)
    assert len(tls_peer.dropped) == 1
    assert run.state == RunState.SUCCEEDED
    _check_delivered(tls_peer, run)
