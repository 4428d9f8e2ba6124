"""One SNMP request/response exchange for ``SnmpClient``: the pysnmp engine, credentials,
transport and error mapping, and the fast v1/v2c path through ``ber``.

Only this module and ``snmp_values`` import pysnmp.  Errors: no answer within
``timeout_s`` after ``retries`` → ``DeviceUnreachable``; an error status
(noSuchName, notWritable, wrongValue …) or anything the library raises →
``DeviceError``.  No pysnmp exception leaves this module.

The low-level command generators are used directly (not the hlapi
``get_cmd`` helpers): they skip MIB name resolution and the per-call DNS
lookup, which is what lets one process poll thousands of devices a second.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import itertools
import socket
import weakref
from collections.abc import Sequence
from typing import Any

from lastmile.drivers.base import DeviceError, DeviceUnreachable, DriverError, Target
from lastmile.drivers.snmp_values import plain, typed

# pysnmp is imported lazily (first use): importing it costs ~0.3 s and drivers'
# registry/choices must stay cheap for the web process.

__all__ = ["SnmpExchange", "close_engine"]


_engines: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, tuple[Any, Any]] = (
    weakref.WeakKeyDictionary()
)
_ids = itertools.count(1)


def _engine() -> tuple[Any, Any]:
    """One SNMP engine (one UDP socket) and its target table per event loop."""
    from pysnmp.hlapi.v3arch.asyncio import SnmpEngine
    from pysnmp.hlapi.v3arch.asyncio.lcd import CommandGeneratorLcdConfigurator

    loop = asyncio.get_running_loop()
    pair = _engines.get(loop)
    if pair is None:
        pair = (SnmpEngine(), CommandGeneratorLcdConfigurator())
        _engines[loop] = pair
    return pair


def close_engine() -> None:
    """Close this loop's engine (tests and the bench call it before the loop ends)."""
    loop = asyncio.get_running_loop()
    from lastmile.drivers import ber

    ber.close_endpoint()
    pair = _engines.pop(loop, None)
    if pair is not None:
        with contextlib.suppress(Exception):  # closing must never fail the caller
            pair[0].close_dispatcher()


_AUTH_FAILURES = frozenset(
    {
        "WrongDigest",
        "UnknownUserName",
        "UnknownSecurityName",
        "DecryptionError",
        "UnsupportedSecurityLevel",
        "UnknownEngineID",
        "AuthenticationFailure",
        "AuthenticationError",
    }
)

_ERROR_STATUS = {
    1: "tooBig",
    2: "noSuchName",
    3: "badValue",
    4: "readOnly",
    5: "genErr",
    6: "noAccess",
    7: "wrongType",
    8: "wrongLength",
    9: "wrongEncoding",
    10: "wrongValue",
    11: "noCreation",
    12: "inconsistentValue",
    13: "resourceUnavailable",
    14: "commitFailed",
    15: "undoFailed",
    16: "authorizationError",
    17: "notWritable",
    18: "inconsistentName",
}

_AUTH = {
    "MD5": "USM_AUTH_HMAC96_MD5",
    "SHA": "USM_AUTH_HMAC96_SHA",
    "SHA224": "USM_AUTH_HMAC128_SHA224",
    "SHA256": "USM_AUTH_HMAC192_SHA256",
    "SHA384": "USM_AUTH_HMAC256_SHA384",
    "SHA512": "USM_AUTH_HMAC384_SHA512",
}
_PRIV = {
    "DES": "USM_PRIV_CBC56_DES",
    "3DES": "USM_PRIV_CBC168_3DES",
    "AES": "USM_PRIV_CFB128_AES",
    "AES128": "USM_PRIV_CFB128_AES",
    "AES192": "USM_PRIV_CFB192_AES",
    "AES256": "USM_PRIV_CFB256_AES",
}


