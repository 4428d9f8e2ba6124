"""What a RADIUS node keeps in memory: NASes, customers, subscriptions,
tariffs, pools, active leases and IPoE bindings.

Loaded at start and kept fresh by LISTEN/NOTIFY (see ``listener.py``); the
database stays the one source of truth — a stale free-address guess only
costs a retry, because the unique index refuses a second active lease.
Pools are ``PoolInfo`` (``aaa.pools``), open sessions ``OpenSession``
(``aaa.sessions``).
"""

from __future__ import annotations

import ipaddress
import time
from dataclasses import dataclass
from typing import Any

from lastmile.aaa.pools import PoolInfo
from lastmile.aaa.ports import bindings_by_port
from lastmile.aaa.sessions import OPEN_SESSIONS, OpenSession
from lastmile.core.crypto import decrypt_secret
from lastmile.radius.profiles import Rate

# The columns ``lease_from_row`` reads, in order.
LEASE_COLUMNS = (
    "id, host(address), pool_id, customer_id, kind, mac, remote_id, circuit_id,"
    " extract(epoch FROM expires_at)::float8, extract(epoch FROM renewed_at)::float8,"
    " coalesce(prefix_length, 0)"
)


@dataclass(slots=True)
class NasInfo:
    id: int
    address: str
    secret: bytes
    vendor: str
    require_ma: bool
    coa_port: int


@dataclass(slots=True)
class CustomerInfo:
    id: int
    login: str
    secret_encrypted: str
    is_active: bool
    group_id: int | None
    tariff_id: int | None = None
    period_end: float | None = None  # epoch seconds of the active subscription's end
    simultaneous_use: int | None = None  # the customer's own limit; None: the server's
    _secret: bytes | None = None

    def secret(self) -> bytes:
        if self._secret is None:
            try:
                clear = decrypt_secret(self.secret_encrypted) if self.secret_encrypted else ""
            except ValueError:
                clear = ""
            self._secret = clear.encode()
        return self._secret

    def has_paid_access(self, now: float) -> bool:
        return self.tariff_id is not None and self.period_end is not None and self.period_end > now


@dataclass(slots=True)
class LeaseInfo:
    id: int
    address: int
    pool_id: int
    customer_id: int
    kind: str
    mac: str
    remote_id: str
    circuit_id: str
    expires_at: float | None
    renewed_at: float = 0.0  # epoch; a Stop that happened before it is not this lease's end
    prefix_length: int = 0  # an IPv6 prefix (``address`` its first address); 0: IPv4

    @property
    def address_text(self) -> str:
        if self.prefix_length:
            return str(ipaddress.IPv6Address(self.address))
        return str(ipaddress.IPv4Address(self.address))

    @property
    def network(self) -> ipaddress.IPv6Network:
        """The leased IPv6 prefix (only for ``prefix_length`` > 0)."""
        return ipaddress.IPv6Network((self.address, self.prefix_length))

    def more_than_half_left(self, now: float, lease_time: float) -> bool:
        """The one rule for extending a dynamic lease (re-auth and accounting
        alike): only when less than half of its time is left."""
        return self.expires_at is not None and self.expires_at - now > lease_time / 2


