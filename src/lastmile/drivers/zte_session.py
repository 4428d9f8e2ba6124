"""A telnet session to a ZTE C320's ZXAN command line (login, enable, one
command at a time, ``%…`` error lines as ``CliRefused``).

The devices app serializes CLI sessions to one OLT (PostgreSQL advisory lock);
each driver operation opens one session and closes it.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from typing import Any

from lastmile.drivers.base import BadInput, DeviceError, DeviceUnreachable, Target

PROMPT_RE = re.compile(r"(?:^|[\r\n])[A-Za-z0-9_\-]+(?:\([\w\-]+\))?[#>]\s*$")


class ZteCli:
    """One telnet session to the OLT's ZXAN command line."""

    def __init__(self, target: Target) -> None:
        if target.cli is None:
            raise BadInput("this OLT has no CLI (telnet) credentials: add them to the device")
        self.target = target
        self.cli = target.cli
        self.reader: Any = None
        self.writer: Any = None
        self.timeout = max(target.timeout_s, 3.0) * 2

    async def __aenter__(self) -> ZteCli:
        import telnetlib3

        try:
            self.reader, self.writer = await asyncio.wait_for(
                telnetlib3.open_connection(
                    self.target.host,
                    self.cli.port,
                    connect_minwait=0.05,
                    connect_maxwait=0.5,
                    encoding="utf8",
                ),
                self.timeout,
            )
        except (OSError, TimeoutError) as exc:
            raise DeviceUnreachable(
                f"{self.target.host}:{self.cli.port}: no telnet connection ({exc or 'timeout'})"
            ) from None
        await self._login()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        if self.writer is not None:
            with contextlib.suppress(Exception):
                self.writer.write("exit\r\n")
            with contextlib.suppress(Exception):
                self.writer.close()
            self.writer = None

    async def _read_until(self, pattern: re.Pattern[str]) -> str:
        buf = ""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.timeout
        while not pattern.search(buf):
            left = deadline - loop.time()
            if left <= 0:
                raise DeviceError(f"{self.target.host}: the OLT stopped answering: {buf[-200:]!r}")
            try:
                chunk = await asyncio.wait_for(self.reader.read(4096), left)
            except TimeoutError:
                continue
            except (ConnectionError, OSError):
                chunk = ""
            if not chunk:
                raise SessionLost(f"{self.target.host}: the OLT closed the telnet session")
            buf += chunk
        return buf

    async def _login(self) -> None:
        await self._read_until(re.compile(r"[Uu]sername:\s*$"))
        self.writer.write(self.cli.username + "\r\n")
        await self._read_until(re.compile(r"[Pp]assword:\s*$"))
        self.writer.write(self.cli.password + "\r\n")
        text = await self._read_until(re.compile(PROMPT_RE.pattern + r"|[Uu]sername:\s*$"))
        if re.search(r"[Uu]sername:\s*$", text):
            raise DeviceError(f"{self.target.host}: the OLT refused the CLI login")
        if text.rstrip().endswith(">"):
            self.writer.write("enable\r\n")
            await self._read_until(re.compile(r"[Pp]assword:\s*$"))
            self.writer.write(self.cli.enable_password + "\r\n")
            text = await self._read_until(PROMPT_RE)
            if not text.rstrip().endswith("#"):
                raise DeviceError(f"{self.target.host}: the OLT refused the enable password")
        await self.run("terminal length 0")

    async def run(self, command: str) -> str:
        """Send one command; its output (without the echo and the prompt)."""
        self.writer.write(command + "\r\n")
        text = await self._read_until(PROMPT_RE)
        lines = text.replace("\r", "").split("\n")
        if lines and lines[0].strip() == command.strip():
            lines = lines[1:]
        return "\n".join(lines[:-1]).strip("\n")

    async def check(self, command: str) -> str:
        """``run``, and a ``%…`` error line becomes ``DeviceError``."""
        out = await self.run(command)
        for line in out.splitlines():
            if line.startswith("%"):
                raise CliRefused(command, line.strip())
        return out


class SessionLost(DeviceError):
    pass


class CliRefused(DeviceError):
    def __init__(self, command: str, line: str) -> None:
        super().__init__(f"the OLT refused “{command}”: {line}")
        self.command = command
        self.line = line
