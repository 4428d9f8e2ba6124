"""The access decision, shared by the UDP server and the HTTP (rlm_rest)
endpoint: who is asking, may they get online, with which address and speed.

Rule (design.md 4, AAA): the customer exists and the credentials match
(PPPoE login + password, or IPoE by option 82 / MAC binding); an inactive
customer is refused; a customer with an active subscription whose period has
not ended gets a normal address and the tariff's speed split across all of
their addresses; otherwise the guest pool, if one exists, or a refusal.

This module identifies the customer and chooses the lease or pool over the
in-memory ``State``; what the answer carries (timers, speed, profile, the
attributes on the wire) is ``aaa/policy.py``.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field

from lastmile.aaa.policy import (
    IPV6_USES,
    Access,
    CustomerAccess,
    Refusal,
    classify,
    reply_message,
)
from lastmile.aaa.pools import PoolInfo
from lastmile.aaa.ports import port_key
from lastmile.aaa.sessions import OpenSession
from lastmile.aaa.state import CustomerInfo, LeaseInfo, NasInfo, State
from lastmile.network.models import normalize_mac
from lastmile.radius import codec


@dataclass(slots=True)
class Credentials:
    login: str
    password: bytes | None = None  # PAP, decrypted
    chap_password: bytes | None = None  # ident + response
    chap_challenge: bytes = b""
    mac: str = ""
    remote_id: str = ""
    circuit_id: str = ""
    port: tuple[str, str] | None = None  # the option 82 key (port_key), None without one
    port_error: str = ""  # why the option 82 value was not understood
    nas_port: str = ""  # NAS-Port-Id, else NAS-Port; "" when the NAS sent neither


@dataclass(slots=True)
class Decision:
    refusal: Refusal | None = None
    customer: CustomerInfo | None = None
    pool: PoolInfo | None = None
    lease: LeaseInfo | None = None  # the address to keep using, if any
    is_guest: bool = False
    detail: str = ""
    limit: int = 0  # the Simultaneous-Use limit an ALREADY_ONLINE refusal hit
    # IPv6 (dual stack, paid access only): per attribute ("framed", "delegated"),
    # the prefix lease to keep using, or the pool to lease a new prefix from.
    ipv6_leases: dict[str, LeaseInfo] = field(default_factory=dict)
    ipv6_pools: dict[str, PoolInfo] = field(default_factory=dict)

    @property
    def message(self) -> str:
        return reply_message(self.refusal, self.limit) if self.refusal else ""


def credentials_from_packet(packet: codec.Packet, secret: bytes) -> Credentials:
    creds = Credentials(login=packet.text(codec.USER_NAME))
    hidden = packet.attrs.get(codec.USER_PASSWORD)
    if hidden is not None:
        try:
            creds.password = codec.decrypt_password(hidden, secret, packet.authenticator)
        except codec.PacketError:
            creds.password = b"\x00invalid"
    chap = packet.attrs.get(codec.CHAP_PASSWORD)
    if chap is not None:
        creds.chap_password = chap
        creds.chap_challenge = packet.attrs.get(codec.CHAP_CHALLENGE) or packet.authenticator
    creds.mac = normalize_mac(packet.text(codec.CALLING_STATION_ID))
    creds.nas_port = nas_port_of(packet)
    creds.remote_id, creds.circuit_id = codec.agent_ids(packet)
    remote = packet.vsa(codec.VENDOR_ADSL_FORUM, codec.AGENT_REMOTE_ID)
    if remote:
        circuit = packet.vsa(codec.VENDOR_ADSL_FORUM, codec.AGENT_CIRCUIT_ID) or b""
        creds.port, creds.port_error = port_key(remote, circuit)
    return creds


def nas_port_of(packet: codec.Packet) -> str:
    """The port the NAS names the subscriber's line by: NAS-Port-Id, else NAS-Port."""
    port_id = packet.text(codec.NAS_PORT_ID)
    if port_id:
        return port_id[:64]
    port = packet.attrs.get(codec.NAS_PORT)
    return str(int.from_bytes(port, "big")) if port and len(port) == 4 else ""