class State:
    """The node's cache.  Mutated only from the event loop's thread."""

    def __init__(self, *, simultaneous_use: int = 0) -> None:
        self.simultaneous_use = simultaneous_use  # sessions per customer, 0: no limit
        self.open_sessions: dict[tuple[int, str], OpenSession] = {}
        self.sessions_by_customer: dict[int, dict[tuple[int, str], OpenSession]] = {}
        self.nases: dict[str, NasInfo] = {}
        self.customers: dict[int, CustomerInfo] = {}
        self.by_login: dict[str, int] = {}
        self.tariffs: dict[int, Rate] = {}
        self.pools: dict[int, PoolInfo] = {}
        self.has_ipv6_pools = False
        self.leases: dict[int, LeaseInfo] = {}
        self.leases_by_customer: dict[int, list[LeaseInfo]] = {}
        self.lease_by_address: dict[int, LeaseInfo] = {}
        self.binding_by_mac: dict[str, int] = {}
        self.binding_by_port: dict[tuple[str, str], int] = {}
        self.loaded_at = 0.0

    # Loading -----------------------------------------------------------------------
    async def load_all(self, conn: Any) -> None:
        await self.load_nases(conn)
        await self.load_tariffs(conn)
        await self.load_customers(conn, None)
        await self.load_bindings(conn)
        await self.load_pools_and_leases(conn)
        await self.load_open_sessions(conn)
        self.loaded_at = time.time()

    async def load_nases(self, conn: Any) -> None:
        cur = await conn.execute(
            "SELECT id, host(address), secret_encrypted, vendor, require_message_authenticator,"
            " coa_port FROM network_nas WHERE is_active"
        )
        nases = {}
        for nas_id, address, secret_enc, vendor, require_ma, coa_port in await cur.fetchall():
            try:
                secret = decrypt_secret(secret_enc).encode()
            except ValueError:
                continue
            nases[address] = NasInfo(nas_id, address, secret, vendor, require_ma, coa_port)
        self.nases = nases

    async def load_tariffs(self, conn: Any) -> None:
        cur = await conn.execute(
            "SELECT id, rate_down_kbps, rate_up_kbps, burst_down_kbps, burst_up_kbps"
            " FROM subscriptions_tariff"
        )
        self.tariffs = {
            row[0]: Rate(row[1], row[2], row[3], row[4]) for row in await cur.fetchall()
        }

    async def load_customers(self, conn: Any, ids: list[int] | None) -> None:
        """Customers and their active subscriptions; ``ids=None``: everyone."""
        where, params = ("", ()) if ids is None else (" WHERE c.id = ANY(%s)", (ids,))
        cur = await conn.execute(
            "SELECT c.id, c.login, c.pppoe_secret_encrypted, c.is_active, c.group_id,"  # noqa: S608
            " s.tariff_id, extract(epoch FROM s.period_end)::float8, c.simultaneous_use"
            " FROM customers_customer c LEFT JOIN subscriptions_subscription s"
            " ON s.customer_id = c.id AND s.state = 'active'" + where,
            params,
        )
        rows = await cur.fetchall()
        if ids is None:
            self.customers, self.by_login = {}, {}
        else:
            for customer_id in ids:
                old = self.customers.pop(customer_id, None)
                if old is not None and self.by_login.get(old.login) == customer_id:
                    del self.by_login[old.login]
        for cid, login, secret_enc, is_active, group_id, tariff_id, period_end, limit in rows:
            self.customers[cid] = CustomerInfo(
                cid, login, secret_enc, is_active, group_id, tariff_id, period_end, limit
            )
            self.by_login[login] = cid

    async def load_bindings(self, conn: Any) -> None:
        cur = await conn.execute(
            "SELECT customer_id, mac, remote_id, circuit_id FROM network_accessbinding"
        )
        rows = await cur.fetchall()
        self.binding_by_mac = {mac: customer_id for customer_id, mac, _r, _c in rows if mac}
        self.binding_by_port = bindings_by_port(
            (customer_id, remote_id, circuit_id) for customer_id, _m, remote_id, circuit_id in rows
        )

    async def load_pools_and_leases(self, conn: Any) -> None:
        cur = await conn.execute(
            "SELECT id, name, kind, network::text, host(range_start), host(range_end),"
            " host(gateway), priority, coalesce(delegated_prefix_length, 0), ipv6_use"
            " FROM network_pool WHERE is_active"
        )
        pools: dict[int, PoolInfo] = {}
        for row in await cur.fetchall():
            pid, name, kind, network, start, end, gateway, priority, length, use = row
            net = ipaddress.ip_network(network)
            if net.version == 6:
                if not use or not net.prefixlen <= length <= 128:
                    continue  # not a valid IPv6 pool (model validation refuses it)
                pools[pid] = PoolInfo(
                    pid, name, kind, 6, int(net.network_address), int(net.broadcast_address),
                    None, priority, prefix_length=length, ipv6_use=use,
                )  # fmt: skip
                continue
            first, last = int(net.network_address), int(net.broadcast_address)
            if net.version == 4 and net.prefixlen <= 30:
                first, last = first + 1, last - 1
            if start:
                first = max(first, int(ipaddress.ip_address(start)))
            if end:
                last = min(last, int(ipaddress.ip_address(end)))
            gw = int(ipaddress.ip_address(gateway)) if gateway else None
            pools[pid] = PoolInfo(pid, name, kind, net.version, first, last, gw, priority)
        for table, attr, col in (
            ("network_pool_tariffs", "tariffs", "tariff_id"),
            ("network_pool_groups", "groups", "customergroup_id"),
            ("network_pool_nases", "nases", "nas_id"),
        ):
            cur = await conn.execute(f"SELECT pool_id, {col} FROM {table}")  # noqa: S608
            links: dict[int, set[int]] = {}
            for pool_id, other_id in await cur.fetchall():
                links.setdefault(pool_id, set()).add(other_id)
            for pool_id, values in links.items():
                if pool_id in pools:
                    setattr(pools[pool_id], attr, frozenset(values))
        self.pools = pools
        self.has_ipv6_pools = any(pool.family == 6 for pool in pools.values())
        self.leases, self.leases_by_customer, self.lease_by_address = {}, {}, {}
        cur = await conn.execute(
            "SELECT " + LEASE_COLUMNS + " FROM network_lease"  # noqa: S608
            " WHERE ended_at IS NULL"
        )
        for row in await cur.fetchall():
            self.add_lease(lease_from_row(row))

    async def load_open_sessions(self, conn: Any) -> None:
        """The open sessions (all nodes' accounting), replacing what is known."""
        cur = await conn.execute(OPEN_SESSIONS + " AND customer_id IS NOT NULL")
        self.open_sessions, self.sessions_by_customer = {}, {}
        for row in await cur.fetchall():
            self._add_session(OpenSession(*row))

    async def reload_customer_sessions(self, conn: Any, customer_id: int) -> int:
        """A customer's open sessions as the database has them now (every
        node's accounting), replacing what this node knows; returns how many."""
        cur = await conn.execute(OPEN_SESSIONS + " AND customer_id = %s", (customer_id,))
        rows = await cur.fetchall()
        for key in list(self.sessions_by_customer.get(customer_id, {})):
            self.forget_session(key)
        for row in rows:
            self._add_session(OpenSession(*row))
        return len(rows)

    # Sessions ----------------------------------------------------------------------
    def note_session(
        self,
        key: tuple[int, str],
        customer_id: int | None,
        *,
        nas_port: str,
        mac: str,
        at: float,
        interim_interval_s: int,
        is_stop: bool,
    ) -> OpenSession | None:
        """What an accounting packet tells about a session: open (Start,
        Interim) or gone (Stop).  O(1); returns the open session, if any."""
        known = self.open_sessions.get(key)
        if known is not None and (is_stop or known.customer_id != customer_id):
            self.forget_session(key)
            known = None
        if is_stop or customer_id is None:
            return None
        if known is None:
            known = OpenSession(key[0], key[1], customer_id, nas_port, mac, at, interim_interval_s)
            self._add_session(known)
        elif at > known.updated_at:
            known.updated_at = at
        return known

    def forget_session(self, key: tuple[int, str]) -> None:
        session = self.open_sessions.pop(key, None)
        if session is None:
            return
        mine = self.sessions_by_customer.get(session.customer_id)
        if mine is not None:
            mine.pop(key, None)
            if not mine:
                del self.sessions_by_customer[session.customer_id]

    def add_open_session(self, session: OpenSession) -> None:
        """An open session read elsewhere (the rlm_rest path reads them per request)."""
        self._add_session(session)

    def _add_session(self, session: OpenSession) -> None:
        key = (session.nas_id, session.session_id)
        self.open_sessions[key] = session
        self.sessions_by_customer.setdefault(session.customer_id, {})[key] = session

    def customer_sessions(self, customer_id: int) -> list[OpenSession]:
        mine = self.sessions_by_customer.get(customer_id)
        return list(mine.values()) if mine else []

    # Leases ------------------------------------------------------------------------
    def add_lease(self, lease: LeaseInfo) -> None:
        old = self.leases.get(lease.id)
        if old is not None:
            self._forget(old, free=False)
        self.leases[lease.id] = lease
        self.leases_by_customer.setdefault(lease.customer_id, []).append(lease)
        self.lease_by_address[lease.address] = lease
        for pool in self.pools.values():
            if pool.contains(lease.address):
                pool.taken.add(lease.address)

    def end_lease(self, lease_id: int) -> None:
        lease = self.leases.get(lease_id)
        if lease is not None:
            self._forget(lease, free=True)

    def _forget(self, lease: LeaseInfo, *, free: bool) -> None:
        self.leases.pop(lease.id, None)
        mine = self.leases_by_customer.get(lease.customer_id, [])
        mine[:] = [x for x in mine if x.id != lease.id]
        if not mine:
            self.leases_by_customer.pop(lease.customer_id, None)
        if self.lease_by_address.get(lease.address) is lease:
            del self.lease_by_address[lease.address]
            if free:
                self.release_address(lease.address)

    def release_address(self, address: int) -> None:
        """Give a reserved (or freed) address back, unless a lease holds it."""
        if address in self.lease_by_address:
            return
        for pool in self.pools.values():
            pool.taken.discard(address)

    def customer_leases(self, customer_id: int) -> list[LeaseInfo]:
        return self.leases_by_customer.get(customer_id, [])


def lease_from_row(row: Any) -> LeaseInfo:
    """A row of ``LEASE_COLUMNS``."""
    (
        lease_id,
        address,
        pool_id,
        customer_id,
        kind,
        mac,
        remote_id,
        circuit_id,
        expires,
        renewed,
        prefix_length,
    ) = row
    if not prefix_length and ":" in address:
        # An IPv6 address without a prefix length is not one of the RADIUS
        # node's leases; keep it out of the IPv4 maps by its full-length prefix.
        prefix_length = 128
    return LeaseInfo(
        lease_id,
        int(ipaddress.ip_address(address))
        if prefix_length
        else int(ipaddress.IPv4Address(address)),
        pool_id,
        customer_id,
        kind,
        mac,
        remote_id,
        circuit_id,
        expires,
        renewed or 0.0,
        prefix_length,
    )
