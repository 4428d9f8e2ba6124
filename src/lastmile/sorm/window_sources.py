"""Window and dictionary sources: payments and the AAA log read
append-mostly tables by time and id; the service list and special numbers
are small enough to send whole every time; lease binds are the state at the
window's end."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, timedelta
from typing import Any

from django.apps import apps
from django.db import models

from lastmile.sorm import journal
from lastmile.sorm.formats import DATETIME_FORMAT
from lastmile.sorm.journal_sources import _mac_or_blank
from lastmile.sorm.source_base import JournalSource, Row, Window, _conf


def service_list(window: Window) -> Iterator[Row]:
    """Every tariff created by the window's end is a service of the list."""
    tariffs = apps.get_model("subscriptions.Tariff").objects.filter(created_at__lte=window.until)
    for tariff in tariffs.order_by("id").iterator(journal.CHUNK):
        yield {
            "service_id": tariff.pk,
            "mnemonic": tariff.name[:64],
            "description": (tariff.description or tariff.name)[:256],
            "begin_time": tariff.created_at,
            "operator_type_id": _conf().sorm_network_type,
        }


def lease_binds(window: Window) -> Iterator[Row]:
    """``login;ip,ip`` for each customer with a lease active at the window's end."""
    lease_model = apps.get_model("network.Lease")
    at = window.until
    leases = (
        lease_model.objects.filter(started_at__lte=at)
        .filter(models.Q(ended_at__isnull=True) | models.Q(ended_at__gt=at))
        .order_by("customer__login", "address")
        .values_list("customer__login", "address")
        .iterator(journal.CHUNK)
    )
    current: str | None = None
    addresses: list[str] = []
    for login, address in leases:
        if login != current and addresses and current is not None:
            yield {"login": current, "ips": ",".join(addresses)}
            addresses = []
        current = login
        addresses.append(str(address))
    if addresses and current is not None:
        yield {"login": current, "ips": ",".join(addresses)}


CASH_GATEWAYS = frozenset({"cash", "desk"})


def payments(window: Window) -> Iterator[Row]:
    """Payments received: by id watermark (incremental) or the last
    ``sorm_payments_full_days`` (full / as of)."""
    payment_model = apps.get_model("finance.Payment")
    label = journal.watermark_key(payment_model)
    queryset = payment_model.objects.filter(created_at__lte=window.until)
    if window.incremental:
        queryset = payment_model.objects.filter(
            pk__gt=window.after.get(label, 0), pk__lte=window.upto.get(label, 0)
        )
    else:
        since = window.until - timedelta(days=_conf().sorm_payments_full_days)
        queryset = queryset.filter(paid_at__gt=since, paid_at__lte=window.until)
    rows = (
        queryset.order_by("paid_at", "id")
        .values_list("account__customer_id", "paid_at", "amount", "gateway", "receipt_number", "id")
        .iterator(journal.CHUNK)
    )
    for customer_id, paid_at, amount, gateway, receipt, pk in rows:
        params = [f"шлюз {gateway}", f"платёж {pk}"]
        if receipt:
            params.append(f"чек {receipt}")
        yield {
            "customer_id": str(customer_id),
            "pay_time": paid_at,
            "amount": amount,
            "pay_description": "Наличные" if gateway in CASH_GATEWAYS else "Безналичный",
            "pay_params": ", ".join(params),
        }


def aaa(window: Window) -> Iterator[Row]:
    """Session starts (0), stops (1) and interim updates (2) in the window,
    from the session log.  A session row keeps only its latest counters
    (``updated_at``: the last interim update), so of the interim updates the
    last one is sent, when it lies in the window and is neither the start nor
    the stop; the earlier ones are gone (sorm-format.md §3.16)."""
    session_model = apps.get_model("network.Session")
    nas_model = apps.get_model("network.Nas")
    nas_ips = dict(nas_model.objects.values_list("id", "address"))
    since = window.since or window.until - timedelta(hours=_conf().sorm_aaa_full_hours)
    fields = (
        "acct_session_id",
        "address",
        "login",
        "nas_id",
        "nas_port",
        "mac",
        "octets_in",
        "octets_out",
    )
    # Starts (0) without counters, then stops (1) and interim updates (2) with them.
    for event_type, moment in ((0, "started_at"), (1, "stopped_at"), (2, "updated_at")):
        events = session_model.objects.filter(
            **{f"{moment}__gt": since, f"{moment}__lte": window.until}
        )
        if event_type == 2:
            events = events.filter(updated_at__gt=models.F("started_at")).filter(
                models.Q(stopped_at__isnull=True) | models.Q(stopped_at__gt=models.F("updated_at"))
            )
        for values in (
            events.order_by(moment, "id").values_list(moment, *fields).iterator(journal.CHUNK)
        ):
            yield _aaa_row(event_type, values, nas_ips, octets=event_type != 0)


