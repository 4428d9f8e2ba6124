"""The simulators: shipped data matches its generator, no process outlives its ``with``."""

from __future__ import annotations

import os

from lastmile.drivers.base import CliCredentials, SnmpCredentials, Target
from lastmile.drivers.generic import GenericSwitch
from lastmile.drivers.sim import DATA_DIR, free_tcp_port, free_udp_port, snmpsim_agent
from lastmile.drivers.sim.demo import demo_devices
from lastmile.drivers.sim.records import all_models
from lastmile.drivers.zte import ZteC320

from .conftest import run


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie is gone for our purposes only once reaped; Popen.wait reaped it
    return True


def test_shipped_snmprec_files_are_the_generators_output() -> None:
    for model, text in all_models().items():
        assert (DATA_DIR / f"{model}.snmprec").read_text() == text, (
            f"{model}: run python -m lastmile.drivers.sim.records"
        )


def test_snmpsim_agent_leaves_no_process() -> None:
    with snmpsim_agent() as agent:
        pid = agent.pid
        assert _alive(pid)
    assert not _alive(pid)


def test_demo_devices_answer_snmp_and_the_cli() -> None:
    with demo_devices(snmp_port=free_udp_port(), cli_port=free_tcp_port()) as demo:
        snmp = Target(
            host=demo.host, snmp=SnmpCredentials(community="generic_snmp", port=demo.snmp_port)
        )
        assert run(GenericSwitch().poll(snmp)).is_up
        cli = Target(
            host=demo.host,
            cli=CliCredentials(
                username=demo.cli_username, password=demo.cli_password, port=demo.cli_port
            ),
        )
        assert run(ZteC320().onu_vlans(cli, fiber="gpon-olt_1/1/1", number=1)) == (100,)
