"""The simulated switches' SNMP records (IF-MIB, BRIDGE-MIB, Q-BRIDGE-MIB and the
vendors' save/reboot objects): one ``Switch`` per model in ``SWITCHES``."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from lastmile.drivers.sim.snmprec import DOT1D, DOT1Q, IF, IFX, Record, w


def mac_oid(mac: str) -> str:
    return ".".join(str(int(b, 16)) for b in mac.split(":"))


def bitmap(ports: Iterable[int], octets: int) -> str:
    """Q-BRIDGE PortList: the first octet's high bit is bridge port 1."""
    data = bytearray(octets)
    for p in ports:
        data[(p - 1) // 8] |= 0x80 >> ((p - 1) % 8)
    return data.hex()


@dataclass
class Switch:
    model: str
    descr: str
    object_id: str
    ports: int = 8
    if_base: int = 1  # ifIndex of port 1
    name_fmt: str = "{n}"
    descr_fmt: str = "Port {n}"
    bitmap_octets: int = 4
    vlans: dict[int, tuple[str, set[int], set[int]]] = field(default_factory=dict)
    down: set[int] = field(default_factory=set)
    admin_down: set[int] = field(default_factory=set)
    extra: list[Record] = field(default_factory=list)
    uptime: int = 8_640_000  # 1 day in TimeTicks
    #: False: dot1qTpFdbTable and dot1dTpFdbTable are empty (Huawei VRP keeps its own)
    has_standard_fdb: bool = True
    #: HUAWEI-L2MAM-MIB's dynamic FDB and HUAWEI-L2VLAN-MIB's VLAN table (``huawei_records``)
    has_huawei_tables: bool = False
    #: True: dot1qVlanStaticTable is served by the ``rowtable`` variation, so VLANs
    #: are created and destroyed through dot1qVlanStaticRowStatus; False: plain
    #: (writecache) records, rows fixed (Huawei: VRP keeps the table read-only)
    qbridge_row_status: bool = True


#: The MAC table: two customers behind port 1 (VLAN 10), one on 2 (VLAN 20), one on 3.
FDB = [
    ("00:11:22:33:44:01", 1, 10),
    ("00:11:22:33:44:02", 1, 10),
    ("00:11:22:33:44:03", 2, 20),
    ("00:11:22:33:44:04", 3, 1),
]


def switch_records(sw: Switch) -> list[Record]:
    r: list[Record] = [
        ("1.3.6.1.2.1.1.1.0", "4", sw.descr),
        ("1.3.6.1.2.1.1.2.0", "6", sw.object_id),
        ("1.3.6.1.2.1.1.3.0", "67", str(sw.uptime)),
        ("1.3.6.1.2.1.1.4.0", "4", "noc@example.net"),
        # sysName answers notWritable to a SET (a real agent's read-only object)
        ("1.3.6.1.2.1.1.5.0", "4:writecache", f"value={sw.model}-lab,status=notwritable,op=set"),
        ("1.3.6.1.2.1.1.6.0", "4", "Lab rack 1"),
        ("1.3.6.1.2.1.2.1.0", "2", str(sw.ports + 1)),
    ]
    base_mac = [0x00, 0x1A, 0x2B, 0x3C, 0x4D, 0x00]
    indexes = [sw.if_base + n - 1 for n in range(1, sw.ports + 1)]
    vlan_if = 5000 if sw.if_base + sw.ports < 5000 else sw.if_base + sw.ports + 100
    for n, idx in enumerate(indexes, start=1):
        mac = ":".join(f"{b:02x}" for b in [*base_mac[:5], n])
        speed = 1_000_000_000 if n > sw.ports - 2 else 100_000_000
        admin = "2" if n in sw.admin_down else "1"
        oper = "2" if (n in sw.down or n in sw.admin_down) else "1"
        r += [
            (f"{IF}.1.{idx}", "2", str(idx)),
            (f"{IF}.2.{idx}", "4", sw.name_fmt.format(n=n)),
            (f"{IF}.3.{idx}", "2", "6"),  # ethernetCsmacd
            (f"{IF}.4.{idx}", "2", "1500"),
            (f"{IF}.5.{idx}", "66", str(speed)),
            (f"{IF}.6.{idx}", "4x", mac.replace(":", "")),
            (f"{IF}.7.{idx}", *w("2", admin)),
            (f"{IF}.8.{idx}", "2", oper),
            (f"{IFX}.1.{idx}", "4", sw.name_fmt.format(n=n)),
            (f"{IFX}.15.{idx}", "66", str(speed // 1_000_000)),
            (f"{IFX}.18.{idx}", *w("4", sw.descr_fmt.format(n=n) if n % 3 else "")),
            (f"{DOT1D}.1.4.1.2.{n}", "2", str(idx)),  # dot1dBasePortIfIndex
            (f"{DOT1Q}.4.5.1.1.{n}", *w("66", str(_pvid(sw, n)))),  # dot1qPvid
        ]
    # An L3 VLAN interface: not a port, the drivers leave it out.
    r += [
        (f"{IF}.1.{vlan_if}", "2", str(vlan_if)),
        (f"{IF}.2.{vlan_if}", "4", "vlan1"),
        (f"{IF}.3.{vlan_if}", "2", "136"),
        (f"{IF}.7.{vlan_if}", "2", "1"),
        (f"{IF}.8.{vlan_if}", "2", "1"),
        (f"{IFX}.1.{vlan_if}", "4", "vlan1"),
    ]
    r += [
        (f"{DOT1D}.1.1.0", "4x", "001a2b3c4d00"),  # dot1dBaseBridgeAddress
        (f"{DOT1D}.1.2.0", "2", str(sw.ports)),  # dot1dBaseNumPorts
    ]
    if sw.has_standard_fdb:
        r += _standard_fdb()
    for vid in sorted(sw.vlans):
        r.append((f"{DOT1Q}.4.2.1.3.0.{vid}", "66", str(vid)))  # dot1qVlanFdbId (IVL)
    r += vlan_static_records(sw)
    if sw.has_huawei_tables:
        r += huawei_records(sw)
    return r + list(sw.extra)


#: Q-BRIDGE-MIB dot1qVlanStaticEntry (RFC 4363): name .1 (SnmpAdminString 0..32),
#: egress .2, forbidden .3 and untagged .4 (PortList), RowStatus .5; index the VLAN id
DOT1Q_VLAN_STATIC = f"{DOT1Q}.4.3.1"


def vlan_static_records(sw: Switch) -> list[Record]:
    """dot1qVlanStaticTable: one ``rowtable`` subtree record (rows made by
    createAndGo, removed by destroy) or, for ``qbridge_row_status=False``, plain
    records with writable port lists."""
    octets = sw.bitmap_octets
    if not sw.qbridge_row_status:
        r: list[Record] = []
        for vid, (name, egress, untagged) in sorted(sw.vlans.items()):
            r += [
                (f"{DOT1Q_VLAN_STATIC}.1.{vid}", "4", name),
                (f"{DOT1Q_VLAN_STATIC}.2.{vid}", *w("4x", bitmap(egress, octets))),
                (f"{DOT1Q_VLAN_STATIC}.3.{vid}", "4x", bitmap((), octets)),
                (f"{DOT1Q_VLAN_STATIC}.4.{vid}", *w("4x", bitmap(untagged, octets))),
                (f"{DOT1Q_VLAN_STATIC}.5.{vid}", "2", "1"),
            ]
        return r
    cells = ["status=5", "col.1=4", "size.1=32", "col.5=2"]
    # a new VLAN: empty name, no ports (the MIB's default for egress and forbidden;
    # it names none for untagged, agents start it empty)
    empty = bitmap((), octets)
    cells += [f"col.{c}=4x;size.{c}={octets};default.{c}={empty}" for c in (2, 3, 4)]
    cells.append("default.1=")
    for vid, (name, egress, untagged) in sorted(sw.vlans.items()):
        cells += [
            f"1.{vid}={name}",
            f"2.{vid}={bitmap(egress, octets)}",
            f"3.{vid}={bitmap((), octets)}",
            f"4.{vid}={bitmap(untagged, octets)}",
            f"5.{vid}=1",
        ]
    return [(DOT1Q_VLAN_STATIC, ":rowtable", ";".join(cells))]


def _standard_fdb() -> list[Record]:
    r: list[Record] = []
    own = ("00:1a:2b:3c:4d:00", 0, 1)  # the switch itself: status self(4), port 0
    for mac, port, vid in [*FDB, own]:
        r += [
            (f"{DOT1Q}.2.2.1.2.{vid}.{mac_oid(mac)}", "2", str(port)),
            (f"{DOT1Q}.2.2.1.3.{vid}.{mac_oid(mac)}", "2", "4" if port == 0 else "3"),
        ]
        if port:
            r.append((f"{DOT1D}.4.3.1.2.{mac_oid(mac)}", "2", str(port)))
    return r


#: HUAWEI-L2MAM-MIB hwdbDynFdbEntry, hwDynFdbPort (.4): an ifIndex
HW_DYN_FDB_PORT = "1.3.6.1.4.1.2011.5.25.42.2.1.3.1.4"
#: HUAWEI-L2VLAN-MIB hwL2VlanMIBEntry: RowStatus .12, name .17, description .2
HW_L2VLAN = "1.3.6.1.4.1.2011.5.25.42.3.1.1.1.1"


def huawei_records(sw: Switch) -> list[Record]:
    """Huawei's own tables: the dynamic FDB (index MAC.VLAN.VSI-name) and the VLAN
    table whose rows are created and destroyed through hwL2VlanRowStatus."""
    if_index = {n: sw.if_base + n - 1 for n in range(1, sw.ports + 1)}
    r: list[Record] = [
        (f"{HW_DYN_FDB_PORT}.{mac_oid(mac)}.{vid}.0", "2", str(if_index[port]))
        for mac, port, vid in FDB
    ]
    vsi = "vsi1"  # a VPLS MAC (VLAN 0, a VSI name): not a VLAN's, the driver leaves it out
    vsi_index = ".".join(str(b) for b in (len(vsi), *vsi.encode()))
    r.append(
        (f"{HW_DYN_FDB_PORT}.{mac_oid('00:11:22:33:44:05')}.0.{vsi_index}", "2", str(if_index[4]))
    )
    # a MAC not learned on a port (hwDynFdbPort 0)
    r.append((f"{HW_DYN_FDB_PORT}.{mac_oid('00:11:22:33:44:06')}.30.0", "2", "0"))
    cells = ["status=12", "col.12=2", "col.17=4", "size.17=31", "col.2=4", "size.2=80"]
    for vid, (name, _egress, _untagged) in sorted(sw.vlans.items()):
        cells += [f"12.{vid}=1", f"17.{vid}={name}"]
    r.append((HW_L2VLAN, ":rowtable", ";".join(cells)))
    return r


def _pvid(sw: Switch, port: int) -> int:
    for vid, (_name, _egress, untagged) in sorted(sw.vlans.items()):
        if port in untagged:
            return vid
    return 1


def default_vlans(ports: int) -> dict[int, tuple[str, set[int], set[int]]]:
    uplink = ports  # the last port is the trunk
    return {
        1: ("default", set(range(3, ports + 1)), set(range(3, ports))),
        10: ("customers", {1, uplink}, {1}),
        20: ("office", {2, uplink}, {2}),
        30: ("iptv", {uplink}, set()),
    }


def _switch(model: str, descr: str, object_id: str, **kw: object) -> Switch:
    ports = int(kw.pop("ports", 8))  # type: ignore[call-overload]
    return Switch(model, descr, object_id, ports=ports, vlans=default_vlans(ports), **kw)  # type: ignore[arg-type]


SWITCHES = [
    _switch(
        "generic_snmp",
        "Generic managed switch, IF-MIB/Q-BRIDGE-MIB",
        "1.3.6.1.4.1.8072.3.2.10",
        name_fmt="eth{n}",
        down={4, 5},
        admin_down={6},
    ),
    _switch(
        "dlink_dgs1100",
        "DGS-1100-10/ME 1.00.B014",
        "1.3.6.1.4.1.171.10.134.2",
        ports=10,
        name_fmt="Slot0/{n}",
        down={5},
        extra=[
            ("1.3.6.1.4.1.171.10.134.2.1.1.1.10.0", *w("2", "0")),  # reboot
            ("1.3.6.1.4.1.171.10.134.2.1.1.1.11.0", *w("2", "0")),  # save
        ],
    ),
    _switch(
        "dlink_dgs3120",
        "DGS-3120-24SC Gigabit Ethernet Switch",
        "1.3.6.1.4.1.171.10.117.1.3",
        ports=10,
        name_fmt="RMON Port {n} on Unit 1",
        down={7},
        extra=[
            ("1.3.6.1.4.1.171.12.1.2.3.0", *w("2", "1")),  # agentSystemReset
            ("1.3.6.1.4.1.171.12.1.2.6.0", *w("2", "1")),  # agentSaveCfg
        ],
    ),
    _switch(
        "dlink_dgs3627",
        "DGS-3627G Gigabit Ethernet Switch",
        "1.3.6.1.4.1.171.10.70.8",
        ports=10,
        name_fmt="RMON Port {n} on Unit 1",
        extra=[
            ("1.3.6.1.4.1.171.12.1.2.3.0", *w("2", "1")),
            ("1.3.6.1.4.1.171.12.1.2.6.0", *w("2", "1")),
        ],
    ),
    _switch(
        "eltex_mes",
        "MES2324 28-port 1G/10G Managed Switch",
        "1.3.6.1.4.1.35265.1.81",
        if_base=49,
        name_fmt="gi1/0/{n}",
        descr_fmt="client {n}",
        bitmap_octets=16,
        down={3},
        extra=[
            ("1.3.6.1.4.1.89.1.2.0", *w("2", "0")),  # rndAction
            # rlCopyTable row 1: running-config → startup-config
            ("1.3.6.1.4.1.89.87.2.1.3.1", *w("2", "0")),
            ("1.3.6.1.4.1.89.87.2.1.7.1", *w("2", "0")),
            ("1.3.6.1.4.1.89.87.2.1.8.1", *w("2", "0")),
            ("1.3.6.1.4.1.89.87.2.1.12.1", *w("2", "0")),
            ("1.3.6.1.4.1.89.87.2.1.17.1", *w("2", "0")),
        ],
    ),
    _switch(
        "huawei_s2300",
        "Quidway S2352P-EI Huawei Versatile Routing Platform Software VRP (R) Version 5.70",
        "1.3.6.1.4.1.2011.2.23.95",
        if_base=6,
        name_fmt="Ethernet0/0/{n}",
        down={2},
        has_standard_fdb=False,
        has_huawei_tables=True,
        qbridge_row_status=False,
        extra=[
            ("1.3.6.1.4.1.2011.5.25.19.1.3.2.0", *w("2", "0")),  # hwSysReboot
            # hwCfgOperateTable row 1: running2Startup, createAndGo
            ("1.3.6.1.4.1.2011.6.10.1.2.4.1.2.1", *w("2", "0")),
            ("1.3.6.1.4.1.2011.6.10.1.2.4.1.9.1", *w("2", "0")),
        ],
    ),
    _switch(
        "huawei_s5300",
        "S5328C-EI-24S Huawei Versatile Routing Platform Software VRP (R) Version 5.70",
        "1.3.6.1.4.1.2011.2.23.102",
        if_base=6,
        name_fmt="GigabitEthernet0/0/{n}",
        has_standard_fdb=False,
        has_huawei_tables=True,
        qbridge_row_status=False,
        extra=[
            ("1.3.6.1.4.1.2011.5.25.19.1.3.2.0", *w("2", "0")),
            ("1.3.6.1.4.1.2011.6.10.1.2.4.1.2.1", *w("2", "0")),
            ("1.3.6.1.4.1.2011.6.10.1.2.4.1.9.1", *w("2", "0")),
        ],
    ),
]