def is_same_session(session: OpenSession, nas: NasInfo, creds: Credentials) -> bool:
    """The open session is the one now re-authenticating: same NAS and the same
    line (NAS-Port) or the same equipment (Calling-Station-Id).  The lease alone
    proves nothing: a customer has one dynamic lease per pool, so a second
    device of theirs would be handed the same one."""
    if session.nas_id != nas.id:
        return False
    return bool(
        (creds.nas_port and session.nas_port == creds.nas_port)
        or (creds.mac and session.mac == creds.mac)
    )


def sessions_in_use(
    sessions: list[OpenSession], nas: NasInfo, creds: Credentials, now: float
) -> int:
    """How many of the customer's open sessions a new login must count
    against the limit: not the stale ones, not the one re-authenticating."""
    return sum(1 for s in sessions if not s.is_stale(now) and not is_same_session(s, nas, creds))


def password_ok(customer: CustomerInfo, creds: Credentials) -> bool:
    secret = customer.secret()
    if not secret:
        return False
    if creds.chap_password is not None:
        return codec.chap_ok(creds.chap_password, secret, creds.chap_challenge)
    if creds.password is not None:
        return hmac.compare_digest(creds.password, secret)
    return False


def identify(state: State, creds: Credentials) -> tuple[CustomerInfo | None, Refusal | None]:
    """PPPoE by login and password; otherwise IPoE by option 82, then MAC."""
    customer_id = state.by_login.get(creds.login) if creds.login else None
    if customer_id is not None:
        known = state.customers[customer_id]
        if not password_ok(known, creds):
            return None, Refusal.WRONG_PASSWORD
        return known, None
    if creds.port is not None:
        customer_id = state.binding_by_port.get(creds.port)
        if customer_id is None and creds.port_error:
            return None, Refusal.UNKNOWN_PORT
    if customer_id is None and creds.mac:
        customer_id = state.binding_by_mac.get(creds.mac)
    if customer_id is None and creds.login:
        login_mac = normalize_mac(creds.login)
        if login_mac:
            customer_id = state.binding_by_mac.get(login_mac)
            creds.mac = creds.mac or login_mac
    customer = state.customers.get(customer_id) if customer_id is not None else None
    if customer is None:
        return None, Refusal.UNKNOWN_LOGIN
    return customer, None


def equipment_ok(lease: LeaseInfo, creds: Credentials) -> bool:
    """A lease stays with the equipment it was given to (MAC, switch port)."""
    if lease.mac and creds.mac and lease.mac != creds.mac:
        return False
    return not (
        lease.remote_id
        and creds.remote_id
        and (lease.remote_id, lease.circuit_id) != (creds.remote_id, creds.circuit_id)
    )


def equipment_mismatch(lease: LeaseInfo, mac: str, agent: tuple[str, str]) -> str:
    """How the equipment an accounting packet reports differs from the one its
    lease was given to ("" when it does not).  ``mac``: the normalized
    Calling-Station-Id; ``agent``: option 82 (remote id, circuit id) as text.
    Ports are compared by ``port_key``, so one port in two encodings matches;
    a value only one side has proves nothing."""
    if lease.mac and mac and lease.mac != mac:
        return f"MAC {mac}, lease given to {lease.mac}"
    remote, circuit = agent
    if not (lease.remote_id and remote) or (remote, circuit) == (lease.remote_id, lease.circuit_id):
        return ""
    if port_key(remote, circuit)[0] == port_key(lease.remote_id, lease.circuit_id)[0]:
        return ""
    return f"option 82 {remote}/{circuit}, lease given to {lease.remote_id}/{lease.circuit_id}"


def choose_pool(
    state: State,
    customer: CustomerInfo,
    nas: NasInfo,
    kind: str,
    *,
    family: int = 4,
    ipv6_use: str = "",
) -> PoolInfo | None:
    """The most specific matching pool of the kind and family (IPv6: of the
    attribute ``ipv6_use``), then the lowest priority."""
    best: tuple[int, int, int] | None = None
    chosen = None
    for pool in state.pools.values():
        if pool.kind != kind or pool.family != family or pool.ipv6_use != ipv6_use:
            continue
        score = pool.specificity(customer.tariff_id, customer.group_id, nas.id)
        if score is None:
            continue
        key = (-score, pool.priority, pool.id)
        if best is None or key < best:
            best, chosen = key, pool
    return chosen


