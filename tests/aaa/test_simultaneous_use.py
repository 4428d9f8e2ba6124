"""The Simultaneous-Use rule of the access decision, table-driven and without
a database: ``decide`` over a hand-built ``State``."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from lastmile.aaa.decision import Credentials, decide
from lastmile.aaa.policy import Refusal
from lastmile.aaa.pools import PoolInfo
from lastmile.aaa.state import CustomerInfo, NasInfo, State

NOW = 1_800_000_000.0
INTERVAL = 300
NAS_A = NasInfo(1, "192.0.2.1", b"s", "mikrotik", False, 3799)
NAS_B = NasInfo(2, "192.0.2.2", b"s", "mikrotik", False, 3799)


@dataclass(frozen=True)
class Open:
    """An open session of the customer: NAS id, NAS-Port, MAC, seconds since its last update."""

    nas_id: int = 2
    port: str = "eth1:100"
    mac: str = "aa:bb:cc:00:00:01"
    age_s: float = 10


def _state(limit: int, sessions: list[Open]) -> State:
    state = State(simultaneous_use=limit)
    state.customers[7] = CustomerInfo(7, "anna", "", True, None, 1, NOW + 86400, _secret=b"pw")
    state.by_login["anna"] = 7
    state.pools[1] = PoolInfo(1, "main", "dynamic", 4, 0x0A000001, 0x0A0000FE, None, 0)
    for n, s in enumerate(sessions):
        state.note_session(
            (s.nas_id, f"s{n}"),
            7,
            nas_port=s.port,
            mac=s.mac,
            at=NOW - s.age_s,
            interim_interval_s=INTERVAL,
            is_stop=False,
        )
    return state


def _login(nas: NasInfo = NAS_A, port: str = "eth1:200", mac: str = "aa:bb:cc:00:00:99"):  # type: ignore[no-untyped-def]
    return nas, Credentials(login="anna", password=b"pw", nas_port=port, mac=mac)


CASES = [
    # (name, limit, open sessions, the login, refused?)
    ("nobody online", 1, [], _login(), False),
    ("one fresh session elsewhere", 1, [Open()], _login(), True),
    ("a session on the same NAS but another line", 1, [Open(nas_id=1)], _login(), True),
    ("stale: no accounting for over 3 intervals", 1, [Open(age_s=3 * INTERVAL + 1)], _login(), False),
    ("exactly 3 intervals is not stale yet", 1, [Open(age_s=3 * INTERVAL)], _login(), True),
    ("re-auth on the same NAS and NAS-Port", 1, [Open(nas_id=1, port="eth1:200")], _login(), False),
    ("re-auth on the same NAS and MAC", 1, [Open(nas_id=1, mac="aa:bb:cc:00:00:99")], _login(), False),
    ("same NAS-Port on another NAS is another line", 1, [Open(port="eth1:200")], _login(), True),
    ("no port and no MAC prove nothing", 1, [Open(nas_id=1, port="", mac="")], _login(port="", mac=""), True),
    ("limit 0: unlimited", 0, [Open(), Open()], _login(), False),
    ("limit 2, one open", 2, [Open()], _login(), False),
    ("limit 2, two open", 2, [Open(), Open(nas_id=1)], _login(), True),
    ("limit 2, two open, one is this line", 2, [Open(), Open(nas_id=1, port="eth1:200")], _login(), False),
]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "limit", "sessions", "login", "refused"), CASES, ids=[c[0] for c in CASES]
)
def test_simultaneous_use(name, limit, sessions, login, refused):  # type: ignore[no-untyped-def]
    nas, creds = login
    decision = decide(_state(limit, sessions), nas, creds, NOW)
    if refused:
        assert decision.refusal == Refusal.ALREADY_ONLINE
        assert decision.message == f"Already online: only {limit} session(s) allowed"
    else:
        assert decision.refusal is None, decision.detail
        assert decision.pool is not None and decision.pool.id == 1


OVERRIDE_CASES = [
    # (name, server limit, the customer's own, open sessions, refused?)
    ("own 2 over the server's 1", 1, 2, 1, False),
    ("own 2, two open", 1, 2, 2, True),
    ("own 0: unlimited though the server says 1", 1, 0, 3, False),
    ("own 1 though the server is unlimited", 0, 1, 1, True),
    ("none of its own: the server's", 1, None, 1, True),
]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "server", "own", "open_count", "refused"),
    OVERRIDE_CASES,
    ids=[c[0] for c in OVERRIDE_CASES],
)
def test_a_customers_own_limit_overrides_the_servers(name, server, own, open_count, refused):  # type: ignore[no-untyped-def]
    sessions = [Open(nas_id=2, port=f"eth1:{n}") for n in range(open_count)]
    state = _state(server, sessions)
    state.customers[7].simultaneous_use = own
    nas, creds = _login()
    decision = decide(state, nas, creds, NOW)
    if refused:
        limit = server if own is None else own
        assert decision.refusal == Refusal.ALREADY_ONLINE
        assert decision.message == f"Already online: only {limit} session(s) allowed"
    else:
        assert decision.refusal is None, decision.detail


def test_a_stop_and_a_new_owner_free_the_slot() -> None:
    state = _state(1, [Open()])
    nas, creds = _login()
    assert decide(state, nas, creds, NOW).refusal == Refusal.ALREADY_ONLINE
    state.note_session(
        (2, "s0"), 7, nas_port="", mac="", at=NOW, interim_interval_s=INTERVAL, is_stop=True
    )
    assert decide(state, nas, creds, NOW).refusal is None
    # The same (NAS, session id) reported for someone else is no longer Anna's.
    state.note_session(
        (2, "s1"), 7, nas_port="", mac="", at=NOW, interim_interval_s=INTERVAL, is_stop=False
    )
    state.note_session(
        (2, "s1"), 8, nas_port="", mac="", at=NOW, interim_interval_s=INTERVAL, is_stop=False
    )
    assert decide(state, nas, creds, NOW).refusal is None
    assert [s.customer_id for s in state.open_sessions.values()] == [8]


def test_an_unknown_customer_session_is_not_kept() -> None:
    state = State(simultaneous_use=1)
    assert (
        state.note_session(
            (1, "x"), None, nas_port="", mac="", at=NOW, interim_interval_s=INTERVAL, is_stop=False
        )
        is None
    )
    assert state.open_sessions == {}


EQUIPMENT_CASES = [
    # (name, lease MAC, lease remote/circuit, packet MAC, packet remote/circuit, mismatch?)
    ("same MAC, same port", "aa:aa:aa:aa:aa:01", ("sw-7", "eth1/0/5"), "aa:aa:aa:aa:aa:01", ("sw-7", "eth1/0/5"), False),
    ("other MAC", "aa:aa:aa:aa:aa:01", ("", ""), "aa:aa:aa:aa:aa:02", ("", ""), True),
    ("packet without MAC proves nothing", "aa:aa:aa:aa:aa:01", ("", ""), "", ("", ""), False),
    ("lease without MAC proves nothing", "", ("", ""), "aa:aa:aa:aa:aa:02", ("", ""), False),
    ("other circuit on the same switch", "", ("sw-7", "eth1/0/5"), "", ("sw-7", "eth1/0/6"), True),
    ("other switch", "", ("sw-7", "eth1/0/5"), "", ("sw-8", "eth1/0/5"), True),
    ("packet without option 82", "", ("sw-7", "eth1/0/5"), "", ("", ""), False),
]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "lease_mac", "lease_port", "mac", "port", "mismatch"),
    EQUIPMENT_CASES,
    ids=[c[0] for c in EQUIPMENT_CASES],
)
def test_interim_equipment_mismatch(name, lease_mac, lease_port, mac, port, mismatch):  # type: ignore[no-untyped-def]
    from lastmile.aaa.decision import equipment_mismatch
    from lastmile.aaa.state import LeaseInfo

    lease_remote, lease_circuit = lease_port
    lease = LeaseInfo(1, 0x0A000005, 1, 7, "dynamic", lease_mac, lease_remote, lease_circuit, None)
    found = equipment_mismatch(lease, mac, port)
    assert bool(found) is mismatch, found
