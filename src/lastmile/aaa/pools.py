"""An address pool as a RADIUS node keeps it in memory: which customers it fits,
and picking a free address (IPv4) or prefix (IPv6) from it."""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass, field


@dataclass(slots=True)
class PoolInfo:
    id: int
    name: str
    kind: str
    family: int
    first: int
    last: int
    gateway: int | None
    priority: int
    tariffs: frozenset[int] = frozenset()
    groups: frozenset[int] = frozenset()
    nases: frozenset[int] = frozenset()
    taken: set[int] = field(default_factory=set)  # active leases + local reservations
    prefix_length: int = 0  # IPv6: the length of each leased prefix
    ipv6_use: str = ""  # IPv6: "framed" or "delegated" (network.models.Ipv6Use)

    @property
    def size(self) -> int:
        if self.family == 6:
            return self._prefix_count()
        gw = 1 if self.gateway is not None and self.first <= self.gateway <= self.last else 0
        return max(0, self.last - self.first + 1 - gw)

    def contains(self, address: int) -> bool:
        return self.first <= address <= self.last

    def specificity(self, tariff_id: int | None, group_id: int | None, nas_id: int) -> int | None:
        """How well the pool fits (higher is better); None: it does not."""
        score = 0
        for allowed, value, weight in (
            (self.tariffs, tariff_id, 4),
            (self.groups, group_id, 2),
            (self.nases, nas_id, 1),
        ):
            if allowed:
                if value not in allowed:
                    return None
                score += weight
        return score

    def _prefix_count(self) -> int:
        if not self.prefix_length:
            return 0
        return (self.last - self.first + 1) >> (128 - self.prefix_length)

    def prefix_start(self, index: int) -> int:
        """The first address of the pool's ``index``-th prefix."""
        return self.first + (index << (128 - self.prefix_length))

    def pick_free(self) -> int | None:
        """A random free address (IPv6: the start of a free prefix), reserved
        until released or confirmed.  Random so that several nodes rarely race
        for the same address."""
        if self.family == 6:
            return self._pick_free_prefix()
        if self.family != 4 or len(self.taken) >= self.size:
            return None
        first, last, taken, gateway = self.first, self.last, self.taken, self.gateway
        for _ in range(48):
            candidate = random.randint(first, last)
            if candidate not in taken and candidate != gateway:
                taken.add(candidate)
                return candidate
        start = random.randint(first, last)
        for candidate in itertools.chain(range(start, last + 1), range(first, start)):
            if candidate not in taken and candidate != gateway:
                taken.add(candidate)
                return candidate
        return None

    def _pick_free_prefix(self) -> int | None:
        """IPv6 prefixes are picked by index (0 .. count-1), never by walking the
        address space: random indexes first, then, only in a nearly full pool
        (which is small, or it would not be nearly full), a scan of the indexes."""
        count = self._prefix_count()
        taken = self.taken
        if not count or len(taken) >= count:
            return None
        for _ in range(48):
            candidate = self.prefix_start(random.randrange(count))
            if candidate not in taken:
                taken.add(candidate)
                return candidate
        start = random.randrange(count)
        for index in (*range(start, count), *range(start)):
            candidate = self.prefix_start(index)
            if candidate not in taken:
                taken.add(candidate)
                return candidate
        return None
