"""The access decision for operators who keep FreeRADIUS (``rlm_rest``):
the UDP server's decision and policy (``aaa/decision.py``, ``aaa/policy.py``)
over a ``State`` read with the ORM for one request."""

from __future__ import annotations

import ipaddress
import secrets
import time
from datetime import UTC, datetime
from typing import Any

import structlog
from django.conf import settings
from django.db.models import Q

from lastmile.aaa import policy
from lastmile.aaa.decision import (
    Credentials,
    Decision,
    customer_access,
    decide,
    equipment_ok,
)
from lastmile.aaa.policy import Refusal
from lastmile.aaa.pools import PoolInfo
from lastmile.aaa.ports import bindings_by_port, port_key
from lastmile.aaa.sessions import OpenSession
from lastmile.aaa.state import CustomerInfo, LeaseInfo, NasInfo, State
from lastmile.network.models import AccessBinding, Lease, Nas, Pool, Session, normalize_mac
from lastmile.radius.profiles import Rate

log = structlog.get_logger("lastmile.aaa")


def issue_nas_token(*, nas: Nas) -> str:
    """A new HTTP token for ``nas`` (shown once; only its hash is stored)."""
    token = "lmnas_" + secrets.token_urlsafe(32)
    nas.api_token_hash = Nas.hash_token(token)
    nas.save(update_fields=["api_token_hash", "updated_at"])
    return token


def revoke_nas_token(*, nas: Nas) -> bool:
    """Take away ``nas``'s HTTP token; False when it had none."""
    if not nas.api_token_hash:
        return False
    nas.api_token_hash = ""
    nas.save(update_fields=["api_token_hash", "updated_at"])
    return True


def nas_for_token(token: str) -> Nas | None:
    if not token:
        return None
    return Nas.objects.filter(api_token_hash=Nas.hash_token(token), is_active=True).first()


def _customer_ids(creds: Credentials) -> list[int]:
    from lastmile.customers.models import Customer

    ids = list(Customer.objects.filter(login=creds.login).values_list("pk", flat=True)[:1])
    condition = Q(pk__in=[])
    for mac in {creds.mac, normalize_mac(creds.login)} - {""}:
        condition |= Q(mac=mac)
    ids += AccessBinding.objects.filter(condition).values_list("customer_id", flat=True)
    if creds.port is not None:
        # Ports match by their parsed key, which SQL cannot compute: look at all of them.
        ports = bindings_by_port(
            AccessBinding.objects.exclude(remote_id="").values_list(
                "customer_id", "remote_id", "circuit_id"
            )
        )
        if creds.port in ports:
            ids.append(ports[creds.port])
    return ids


