"""The access policy without a database: the same state gives the same
answer, and the UDP bytes and the rlm_rest reply say the same thing."""

from __future__ import annotations

import pytest

from lastmile.aaa import policy
from lastmile.aaa.policy import Access, CustomerAccess, PolicyConfig, Refusal
from lastmile.radius import codec
from lastmile.radius.profiles import PPPD_DOWNSTREAM_SPEED_LIMIT, PPPD_UPSTREAM_SPEED_LIMIT, Rate

CONFIG = PolicyConfig(
    session_timeout_s=86400,
    guest_session_timeout_s=600,
    interim_interval_s=300,
    lease_time_s=43200,
    split_rate=True,
)
RATE = Rate(100000, 50000)
BURST = Rate(100000, 50000, 200000, 80000)

# (state, expected access, expected rate of one address)
TARGETS = [
    (CustomerAccess(1, True, True, RATE), Access.PAID, RATE),
    (CustomerAccess(1, True, True, RATE, addresses=2), Access.PAID, Rate(50000, 25000)),
    (CustomerAccess(1, True, True, BURST, addresses=2), Access.PAID, Rate(50000, 25000, 100000, 40000)),
    (CustomerAccess(1, True, True, None), Access.PAID, None),
    (CustomerAccess(1, True, False, RATE), Access.GUEST, None),
    (CustomerAccess(1, True, False, None), Access.GUEST, None),
    (CustomerAccess(1, False, True, RATE), Access.NONE, None),
    (CustomerAccess(1, False, False, None), Access.NONE, None),
]  # fmt: skip


@pytest.mark.parametrize(("state", "access", "rate"), TARGETS)
def test_target(state: CustomerAccess, access: Access, rate: Rate | None) -> None:
    assert policy.target(state, CONFIG) == policy.AccessTarget(access, rate)


def test_split_can_be_switched_off() -> None:
    state = CustomerAccess(1, True, True, RATE, addresses=3)
    assert policy.rate_of(state, PolicyConfig(split_rate=False)) == RATE


# (state, is_guest, ipv6, expected Accept fields)
ACCEPTS = [
    (CustomerAccess(1, True, True, RATE), False, {},
     {"rate": RATE, "session_timeout_s": 86400, "lease_time_s": 43200, "ipv6_prefixes": ()}),
    (CustomerAccess(1, True, False, RATE), True, {},
     {"rate": None, "session_timeout_s": 600, "lease_time_s": 1200, "ipv6_prefixes": ()}),
    (CustomerAccess(1, True, True, BURST, 2), False,
     {"delegated": "2001:db8:100::/56", "framed": "2001:db8:1::/64"},
     {"rate": BURST.split(2), "ipv6_prefixes": (("framed", "2001:db8:1::/64"),
                                              ("delegated", "2001:db8:100::/56"))}),
]  # fmt: skip


@pytest.mark.parametrize(("state", "is_guest", "ipv6", "fields"), ACCEPTS)
def test_accept(state: CustomerAccess, is_guest: bool, ipv6: dict, fields: dict) -> None:  # type: ignore[type-arg]
    result = policy.accept(state, CONFIG, address="10.0.0.5", is_guest=is_guest, ipv6_prefixes=ipv6)
    assert result.address == "10.0.0.5"
    assert result.profile == (Access.GUEST if is_guest else Access.PAID)
    assert result.interim_interval_s == 300
    for name, value in fields.items():
        assert getattr(result, name) == value, name


@pytest.mark.parametrize(
    ("reason", "limit", "message"),
    [
        (Refusal.DISABLED, 0, "Account disabled"),
        (Refusal.NO_MONEY, 0, "No paid subscription: top up your balance"),
        (Refusal.ALREADY_ONLINE, 2, "Already online: only 2 session(s) allowed"),
        (Refusal.WRONG_PASSWORD, 0, "Wrong password"),
    ],
)
def test_reject(reason: Refusal, limit: int, message: str) -> None:
    assert policy.reject(reason, limit=limit) == policy.Reject(reason, message)
    assert policy.rest_response(policy.reject(reason, limit=limit), "mikrotik") == (
        401,
        {"reply:Reply-Message": message},
    )


# What a reply looks like on each path, for every vendor and profile.
RENDER = [
    ("mikrotik", CustomerAccess(1, True, True, RATE), False,
     {"Mikrotik-Rate-Limit": "50000k/100000k"}),
    ("mikrotik", CustomerAccess(1, True, True, BURST), False,
     {"Mikrotik-Rate-Limit": "50000k/100000k 80000k/200000k"}),
    ("mikrotik", CustomerAccess(1, True, False, RATE), True,
     {"Mikrotik-Address-List": "lastmile-guest"}),
    ("accel-ppp", CustomerAccess(1, True, True, RATE, 2), False,
     {"PPPD-Upstream-Speed-Limit": 25000, "PPPD-Downstream-Speed-Limit": 50000}),
    ("accel-ppp", CustomerAccess(1, True, False, RATE), True, {}),
    ("generic", CustomerAccess(1, True, True, RATE), False, {}),
    ("no-such-vendor", CustomerAccess(1, True, True, RATE), False, {}),
]  # fmt: skip


