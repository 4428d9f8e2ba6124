"""Real peers on 127.0.0.1: an SMTP server (aiosmtpd) and one HTTP server that
speaks the Telegram Bot API, a simple SMS gateway and a webhook receiver that
verifies signatures."""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import threading
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from aiosmtpd.controller import Controller

TOKEN = "123:TEST"
WEBHOOK_SECRET = "whsec-test"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _SmtpHandler:
    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 OK"


class SmtpPeer:
    def __init__(self) -> None:
        self.handler = _SmtpHandler()
        self.port = free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    @property
    def messages(self) -> list[Message]:
        return self.handler.messages

    def start(self) -> None:
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()


@dataclass
class HttpRecord:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class HttpPeer:
    """Telegram (/bot<TOKEN>/...), SMS (/sms) and webhook (/hook) in one server."""

    status: int = 200
    sms_answer: str = "OK"
    updates: list[dict[str, Any]] = field(default_factory=list)
    records: list[HttpRecord] = field(default_factory=list)
    bad_signatures: int = 0

    def start(self) -> None:
        peer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                parts = urlsplit(self.path)
                record = HttpRecord(
                    self.command, parts.path, parse_qs(parts.query), dict(self.headers), body
                )
                peer.records.append(record)
                if peer.status != 200:
                    self._answer(peer.status, b"server error", "text/plain")
                    return
                if parts.path == f"/bot{TOKEN}/sendMessage":
                    self._answer(
                        200, json.dumps({"ok": True, "result": {"message_id": 1}}).encode()
                    )
                elif parts.path == f"/bot{TOKEN}/getUpdates":
                    offset = int(parse_qs(parts.query).get("offset", ["0"])[0])
                    result = [u for u in peer.updates if u["update_id"] >= offset]
                    self._answer(200, json.dumps({"ok": True, "result": result}).encode())
                elif parts.path.startswith("/bot"):
                    self._answer(
                        404, json.dumps({"ok": False, "description": "Not Found"}).encode()
                    )
                elif parts.path == "/sms":
                    self._answer(200, peer.sms_answer.encode(), "text/plain")
                elif parts.path == "/hook":
                    ok = _signature_ok(record)
                    if not ok:
                        peer.bad_signatures += 1
                    self._answer(200 if ok else 401, b"{}")
                else:
                    self._answer(404, b"no such path", "text/plain")

            def _answer(self, status: int, body: bytes, ctype: str = "application/json") -> None:
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = _handle
            do_POST = _handle

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def calls(self, suffix: str) -> list[HttpRecord]:
        return [r for r in self.records if r.path.endswith(suffix)]


def _signature_ok(record: HttpRecord) -> bool:
    """The receiver's side, written independently of lastmile's code."""
    headers = {k.lower(): v for k, v in record.headers.items()}
    timestamp = headers.get("x-lastmile-timestamp", "")
    expected = hmac.new(
        WEBHOOK_SECRET.encode(), timestamp.encode() + b"." + record.body, hashlib.sha256
    ).hexdigest()
    return hmac.compare_digest(f"sha256={expected}", headers.get("x-lastmile-signature", ""))