def decide(state: State, nas: NasInfo, creds: Credentials, now: float) -> Decision:
    """Everything short of allocating a new address (which needs the database)."""
    customer, refusal = identify(state, creds)
    if customer is None:
        return Decision(refusal=refusal, detail=creds.port_error)
    access = classify(customer.is_active, customer.has_paid_access(now))
    if access == Access.NONE:
        return Decision(refusal=Refusal.DISABLED, customer=customer)
    limit = (
        state.simultaneous_use if customer.simultaneous_use is None else customer.simultaneous_use
    )
    if limit and customer.id in state.sessions_by_customer:
        in_use = sessions_in_use(state.customer_sessions(customer.id), nas, creds, now)
        if in_use >= limit:
            return Decision(
                refusal=Refusal.ALREADY_ONLINE,
                customer=customer,
                limit=limit,
                detail=f"{in_use} open session(s)",
            )
    is_guest = access == Access.GUEST
    leases = state.customer_leases(customer.id)
    if leases and any(x.prefix_length for x in leases):
        leases = [x for x in leases if not x.prefix_length]
    if is_guest:
        pool = choose_pool(state, customer, nas, "guest")
        if pool is None:
            return Decision(refusal=Refusal.NO_MONEY, customer=customer)
        candidates = [x for x in leases if x.pool_id == pool.id]
    else:
        candidates = [x for x in leases if x.kind == "static"] or [
            x for x in leases if _pool_kind(state, x) == "dynamic"
        ]
        pool = None if candidates else choose_pool(state, customer, nas, "dynamic")
        if not candidates and pool is None:
            return Decision(refusal=Refusal.NO_ADDRESS, customer=customer, detail="no pool")
    if candidates:
        fitting = [x for x in candidates if equipment_ok(x, creds)]
        if not fitting:
            return Decision(
                refusal=Refusal.EQUIPMENT_MISMATCH,
                customer=customer,
                detail=f"lease {candidates[0].address_text} given to {candidates[0].mac}",
            )
        exact = [x for x in fitting if creds.mac and x.mac == creds.mac]
        # The oldest lease: the same choice whatever order a path read them in.
        lease = min(exact or fitting, key=_lease_id)
        decision = Decision(customer=customer, lease=lease, is_guest=is_guest)
    else:
        decision = Decision(customer=customer, pool=pool, is_guest=is_guest)
    if not is_guest and state.has_ipv6_pools:
        ipv6_plan(state, customer, nas, decision)
    return decision


def ipv6_plan(state: State, customer: CustomerInfo, nas: NasInfo, decision: Decision) -> None:
    """Dual stack: for each IPv6 attribute with a matching pool, the customer's
    active prefix lease of that attribute (kept on re-auth), else the pool to
    lease one from.  Nothing without IPv6 pools: IPv4-only setups are unchanged."""
    for use in IPV6_USES:
        for lease in state.customer_leases(customer.id):
            pool = state.pools.get(lease.pool_id)
            if (
                lease.prefix_length
                and pool is not None
                and pool.ipv6_use == use
                and pool.kind != "guest"
            ):
                decision.ipv6_leases[use] = lease
                break
        else:
            pool = choose_pool(state, customer, nas, "dynamic", family=6, ipv6_use=use)
            if pool is not None:
                decision.ipv6_pools[use] = pool


def _lease_id(lease: LeaseInfo) -> int:
    return lease.id


def _pool_kind(state: State, lease: LeaseInfo) -> str:
    pool = state.pools.get(lease.pool_id)
    return pool.kind if pool else "dynamic"


def customer_access(state: State, customer: CustomerInfo, now: float) -> CustomerAccess:
    """The policy's input, from memory (no query): active, paid, the tariff's
    speed and the number of non-guest addresses the speed is split across."""
    rate = state.tariffs.get(customer.tariff_id) if customer.tariff_id is not None else None
    count = sum(
        1
        for x in state.customer_leases(customer.id)
        if not x.prefix_length and _pool_kind(state, x) != "guest"
    )
    return CustomerAccess(
        customer.id, customer.is_active, customer.has_paid_access(now), rate, max(1, count)
    )
