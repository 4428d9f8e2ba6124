"""The demo's simulated devices: snmpsim with every model's data and the ZTE CLI peer.

``python -m lastmile.drivers.sim.demo`` serves them on 127.0.0.1 until Ctrl-C:
SNMP on udp/16161 (community = model name: ``generic_snmp``, ``dlink_dgs3120``,
``eltex_mes``, ``huawei_s5300``, ``zte_c320``, ``bdcom_p3310`` …) and the ZTE
C320 CLI on tcp/16023 (user ``zte``, password ``zte``).
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from dataclasses import dataclass

from lastmile.drivers.sim import DATA_DIR, snmpsim_agent
from lastmile.drivers.sim.zte_cli import OltState, ZteCliPeer

SNMP_PORT = 16161
CLI_PORT = 16023


@dataclass(frozen=True)
class Demo:
    host: str
    snmp_port: int
    cli_port: int
    cli_username: str = "zte"
    cli_password: str = "zte"


@contextlib.contextmanager
def demo_devices(
    host: str = "127.0.0.1", snmp_port: int = SNMP_PORT, cli_port: int = CLI_PORT
) -> Iterator[Demo]:
    with snmpsim_agent(DATA_DIR, host=host, port=snmp_port):
        peer = ZteCliPeer(OltState.demo(), host=host, port=cli_port).start()
        try:
            yield Demo(host, snmp_port, cli_port)
        finally:
            peer.stop()


def main() -> None:
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with demo_devices() as d:
        print(f"SNMP on {d.host}:{d.snmp_port}, ZTE CLI on {d.host}:{d.cli_port}", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            stop.wait()


if __name__ == "__main__":
    main()