def _load_state(nas: Nas, creds: Credentials) -> State:
    """A State holding only what this one request needs."""
    from lastmile.customers.models import Customer
    from lastmile.subscriptions.models import Subscription, Tariff

    state = State(simultaneous_use=settings.LASTMILE.radius_simultaneous_use)
    ids = _customer_ids(creds)
    for c in Customer.objects.filter(pk__in=ids):
        state.customers[c.pk] = CustomerInfo(
            c.pk,
            c.login,
            c.pppoe_secret_encrypted,
            c.is_active,
            c.group_id,
            simultaneous_use=c.simultaneous_use,
        )
        state.by_login[c.login] = c.pk
    for s in Subscription.objects.filter(customer_id__in=ids, state="active"):
        info = state.customers[s.customer_id]
        info.tariff_id = s.tariff_id
        info.period_end = s.period_end.timestamp() if s.period_end else None
    for t in Tariff.objects.filter(subscriptions__customer_id__in=ids).distinct():
        state.tariffs[t.pk] = Rate(
            t.rate_down_kbps, t.rate_up_kbps, t.burst_down_kbps, t.burst_up_kbps
        )
    bindings = list(AccessBinding.objects.filter(customer_id__in=ids))
    state.binding_by_mac = {b.mac: b.customer_id for b in bindings if b.mac}
    state.binding_by_port = bindings_by_port(
        (b.customer_id, b.remote_id, b.circuit_id) for b in bindings
    )
    for p in Pool.objects.filter(is_active=True).prefetch_related("tariffs", "groups", "nases"):
        links = (
            frozenset(x.pk for x in p.tariffs.all()),
            frozenset(x.pk for x in p.groups.all()),
            frozenset(x.pk for x in p.nases.all()),
        )
        if p.family == 6:
            # As the RADIUS server's cache (state.load_pools_and_leases).
            net = ipaddress.IPv6Network(p.network)
            length = p.delegated_prefix_length or 0
            if not p.ipv6_use or not net.prefixlen <= length <= 128:
                continue
            state.pools[p.pk] = PoolInfo(
                p.pk, p.name, p.kind, 6, int(net.network_address), int(net.broadcast_address),
                None, p.priority, *links, prefix_length=length, ipv6_use=p.ipv6_use,
            )  # fmt: skip
            state.has_ipv6_pools = True
            continue
        first, last = p.host_bounds()
        gateway = int(ipaddress.ip_address(p.gateway)) if p.gateway else None
        state.pools[p.pk] = PoolInfo(
            p.pk, p.name, p.kind, p.family, first, last, gateway, p.priority, *links
        )
    # Open sessions (accounting goes to `lastmile radius`), for Simultaneous-Use.
    for row in Session.objects.filter(customer_id__in=ids, stopped_at__isnull=True).values_list(
        "nas_id", "acct_session_id", "customer_id", "nas_port", "mac", "updated_at",
        "interim_interval_s",
    ):  # fmt: skip
        nas_id, session_id, customer_id, nas_port, mac, updated_at, interval = row
        state.add_open_session(
            OpenSession(
                nas_id, session_id, customer_id, nas_port, mac, updated_at.timestamp(), interval
            )
        )
    for lease in Lease.objects.filter(customer_id__in=ids, ended_at__isnull=True):
        state.add_lease(_lease_info(lease))
    return state


def _lease_info(lease: Lease) -> LeaseInfo:
    return LeaseInfo(
        lease.pk, int(ipaddress.ip_address(lease.address)), lease.pool_id, lease.customer_id,
        lease.kind, lease.mac, lease.remote_id, lease.circuit_id,
        lease.expires_at.timestamp() if lease.expires_at else None,
        lease.renewed_at.timestamp() if lease.renewed_at else 0.0,
        lease.prefix_length or 0,
    )  # fmt: skip


def authorize(nas: Nas, creds: Credentials) -> tuple[int, dict[str, Any]]:
    """(HTTP status, rlm_rest attribute map): 200 accept, 401 reject.  The
    decision and the attributes are the UDP server's (``aaa/policy.py``); the
    lease is allocated or renewed in the database like the server does."""
    from lastmile.network.errors import PoolExhausted
    from lastmile.network.services import allocate_dynamic, renew_lease

    config = policy.PolicyConfig.from_settings(settings.LASTMILE)
    state = _load_state(nas, creds)
    nas_info = NasInfo(nas.pk, nas.address, b"", nas.vendor, False, nas.coa_port)
    now = time.time()
    decision = decide(state, nas_info, creds, now)
    if decision.refusal is None:
        assert decision.customer is not None
        lease_time = policy.lease_time(decision.is_guest, config)
        if decision.lease is None:
            assert decision.pool is not None
            try:
                lease = allocate_dynamic(
                    customer_id=decision.customer.id,
                    pool=Pool.objects.get(pk=decision.pool.id),
                    mac=creds.mac,
                    nas_id=nas.pk,
                    lease_time_s=lease_time,
                )
            except PoolExhausted:
                decision.refusal = Refusal.NO_ADDRESS
            else:
                decision.lease = _lease_info(lease)
                state.add_lease(decision.lease)
                if not equipment_ok(decision.lease, creds):
                    decision.refusal = Refusal.EQUIPMENT_MISMATCH
        if decision.lease is not None and decision.refusal is None:
            _renew(decision.lease, nas, creds, now, lease_time, renew_lease)
            _ipv6(decision, nas, creds, now, config)
    if decision.refusal is not None:
        result: policy.Accept | policy.Reject = policy.reject(
            decision.refusal, limit=decision.limit, detail=decision.detail
        )
    else:
        assert decision.customer is not None and decision.lease is not None
        result = policy.accept(
            customer_access(state, decision.customer, now),
            config,
            address=decision.lease.address_text,
            is_guest=decision.is_guest,
            ipv6_prefixes={use: str(x.network) for use, x in decision.ipv6_leases.items()},
        )
    return policy.rest_response(result, nas.vendor)


