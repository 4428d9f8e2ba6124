"""A NAS's Dynamic Authorization port for benchmarks (stdlib only, its own process).

Answers every Disconnect-Request and CoA-Request with an ACK signed with the
shared secret (RFC 5176), and on SIGTERM writes one JSON line per request it got:
``{"t": unix time, "code": 40|43, "sid": Acct-Session-Id}``.

    python bench/coa_peer.py --port 37990 --secret benchsecret --out /tmp/peer.jsonl
"""

from __future__ import annotations

import argparse
import hashlib
import json
import signal
import socket
import time

DISCONNECT_REQUEST, DISCONNECT_ACK, COA_REQUEST, COA_ACK = 40, 41, 43, 44
ACCT_SESSION_ID = 44


def session_id(packet: bytes) -> str:
    pos = 20
    while pos + 2 <= len(packet):
        kind, length = packet[pos], packet[pos + 1]
        if length < 2:
            break
        if kind == ACCT_SESSION_ID:
            return packet[pos + 2 : pos + length].decode(errors="replace")
        pos += length
    return ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--secret", default="benchsecret")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    secret = args.secret.encode()
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
    sock.bind(("127.0.0.1", args.port))
    sock.settimeout(0.5)
    seen: list[tuple[float, int, str]] = []
    running = True

    def stop(*_: object) -> None:
        nonlocal running
        running = False

    signal.signal(signal.SIGTERM, stop)
    print("coa peer ready", flush=True)
    while running:
        try:
            data, addr = sock.recvfrom(4096)
        except TimeoutError:
            continue
        if len(data) < 20 or data[0] not in (DISCONNECT_REQUEST, COA_REQUEST):
            continue
        seen.append((time.time(), data[0], session_id(data)))
        code = DISCONNECT_ACK if data[0] == DISCONNECT_REQUEST else COA_ACK
        header = bytes((code, data[1])) + (20).to_bytes(2, "big")
        sock.sendto(header + hashlib.md5(header + data[4:20] + secret).digest(), addr)
    with open(args.out, "w") as out:
        for t, code, sid in seen:
            out.write(json.dumps({"t": t, "code": code, "sid": sid}) + "\n")


if __name__ == "__main__":
    main()
