"""Running ``lastmile radius`` as a subprocess against the test database, and
a small RADIUS client for tests (radclient is used by the interop tests)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

from lastmile.radius import codec

if TYPE_CHECKING:  # the annotation only: this module loads no Django model at import
    from lastmile.subscriptions.models import Tariff

SECRET = b"testing123"


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_database_url() -> str:
    from django.db import connection

    s = connection.settings_dict
    user = quote(str(s["USER"] or ""), safe="")
    password = quote(str(s["PASSWORD"] or ""), safe="")
    auth = f"{user}:{password}@" if password else f"{user}@"
    return f"postgresql://{auth}{s['HOST']}:{s['PORT']}/{s['NAME']}"


@dataclass
class RunningServer:
    process: subprocess.Popen[str]
    auth_port: int
    acct_port: int
    log_path: str

    def log(self) -> str:
        with open(self.log_path) as fh:
            return fh.read()

    def stop(self, sig: str = "term") -> int:
        if self.process.poll() is None:
            if sig == "kill":
                self.process.kill()
            else:
                self.process.terminate()
        try:
            return self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            # A server that does not stop is a failure, but must not outlive the test.
            self.process.kill()
            self.process.wait(timeout=30)
            raise


def start_server(
    *,
    auth_port: int | None = None,
    acct_port: int | None = None,
    extra_env: dict[str, str] | None = None,
) -> RunningServer:
    """Start the server; ports left out are chosen free.  A chosen port can
    be taken by another process (a radclient's source port) before the
    server binds it: then the start is retried on other ports."""
    attempts = 1 if auth_port and acct_port else 3
    for attempt in range(1, attempts + 1):
        try:
            return _start_server(
                auth_port or free_udp_port(), acct_port or free_udp_port(), extra_env
            )
        except PortTaken:
            if attempt == attempts:
                raise
    raise AssertionError("not reached")


class PortTaken(RuntimeError):
    pass


def _start_server(
    auth_port: int, acct_port: int, extra_env: dict[str, str] | None
) -> RunningServer:
    env = dict(os.environ)
    env.update(
        LASTMILE_DATABASE_URL=test_database_url(),
        LASTMILE_DEMO="1",
        LASTMILE_LOG_LEVEL="INFO",
        LASTMILE_RADIUS_COMMIT_DELAY_MS="1",
    )
    env.update(extra_env or {})
    log_file = tempfile.NamedTemporaryFile("w", prefix="radius-", suffix=".log", delete=False)  # noqa: SIM115
    process = subprocess.Popen(
        [
            sys.executable, "-m", "lastmile.cli", "radius", "--bind", "127.0.0.1",
            "--auth-port", str(auth_port), "--acct-port", str(acct_port),
        ],
        stdout=subprocess.PIPE,
        stderr=log_file,
        text=True,
        env=env,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    assert process.stdout is not None
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if "ready" in line:
            return RunningServer(process, auth_port, acct_port, log_file.name)
        if not line and process.poll() is not None:
            break
    process.kill()
    process.wait(timeout=30)
    log = Path(log_file.name).read_text()
    if "Address already in use" in log:
        raise PortTaken(log)
    raise RuntimeError("radius server did not start:\n" + log)


@contextmanager
def worker_process(extra_env: dict[str, str] | None = None) -> Iterator[subprocess.Popen[str]]:
    """``lastmile worker`` against the test database, until the block ends."""
    env = dict(os.environ)
    env.update(
        LASTMILE_DATABASE_URL=test_database_url(), LASTMILE_DEMO="1", LASTMILE_LOG_LEVEL="INFO"
    )
    env.update(extra_env or {})
    log_file = tempfile.NamedTemporaryFile("w", prefix="worker-", suffix=".log", delete=False)  # noqa: SIM115
    process = subprocess.Popen(
        [sys.executable, "-m", "lastmile.cli", "worker"],
        stdout=log_file, stderr=subprocess.STDOUT, text=True, env=env,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while "Launching a worker" not in open(log_file.name).read():  # noqa: SIM115
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("worker did not start:\n" + open(log_file.name).read())  # noqa: SIM115
            time.sleep(0.1)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=30)


@contextmanager
def radius_server(**kwargs: object) -> Iterator[RunningServer]:
    server = start_server(**kwargs)  # type: ignore[arg-type]
    try:
        yield server
    finally:
        server.stop()


class Client:
    """A blocking RADIUS client with retransmission."""

    def __init__(
        self, port: int, secret: bytes = SECRET, timeout: float = 2.0, *, source: str = ""
    ) -> None:
        """``source``: the local address to send from (another NAS on 127.0.0.x)."""
        self.port = port
        self.secret = secret
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        if source:
            self.sock.bind((source, 0))
        self.sock.settimeout(timeout)
        self.ident = 0

    def close(self) -> None:
        self.sock.close()

    def exchange(self, data: bytes, attempts: int = 3) -> codec.Packet | None:
        for _ in range(attempts):
            self.sock.sendto(data, ("127.0.0.1", self.port))
            try:
                reply, _ = self.sock.recvfrom(4096)
            except TimeoutError:
                continue
            return codec.parse(reply)
        return None

    def next_id(self) -> int:
        self.ident = (self.ident + 1) % 256
        return self.ident

    def access(
        self, login: str, password: str, *, extra: bytes = b"", with_ma: bool = True
    ) -> codec.Packet | None:
        data = self.access_packet(login, password, extra=extra, with_ma=with_ma)
        return self.exchange(data)

    def access_packet(
        self, login: str, password: str, *, extra: bytes = b"", with_ma: bool = True
    ) -> bytes:
        auth = os.urandom(16)
        attrs = (
            codec.attr_text(codec.USER_NAME, login)
            + codec.attr(
                codec.USER_PASSWORD, codec.encrypt_password(password.encode(), self.secret, auth)
            )
            + extra
        )
        if with_ma:
            return codec.build_request(
                codec.ACCESS_REQUEST, self.next_id(), attrs, self.secret, authenticator=auth
            )
        header = bytes((codec.ACCESS_REQUEST, self.next_id())) + (20 + len(attrs)).to_bytes(
            2, "big"
        )
        return header + auth + attrs

    def accounting(self, attrs: bytes) -> codec.Packet | None:
        return self.exchange(
            codec.build_request(codec.ACCOUNTING_REQUEST, self.next_id(), attrs, self.secret)
        )


async def _ask(sock_factory, port: int, packet: bytes, timeout: float, attempts: int):  # type: ignore[no-untyped-def]
    import asyncio

    loop = asyncio.get_running_loop()
    for _ in range(attempts):
        future = loop.create_future()

        class _P(asyncio.DatagramProtocol):
            def datagram_received(self, data: bytes, addr: object) -> None:
                if not future.done():
                    future.set_result(data)

        transport, _ = await loop.create_datagram_endpoint(_P, remote_addr=("127.0.0.1", port))
        try:
            transport.sendto(packet)
            return codec.parse(await asyncio.wait_for(future, timeout))
        except TimeoutError:
            continue
        finally:
            transport.close()
    return None


def load(
    logins: list[str],
    ports: list[int],
    *,
    password: object = lambda login: f"pass-{login}",
    in_flight: int = 64,
    timeout: float = 3.0,
    attempts: int = 6,
) -> dict[str, codec.Packet | None]:
    """Log ``logins`` in concurrently (login i goes to ports[i % len(ports)]);
    retransmits the same packet on timeout, like a NAS."""
    import asyncio

    results: dict[str, codec.Packet | None] = {}

    async def worker(queue: asyncio.Queue[tuple[int, str]]) -> None:
        client = Client(0)
        while True:
            try:
                index, login = queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            packet = client.access_packet(login, password(login))  # type: ignore[operator]
            port = ports[index % len(ports)]
            results[login] = await _ask(None, port, packet, timeout, attempts)

    async def main() -> None:
        queue: asyncio.Queue[tuple[int, str]] = asyncio.Queue()
        for item in enumerate(logins):
            queue.put_nowait(item)
        await asyncio.gather(*(worker(queue) for _ in range(in_flight)))

    asyncio.run(main())
    return results


def make_customers(count: int, *, prefix: str, tariff: Tariff) -> None:
    """``count`` customers ``<prefix><n>`` / ``pass-<prefix><n>`` with active subscriptions."""
    from datetime import timedelta

    from django.utils import timezone

    from lastmile.core.crypto import encrypt_secret
    from lastmile.customers.models import Customer
    from lastmile.subscriptions.models import Subscription

    customers = Customer.objects.bulk_create(
        [
            Customer(
                login=f"{prefix}{n}",
                contract_number=f"{prefix}-{n}",
                pppoe_secret_encrypted=encrypt_secret(f"pass-{prefix}{n}"),
            )
            for n in range(count)
        ],
        batch_size=2000,
    )
    now = timezone.now()
    Subscription.objects.bulk_create(
        [
            Subscription(
                customer=c,
                tariff=tariff,
                price=0,
                state="active",
                period_start=now - timedelta(days=1),
                period_end=now + timedelta(days=30),
            )
            for c in customers
        ],
        batch_size=2000,
    )
