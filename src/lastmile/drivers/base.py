"""The driver interface: values, errors and the registry.

Every operation is a coroutine (SNMP and the CLI are I/O), takes a ``Target``
and has a timeout of its own; a device that does not answer raises
``DeviceUnreachable``, one that answers something unusable raises
``DeviceError``, and an operation a model does not have raises
``Unsupported``.  Callers never see a library's exception.

Writes (port state, VLANs, ONU registration) are verified by reading back
where the device allows it; a driver returns only after the device agrees.
"""

from __future__ import annotations

import enum
import functools
import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar


class DriverError(Exception):
    """Base of what a driver raises; ``str()`` is a sentence for staff."""


class DeviceUnreachable(DriverError):
    """No answer within the timeout (wrong address, community, or the device is down)."""


class DeviceError(DriverError):
    """The device answered, but not with what the operation needs."""


class Unsupported(DriverError):
    """This driver or model does not have the operation."""


class BadInput(DriverError):
    """A parameter is outside what the device accepts (VLAN id, ONU serial, port)."""


@dataclass(frozen=True)
class SnmpCredentials:
    """SNMP v2c (community) or v3 (user with auth/priv); secrets already decrypted."""

    version: str = "2c"  # "2c" or "3"
    community: str = "public"
    write_community: str = ""
    user: str = ""
    auth_protocol: str = ""  # "", "MD5", "SHA", "SHA256"
    auth_key: str = ""
    priv_protocol: str = ""  # "", "DES", "AES"
    priv_key: str = ""
    port: int = 161
    context: str = ""  # SNMP v3 context name (snmpsim picks its data file by it)


@dataclass(frozen=True)
class CliCredentials:
    """Telnet/SSH login for drivers that need the CLI (ZTE ONU registration)."""

    username: str = ""
    password: str = ""
    enable_password: str = ""
    port: int = 23


@dataclass(frozen=True)
class Target:
    """What a driver needs to reach one device."""

    host: str
    snmp: SnmpCredentials = field(default_factory=SnmpCredentials)
    cli: CliCredentials | None = None
    timeout_s: float = 2.0
    retries: int = 1
    extra: Mapping[str, Any] = field(default_factory=dict)  # validated by the driver's schema
    driver: str = "generic_snmp"  # the driver's registry name (``poll_many`` uses it)


class LinkState(enum.StrEnum):
    UP = "up"
    DOWN = "down"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class DeviceDetails:
    name: str = ""
    description: str = ""
    uptime_s: int | None = None
    model: str = ""
    firmware: str = ""
    serial: str = ""
    mac: str = ""


@dataclass(frozen=True)
class PortState:
    number: int  # the device's port number (ifIndex or the vendor's numbering)
    name: str = ""
    description: str = ""
    admin_up: bool = True
    link: LinkState = LinkState.UNKNOWN
    speed_mbps: int | None = None
    mac: str = ""


@dataclass(frozen=True)
class MacEntry:
    mac: str  # lower-case, colon separated
    port: int
    vlan: int | None = None


@dataclass(frozen=True)
class Vlan:
    vid: int  # 1..4094
    name: str = ""
    tagged: frozenset[int] = frozenset()  # port numbers
    untagged: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Reachability:
    """The answer of one monitoring poll."""

    is_up: bool
    uptime_s: int | None = None
    ports: tuple[PortState, ...] = ()
    error: str = ""


@dataclass(frozen=True)
class Onu:
    """An ONU as its OLT reports it."""

    fiber: str  # the OLT's name for the PON port, e.g. "gpon-olt_1/2/1" or "EPON0/1"
    number: int | None  # the ONU id on that fiber; None while unregistered
    serial: str = ""  # GPON serial (ZTEG1234ABCD) or EPON MAC
    mac: str = ""
    name: str = ""
    description: str = ""
    model: str = ""
    status: str = ""  # the vendor's word, e.g. "working", "los", "offline"
    rx_dbm: float | None = None  # signal at the ONU; None when the OLT has no reading
    tx_dbm: float | None = None
    olt_rx_dbm: float | None = None
    vlans: tuple[int, ...] = ()


@dataclass(frozen=True)
class Fiber:
    name: str
    index: int
    onu_count: int | None = None
    max_onus: int | None = None
    link: LinkState = LinkState.UNKNOWN


