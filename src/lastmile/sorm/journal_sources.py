"""The journal files of the core apps (subscribers, contacts, services,
static leases, the IP numbering plan, gateways): how one journal snapshot
becomes the file's rows, and the :class:`JournalSource` of each file."""

from __future__ import annotations

import ipaddress
from datetime import datetime
from typing import Any

from django.apps import apps

from lastmile.sorm.formats import RowError, fmt_mac
from lastmile.sorm.source_base import JournalSource, Row, _conf

SERVICE_STATES = ("active", "expired", "terminated")


def holder_id_individual(customer_id: int) -> str:
    """Individuals are held under their customer id; legal entities under
    ``L<pk>`` (a disjoint namespace: sorm-format.md §6.10)."""
    return str(customer_id)


def _abonent(data: dict[str, Any]) -> list[Row]:
    if not data["is_active"]:
        return []
    row = {
        "customer_id": str(data["id"]),
        "legal_customer_id": holder_id_individual(data["id"]),
        "contract_start_date": data["created_at"],
        "customer_login": data["login"],
        "communication_standard": _conf().sorm_communication_standard,
    }
    from lastmile.sorm import parties_sources

    if parties_sources.available():
        row.update(parties_sources.abonent_row(data))
    return [row]


def _contacts(data: dict[str, Any]) -> list[Row]:
    if not data["is_active"]:
        return []
    name = (data["full_name"] or "").strip()
    contacts = [f"{name} {phone}".strip() for phone in data["phones"] or [] if phone]
    if data["email"]:
        contacts.append(f"{name} {data['email']}".strip())
    return [{"customer_id": str(data["id"]), "contact": c[:128]} for c in contacts]


_tariff_cache: dict[int, tuple[str, str]] = {}


def _tariff_parameter(tariff_id: int) -> str:
    if tariff_id not in _tariff_cache:
        tariff = apps.get_model("subscriptions.Tariff").objects.filter(pk=tariff_id).first()
        _tariff_cache[tariff_id] = (
            (tariff.name, _speed(tariff.rate_down_kbps)) if tariff else (str(tariff_id), "")
        )
    name, speed = _tariff_cache[tariff_id]
    return f"{name}, {speed}" if speed else name


def _speed(kbps: int) -> str:
    # The files are read by the Russian SORM side: Russian units.
    return f"{kbps // 1000} Мбит/с" if kbps % 1000 == 0 else f"{kbps} кбит/с"  # noqa: RUF001


def _service(data: dict[str, Any]) -> list[Row]:
    if data["state"] not in SERVICE_STATES:
        return []
    begin = data["anchor"] or data["period_start"] or data["created_at"]
    return [
        {
            "service_id": data["tariff_id"],
            "idents": str(data["customer_id"]),
            "parameter": _tariff_parameter(data["tariff_id"])[:256],
            "begin_time": begin,
            "end_time": data["ended_at"],
        }
    ]


def _service_current(data: dict[str, Any], at: datetime) -> bool:
    return data["state"] == "active" and (data["ended_at"] is None or data["ended_at"] > at)


def ip_type(address: str) -> int:
    """0 gray (private, CGNAT and other non-global), 1 white (global)."""
    try:
        ip = ipaddress.ip_address(address.split("/")[0])
    except ValueError:
        return 0
    return 1 if ip.is_global else 0


def _mac_or_blank(value: str) -> str:
    try:
        return fmt_mac(value)
    except RowError:
        return ""


def _static_lease(data: dict[str, Any]) -> list[Row]:
    if data["kind"] != "static":
        return []
    address = str(data["address"])
    prefix = f"{address}/{data['prefix_length']}" if data["prefix_length"] else address
    return [
        {
            "customer_id": str(data["customer_id"]),
            "ip_addr": prefix,
            "ip_addr_type": ip_type(address),
            "assign_time": data["started_at"],
            "dead_time": data["ended_at"],
            "mac_addr": _mac_or_blank(data["mac"]),
        }
    ]


def _lease_current(data: dict[str, Any], at: datetime) -> bool:
    return data["ended_at"] is None or data["ended_at"] > at


POOL_DESCRIPTIONS = {"dynamic": "Динамические;ШПД", "static": "Статические;ШПД"}


def _pool(data: dict[str, Any]) -> list[Row]:
    return [
        {
            "ip_net": data["network"],
            "descr": POOL_DESCRIPTIONS.get(data["kind"], "Динамические;ШПД"),
            "start_usage_time": data["created_at"],
        }
    ]


def _nas(data: dict[str, Any]) -> list[Row]:
    address = str(data["address"])
    host = f"[{address}]" if ":" in address else address
    place = (data["description"] or "").strip() or _conf().sorm_gateway_place
    return [
        {
            "gw_id": data["id"],
            "gw_type": _conf().sorm_gateway_type,
            "descr": data["name"],
            "gw_addr": place,
            "start_use_time": data["created_at"],
            "ip_addrs": f"{host}:{data['coa_port']}",
        }
    ]


CUSTOMER_FIELDS = (
    "id",
    "login",
    "full_name",
    "phones",
    "email",
    "is_active",
    "created_at",
)

JOURNAL_SOURCES: dict[str, JournalSource] = {
    "abonents": JournalSource(
        "customers.CustomerEvent",
        CUSTOMER_FIELDS,
        _abonent,
        key_fields=("is_active", "login", "created_at"),
    ),
    "contacts": JournalSource(
        "customers.CustomerEvent",
        CUSTOMER_FIELDS,
        _contacts,
        interval=("actual_start_time", "actual_end_time"),
        key_fields=("is_active", "full_name", "phones", "email"),
    ),
    "services": JournalSource(
        "subscriptions.SubscriptionEvent",
        (
            "customer_id",
            "tariff_id",
            "state",
            "anchor",
            "period_start",
            "ended_at",
            "created_at",
        ),
        _service,
        is_current=_service_current,
    ),
    "ip_nets": JournalSource(
        "network.LeaseEvent",
        ("customer_id", "address", "prefix_length", "kind", "mac", "started_at", "ended_at"),
        _static_lease,
        is_current=_lease_current,
        seed_condition="b.kind = 'static'",
        snapshot_where="s.kind = 'static'",
    ),
    "ip_numbering": JournalSource(
        "network.PoolEvent",
        ("network", "kind", "created_at"),
        _pool,
        delete_end="end_usage_time",
    ),
    "gateways": JournalSource(
        "network.NasEvent",
        ("id", "name", "address", "coa_port", "description", "created_at"),
        _nas,
        delete_end="deactivate_time",
    ),
}


def reset_tariffs() -> None:
    _tariff_cache.clear()
