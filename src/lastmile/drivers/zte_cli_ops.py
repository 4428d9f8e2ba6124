"""ZTE C320 changes over the telnet CLI: ONU registration from a template
(with rollback), removal, names, and adding / removing an ONU's VLANs, each
read back from the OLT before it counts as done.

ONU VLANs (C320 syntax):
  interface gpon-onu_1/1/1:N
    service-port <id> vport 1 user-vlan <V> vlan <V>    (``no service-port <id>``)
  pon-onu-mng gpon-onu_1/1/1:N
    service vlan<V> gemport 1 vlan <V>                  (``no service vlan<V>``)
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, NoReturn

from lastmile.drivers.base import BadInput, DeviceError, DeviceUnreachable, Driver, Onu, Target
from lastmile.drivers.zte_codec import (
    NAME_RE,
    check_serial,
    fiber_ifindex,
    parse_onu_vlans,
)
from lastmile.drivers.zte_session import CliRefused, ZteCli
from lastmile.drivers.zte_templates import TEMPLATES, RegistrationFailed, Template, ZteExtra

__all__ = ["TEMPLATES", "RegistrationFailed", "Template", "ZteCliOperations", "ZteExtra"]


_SERVICE_PORT = re.compile(
    r"^\s*service-port (\d+) vport \d+ user-vlan (\d+)(?: user-etype \S+)? vlan (\d+)", re.M
)
_MNG_SERVICE = re.compile(r"^\s*service (\S+) gemport \d+ (?:cos \d+ )?vlan (\d+)\s*$", re.M)
_MNG_VLAN_PORT = re.compile(r"^\s*vlan port \S+ mode (?:tag|trunk|hybrid) vlan (\d+)\s*$", re.M)


def _check_vlan(vlan: Any) -> int:
    try:
        vid = int(vlan)
    except (TypeError, ValueError):
        raise BadInput(f"{vlan!r} is not a VLAN id (1 to 4094)") from None
    if not 1 <= vid <= 4094:
        raise BadInput(f"VLAN {vid} is out of range: a VLAN id is 1 to 4094")
    return vid


def _onu_port(fiber: str, number: int) -> str:
    fiber_ifindex(fiber)
    if not isinstance(number, int) or not 1 <= number <= 256:
        raise BadInput(f"{number!r} is not an ONU number on {fiber}")
    return f"{fiber.replace('gpon-olt_', 'gpon-onu_')}:{number}"


_ONU_LINE = re.compile(r"^\s*onu (\d+) type (\S+) sn (\S+)", re.M)
_UNCFG_LINE = re.compile(r"^gpon-onu_(\d+/\d+/\d+):\d+\s+(\S+)", re.M)


class ZteCliOperations(Driver):
    """The CLI half of the ZTE C320 driver (``zte.ZteC320`` adds SNMP)."""

    def settings(self, target: Target) -> ZteExtra:
        try:
            return ZteExtra.model_validate(dict(target.extra or {}))
        except ValueError as exc:
            raise BadInput(f"the OLT's extra data is not valid: {exc}") from None

    # -- SNMP ---------------------------------------------------------------
    async def onu_vlans(self, target: Target, *, fiber: str, number: int) -> tuple[int, ...]:
        """Every VLAN configured for the ONU (its service ports and its own ports)."""
        fiber_ifindex(fiber)
        port = f"{fiber.replace('gpon-olt_', 'gpon-onu_')}:{number}"
        async with ZteCli(target) as cli:
            text = await cli.check(f"show run interface {port}")
            mng = await cli.run(f"show onu running config {port}")
        if not mng.lstrip().startswith("%"):
            text += "\n" + mng
        return parse_onu_vlans(text)

    async def add_onu_vlan(
        self, target: Target, *, fiber: str, number: int, vlan: int
    ) -> tuple[int, ...]:
        """A service port (user VLAN = network VLAN) on the ONU's interface and a
        service on its management side; read back before it counts."""
        vlan = _check_vlan(vlan)
        port = _onu_port(fiber, number)
        async with ZteCli(target) as cli:
            config = await cli.check(f"show run interface {port}")
            if vlan in parse_onu_vlans(config + "\n" + await self._mng(cli, port)):
                raise BadInput(f"{port} already has VLAN {vlan}")
            used = {int(m.group(1)) for m in _SERVICE_PORT.finditer(config)}
            sp_id = next(n for n in range(1, 257) if n not in used)
            await cli.check("conf t")
            await cli.check(f"interface {port}")
            await cli.check(f"service-port {sp_id} vport 1 user-vlan {vlan} vlan {vlan}")
            await cli.check("exit")
            await cli.check(f"pon-onu-mng {port}")
            await cli.check(f"service vlan{vlan} gemport 1 vlan {vlan}")
            await cli.run("end")
            vlans = await self._read_vlans(cli, port)
        if vlan not in vlans:
            raise DeviceError(f"{target.host}: {port} does not show VLAN {vlan} after adding it")
        return vlans

    async def remove_onu_vlan(
        self, target: Target, *, fiber: str, number: int, vlan: int
    ) -> tuple[int, ...]:
        """Remove the ONU's service ports and services of ``vlan``; a VLAN that is
        only part of a ``switchport vlan`` range is refused before any change."""
        vlan = _check_vlan(vlan)
        port = _onu_port(fiber, number)
        async with ZteCli(target) as cli:
            config = await cli.check(f"show run interface {port}")
            mng = await self._mng(cli, port)
            if vlan not in parse_onu_vlans(config + "\n" + mng):
                raise BadInput(f"{port} has no VLAN {vlan}")
            sp_ids = [
                int(m.group(1))
                for m in _SERVICE_PORT.finditer(config)
                if vlan in (int(m.group(2)), int(m.group(3)))
            ]
            services = [m.group(1) for m in _MNG_SERVICE.finditer(mng) if int(m.group(2)) == vlan]
            vlan_ports = [
                m.group(0).strip() for m in _MNG_VLAN_PORT.finditer(mng) if int(m.group(1)) == vlan
            ]
            if not sp_ids and not services and not vlan_ports:
                raise BadInput(
                    f"VLAN {vlan} of {port} is part of a VLAN range on the OLT; "
                    "change that range on the OLT itself"
                )
            await cli.check("conf t")
            if sp_ids:
                await cli.check(f"interface {port}")
                for sp in sp_ids:
                    await cli.check(f"no service-port {sp}")
                await cli.check("exit")
            if services or vlan_ports:
                await cli.check(f"pon-onu-mng {port}")
                for name in services:
                    await cli.check(f"no service {name}")
                for line in vlan_ports:
                    await cli.check(f"no {line}")
                await cli.check("exit")
            await cli.run("end")
            vlans = await self._read_vlans(cli, port)
        if vlan in vlans:
            raise DeviceError(f"{target.host}: {port} still shows VLAN {vlan} after removing it")
        return vlans

    async def _mng(self, cli: ZteCli, port: str) -> str:
        text = await cli.run(f"show onu running config {port}")
        return "" if text.lstrip().startswith("%") else text

    async def _read_vlans(self, cli: ZteCli, port: str) -> tuple[int, ...]:
        text = await cli.check(f"show run interface {port}")
        return parse_onu_vlans(text + "\n" + await self._mng(cli, port))

    async def set_onu_name(
        self, target: Target, *, fiber: str, number: int, name: str, description: str = ""
    ) -> Onu:
        if not NAME_RE.match(name):
            raise BadInput("an ONU name is up to 32 letters, digits, dots, dashes or underscores")
        if len(description) > 80 or "\n" in description:
            raise BadInput("an ONU description is one line of up to 80 characters")
        fiber_ifindex(fiber)
        port = f"{fiber.replace('gpon-olt_', 'gpon-onu_')}:{number}"
        async with ZteCli(target) as cli:
            await cli.check("conf t")
            await cli.check(f"interface {port}")
            if name:
                await cli.check(f"name {name}")
            if description:
                await cli.check(f"description {description}")
            await cli.run("end")
            text = await cli.check(f"show run interface {port}")
        got_name = re.search(r"^\s*name (\S+)", text, re.M)
        got_descr = re.search(r"^\s*description (.+)$", text, re.M)
        if (name and (not got_name or got_name.group(1) != name)) or (
            description and (not got_descr or got_descr.group(1).strip() != description)
        ):
            raise DeviceError(f"{target.host}: the OLT did not keep the name of {port}")
        return Onu(
            fiber=fiber,
            number=number,
            name=got_name.group(1) if got_name else "",
            description=got_descr.group(1).strip() if got_descr else "",
            vlans=parse_onu_vlans(text),
        )

    async def remove_onu(self, target: Target, *, fiber: str, number: int) -> None:
        fiber_ifindex(fiber)
        async with ZteCli(target) as cli:
            await cli.check("conf t")
            await cli.check(f"interface {fiber}")
            await cli.check(f"no onu {number}")
            await cli.run("end")
            text = await cli.check(f"show run interface {fiber}")
        if any(int(m.group(1)) == number for m in _ONU_LINE.finditer(text)):
            raise DeviceError(f"{target.host}: ONU {number} is still on {fiber}")

    def _render(self, template: str, params: Mapping[str, Any], extra: ZteExtra) -> Template:
        tpl = TEMPLATES.get(template or extra.default_template)
        if tpl is None:
            raise BadInput(
                f"unknown ONU template {template!r}: choose one of {', '.join(sorted(TEMPLATES))}"
            )
        try:
            vlan = int(params.get("vlan"))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise BadInput("the template needs a VLAN (1 to 4094)") from None
        if not 1 <= vlan <= 4094:
            raise BadInput(f"VLAN {vlan} is out of range: a VLAN id is 1 to 4094")
        profile = str(params.get("profile") or extra.default_profile)
        if not re.fullmatch(r"[A-Za-z0-9_\-]{1,32}", profile):
            raise BadInput(f"{profile!r} is not a T-CONT profile name")
        values = {"vlan": vlan, "profile": profile}
        return Template(
            str(params.get("onu_type") or tpl.onu_type),
            tuple(line.format(**values) for line in tpl.interface),
            tuple(line.format(**values) for line in tpl.mng),
        )

    def template_names(self) -> list[str]:
        return sorted(TEMPLATES)

    def registration_commands(
        self,
        target: Target,
        *,
        fiber: str,
        number: int,
        serial: str,
        template: str,
        params: Mapping[str, Any],
    ) -> list[str]:
        """What ``register_onu`` would send for this position (no session)."""
        fiber_ifindex(fiber)
        tpl = self._render(template, params, self.settings(target))
        port = _onu_port(fiber, number)
        name = str(params.get("name") or "")
        lines = ["conf t", f"interface {fiber}", f"onu {number} type {tpl.onu_type} sn {serial}"]
        lines += ["exit", f"interface {port}"] + ([f"name {name}"] if name else [])
        lines += [*tpl.interface, "exit"]
        if tpl.mng:
            lines += [f"pon-onu-mng {port}", *tpl.mng, "exit"]
        return [*lines, "end"]

    async def register_onu(
        self, target: Target, *, fiber: str, serial: str, template: str, params: Mapping[str, Any]
    ) -> Onu:
        """Add a waiting ONU to ``fiber`` with the next free id, configure it from
        ``template`` and read it back.  Every check happens before the first change;
        a failure after the ONU was added removes it again (``RegistrationFailed``
        says what happened)."""
        serial = check_serial(serial)
        fiber_ifindex(fiber)
        extra = self.settings(target)
        tpl = self._render(template, params, extra)
        name = str(params.get("name") or "")
        description = str(params.get("description") or "")
        if not NAME_RE.match(name):
            raise BadInput("an ONU name is up to 32 letters, digits, dots, dashes or underscores")
        if len(description) > 80 or "\n" in description:
            raise BadInput("an ONU description is one line of up to 80 characters")
        short = fiber.removeprefix("gpon-olt_")
        steps: list[str] = []
        number: int | None = None
        sent = False  # the `onu N …` command went out: from here on, something may exist
        try:
            async with ZteCli(target) as cli:
                waiting = await cli.run("show gpon onu uncfg")
                here = {
                    m.group(2).upper() for m in _UNCFG_LINE.finditer(waiting) if m.group(1) == short
                }
                if serial not in here:
                    elsewhere = [
                        m.group(1)
                        for m in _UNCFG_LINE.finditer(waiting)
                        if m.group(2).upper() == serial
                    ]
                    where = f" (it is waiting on gpon-olt_{elsewhere[0]})" if elsewhere else ""
                    raise RegistrationFailed(
                        f"ONU {serial} is not waiting for registration on {fiber}{where}",
                        steps,
                        rolled_back=None,
                    )
                steps.append(f"{serial} is waiting on {fiber}")
                config = await cli.check(f"show run interface {fiber}")
                used = {int(m.group(1)) for m in _ONU_LINE.finditer(config)}
                free = [n for n in range(1, extra.max_onus_per_fiber + 1) if n not in used]
                if not free:
                    raise RegistrationFailed(
                        f"{fiber} is full: all {extra.max_onus_per_fiber} ONU positions are taken",
                        steps,
                        rolled_back=None,
                    )
                number = free[0]
                await cli.check("conf t")
                await cli.check(f"interface {fiber}")
                sent = True
                await cli.check(f"onu {number} type {tpl.onu_type} sn {serial}")
                steps.append(f"added as {fiber}:{number} ({tpl.onu_type})")
                await cli.check("exit")
                port = f"{fiber.replace('gpon-olt_', 'gpon-onu_')}:{number}"
                await cli.check(f"interface {port}")
                if name:
                    await cli.check(f"name {name}")
                if description:
                    await cli.check(f"description {description}")
                for line in tpl.interface:
                    await cli.check(line)
                steps.append(f"{port} configured")
                await cli.check("exit")
                if tpl.mng:
                    await cli.check(f"pon-onu-mng {port}")
                    for line in tpl.mng:
                        await cli.check(line)
                    await cli.check("exit")
                    steps.append(f"{port} services configured")
                await cli.run("end")
                after = await cli.check(f"show run interface {fiber}")
                onu_text = await cli.check(f"show run interface {port}")
        except RegistrationFailed:
            raise
        except DeviceUnreachable as exc:
            if not sent or number is None:
                raise
            await self._give_up(target, fiber, number, steps, str(exc))
        except DeviceError as exc:
            if (
                not sent
                or number is None
                or (isinstance(exc, CliRefused) and exc.command.startswith("onu "))
            ):
                # nothing was added: the OLT refused the ONU itself (or nothing sent yet)
                raise RegistrationFailed(
                    f"registration of {serial} on {fiber} failed: {exc}", steps, rolled_back=None
                ) from None
            await self._give_up(target, fiber, number, steps, str(exc))
        if not any(
            int(m.group(1)) == number and m.group(3).upper() == serial
            for m in _ONU_LINE.finditer(after)
        ):
            await self._give_up(target, fiber, number, steps, "the OLT does not show the new ONU")
        steps.append("read back from the OLT")
        got_name = re.search(r"^\s*name (\S+)", onu_text, re.M)
        return Onu(
            fiber=fiber,
            number=number,
            serial=serial,
            name=got_name.group(1) if got_name else "",
            description=description,
            model=tpl.onu_type,
            status="registered",
            vlans=parse_onu_vlans(onu_text + "\n" + "\n".join(tpl.mng)),
        )

    async def _give_up(
        self, target: Target, fiber: str, number: int, steps: list[str], reason: str
    ) -> NoReturn:
        """Remove the half-configured ONU in a fresh session, then raise."""
        try:
            await self.remove_onu(target, fiber=fiber, number=number)
        except CliRefused as exc:
            if "does not exist" not in exc.line and "32305" not in exc.line:
                steps.append(f"removing {fiber}:{number} again failed: {exc}")
                raise RegistrationFailed(
                    f"registration failed ({reason}) and ONU {number} may be left "
                    f"half-configured on {fiber}: check it on the OLT",
                    steps,
                    rolled_back=False,
                ) from None
            steps.append(f"{fiber}:{number} was not added")  # lost before the OLT took it
        except DeviceError as exc:
            steps.append(f"removing {fiber}:{number} again failed: {exc}")
            raise RegistrationFailed(
                f"registration failed ({reason}) and ONU {number} may be left half-configured "
                f"on {fiber}: check it on the OLT",
                steps,
                rolled_back=False,
            ) from None
        steps.append(f"{fiber}:{number} removed again")
        raise RegistrationFailed(
            f"registration failed ({reason}); the ONU was removed again, nothing is left on {fiber}",
            steps,
            rolled_back=True,
        )
