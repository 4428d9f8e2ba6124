"""A ZTE C320 telnet CLI peer (telnetlib3 server) for ONU registration tests and the demo.

It speaks the part of the ZXAN command line the driver uses, with its
prompts and ``%Code`` errors, and keeps state: the ONUs configured on each
fiber and the ones waiting unconfigured, so a registration can be read back.

    ZXAN#show gpon onu uncfg
    ZXAN#show run interface gpon-olt_1/1/1
    ZXAN#show run interface gpon-onu_1/1/1:3
    ZXAN#conf t
    ZXAN(config)#interface gpon-olt_1/1/1
    ZXAN(config-if)#onu 4 type ZTE-F601 sn ZTEGC0FFEE01
    ZXAN(config-if)#no onu 4
    ZXAN(config)#interface gpon-onu_1/1/1:4
    ZXAN(config-if)#name ivanov / description … / tcont … / gemport … /
                    service-port N vport 1 user-vlan V vlan V / switchport vlan …
    ZXAN(config)#pon-onu-mng gpon-onu_1/1/1:4
    ZXAN(gpon-onu-mng)#service … / vlan port eth_0/1 mode tag vlan V
    ZXAN(config-if)#no service-port N        ZXAN(gpon-onu-mng)#no service NAME
    exit / end

Failure switches for tests: ``drop_on`` (a command prefix: the peer closes the
session when it receives it) and ``fail_on`` (prefix → error line it answers).
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import threading
from collections.abc import Iterator

from lastmile.drivers.sim import free_tcp_port
from lastmile.drivers.sim.zte_state import TYPES, OltState, PeerOnu, mng_cmd

__all__ = ["OltState", "PeerOnu", "ZteCliPeer", "zte_cli_peer"]

PROMPT = "ZXAN"


class _Session:
    def __init__(self, state: OltState, reader: object, writer: object) -> None:
        self.s = state
        self.r = reader
        self.w = writer
        self.mode = "exec"
        self.olt: str | None = None  # "1/1/1" in interface gpon-olt
        self.onu: tuple[str, int] | None = None  # in interface gpon-onu / pon-onu-mng

    def prompt(self) -> str:
        return {
            "exec": f"{PROMPT}#",
            "config": f"{PROMPT}(config)#",
            "if-olt": f"{PROMPT}(config-if)#",
            "if-onu": f"{PROMPT}(config-if)#",
            "mng": f"{PROMPT}(gpon-onu-mng)#",
        }[self.mode]

    async def readline(self) -> str | None:
        buf: list[str] = []
        while True:
            ch = await self.r.read(1)  # type: ignore[attr-defined]
            if not ch:
                return None
            if ch in "\r\n":
                if buf:
                    return "".join(buf)
                continue
            if ch == "\x00":
                continue
            buf.append(ch)

    def out(self, text: str) -> None:
        self.w.write(text.replace("\n", "\r\n"))  # type: ignore[attr-defined]

    async def run(self) -> None:
        for _attempt in range(3):
            self.out("\nUsername:")
            user = await self.readline()
            self.out("\nPassword:")
            password = await self.readline()
            if user is None or password is None:
                return
            if user == self.s.username and password == self.s.password:
                break
            self.out("\n%Error 20209: Bad username or password.\n")
        else:
            self.w.close()  # type: ignore[attr-defined]
            return
        self.out(f"\n{self.prompt()}")
        while True:
            line = await self.readline()
            if line is None:
                return
            cmd = " ".join(line.split())
            self.s.log.append(cmd)
            if self.s.drop_on and cmd.startswith(self.s.drop_on):
                self.w.close()  # type: ignore[attr-defined]
                return
            failed = next((err for pre, err in self.s.fail_on.items() if cmd.startswith(pre)), None)
            if failed:
                self.out(f"\n{failed}\n{self.prompt()}")
                continue
            reply = self.handle(cmd)
            if reply == "\x04":
                self.w.close()  # type: ignore[attr-defined]
                return
            self.out(f"\n{reply}{self.prompt()}" if reply else f"\n{self.prompt()}")
            await self.w.drain()  # type: ignore[attr-defined]

    # -- commands ----------------------------------------------------------
    def handle(self, cmd: str) -> str:
        if not cmd:
            return ""
        if cmd in ("exit", "quit") and self.mode == "exec":
            return "\x04"
        if cmd == "end":
            self.mode, self.olt, self.onu = "exec", None, None
            return ""
        if cmd == "exit":
            self.mode = "config" if self.mode in ("if-olt", "if-onu", "mng") else "exec"
            self.olt = self.onu = None
            return ""
        if cmd.startswith("terminal length"):
            return ""
        if self.mode == "exec":
            return self.exec_cmd(cmd)
        if self.mode == "config":
            return self.config_cmd(cmd)
        if self.mode == "if-olt":
            return self.olt_cmd(cmd)
        return self.onu_cmd(cmd)

    def exec_cmd(self, cmd: str) -> str:
        if cmd in ("conf t", "configure terminal"):
            self.mode = "config"
            return "Enter configuration commands, one per line.  End with CTRL/Z.\n"
        if cmd == "show gpon onu uncfg":
            rows = [
                f"gpon-onu_{fiber}:{n}".ljust(25) + sn.ljust(20) + "unknown"
                for fiber, sns in sorted(self.s.uncfg.items())
                for n, sn in enumerate(sns, start=1)
            ]
            if not rows:
                return "%Code 32310-GPONSRV : No related information to show.\n"
            head = "OnuIndex                 Sn                  State\n" + "-" * 57 + "\n"
            return head + "\n".join(rows) + "\n"
        m = re.fullmatch(r"show run(?:ning-config)? interface gpon-olt_(\d+/\d+/\d+)", cmd)
        if m:
            fiber = m.group(1)
            if fiber not in self.s.fibers and fiber not in self.s.uncfg:
                return "%Error 20201: Invalid interface name.\n"
            onus = self.s.fibers.get(fiber, {})
            body = "".join(f"  onu {n} type {o.type} sn {o.sn}\n" for n, o in sorted(onus.items()))
            return (
                "Building configuration...\n"
                f"interface gpon-olt_{fiber}\n  no shutdown\n  linktrap disable\n{body}!\nend\n"
            )
        m = re.fullmatch(r"show run(?:ning-config)? interface gpon-onu_(\d+/\d+/\d+):(\d+)", cmd)
        if m:
            onu = self.s.fibers.get(m.group(1), {}).get(int(m.group(2)))
            if onu is None:
                return "%Code 32305-GPONSRV : The ONU does not exist.\n"
            lines = []
            if onu.name:
                lines.append(f"  name {onu.name}")
            if onu.description:
                lines.append(f"  description {onu.description}")
            lines += [f"  {x}" for x in onu.lines]
            body = "\n".join(lines)
            return (
                "Building configuration...\n"
                f"interface gpon-onu_{m.group(1)}:{m.group(2)}\n{body}\n!\nend\n"
            )
        m = re.fullmatch(r"show onu running config gpon-onu_(\d+/\d+/\d+):(\d+)", cmd)
        if m:
            onu = self.s.fibers.get(m.group(1), {}).get(int(m.group(2)))
            if onu is None:
                return "%Code 32305-GPONSRV : The ONU does not exist.\n"
            body = "".join(f"  {x}\n" for x in onu.mng)
            return f"pon-onu-mng gpon-onu_{m.group(1)}:{m.group(2)}\n{body}!\n"
        return "%Error 20200: Invalid input detected at '^' marker.\n"

    def config_cmd(self, cmd: str) -> str:
        m = re.fullmatch(r"interface gpon-olt_(\d+/\d+/\d+)", cmd)
        if m:
            if m.group(1) not in self.s.fibers and m.group(1) not in self.s.uncfg:
                return "%Error 20201: Invalid interface name.\n"
            self.s.fibers.setdefault(m.group(1), {})
            self.mode, self.olt = "if-olt", m.group(1)
            return ""
        m = re.fullmatch(r"(interface|pon-onu-mng) gpon-onu_(\d+/\d+/\d+):(\d+)", cmd)
        if m:
            if int(m.group(3)) not in self.s.fibers.get(m.group(2), {}):
                return "%Code 32305-GPONSRV : The ONU does not exist.\n"
            self.mode = "if-onu" if m.group(1) == "interface" else "mng"
            self.onu = (m.group(2), int(m.group(3)))
            return ""
        return "%Error 20200: Invalid input detected at '^' marker.\n"

    def olt_cmd(self, cmd: str) -> str:
        assert self.olt is not None
        onus = self.s.fibers[self.olt]
        m = re.fullmatch(r"onu (\d+) type (\S+) sn (\S+)", cmd)
        if m:
            n, typ, sn = int(m.group(1)), m.group(2), m.group(3)
            if not 1 <= n <= self.s.capacity:
                return f"%Code 32302-GPONSRV : ONU ID must be 1-{self.s.capacity}.\n"
            if len(onus) >= self.s.capacity:
                return "%Code 32303-GPONSRV : The PON port has no free ONU position.\n"
            if n in onus:
                return "%Code 32304-GPONSRV : The ONU ID is already in use.\n"
            if typ not in TYPES:
                return "%Code 32306-GPONSRV : The ONU type does not exist.\n"
            if any(o.sn == sn for f in self.s.fibers.values() for o in f.values()):
                return "%Code 32314-GPONSRV : The SN is already registered.\n"
            if sn not in self.s.uncfg.get(self.olt, []):
                return "%Code 32317-GPONSRV : No ONU with this SN is on the PON port.\n"
            onus[n] = PeerOnu(typ, sn)
            self.s.uncfg[self.olt].remove(sn)
            return ""
        m = re.fullmatch(r"no onu (\d+)", cmd)
        if m:
            gone = onus.pop(int(m.group(1)), None)
            if gone is None:
                return "%Code 32305-GPONSRV : The ONU does not exist.\n"
            self.s.uncfg.setdefault(self.olt, []).append(gone.sn)
            return ""
        return "%Error 20200: Invalid input detected at '^' marker.\n"

    def onu_cmd(self, cmd: str) -> str:
        assert self.onu is not None
        onu = self.s.fibers[self.onu[0]].get(self.onu[1])
        if onu is None:
            return "%Code 32305-GPONSRV : The ONU does not exist.\n"
        if self.mode == "mng":
            return mng_cmd(onu, cmd)
        m = re.fullmatch(r"no service-port (\d+)", cmd)
        if m:
            kept = [x for x in onu.lines if not x.startswith(f"service-port {m.group(1)} ")]
            if len(kept) == len(onu.lines):
                return "%Code 32320-GPONSRV : The service port does not exist.\n"
            onu.lines = kept
            return ""
        m = re.match(r"service-port (\d+) ", cmd)
        if m and any(x.startswith(f"service-port {m.group(1)} ") for x in onu.lines):
            return "%Code 32321-GPONSRV : The service port ID is already in use.\n"
        if cmd.startswith("name "):
            value = cmd[5:]
            if len(value) > 32 or " " in value:
                return "%Error 20203: Name is too long or has spaces.\n"
            onu.name = value
            return ""
        if cmd.startswith("description "):
            onu.description = cmd[12:][:80]
            return ""
        if cmd.startswith(("tcont ", "gemport ", "service-port ", "switchport vlan ")):
            m = re.search(r"vlan (\d+)(?!.*vlan)", cmd)
            if m and not 1 <= int(m.group(1)) <= 4094:
                return "%Error 20204: VLAN ID must be 1-4094.\n"
            onu.lines.append(cmd)
            return ""
        return "%Error 20200: Invalid input detected at '^' marker.\n"


class ZteCliPeer:
    """The peer on 127.0.0.1:<port> in a thread of its own (its own event loop)."""

    def __init__(
        self, state: OltState | None = None, host: str = "127.0.0.1", port: int = 0
    ) -> None:
        self.state = state or OltState.demo()
        self.host = host
        self.port = port or free_tcp_port(host)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._stop: asyncio.Event | None = None
        self._error: BaseException | None = None

    async def _shell(self, reader: object, writer: object) -> None:
        try:
            await _Session(self.state, reader, writer).run()
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            with contextlib.suppress(Exception):
                writer.close()  # type: ignore[attr-defined]

    def _main(self) -> None:
        import telnetlib3

        async def serve() -> None:
            self._stop = asyncio.Event()
            server = await telnetlib3.create_server(
                host=self.host, port=self.port, shell=self._shell, connect_maxwait=0.3
            )
            self._ready.set()
            await self._stop.wait()
            server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(server.wait_closed(), 2)

        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            loop.run_until_complete(serve())
        except BaseException as exc:
            self._error = exc
            self._ready.set()
        finally:
            loop.close()

    def start(self) -> ZteCliPeer:
        self._thread = threading.Thread(target=self._main, name="zte-cli-peer", daemon=True)
        self._thread.start()
        self._ready.wait(30)
        if self._error:
            raise RuntimeError(f"ZTE CLI peer did not start: {self._error}")
        return self

    def stop(self) -> None:
        if self._loop and self._stop:
            self._loop.call_soon_threadsafe(self._stop.set)
        if self._thread:
            self._thread.join(10)


@contextlib.contextmanager
def zte_cli_peer(state: OltState | None = None) -> Iterator[ZteCliPeer]:
    peer = ZteCliPeer(state).start()
    try:
        yield peer
    finally:
        peer.stop()
