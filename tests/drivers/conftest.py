"""Drivers against real peers: snmpsim with the shipped data, the ZTE CLI peer."""

from __future__ import annotations

from collections.abc import Coroutine, Iterator
from typing import Any, TypeVar

import pytest

from lastmile.drivers.base import SnmpCredentials, Target
from lastmile.drivers.sim import Agent, snmpsim_agent
from lastmile.drivers.sync import run as sync_run

T = TypeVar("T")


def run(coro: Coroutine[Any, Any, T]) -> T:
    """Run one driver call on a fresh event loop (and close its SNMP engine)."""
    return sync_run(coro)


@pytest.fixture(scope="module")
def agent() -> Iterator[Agent]:
    """One snmpsim per test module: writes made by one module never leak into another."""
    with snmpsim_agent() as a:
        yield a


def target_for(agent: Agent, model: str, **kw: Any) -> Target:
    return Target(
        host=agent.host,
        snmp=SnmpCredentials(community=model, port=agent.port),
        timeout_s=kw.pop("timeout_s", 3.0),
        retries=kw.pop("retries", 1),
        **kw,
    )
