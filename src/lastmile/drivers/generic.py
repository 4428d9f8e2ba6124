"""A generic SNMP switch: IF-MIB, BRIDGE-MIB and Q-BRIDGE-MIB only.

Port numbers are ifIndex values.  The bridge MIBs number ports by bridge port
(dot1dBasePort); ``dot1dBasePortIfIndex`` maps them, so the MAC table and VLAN
bitmaps come back in ifIndex numbers too.  Vendor drivers subclass this one
and change what their model does differently (reboot, save, quirks).  The
standard MIBs' OIDs and value decoding it shares with them are in ``mib``.

VLAN creation and deletion (dot1qVlanStaticTable row status) are in
``qbridge_vlans``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from lastmile.drivers import qbridge_vlans
from lastmile.drivers.base import (
    BadInput,
    DeviceDetails,
    DeviceError,
    Driver,
    MacEntry,
    PortState,
    Reachability,
    Target,
    Vlan,
    register,
)
from lastmile.drivers.mib import (
    DOT1D_BASE_BRIDGE_ADDRESS,
    DOT1D_BASE_PORT_IFINDEX,
    DOT1D_TP_FDB_PORT,
    DOT1Q_PVID,
    DOT1Q_TP_FDB_PORT,
    DOT1Q_TP_FDB_STATUS,
    DOT1Q_VLAN_FDB_ID,
    DOT1Q_VLAN_STATIC_EGRESS,
    DOT1Q_VLAN_STATIC_NAME,
    DOT1Q_VLAN_STATIC_UNTAGGED,
    FDB_STATUS_SELF,
    IF_ADMIN_STATUS,
    IF_ALIAS,
    IF_DESCR,
    IF_HIGH_SPEED,
    IF_NAME,
    IF_NUMBER,
    IF_NUMBER_COLUMN,
    IF_OPER_STATUS,
    IF_PHYS_ADDRESS,
    IF_SPEED,
    IF_TYPE,
    PORT_IF_TYPES,
    SYS_DESCR,
    SYS_LOCATION,
    SYS_NAME,
    SYS_OBJECT_ID,
    SYS_UPTIME,
    SYS_UPTIME_COLUMN,
    check_vid,
    decode_portlist,
    encode_portlist,
    link_state,
    mac_text,
    text,
)
from lastmile.drivers.snmp import SnmpClient
from lastmile.drivers.snmp_values import Gauge

#: interfaces each polled device had last time (sizes the next poll's GETBULK)
_IF_COUNT: dict[tuple[str, int, str, str], int] = {}


@register
class GenericSwitch(Driver):
    name: ClassVar[str] = "generic_snmp"
    title: ClassVar[str] = "Generic SNMP switch (IF-MIB, Q-BRIDGE-MIB)"
    #: Rows per GETBULK of a poll: the first poll of a device, and at most after that.
    first_poll_repetitions: ClassVar[int] = 8
    poll_repetitions: ClassVar[int] = 60

    def snmp(self, target: Target) -> SnmpClient:
        return SnmpClient(target)

    def is_port(self, if_index: int, if_type: Any, name: str) -> bool:
        return if_type in PORT_IF_TYPES

    # -- details and ports ----------------------------------------------
    async def details(self, target: Target) -> DeviceDetails:
        c = self.snmp(target)
        v = await c.get_many([SYS_DESCR, SYS_OBJECT_ID, SYS_UPTIME, SYS_NAME, SYS_LOCATION])
        if v[SYS_UPTIME] is None and v[SYS_DESCR] is None:
            raise DeviceError(f"{target.host}: the device has no SNMPv2-MIB system group")
        mac = mac_text(await c.get(DOT1D_BASE_BRIDGE_ADDRESS))
        descr = text(v[SYS_DESCR])
        return DeviceDetails(
            name=text(v[SYS_NAME]),
            description=descr,
            uptime_s=None if v[SYS_UPTIME] is None else int(v[SYS_UPTIME]) // 100,
            model=self.model_from(descr, text(v[SYS_OBJECT_ID])),
            firmware="",
            mac=mac,
        )

    def model_from(self, descr: str, object_id: str) -> str:
        return descr.split(" ")[0] if descr else ""

    async def ports(self, target: Target) -> list[PortState]:
        c = self.snmp(target)
        cols = await c.walk_columns(
            [IF_DESCR, IF_TYPE, IF_SPEED, IF_PHYS_ADDRESS, IF_ADMIN_STATUS, IF_OPER_STATUS]
        )
        xcols = await c.walk_columns([IF_NAME, IF_HIGH_SPEED, IF_ALIAS])
        by: dict[str, dict[int, Any]] = {}
        for col, rows in (*cols.items(), *xcols.items()):
            by[col] = {int(oid.rsplit(".", 1)[1]): val for oid, val in rows}
        if not by[IF_DESCR] and not by[IF_OPER_STATUS]:
            raise DeviceError(f"{target.host}: the device reports no interfaces (IF-MIB)")
        ports = []
        for idx in sorted(set(by[IF_DESCR]) | set(by[IF_OPER_STATUS])):
            name = text(by[IF_NAME].get(idx)) or text(by[IF_DESCR].get(idx))
            for col in (IF_TYPE, IF_ADMIN_STATUS, IF_OPER_STATUS):
                if not isinstance(by[col].get(idx, 0), int):
                    raise DeviceError(f"{target.host}: interface {idx} has an unreadable state")
            if not self.is_port(idx, by[IF_TYPE].get(idx), name):
                continue
            high = by[IF_HIGH_SPEED].get(idx)
            speed = by[IF_SPEED].get(idx)
            mbps = int(high) if high else (int(speed) // 1_000_000 if speed else None)
            ports.append(
                PortState(
                    number=idx,
                    name=name,
                    description=text(by[IF_ALIAS].get(idx)),
                    admin_up=by[IF_ADMIN_STATUS].get(idx) == 1,
                    link=link_state(by[IF_OPER_STATUS].get(idx)),
                    speed_mbps=mbps,
                    mac=mac_text(by[IF_PHYS_ADDRESS].get(idx)),
                )
            )
        return ports

    async def poll(self, target: Target) -> Reachability:
        """sysUpTime and every port's admin/oper status: one GETBULK for up to
        ``poll_repetitions`` interfaces, more only for bigger devices."""
        c = self.snmp(target)
        key = (target.host, target.snmp.port, target.snmp.community, target.snmp.context)
        # Ask for as many rows as the device had last time (+1 to see the table end),
        # so a small device is not asked for 30 rows of other tables every round.
        # The first time, a small first packet that also carries ifNumber sizes the rest.
        known = _IF_COUNT.get(key)
        reps = self.first_poll_repetitions if known is None else max(2, min(known + 1, 200))
        answer = await c.bulk(
            [SYS_UPTIME_COLUMN, IF_NUMBER_COLUMN], [IF_TYPE, IF_ADMIN_STATUS, IF_OPER_STATUS], reps
        )
        if not answer or answer[0][0] != SYS_UPTIME or answer[0][1] is None:
            raise DeviceError(f"{target.host}: the answer has no sysUpTime")
        uptime = int(answer[0][1]) // 100
        if_number = answer[1][1] if len(answer) > 1 and answer[1][0] == IF_NUMBER else None
        rows: dict[str, dict[int, Any]] = {IF_TYPE: {}, IF_ADMIN_STATUS: {}, IF_OPER_STATUS: {}}
        cols = [IF_TYPE, IF_ADMIN_STATUS, IF_OPER_STATUS]
        done = self._take(answer[2:], cols, rows)
        cursor = {col: max(rows[col], default=None) for col in cols}
        while not done:
            nxt = [f"{col}.{cursor[col]}" for col in cols if cursor[col] is not None]
            if len(nxt) != len(cols):
                break
            if isinstance(if_number, int) and if_number > len(rows[IF_OPER_STATUS]):
                reps = min(if_number - len(rows[IF_OPER_STATUS]) + 1, self.poll_repetitions)
            else:
                reps = self.poll_repetitions
            more = await c.bulk([], nxt, reps)
            if not more:
                break
            done = self._take(more, cols, rows)
            new = {col: max(rows[col], default=None) for col in cols}
            if new == cursor:
                break
            cursor = new
        if len(_IF_COUNT) > 100_000:
            _IF_COUNT.clear()
        _IF_COUNT[key] = len(rows[IF_OPER_STATUS])
        ports = tuple(
            PortState(
                number=idx,
                admin_up=rows[IF_ADMIN_STATUS].get(idx) == 1,
                link=link_state(rows[IF_OPER_STATUS].get(idx)),
            )
            for idx in sorted(rows[IF_OPER_STATUS])
            if self.is_port(idx, rows[IF_TYPE].get(idx), "")
        )
        return Reachability(is_up=True, uptime_s=uptime, ports=ports)

    @staticmethod
    def _take(
        vbs: Sequence[tuple[str, Any]], cols: list[str], rows: dict[str, dict[int, Any]]
    ) -> bool:
        """File repeater var-binds into their columns; True once every column has ended."""
        ended = set()
        width = len(cols)
        for i, (oid, val) in enumerate(vbs):
            col = cols[i % width]
            if val is None or not oid.startswith(col + "."):
                ended.add(col)
                continue
            rows[col][int(oid.rsplit(".", 1)[1])] = val
        return len(ended) == width

    async def _port_exists(self, c: SnmpClient, port: int) -> Any:
        if not isinstance(port, int) or isinstance(port, bool) or port < 1:
            raise BadInput(f"port {port!r} is not a port number")
        value = await c.get(f"{IF_ADMIN_STATUS}.{port}")
        if value is None:
            raise BadInput(f"the device has no port {port}")
        return value

    async def set_port_admin(self, target: Target, port: int, *, up: bool) -> PortState:
        c = self.snmp(target)
        await self._port_exists(c, port)
        want = 1 if up else 2
        await c.set([(f"{IF_ADMIN_STATUS}.{port}", want)])
        v = await c.get_many(
            [f"{IF_ADMIN_STATUS}.{port}", f"{IF_OPER_STATUS}.{port}", f"{IF_NAME}.{port}"]
        )
        if v[f"{IF_ADMIN_STATUS}.{port}"] != want:
            raise DeviceError(
                f"{target.host}: port {port} did not change: the device still reports it "
                f"{'down' if want == 1 else 'up'}"
            )
        return PortState(
            number=port,
            name=text(v[f"{IF_NAME}.{port}"]),
            admin_up=up,
            link=link_state(v[f"{IF_OPER_STATUS}.{port}"]),
        )

    # -- bridge ------------------------------------------------------------
    async def bridge_ports(self, c: SnmpClient) -> dict[int, int]:
        """bridge port → ifIndex (identity when the device has no dot1dBasePortIfIndex)."""
        rows = await c.walk(DOT1D_BASE_PORT_IFINDEX)
        return {int(oid.rsplit(".", 1)[1]): int(val) for oid, val in rows if val is not None}

    async def mac_table(self, target: Target, *, port: int | None = None) -> list[MacEntry]:
        c = self.snmp(target)
        bp = await self.bridge_ports(c)
        entries = await self.fdb_entries(c, bp)
        if port is not None:
            entries = [e for e in entries if e.port == port]
        return sorted(entries, key=lambda e: (e.port, e.vlan or 0, e.mac))

    async def fdb_entries(self, c: SnmpClient, bp: dict[int, int]) -> list[MacEntry]:
        """The learned MACs: Q-BRIDGE-MIB's table, or BRIDGE-MIB's when the device has
        no Q-BRIDGE rows at all.  Vendor drivers add their own tables here."""
        entries, has_rows = await self.qbridge_fdb(c, bp)
        if has_rows:
            return entries
        return await self.bridge_fdb(c, bp)

    async def qbridge_fdb(self, c: SnmpClient, bp: dict[int, int]) -> tuple[list[MacEntry], bool]:
        """dot1qTpFdbTable without the device's own MACs; True when it had any row."""
        cols = await c.walk_columns([DOT1Q_TP_FDB_PORT, DOT1Q_TP_FDB_STATUS])
        fdb_to_vid = {}
        for oid, val in await c.walk(DOT1Q_VLAN_FDB_ID):
            vid = int(oid.rsplit(".", 1)[1])
            if val is not None:
                fdb_to_vid[int(val)] = vid
        status = {
            oid[len(DOT1Q_TP_FDB_STATUS) + 1 :]: val for oid, val in cols[DOT1Q_TP_FDB_STATUS]
        }
        entries: list[MacEntry] = []
        for oid, val in cols[DOT1Q_TP_FDB_PORT]:
            index = oid[len(DOT1Q_TP_FDB_PORT) + 1 :]
            parts = [int(p) for p in index.split(".")]
            if len(parts) != 7 or not val or status.get(index) == FDB_STATUS_SELF:
                continue
            fdb_id, mac = parts[0], ":".join(f"{b:02x}" for b in parts[1:])
            entries.append(
                MacEntry(
                    mac=mac, port=bp.get(int(val), int(val)), vlan=fdb_to_vid.get(fdb_id, fdb_id)
                )
            )
        return entries, bool(cols[DOT1Q_TP_FDB_PORT])

    async def bridge_fdb(self, c: SnmpClient, bp: dict[int, int]) -> list[MacEntry]:
        """dot1dTpFdbTable: MACs by bridge port, without VLANs."""
        entries = []
        for oid, val in await c.walk(DOT1D_TP_FDB_PORT):
            parts = [int(p) for p in oid[len(DOT1D_TP_FDB_PORT) + 1 :].split(".")]
            if len(parts) == 6 and val:
                mac = ":".join(f"{b:02x}" for b in parts)
                entries.append(MacEntry(mac=mac, port=bp.get(int(val), int(val))))
        return entries

    async def _vlan_rows(
        self, c: SnmpClient
    ) -> tuple[dict[int, int], dict[int, tuple[str, bytes, bytes]]]:
        bp = await self.bridge_ports(c)
        cols = await c.walk_columns(
            [DOT1Q_VLAN_STATIC_NAME, DOT1Q_VLAN_STATIC_EGRESS, DOT1Q_VLAN_STATIC_UNTAGGED]
        )
        rows: dict[int, tuple[str, bytes, bytes]] = {}
        names = {int(o.rsplit(".", 1)[1]): text(v) for o, v in cols[DOT1Q_VLAN_STATIC_NAME]}
        egress = {int(o.rsplit(".", 1)[1]): v or b"" for o, v in cols[DOT1Q_VLAN_STATIC_EGRESS]}
        untagged = {int(o.rsplit(".", 1)[1]): v or b"" for o, v in cols[DOT1Q_VLAN_STATIC_UNTAGGED]}
        for vid in sorted(set(names) | set(egress)):
            e, u = egress.get(vid, b""), untagged.get(vid, b"")
            if not isinstance(e, bytes) or not isinstance(u, bytes):
                raise DeviceError("the VLAN port lists are not octet strings")
            rows[vid] = (names.get(vid, ""), e, u)
        return bp, rows

    async def vlans(self, target: Target) -> list[Vlan]:
        bp, rows = await self._vlan_rows(self.snmp(target))
        return [self._vlan(vid, row, bp) for vid, row in rows.items()]

    @staticmethod
    def _vlan(vid: int, row: tuple[str, bytes, bytes], bp: dict[int, int]) -> Vlan:
        name, egress, untagged = row
        e = {bp.get(p, p) for p in decode_portlist(egress)}
        u = {bp.get(p, p) for p in decode_portlist(untagged)} & e
        return Vlan(vid=vid, name=name, tagged=frozenset(e - u), untagged=frozenset(u))

    async def set_port_vlans(
        self, target: Target, port: int, *, untagged: int | None, tagged: frozenset[int]
    ) -> list[Vlan]:
        """Make ``port`` an untagged member of ``untagged`` and a tagged member of
        ``tagged`` and of nothing else; checked against the device's VLANs first,
        then read back."""
        if untagged is not None:
            check_vid(untagged)
        for vid in tagged:
            check_vid(vid)
        if untagged is not None and untagged in tagged:
            raise BadInput(f"VLAN {untagged} cannot be both untagged and tagged on one port")
        c = self.snmp(target)
        await self._port_exists(c, port)
        bp, rows = await self._vlan_rows(c)
        if_to_bp = {i: b for b, i in bp.items()}
        bport = if_to_bp.get(port, port if not bp else None)
        if bport is None:
            raise BadInput(f"port {port} is not a bridge port: it has no VLANs")
        wanted = set(tagged) | ({untagged} if untagged is not None else set())
        missing = sorted(wanted - set(rows))
        if missing:
            raise BadInput(
                "the device has no VLAN " + ", ".join(str(v) for v in missing) + ": create it first"
            )
        changes: list[tuple[int, bytes, bytes]] = []
        for vid, (_name, egress, untag) in rows.items():
            e, u = decode_portlist(egress), decode_portlist(untag)
            ne, nu = set(e), set(u)
            ne.discard(bport)
            nu.discard(bport)
            if vid in wanted:
                ne.add(bport)
            if vid == untagged:
                nu.add(bport)
            if ne != e or nu != u:
                length = max(len(egress), len(untag), 1)
                # untagged ⊆ egress: shrink untagged before egress, grow egress first
                changes.append((vid, encode_portlist(ne, length), encode_portlist(nu, length)))
        await self.write_vlan_changes(c, changes, bport, untagged)
        bp, after = await self._vlan_rows(c)
        result = [self._vlan(vid, row, bp) for vid, row in after.items()]
        for v in result:
            member_t, member_u = port in v.tagged, port in v.untagged
            if member_u != (v.vid == untagged) or member_t != (v.vid in tagged):
                raise DeviceError(
                    f"{target.host}: VLAN {v.vid} on port {port} did not change as asked"
                )
        return result

    async def write_vlan_changes(
        self,
        c: SnmpClient,
        changes: list[tuple[int, bytes, bytes]],
        bport: int,
        untagged: int | None,
    ) -> None:
        for vid, egress, untag in changes:
            await c.set(
                [
                    (f"{DOT1Q_VLAN_STATIC_EGRESS}.{vid}", egress),
                    (f"{DOT1Q_VLAN_STATIC_UNTAGGED}.{vid}", untag),
                ]
            )
        if untagged is not None:
            await c.set([(f"{DOT1Q_PVID}.{bport}", Gauge(untagged))])

    # -- VLAN creation and deletion (dot1qVlanStaticTable, ``qbridge_vlans``) --
    async def create_vlan(self, target: Target, vid: int, *, name: str = "") -> Vlan:
        """Create VLAN ``vid`` (no ports) named ``name``; refused when it exists."""
        return await qbridge_vlans.create(self.snmp(target), target, vid, name=name)

    async def delete_vlan(self, target: Target, vid: int) -> None:
        """Delete VLAN ``vid`` (its ports leave it); the default VLAN 1 is refused."""
        await qbridge_vlans.delete(self.snmp(target), target, vid)