_PREFIX_ATTEMPTS = 8


def _ipv6(
    decision: Decision, nas: Nas, creds: Credentials, now: float, config: policy.PolicyConfig
) -> None:
    """Dual stack as the UDP server (``AccessHandler._ipv6``): renew the
    customer's prefixes, or lease new ones at a random free prefix; an
    exhausted IPv6 pool costs the prefix, not the login."""
    from lastmile.network.services import allocate_prefix, renew_lease

    for lease in decision.ipv6_leases.values():
        _renew(lease, nas, creds, now, config.lease_time_s, renew_lease)
    for use, pool in decision.ipv6_pools.items():
        for _ in range(_PREFIX_ATTEMPTS):
            start = pool.pick_free()
            if start is None:
                break
            prefix = allocate_prefix(
                customer_id=decision.customer.id if decision.customer else 0,
                pool=Pool.objects.get(pk=pool.id),
                address=str(ipaddress.IPv6Address(start)),
                mac=creds.mac,
                nas_id=nas.pk,
                lease_time_s=config.lease_time_s,
            )
            if prefix is not None:
                decision.ipv6_leases[use] = _lease_info(prefix)
                break
        else:
            log.warning("rest.ipv6_pool_exhausted", pool=pool.name)


def _renew(
    lease: LeaseInfo, nas: Nas, creds: Credentials, now: float, lease_time: int, renew: Any
) -> None:
    """The UDP server's rule (``policy.lease_renewal``), written through ``renew``."""
    needed, expires_s = policy.lease_renewal(lease, creds, now=now, lease_time=lease_time)
    if not needed:
        return
    expires = None if expires_s is None else datetime.fromtimestamp(expires_s, UTC)
    renew(
        lease_id=lease.id,
        expires_at=expires,
        mac=creds.mac,
        remote_id=creds.remote_id,
        circuit_id=creds.circuit_id,
        nas_id=nas.pk,
    )


def credentials_from_json(body: dict[str, Any]) -> Credentials:
    """rlm_rest sends ``{"User-Name": {"type": "string", "value": ["x"]}}``;
    a flat ``{"User-Name": "x"}`` is accepted too."""

    def get(name: str) -> str:
        value = body.get(name)
        if isinstance(value, dict):
            value = value.get("value")
        if isinstance(value, list):
            value = value[0] if value else None
        return "" if value is None else str(value)

    creds = Credentials(login=get("User-Name"))
    if "User-Password" in body:
        creds.password = get("User-Password").encode()
    chap = _octets(get("CHAP-Password"))
    if chap:
        creds.chap_password = chap
        creds.chap_challenge = _octets(get("CHAP-Challenge")) or _octets(
            get("Packet-Authentication-Vector")
        )
    creds.nas_port = (get("NAS-Port-Id") or get("NAS-Port"))[:64]
    creds.mac = normalize_mac(get("Calling-Station-Id"))
    creds.remote_id = get("ADSL-Agent-Remote-Id")
    creds.circuit_id = get("ADSL-Agent-Circuit-Id")
    if creds.remote_id:
        creds.port, creds.port_error = port_key(creds.remote_id, creds.circuit_id)
    return creds


def _octets(value: str) -> bytes:
    """rlm_rest sends octets as ``0x…`` text."""
    if not value.startswith("0x"):
        return b""
    try:
        return bytes.fromhex(value[2:])
    except ValueError:
        return b""