class SnmpExchange:
    """The request plumbing of one device's SNMP client (``snmp.SnmpClient`` adds the operations)."""

    def __init__(self, target: Target, *, write: bool = False) -> None:
        self.target = target
        self._write = write
        self._auth: Any = None
        self._transport: Any = None
        self._addr: tuple[str, str] | None = None

    # -- plumbing ---------------------------------------------------------
    def _auth_data(self) -> Any:
        from pysnmp.hlapi.v3arch.asyncio import auth

        creds = self.target.snmp
        if creds.version == "3":
            if not creds.user:
                raise DeviceError("SNMP v3 needs a user name")
            try:
                auth_proto = (
                    getattr(auth, _AUTH[creds.auth_protocol.upper()])
                    if creds.auth_protocol
                    else auth.USM_AUTH_NONE
                )
                priv_proto = (
                    getattr(auth, _PRIV[creds.priv_protocol.upper()])
                    if creds.priv_protocol
                    else auth.USM_PRIV_NONE
                )
            except KeyError as exc:
                raise DeviceError(f"unknown SNMP v3 protocol {exc.args[0]}") from None
            return auth.UsmUserData(
                creds.user,
                authKey=creds.auth_key or None,
                privKey=creds.priv_key or None,
                authProtocol=auth_proto,
                privProtocol=priv_proto,
            )
        if creds.version not in ("2c", "2", "1"):
            raise DeviceError(f"unknown SNMP version {creds.version!r}")
        community = (creds.write_community or creds.community) if self._write else creds.community
        # One LCD entry per distinct community; the index names it in the engine.
        return auth.CommunityData(
            f"c-{community}-{creds.version}",
            community,
            mpModel=0 if creds.version == "1" else 1,
        )

    async def _transport_target(self, timeout: float, retries: int) -> Any:
        from pysnmp.hlapi.v3arch.asyncio import UdpTransportTarget

        host, port = self.target.host, self.target.snmp.port
        try:
            ipaddress.IPv4Address(host)
        except ValueError:
            try:
                return await UdpTransportTarget.create(
                    (host, port), timeout=timeout, retries=retries
                )
            except Exception as exc:
                raise DeviceUnreachable(f"{host}: cannot resolve the address ({exc})") from None
        # An address literal needs no resolver round trip (create() always uses one).
        obj = UdpTransportTarget.__new__(UdpTransportTarget)
        obj.transport_address = (host, port)
        obj.__init__(timeout=timeout, retries=retries)  # type: ignore[misc]
        return obj

    async def _request(
        self,
        kind: str,
        var_binds: Sequence[tuple[str, Any]],
        *,
        non_repeaters: int = 0,
        max_repetitions: int = 0,
        timeout: float | None = None,
        retries: int | None = None,
    ) -> list[tuple[str, Any]]:
        """One request/response exchange; the response's var-binds as (oid, plain value)."""
        from pysnmp.entity.rfc3413 import cmdgen
        from pysnmp.proto import rfc1902
        from pysnmp.proto.rfc1902 import ObjectName

        timeout = self.target.timeout_s if timeout is None else timeout
        retries = self.target.retries if retries is None else retries
        where = f"{self.target.host}:{self.target.snmp.port}"
        if kind != "set" and self.target.snmp.version in ("1", "2", "2c"):
            return await self._fast_request(
                kind, var_binds, non_repeaters, max_repetitions, timeout, retries
            )
        try:
            engine, lcd = _engine()
            auth_data = self._auth_data()
            transport = await self._transport_target(timeout, retries)
            context = self.target.snmp.context.encode()
            addr_name, _params = lcd.configure(engine, auth_data, transport, context)
            loop = asyncio.get_running_loop()
            future: asyncio.Future[Any] = loop.create_future()

            def done(
                _engine: Any,
                _handle: Any,
                error_indication: Any,
                error_status: Any,
                error_index: Any,
                vbs: Any,
                _ctx: Any,
            ) -> None:
                if not future.done():
                    future.set_result((error_indication, error_status, error_index, vbs))

            vbs = [
                (ObjectName(oid), rfc1902.Null("") if value is None else typed(value))
                for oid, value in var_binds
            ]
            if kind == "get":
                cmdgen.GetCommandGenerator().send_varbinds(
                    engine, addr_name, None, context, vbs, done
                )
            elif kind == "set":
                cmdgen.SetCommandGenerator().send_varbinds(
                    engine, addr_name, None, context, vbs, done
                )
            elif kind == "next":
                cmdgen.NextCommandGeneratorSingleRun().send_varbinds(
                    engine, addr_name, None, context, vbs, done
                )
            else:
                cmdgen.BulkCommandGeneratorSingleRun().send_varbinds(
                    engine, addr_name, None, context, non_repeaters, max_repetitions, vbs, done
                )
            # pysnmp times out by itself; this bound only guards against a lost callback.
            guard = timeout * (retries + 1) + 5
            error_indication, error_status, error_index, answer = await asyncio.wait_for(
                future, guard
            )
        except DriverError:
            raise
        except TimeoutError:
            raise DeviceUnreachable(f"{where}: no SNMP answer") from None
        except TypeError as exc:
            raise DeviceError(f"{where}: {exc}") from None
        except Exception as exc:
            raise DeviceError(f"{where}: SNMP failed ({type(exc).__name__}: {exc})") from None
        if error_indication:
            text = str(error_indication)
            from pysnmp.proto import errind

            if isinstance(error_indication, errind.RequestTimedOut) or "timeout" in text.lower():
                raise DeviceUnreachable(
                    f"{where}: no SNMP answer within {timeout:g} s "
                    f"({retries + 1} tries): the device is down or the credentials are wrong"
                )
            if type(error_indication).__name__ in _AUTH_FAILURES:
                raise DeviceError(
                    f"{where}: SNMP v3 authentication failed ({text}): check the user, "
                    "protocols and keys"
                )
            raise DeviceError(f"{where}: {text}")
        if error_status and int(error_status):
            status = (
                error_status.prettyPrint() if hasattr(error_status, "prettyPrint") else error_status
            )
            idx = int(error_index or 0)
            which = var_binds[idx - 1][0] if 0 < idx <= len(var_binds) else ""
            raise DeviceError(
                f"{where}: the device refused ({status}{' at ' + which if which else ''})"
            )
        try:
            return [(".".join(str(n) for n in oid), plain(val)) for oid, val in answer]
        except Exception as exc:
            raise DeviceError(f"{where}: unreadable SNMP answer ({exc})") from None

    async def _fast_request(
        self,
        kind: str,
        var_binds: Sequence[tuple[str, Any]],
        non_repeaters: int,
        max_repetitions: int,
        timeout: float,
        retries: int,
    ) -> list[tuple[str, Any]]:
        """v1/v2c reads through the small codec in ``ber`` (see there for why)."""
        from lastmile.drivers import ber

        creds = self.target.snmp
        where = f"{self.target.host}:{creds.port}"
        host = self.target.host
        try:
            ipaddress.IPv4Address(host)
        except ValueError:
            try:
                infos = await asyncio.get_running_loop().getaddrinfo(
                    host, creds.port, family=socket.AF_INET, type=socket.SOCK_DGRAM
                )
                host = str(infos[0][4][0])
            except OSError as exc:
                raise DeviceUnreachable(f"{host}: cannot resolve the address ({exc})") from None
        version = 0 if creds.version == "1" else 1
        if version == 0 and kind == "bulk":
            raise DeviceError("SNMP v1 has no GETBULK")
        pdu = {"get": ber.GET, "next": ber.GETNEXT, "bulk": ber.GETBULK}[kind]
        oids = [oid for oid, _v in var_binds]
        community = creds.community.encode()

        def build(request_id: int) -> bytes:
            return ber.encode_request(
                version,
                community,
                pdu,
                request_id,
                oids,
                non_repeaters=non_repeaters,
                max_repetitions=max_repetitions,
            )

        try:
            raw = await ber.exchange((host, creds.port), build, timeout, retries)
        except ber.BerError as exc:
            raise DeviceError(f"{where}: {exc}") from None
        except OSError as exc:
            raise DeviceUnreachable(f"{where}: {exc}") from None
        if raw is None:
            raise DeviceUnreachable(
                f"{where}: no SNMP answer within {timeout:g} s "
                f"({retries + 1} tries): the device is down or the credentials are wrong"
            )
        try:
            _v, _c, _rid, status, index, vbs = ber.decode_response(raw)
        except ber.BerError as exc:
            raise DeviceError(f"{where}: unreadable SNMP answer ({exc})") from None
        if status:
            name = _ERROR_STATUS.get(status, str(status))
            which = oids[index - 1] if 0 < index <= len(oids) else ""
            raise DeviceError(
                f"{where}: the device refused ({name}{' at ' + which if which else ''})"
            )
        return vbs