class Driver:
    """One device type.  Subclasses set ``name``/``title`` and override what the model has.

    ``extra_schema`` is a pydantic model (or None) that validates ``Target.extra``
    and the device's extra data in the UI; ``is_olt`` tells the UI to show fibers
    and ONUs.  Every method not overridden raises ``Unsupported``.
    """

    name: ClassVar[str] = ""
    title: ClassVar[str] = ""
    is_olt: ClassVar[bool] = False
    extra_schema: ClassVar[type | None] = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Every public coroutine of a driver raises only ``DriverError``s: anything
        else (a value of the wrong type, a short table) means the device answered
        something unusable, so it becomes ``DeviceError``.  A subclass that puts
        back ``Driver``'s own method (``create_vlan = Driver.create_vlan``: not
        supported after all) keeps it unwrapped, so it still reads as unsupported."""
        super().__init_subclass__(**kwargs)
        for attr, fn in list(vars(cls).items()):
            if attr.startswith("_") or not inspect.iscoroutinefunction(fn):
                continue
            if getattr(fn, "_guarded", False) or fn is vars(Driver).get(attr):
                continue
            setattr(cls, attr, _guard(fn))

    def _unsupported(self, what: str) -> DriverError:
        return Unsupported(
            f"{self.title or self.name}: {what} is not supported by this device type"
        )

    async def poll(self, target: Target) -> Reachability:
        raise self._unsupported("polling")

    async def details(self, target: Target) -> DeviceDetails:
        raise self._unsupported("details")

    async def ports(self, target: Target) -> list[PortState]:
        raise self._unsupported("ports")

    async def set_port_admin(self, target: Target, port: int, *, up: bool) -> PortState:
        raise self._unsupported("port enable/disable")

    async def mac_table(self, target: Target, *, port: int | None = None) -> list[MacEntry]:
        raise self._unsupported("the MAC table")

    async def vlans(self, target: Target) -> list[Vlan]:
        raise self._unsupported("VLANs")

    async def set_port_vlans(
        self, target: Target, port: int, *, untagged: int | None, tagged: frozenset[int]
    ) -> list[Vlan]:
        raise self._unsupported("VLAN changes")

    async def create_vlan(self, target: Target, vid: int, *, name: str = "") -> Vlan:
        """Create VLAN ``vid`` with no ports; the VLAN as the device then reports it.
        ``BadInput`` when the id or the name is not one the device takes, or the
        VLAN exists already."""
        raise self._unsupported("VLAN creation")

    async def delete_vlan(self, target: Target, vid: int) -> None:
        """Delete VLAN ``vid`` (its ports leave it), checked by reading it back.
        ``BadInput`` when the device has no such VLAN or it is one it keeps (VLAN 1)."""
        raise self._unsupported("VLAN deletion")

    async def reboot(self, target: Target) -> None:
        raise self._unsupported("reboot")

    async def save_config(self, target: Target) -> None:
        raise self._unsupported("saving the configuration")

    # OLTs
    async def fibers(self, target: Target) -> list[Fiber]:
        raise self._unsupported("fibers")

    async def onus(self, target: Target, *, fiber: str | None = None) -> list[Onu]:
        raise self._unsupported("ONUs")

    async def unregistered_onus(self, target: Target) -> list[Onu]:
        raise self._unsupported("unregistered ONUs")

    async def onu_details(self, target: Target, *, fiber: str, number: int) -> Onu:
        raise self._unsupported("ONU details")

    async def register_onu(
        self, target: Target, *, fiber: str, serial: str, template: str, params: Mapping[str, Any]
    ) -> Onu:
        raise self._unsupported("ONU registration")

    async def remove_onu(self, target: Target, *, fiber: str, number: int) -> None:
        raise self._unsupported("ONU removal")

    async def set_onu_name(
        self, target: Target, *, fiber: str, number: int, name: str, description: str = ""
    ) -> Onu:
        raise self._unsupported("ONU names")

    async def find_onu(self, target: Target, *, serial: str) -> Onu | None:
        raise self._unsupported("finding an ONU")

    async def onu_vlans(self, target: Target, *, fiber: str, number: int) -> tuple[int, ...]:
        raise self._unsupported("reading an ONU's VLANs")

    async def add_onu_vlan(
        self, target: Target, *, fiber: str, number: int, vlan: int
    ) -> tuple[int, ...]:
        """Add ``vlan`` to the ONU; every VLAN it has afterwards, read back."""
        raise self._unsupported("ONU VLAN changes")

    async def remove_onu_vlan(
        self, target: Target, *, fiber: str, number: int, vlan: int
    ) -> tuple[int, ...]:
        """Remove ``vlan`` from the ONU; every VLAN it has afterwards, read back."""
        raise self._unsupported("ONU VLAN changes")


def _guard(fn: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(fn)
    async def guarded(self: Driver, *args: Any, **kwargs: Any) -> Any:
        try:
            return await fn(self, *args, **kwargs)
        except DriverError:
            raise
        except (ValueError, TypeError, KeyError, IndexError, AttributeError, UnicodeError) as exc:
            target = args[0] if args and isinstance(args[0], Target) else kwargs.get("target")
            where = f"{target.host}: " if isinstance(target, Target) else ""
            raise DeviceError(
                f"{where}the device answered something {self.title or self.name} cannot use "
                f"({type(exc).__name__}: {exc})"
            ) from None

    guarded._guarded = True  # type: ignore[attr-defined]
    return guarded


REGISTRY: dict[str, Driver] = {}


def register(cls: type[Driver]) -> type[Driver]:
    """Class decorator: make a driver available by its ``name``."""
    if not cls.name or cls.name in REGISTRY:
        raise ValueError(f"driver name {cls.name!r} is empty or taken")
    REGISTRY[cls.name] = cls()
    return cls


def get(name: str) -> Driver:
    """The driver by name; ``Unsupported`` for an unknown one (a device of no known type)."""
    _load_all()
    try:
        return REGISTRY[name]
    except KeyError:
        raise Unsupported(
            f"unknown device type {name!r}: choose a driver for this device"
        ) from None


def choices() -> list[tuple[str, str]]:
    _load_all()
    return sorted(((d.name, d.title) for d in REGISTRY.values()), key=lambda c: c[1])


#: Driver modules imported on first use (each registers itself); add new ones here.
MODULES: tuple[str, ...] = ("generic", "dlink", "eltex", "huawei", "zte", "bdcom")

_loaded: list[bool] = []


def _load_all(importer: Callable[[str], object] | None = None) -> None:
    if _loaded:
        return
    import importlib

    for module in MODULES:
        (importer or importlib.import_module)(f"lastmile.drivers.{module}")
    _loaded.append(True)
