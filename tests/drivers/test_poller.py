"""poll_many against snmpsim (several models) and Debian's snmpd (a real agent)."""

from __future__ import annotations

import shutil
from dataclasses import replace

import pytest

from lastmile.drivers import ber
from lastmile.drivers.base import LinkState, SnmpCredentials, Target
from lastmile.drivers.generic import GenericSwitch
from lastmile.drivers.poller import poll_many
from lastmile.drivers.sim import Agent, free_udp_port, snmpd_agent
from lastmile.drivers.snmp import SnmpClient

from .conftest import run, target_for


def test_poll_many_mixes_up_and_down_devices(agent: Agent) -> None:
    dead = Target(
        host="127.0.0.1", snmp=SnmpCredentials(port=free_udp_port()), timeout_s=0.3, retries=0
    )
    targets = [
        ("sw", target_for(agent, "generic_snmp")),
        ("eltex", replace(target_for(agent, "eltex_mes"), driver="generic_snmp")),
        ("dead", dead),
        ("typeless", replace(target_for(agent, "generic_snmp"), driver="no-such-driver")),
    ]
    result = run(poll_many(targets, concurrency=2))
    assert list(result) == ["sw", "eltex", "dead", "typeless"]
    assert result["sw"].is_up and len(result["sw"].ports) == 8
    assert result["eltex"].is_up and [p.number for p in result["eltex"].ports][0] == 49
    assert not result["dead"].is_up and "no SNMP answer" in result["dead"].error
    assert not result["typeless"].is_up and "unknown device type" in result["typeless"].error


snmpd_missing = pytest.mark.skipif(shutil.which("snmpd") is None, reason="snmpd not installed")


@snmpd_missing
def test_generic_driver_against_a_real_net_snmp_agent() -> None:
    with snmpd_agent(["lab-a", "lab-b"]) as a:
        t = Target(host=a.host, snmp=SnmpCredentials(community="lab-a", port=a.port))
        details = run(GenericSwitch().details(t))
        assert details.uptime_s is not None
        r = run(poll_many([("a", t), ("b", replace(t, snmp=replace(t.snmp, community="lab-b")))]))
        assert r["a"].is_up and r["b"].is_up
        # the agent's interfaces are this machine's: the loopback is not a port,
        # every ethernet-like one is, with a known link state
        ports = run(GenericSwitch().ports(t))
        assert all(p.link in (LinkState.UP, LinkState.DOWN, LinkState.UNKNOWN) for p in ports)
        assert {p.number for p in ports} == {p.number for p in r["a"].ports}
        wrong = replace(t, snmp=replace(t.snmp, community="nope"), timeout_s=0.3, retries=0)
        assert not run(poll_many([("x", wrong)]))["x"].is_up


@snmpd_missing
def test_snmp_v3_auth_priv_against_snmpd() -> None:
    with snmpd_agent([], v3_user="noc", v3_auth_key="authpass123", v3_priv_key="privpass123") as a:
        creds = SnmpCredentials(
            version="3",
            user="noc",
            auth_protocol="SHA",
            auth_key="authpass123",
            priv_protocol="AES",
            priv_key="privpass123",
            port=a.port,
        )
        t = Target(host=a.host, snmp=creds, timeout_s=3)
        assert isinstance(run(SnmpClient(t).get("1.3.6.1.2.1.1.3.0")), int)
        assert run(GenericSwitch().poll(t)).is_up
        bad = replace(t, snmp=replace(creds, auth_key="wrongwrong1"), timeout_s=0.5, retries=0)
        answer = run(poll_many([("bad", bad)]))["bad"]
        assert "authentication failed" in answer.error  # it answered: up, but unusable


def test_ber_codec_roundtrip_of_a_request() -> None:
    raw = ber.encode_request(1, b"public", ber.GETBULK, 77, ["1.3.6.1.2.1.1.3"], max_repetitions=5)
    # a request is not a response: the decoder says so instead of guessing
    with pytest.raises(ber.BerError, match="not a response"):
        ber.decode_response(raw)
    with pytest.raises(ber.BerError):
        ber.decode_response(raw[:-3])
