"""Running Debian's radclient from tests."""

from __future__ import annotations

import re
import subprocess

SECRET = "testing123"


def radclient_output(port: int, kind: str, lines: str, secret: str = SECRET) -> str:
    """Run radclient in debug mode; its standard output."""
    proc = subprocess.run(
        ["radclient", "-x", "-r", "2", "-t", "2", f"127.0.0.1:{port}", kind, secret],
        input=lines,
        capture_output=True,
        text=True,
        timeout=30,
    )
    return proc.stdout


def radclient(port: int, kind: str, lines: str, secret: str = SECRET) -> tuple[str, dict[str, str]]:
    """Run radclient; return (reply code name or "", attributes by name
    without Message-Authenticator)."""
    output = radclient_output(port, kind, lines, secret)
    match = re.search(r"Received (\S+) Id", output)
    attrs: dict[str, str] = {}
    if match:
        after = output[match.end() :]
        for line in after.splitlines()[1:]:
            if "=" not in line or not line.startswith(("\t", " ")):
                break
            name, _, value = line.strip().partition(" = ")
            if name != "Message-Authenticator":
                attrs[name] = value.strip('"')
    return (match.group(1) if match else ""), attrs
