"""The ZTE CLI peer's state: the ONUs on each fiber with their configuration,
the ones waiting unconfigured, and the failure switches tests set."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

TYPES = ("ZTE-F601", "ZTE-F660", "ZTE-F609", "ZTE-F670L")


@dataclass
class PeerOnu:
    type: str
    sn: str
    name: str = ""
    description: str = ""
    lines: list[str] = field(default_factory=list)  # interface gpon-onu_… config
    mng: list[str] = field(default_factory=list)  # pon-onu-mng config


@dataclass
class OltState:
    #: fiber ("1/1/1") → {onu id: ONU}
    fibers: dict[str, dict[int, PeerOnu]] = field(default_factory=dict)
    #: fiber → serials waiting there unconfigured
    uncfg: dict[str, list[str]] = field(default_factory=dict)
    capacity: int = 128
    username: str = "zte"
    password: str = "zte"
    drop_on: str = ""
    fail_on: dict[str, str] = field(default_factory=dict)
    log: list[str] = field(default_factory=list)  # every command received

    @classmethod
    def demo(cls) -> OltState:
        s = cls()
        s.fibers["1/1/1"] = {
            1: PeerOnu(
                "ZTE-F601",
                "ZTEGC0A10001",
                "ivanov-12",
                "Lenina 1 kv 12",
                [
                    "tcont 1 profile 100M",
                    "gemport 1 tcont 1",
                    "service-port 1 vport 1 user-vlan 100 vlan 100",
                ],
                ["service inet gemport 1 vlan 100", "vlan port eth_0/1 mode tag vlan 100"],
            ),
            2: PeerOnu(
                "ZTE-F660",
                "ZTEGC0A10002",
                "petrov-7",
                "",
                [
                    "tcont 1 profile 100M",
                    "gemport 1 tcont 1",
                    "service-port 1 vport 1 user-vlan 100 vlan 100",
                    "service-port 2 vport 1 user-vlan 200 vlan 200",
                    "switchport vlan 300-302,310 tag vport 1",
                ],
            ),
            3: PeerOnu("ZTE-F601", "ZTEGC0A10003"),
        }
        s.fibers["1/1/2"] = {1: PeerOnu("ZTE-F601", "ZTEGC0A20001", "sidorov-1")}
        # a full fiber: every position taken
        s.fibers["1/2/1"] = {n: PeerOnu("ZTE-F601", f"ZTEGD{n:07X}") for n in range(1, 129)}
        s.uncfg["1/1/1"] = ["ZTEGC0FFEE01"]
        s.uncfg["1/1/2"] = ["ZTEGC0FFEE02"]
        s.uncfg["1/2/1"] = ["ZTEGC0FFEE03"]
        return s


def mng_cmd(onu: PeerOnu, cmd: str) -> str:
    """``pon-onu-mng`` mode: services and ONU port VLANs, added and removed."""
    m = re.fullmatch(r"no service (\S+)", cmd)
    if m:
        kept = [x for x in onu.mng if not x.startswith(f"service {m.group(1)} ")]
        if len(kept) == len(onu.mng):
            return "%Code 32322-GPONSRV : The service does not exist.\n"
        onu.mng = kept
        return ""
    if cmd.startswith("no vlan port "):
        line = cmd[3:]
        if line not in onu.mng:
            return "%Code 32323-GPONSRV : The VLAN is not on this port.\n"
        onu.mng.remove(line)
        return ""
    m = re.fullmatch(r"service (\S+) gemport \d+ (?:cos \d+ )?vlan (\d+)", cmd) or re.fullmatch(
        r"vlan port \S+ mode (?:tag|trunk|hybrid) vlan (\d+)()", cmd
    )
    if m is None:
        return "%Error 20200: Invalid input detected at '^' marker.\n"
    vid = int(m.group(2) or m.group(1))
    if not 1 <= vid <= 4094:
        return "%Error 20204: VLAN ID must be 1-4094.\n"
    if cmd.startswith("service ") and any(x.startswith(f"service {m.group(1)} ") for x in onu.mng):
        return "%Code 32324-GPONSRV : The service name is already in use.\n"
    onu.mng.append(cmd)
    return ""
