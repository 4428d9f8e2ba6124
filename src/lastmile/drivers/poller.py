"""Poll many devices at once: reachability and port states for monitoring.

``poll_many`` runs each device's driver ``poll`` (sysUpTime and every port's
ifAdminStatus/ifOperStatus, one GETBULK for most switches) with at most
``concurrency`` requests in flight on one event loop and one UDP socket.  It
never raises for a device: one that does not answer comes back with
``is_up=False`` and the reason in ``error``.
"""

from __future__ import annotations

import asyncio

from lastmile.drivers import base
from lastmile.drivers.base import DeviceUnreachable, DriverError, Reachability, Target


async def poll_one(target: Target) -> Reachability:
    try:
        driver = base.get(target.driver)
        return await driver.poll(target)
    except DeviceUnreachable as exc:
        return Reachability(is_up=False, error=str(exc))
    except DriverError as exc:
        # It answered, but not usably (or the type has no poll): up, with the reason.
        return Reachability(is_up=not isinstance(exc, base.Unsupported), error=str(exc))
    except Exception as exc:
        return Reachability(is_up=False, error=f"poll failed: {type(exc).__name__}: {exc}")


async def poll_many(
    targets: list[tuple[str, Target]], concurrency: int = 200, per_agent: int = 16
) -> dict[str, Reachability]:
    """``{key: Reachability}`` for every ``(key, target)``; the key is the caller's
    (a device id); the driver is ``target.driver``.

    At most ``concurrency`` polls are in flight, and at most ``per_agent`` to one
    address and port: an agent answers one request at a time, and a burst larger
    than its socket buffer is dropped and costs a whole timeout (several
    simulated devices behind one agent, or one agent proxying many)."""
    sem = asyncio.Semaphore(max(1, concurrency))
    agents: dict[tuple[str, int], asyncio.Semaphore] = {}
    results: dict[str, Reachability] = {}

    async def one(key: str, target: Target) -> None:
        agent = agents.setdefault(
            (target.host, target.snmp.port), asyncio.Semaphore(max(1, per_agent))
        )
        async with agent, sem:
            results[key] = await poll_one(target)

    await asyncio.gather(*(one(key, target) for key, target in targets))
    return {key: results[key] for key, _t in targets}