def _decode(attrs: bytes) -> dict[str, str | int]:
    """The UDP attributes back into names (the ones the policy sends)."""
    packet = codec.parse(codec.build_request(codec.ACCESS_ACCEPT, 1, attrs, b"s"))
    out: dict[str, str | int] = {}
    if codec.FRAMED_IP_ADDRESS in packet.attrs:
        out["Framed-IP-Address"] = ".".join(str(b) for b in packet.attrs[codec.FRAMED_IP_ADDRESS])
    for kind, name in (
        (codec.SESSION_TIMEOUT, "Session-Timeout"),
        (codec.ACCT_INTERIM_INTERVAL, "Acct-Interim-Interval"),
        (PPPD_UPSTREAM_SPEED_LIMIT, "PPPD-Upstream-Speed-Limit"),
        (PPPD_DOWNSTREAM_SPEED_LIMIT, "PPPD-Downstream-Speed-Limit"),
    ):
        if kind in packet.attrs:
            out[name] = packet.integer(kind)
    for kind, name in ((8, "Mikrotik-Rate-Limit"), (19, "Mikrotik-Address-List")):
        value = packet.vsa(14988, kind)
        if value is not None:
            out[name] = value.decode()
    for kind, name in (
        (codec.FRAMED_IPV6_PREFIX, "Framed-IPv6-Prefix"),
        (codec.DELEGATED_IPV6_PREFIX, "Delegated-IPv6-Prefix"),
    ):
        if kind in packet.attrs:
            out[name] = str(codec.parse_ipv6_prefix(packet.attrs[kind]))
    if codec.REPLY_MESSAGE in packet.attrs:
        out["Reply-Message"] = packet.text(codec.REPLY_MESSAGE)
    return out


@pytest.mark.parametrize(("vendor", "state", "is_guest", "vendor_attrs"), RENDER)
def test_udp_and_rest_render_the_same_reply(
    vendor: str,
    state: CustomerAccess,
    is_guest: bool,
    vendor_attrs: dict,  # type: ignore[type-arg]
) -> None:
    result = policy.accept(
        state, CONFIG, address="10.1.2.3", is_guest=is_guest,
        ipv6_prefixes={} if is_guest else {"framed": "2001:db8:7::/64"},
    )  # fmt: skip
    status, body = policy.rest_response(result, vendor)
    assert status == 200
    assert body.pop("control:Auth-Type") == "Accept"
    rest = {name.removeprefix("reply:"): value for name, value in body.items()}
    expected = {
        "Framed-IP-Address": "10.1.2.3",
        "Session-Timeout": 600 if is_guest else 86400,
        "Acct-Interim-Interval": 300,
        **({} if is_guest else {"Framed-IPv6-Prefix": "2001:db8:7::/64"}),
        **vendor_attrs,
    }
    assert rest == expected
    assert _decode(policy.udp_attributes(result, vendor)) == expected


@pytest.mark.parametrize(
    ("vendor", "state", "expected"),
    [
        ("mikrotik", policy.AccessTarget(Access.PAID, RATE), {"Mikrotik-Rate-Limit": "50000k/100000k"}),
        ("mikrotik", policy.AccessTarget(Access.GUEST), {"Mikrotik-Address-List": "lastmile-guest"}),
        ("accel-ppp", policy.AccessTarget(Access.PAID, RATE),
         {"PPPD-Upstream-Speed-Limit": 50000, "PPPD-Downstream-Speed-Limit": 100000}),
        ("accel-ppp", policy.AccessTarget(Access.GUEST), None),  # no live guest profile
        ("generic", policy.AccessTarget(Access.GUEST), None),
        ("mikrotik", policy.AccessTarget(Access.NONE), None),
    ],
)  # fmt: skip
def test_coa_attributes(vendor: str, state: policy.AccessTarget, expected: dict | None) -> None:  # type: ignore[type-arg]
    attrs = policy.coa_attributes(state, vendor)
    assert (None if attrs is None else _decode(attrs)) == expected


def test_coa_speed_is_the_accept_speed() -> None:
    """The rate a CoA sends is the one an Accept of the same state carries."""
    for state in (s for s, access, _ in TARGETS if access == Access.PAID):
        accept = policy.accept(state, CONFIG, address="10.0.0.1", is_guest=False)
        coa = policy.coa_attributes(policy.target(state, CONFIG), "mikrotik")
        assert coa is not None
        udp = _decode(policy.udp_attributes(accept, "mikrotik"))
        assert _decode(coa).get("Mikrotik-Rate-Limit") == udp.get("Mikrotik-Rate-Limit")
