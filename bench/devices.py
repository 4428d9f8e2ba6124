"""Device polling benchmark: ``lastmile.drivers.poller.poll_many`` against a
sequential loop of Debian's net-snmp tools over the same agents, same run.

Simulated devices: ``--agents`` Debian ``snmpd`` processes on 127.0.0.1 (a
real agent in C, so the figures are the poller's, not a Python simulator's),
each answering ``devices / agents`` communities; one device = one
(agent, community) pair, i.e. one ``Target`` with its own credentials.  A poll
is what monitoring does: sysUpTime plus ifType/ifAdminStatus/ifOperStatus of
every interface (one GETBULK per device).

The poller runs in a fresh interpreter (``--child``) so its CPU time and peak
memory (VmHWM) are its own.  The sequential loop runs ``snmpget sysUpTime.0``
and ``snmpbulkwalk`` of ifAdminStatus and ifOperStatus per device, one device
after the other, for a sample of ``--sequential-sample`` devices, and is
extrapolated to all devices (the report says so).

``python bench/run.py --parts devices --devices 500`` is a quick check.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import resource
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

TARGETS = {"devices_s": 60.0, "speedup": 20.0, "memory_mb": 200.0}


@dataclass
class Result:
    devices: int
    agents: int
    concurrency: int
    wall_s: float
    cpu_s: float
    peak_mb: float
    up: int
    warm_wall_s: float
    warm_up: int
    seq_sample: int
    seq_wall_s: float
    seq_up: int

    @property
    def rate(self) -> float:
        return self.devices / self.wall_s if self.wall_s else 0.0

    @property
    def seq_rate(self) -> float:
        return self.seq_sample / self.seq_wall_s if self.seq_wall_s else 0.0

    @property
    def seq_all_s(self) -> float:
        return self.devices / self.seq_rate if self.seq_rate else 0.0

    @property
    def warm_speedup(self) -> float:
        rate = self.devices / self.warm_wall_s if self.warm_wall_s else 0.0
        return rate / self.seq_rate if self.seq_rate else 0.0

    @property
    def speedup(self) -> float:
        return self.rate / self.seq_rate if self.seq_rate else 0.0


def _communities(devices: int) -> list[str]:
    return [f"dev{i:05d}" for i in range(devices)]


def _child(spec_path: str) -> None:
    """The poller side: poll every device twice (cold, then warm) and print figures."""
    from lastmile.drivers.base import SnmpCredentials, Target
    from lastmile.drivers.poller import poll_many
    from lastmile.drivers.snmp_exchange import close_engine

    spec = json.loads(Path(spec_path).read_text())
    targets = [
        (
            community,
            Target(
                host=host,
                snmp=SnmpCredentials(community=community, port=port),
                timeout_s=spec["timeout_s"],
                retries=spec["retries"],
            ),
        )
        for host, port, community in spec["devices"]
    ]

    async def main() -> dict[str, float]:
        t0, c0 = time.perf_counter(), time.process_time()
        first = await poll_many(targets, concurrency=spec["concurrency"])
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        t1 = time.perf_counter()
        second = await poll_many(targets, concurrency=spec["concurrency"])
        warm = time.perf_counter() - t1
        close_engine()
        errors = sorted({r.error for r in first.values() if r.error})[:3]
        return {
            "wall_s": wall,
            "cpu_s": cpu,
            "up": sum(r.is_up for r in first.values()),
            "warm_wall_s": warm,
            "warm_up": sum(r.is_up for r in second.values()),
            "errors": errors,  # type: ignore[dict-item]
        }

    out = asyncio.run(main())
    hwm = 0.0
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            hwm = int(line.split()[1]) / 1024
    out["peak_mb"] = hwm or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(out))


def _sequential(
    devices: list[tuple[str, int, str]], timeout_s: float, retries: int
) -> tuple[float, int]:
    up = 0
    t0 = time.perf_counter()
    common = ["-v2c", "-t", str(timeout_s), "-r", str(retries), "-On", "-Oq"]
    env = {**os.environ, "MIBS": ""}
    for host, port, community in devices:
        addr = f"{host}:{port}"
        got = subprocess.run(
            ["snmpget", *common, "-c", community, addr, "1.3.6.1.2.1.1.3.0"],
            capture_output=True,
            env=env,
        )
        for column in ("1.3.6.1.2.1.2.2.1.7", "1.3.6.1.2.1.2.2.1.8"):
            subprocess.run(
                ["snmpbulkwalk", *common, "-c", community, addr, column],
                capture_output=True,
                env=env,
            )
        up += got.returncode == 0
    return time.perf_counter() - t0, up


def run(
    devices: int = 5000,
    agents: int = 4,
    concurrency: int = 200,
    sequential_sample: int = 200,
    timeout_s: float = 5.0,
    retries: int = 2,
) -> Result:
    from lastmile.drivers.sim import snmpd_agent

    communities = _communities(devices)
    per = -(-devices // agents)
    with contextlib.ExitStack() as stack:
        started = [
            stack.enter_context(snmpd_agent(communities[i * per : (i + 1) * per]))
            for i in range(agents)
        ]
        plan = [
            (a.host, a.port, c)
            for i, a in enumerate(started)
            for c in communities[i * per : (i + 1) * per]
        ]
        spec = {
            "devices": plan,
            "concurrency": concurrency,
            "timeout_s": timeout_s,
            "retries": retries,
        }
        spec_path = started[0].data_dir / "bench-spec.json"
        spec_path.write_text(json.dumps(spec))
        print(f"devices: polling {devices:,} devices on {agents} snmpd agents…", flush=True)
        proc = subprocess.run(
            [sys.executable, __file__, "--child", str(spec_path)],
            capture_output=True,
            text=True,
            check=False,
            env={**os.environ, "PYTHONPATH": str(REPO / "src")},
        )
        if proc.returncode:
            raise RuntimeError(f"poller failed: {proc.stderr[-2000:]}")
        child = json.loads(proc.stdout.strip().splitlines()[-1])
        if child.get("errors"):
            print("devices: poll errors (first 3):", child["errors"], flush=True)
        # every agent sampled alike: spread the sample over the plan
        step = max(1, len(plan) // max(1, sequential_sample))
        sample = plan[::step][:sequential_sample]
        print(f"devices: sequential net-snmp loop over {len(sample)} devices…", flush=True)
        seq_wall, seq_up = _sequential(sample, timeout_s, retries)
    return Result(
        devices=devices,
        agents=agents,
        concurrency=concurrency,
        wall_s=child["wall_s"],
        cpu_s=child["cpu_s"],
        peak_mb=child["peak_mb"],
        up=int(child["up"]),
        warm_wall_s=child["warm_wall_s"],
        warm_up=int(child["warm_up"]),
        seq_sample=len(sample),
        seq_wall_s=seq_wall,
        seq_up=seq_up,
    )


def report(r: Result) -> str:
    def mark(ok: bool) -> str:
        return "met" if ok else "**not met**"

    small = r.devices < 5000
    lines = [
        "## Devices: polling reachability and port states",
        "",
        *(
            [f"_Smoke run at {r.devices:,} devices (the target is stated for 5,000)._", ""]
            if small
            else []
        ),
        f"{r.devices:,} simulated devices ({r.agents} Debian `snmpd` agents on 127.0.0.1, "
        f"one community per device), polled by `lastmile.drivers.poller.poll_many` "
        f"with {r.concurrency} in flight: sysUpTime + ifType/ifAdminStatus/ifOperStatus of "
        "every interface, one GETBULK per device (a device's first poll may take two: a small "
        "one that also reads ifNumber, then the rest). CPU and peak memory (VmHWM) are the "
        "poller process's own.",
        "",
        "| | wall | devices/s | answered | CPU | peak memory |",
        "|---|---:|---:|---:|---:|---:|",
        f"| poll_many, first round | {r.wall_s:.1f} s | {r.rate:,.0f} | {r.up:,}/{r.devices:,} "
        f"| {r.cpu_s:.1f} s | {r.peak_mb:.0f} MB |",
        f"| poll_many, second round (sized from the first) | {r.warm_wall_s:.1f} s | "
        f"{r.devices / r.warm_wall_s if r.warm_wall_s else 0:,.0f} | {r.warm_up:,}/{r.devices:,} | | |",
        f"| sequential `snmpget` + 2× `snmpbulkwalk` per device, {r.seq_sample} devices timed, "
        f"extrapolated to {r.devices:,} | {r.seq_all_s:.0f} s (measured {r.seq_wall_s:.1f} s) "
        f"| {r.seq_rate:,.1f} | {r.seq_up}/{r.seq_sample} | | |",
        "",
        f"- all devices in ≤ {TARGETS['devices_s']:.0f} s: {r.wall_s:.1f} s, "
        f"{mark(r.wall_s <= TARGETS['devices_s'] and r.up == r.devices)}",
        f"- ≥ {TARGETS['speedup']:.0f}× the sequential loop: {r.warm_speedup:.0f}× in a "
        f"monitoring round (every round after the first, GETBULK sized from the last one), "
        f"{r.speedup:.0f}× in the first round; "
        f"{mark(r.warm_speedup >= TARGETS['speedup'])} / {mark(r.speedup >= TARGETS['speedup'])}",
        f"- poller memory ≤ {TARGETS['memory_mb']:.0f} MB: {r.peak_mb:.0f} MB, "
        f"{mark(r.peak_mb <= TARGETS['memory_mb'])}",
        "",
        "The machine is shared (2 cores, other sessions running): the agents, the poller and "
        "the net-snmp loop compete for the same CPUs, so absolute figures vary between runs.",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        _child(sys.argv[2])
    else:
        import argparse

        parser = argparse.ArgumentParser(description=__doc__)
        parser.add_argument("--devices", type=int, default=5000)
        parser.add_argument("--agents", type=int, default=4)
        parser.add_argument("--sample", type=int, default=200)
        args = parser.parse_args()
        res = run(args.devices, args.agents, sequential_sample=args.sample)
        print(report(res))