def _aaa_row(
    event_type: int, values: tuple[Any, ...], nas_ips: dict[int, str], *, octets: bool
) -> Row:
    at, session_id, address, login, nas_id, nas_port, mac, octets_in, octets_out = values
    return {
        "event_time": at,
        "event_type": event_type,
        "session_id": session_id,
        "customer_ip": address or "",
        "customer_db_username": login,
        "connection_type": 0,
        "nas_ip_addr": nas_ips.get(nas_id, "0.0.0.0"),  # noqa: S104 (a value, not a bind)
        "nas_port": int(nas_port) if str(nas_port or "").isdigit() else 0,
        # octets_in is what the NAS received from the subscriber.
        "input_octets": octets_in if octets else 0,
        "output_octets": octets_out if octets else 0,
        "customer_device_mac": _mac_or_blank(mac),
        "device_point_id": 0,
    }


def special_numbers(window: Window) -> Iterator[Row]:
    """The operator's special numbers from ``LASTMILE_SORM_SPECIAL_NUMBERS``."""
    for entry in _conf().sorm_special_numbers:
        parts = [p.strip() for p in entry.split(";")]
        number = "".join(ch for ch in parts[0] if ch.isdigit())
        start = None
        if len(parts) > 2 and parts[2]:
            try:
                start = datetime.strptime(parts[2], DATETIME_FORMAT).astimezone()
            except ValueError:
                start = None
        yield {
            "tel_number": number,
            "description": (parts[1] if len(parts) > 1 else "").replace('"', ""),
            "start_time": start,
        }


def _switch(data: dict[str, Any]) -> list[Row]:
    """One journal snapshot of a device (``lastmile.devices``) as its
    switches row, keyed ``switch_<pk>`` (sorm-format.md §3.12); a device with
    no installation address (typed or from the registry) is not a switch.
    The place is the full text of the device's registry address
    (``address_object``, the same text as the access points'
    ``full_address``), else the typed address; the file has no column for
    the address object's id.  A device without a comment is described by
    its name rather than dropped (the predecessor lost such rows).
    ``start_usage_time`` is the device's creation; ``end_usage_time`` is
    filled from the delete event only (the format has no other interval)."""
    if not (data["address"] or "").strip() and data["address_object_id"] is None:
        return []
    text = " ".join((data["description"] or "").split()) or data["name"]
    return [
        {
            "title": f"switch_{data['id']}",
            "switch_type": "internal",
            "network_type": _conf().sorm_network_type,
            "description": text[:256],
            "place": _device_place(data["address_object_id"], data["address"] or "")[:1024],
            "start_usage_time": data["created_at"],
        }
    ]


#: The switches file reads the devices' journal (``devices.DeviceEvent``):
#: an as-of rebuild shows each device as it was then, and a deletion gives
#: the device's row with ``end_usage_time``.  Only the columns the file
#: carries make a new version (status and polling changes do not).
SWITCHES = JournalSource(
    "devices.DeviceEvent",
    ("id", "name", "description", "address", "address_object_id", "created_at"),
    _switch,
    delete_end="end_usage_time",
    snapshot_where="(s.address <> '' OR s.address_object_id IS NOT NULL)",
)


def switches(window: Window) -> Iterator[Row]:
    """The switches file, when the devices app is installed (``SWITCHES``)."""
    if not apps.is_installed("lastmile.devices"):
        return iter(())
    return SWITCHES.rows(window)


def _device_place(object_id: int | None, typed: str) -> str:
    """The registry address's full text, or the typed one when the device is
    not linked (or its object has no text)."""
    from lastmile.sorm import parties_sources

    if object_id is not None and parties_sources.available():
        parts = parties_sources.address_parts(object_id)
        if parts is not None and parts.full:
            return parts.full
    return typed.strip()


def nothing(window: Window) -> Iterator[Row]:
    """A file type fed elsewhere (the parties sources) or not at all."""
    return iter(())


WINDOW_SOURCES: dict[str, Callable[[Window], Iterable[Row]]] = {
    "service_list": service_list,
    "lease_binds": lease_binds,
    "payments": payments,
    "aaa": aaa,
    "special_numbers": special_numbers,
    "switches": switches,
    "regions": nothing,
    "contracts": nothing,
    "fiz": nothing,
    "jur": nothing,
    "ap": nothing,
}
