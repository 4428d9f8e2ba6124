"""Sources fed by the parties, contracts and addresses apps: individuals,
contracts, address objects, access points, and the subscriber file's holder
and contract date.

Individuals read the journal of ``parties.IndividualDetails`` (passport and
registration address, tracked by pghistory); access points the journal of
``customers.Customer`` (its ``address_object``); both carry the interval each
version was valid in.  Contracts carry their own start and end dates and are
never deleted, so they are read from their table.  Address parts are looked
up once per address (a recursive query per distinct address, cached for the
run).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.apps import apps
from django.db import connection, models

from lastmile.sorm import journal
from lastmile.sorm.source_base import JournalSource, Row, Window

DOCUMENT_TYPE = "Паспорт РФ"
CONTRACT_TITLE = "Договор на оказание услуг связи"
# Levels exported as address objects (houses and below are columns of the
# referencing files, sorm-format.md §3.3).
OBJECT_LEVELS = ("region", "district", "locality", "street")


def available() -> bool:
    return all(apps.is_installed(f"lastmile.{name}") for name in ("parties", "addresses"))


@dataclass(frozen=True)
class AddressParts:
    street_id: str
    house: str
    building: str
    corpus: str
    office: str
    postcode: str
    full: str


_address_cache: dict[int, AddressParts | None] = {}
_holder_cache: dict[str, Any] = {}


def reset_caches() -> None:
    _address_cache.clear()
    _holder_cache.clear()


def address_parts(address_id: int | None) -> AddressParts | None:
    """The street, house parts, office and full text of an address node."""
    if address_id is None:
        return None
    if address_id in _address_cache:
        return _address_cache[address_id]
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH RECURSIVE chain AS (
                SELECT id, parent_id, level, type_short, name, building, structure, letter,
                       postcode, 0 AS depth
                FROM addresses_addressobject WHERE id = %s
                UNION ALL
                SELECT a.id, a.parent_id, a.level, a.type_short, a.name, a.building,
                       a.structure, a.letter, a.postcode, c.depth + 1
                FROM addresses_addressobject a JOIN chain c ON a.id = c.parent_id
                WHERE c.depth < 20
            )
            SELECT id, level, type_short, name, building, structure, letter, postcode
            FROM chain ORDER BY depth DESC
            """,
            [address_id],
        )
        chain = cursor.fetchall()
    parts = _parts(chain) if chain else None
    _address_cache[address_id] = parts
    return parts


def _parts(chain: list[tuple[Any, ...]]) -> AddressParts | None:
    street_id = ""
    house = building = corpus = office = postcode = ""
    labels = []
    for pk, level, type_short, name, bld, structure, letter, code in chain:
        postcode = code or postcode
        if level in OBJECT_LEVELS:
            labels.append(f"{type_short} {name}".strip())
            if level == "street":
                street_id = str(pk)
        elif level == "house":
            house = f"{name}{letter}" if letter else name
            corpus, building = bld, structure
            text = f"д. {house}"
            if bld:
                text += f" к. {bld}"
            if structure:
                text += f" стр. {structure}"
            labels.append(text)
        elif level == "apartment":
            office = name
            labels.append(f"{type_short or 'кв.'} {name}")
    return AddressParts(street_id, house, building, corpus, office, postcode, ", ".join(labels))


def _house_columns(parts: AddressParts | None, text: str) -> Row:
    """The street reference, house parts and full text the fiz and ap files
    share (the free text when the address is not in the registry)."""
    return {
        "parent_id_ao": parts.street_id if parts else "",
        "house_num": parts.house if parts else "",
        "building": parts.building if parts else "",
        "building_corpus": parts.corpus if parts else "",
        "full_description": (parts.full if parts else text)[:1024],
    }


# ---- holders and contract dates ---------------------------------------------------


def branch_legal_ids() -> dict[int, int]:
    if "branches" not in _holder_cache:
        branch = apps.get_model("parties.Branch")
        _holder_cache["branches"] = dict(branch.objects.values_list("customer_id", "legal_entity"))
    cached: dict[int, int] = _holder_cache["branches"]
    return cached


def contract_starts() -> dict[int, Any]:
    """Each customer's earliest main-contract start date."""
    if "starts" not in _holder_cache:
        contract = apps.get_model("contracts.Contract")
        rows = (
            contract.objects.filter(customer__isnull=False, kind="main")
            .values("customer_id")
            .annotate(first=models.Min("starts_on"))
            .values_list("customer_id", "first")
        )
        _holder_cache["starts"] = dict(rows)
    cached: dict[int, Any] = _holder_cache["starts"]
    return cached


def holder_id(customer_id: int) -> str:
    legal = branch_legal_ids().get(customer_id)
    return f"L{legal}" if legal else str(customer_id)


# ---- files -------------------------------------------------------------------------


def regions(window: Window) -> Iterator[Row]:
    """Address objects above the house, parents first."""
    address = apps.get_model("addresses.AddressObject")
    order = models.Case(
        *[models.When(level=level, then=i) for i, level in enumerate(OBJECT_LEVELS)]
    )
    rows = (
        address.objects.filter(level__in=OBJECT_LEVELS, created_at__lte=window.until)
        .annotate(rank=order)
        .order_by("rank", "id")
        .values_list("id", "parent_id", "type_code", "type_short", "name")
        .iterator(journal.CHUNK)
    )
    titles: dict[int, str] = {}
    for pk, parent_id, type_code, type_short, name in rows:
        own = f"{type_short} {name}".strip()
        full = f"{titles[parent_id]}, {own}" if parent_id in titles else own
        titles[pk] = full
        yield {
            "address_id": str(pk),
            "parent_id": str(parent_id) if parent_id else "",
            "type_id": type_code,  # SOCRBASE; none refuses the row (a data gap)
            "region_type": type_short,
            "title": name,
            "full_title": full[:512],
        }


def contracts(window: Window) -> Iterator[Row]:
    """Customer contracts that had started by the window's end (legal
    entities' own contracts have no rows here: their branches' do)."""
    contract = apps.get_model("contracts.Contract")
    queryset = contract.objects.filter(customer__isnull=False, created_at__lte=window.until)
    if window.incremental:
        queryset = queryset.filter(updated_at__gt=window.since)
    else:
        queryset = queryset.exclude(state="draft")
    at_day = window.until.date()
    rows = queryset.order_by("id").values_list(
        "id", "customer_id", "starts_on", "ends_on", "number", "title"
    )
    for pk, customer_id, starts_on, ends_on, number, title in rows.iterator(journal.CHUNK):
        yield {
            "contract_id": str(pk),
            "customer_id": str(customer_id),
            "contract_start_date": starts_on,
            "contract_end_date": ends_on if ends_on and ends_on <= at_day else None,
            "contract_number": number,
            "contract_title": (title or CONTRACT_TITLE)[:256],
        }


def _individual(data: dict[str, Any]) -> list[Row]:
    from lastmile.parties.models import Passport

    passport = Passport()
    if data["passport_encrypted"]:
        from lastmile.core.crypto import decrypt_secret

        passport = Passport.from_json(decrypt_secret(data["passport_encrypted"]))
    if not (data["first_name"] or data["last_name"]):
        return []
    customer_id = data["customer_id"]
    if customer_id in branch_legal_ids():
        return []  # a branch's person row comes with the legal entity (not done yet)
    address = address_parts(data["registration_address_id"])
    return [
        {
            "contract_id": holder_id(customer_id),
            "name": data["first_name"] or data["last_name"],
            "last_name": data["patronymic"],
            "surname": data["last_name"] if data["first_name"] else "",
            "birthday": passport.birth_date,
            "document_type": DOCUMENT_TYPE if data["has_passport"] else "",
            "document_serial": passport.series,
            "document_number": passport.number,
            "document_distributor": passport.issued_by,
            "passport_code": passport.unit_code,
            "passport_date": passport.issued_on,
            "house": address.office if address else "",
            **_house_columns(address, data["registration_address_text"]),
            "customer_id": str(customer_id),
        }
    ]


def _access_point(data: dict[str, Any]) -> list[Row]:
    if not data["is_active"] or data["address_object_id"] is None:
        return []
    address = address_parts(data["address_object_id"])
    if address is None:
        return []
    return [
        {
            "ap_id": str(data["address_object_id"]),
            "customer_id": str(data["id"]),
            "house": address.house or address.office,
            "full_address": address.full[:512],
            **_house_columns(address, ""),
        }
    ]


INDIVIDUAL_FIELDS = (
    "customer_id",
    "last_name",
    "first_name",
    "patronymic",
    "passport_encrypted",
    "has_passport",
    "registration_address_id",
    "registration_address_text",
)


def journal_sources() -> dict[str, JournalSource]:
    return {
        "fiz": JournalSource(
            "parties.IndividualDetailsEvent",
            INDIVIDUAL_FIELDS,
            _individual,
            interval=("actual_start_time", "actual_end_time"),
        ),
        "ap": JournalSource(
            "customers.CustomerEvent",
            ("id", "is_active", "address_object_id"),
            _access_point,
            interval=("actual_start_time", "actual_end_time"),
            key_fields=("is_active", "address_object_id"),
            snapshot_where="s.is_active AND s.address_object_id IS NOT NULL",
        ),
    }


def abonent_row(data: dict[str, Any]) -> Row:
    """Holder id and contract date for the subscriber file once contracts exist."""
    customer_id = data["id"]
    start: datetime | Any = contract_starts().get(customer_id)
    legal = branch_legal_ids().get(customer_id)
    if legal is not None:  # a branch: the organisation's contract date
        start = _legal_contracts().get(legal, (None, None))[0] or start
    return {
        "legal_customer_id": holder_id(customer_id),
        "contract_start_date": start or data["created_at"],
    }


# ---- legal entities -------------------------------------------------------------------


def _legal_contracts() -> dict[int, tuple[Any, Any]]:
    """Each legal entity's main contract: (start, end)."""
    if "legal_contracts" not in _holder_cache:
        contract = apps.get_model("contracts.Contract")
        rows = (
            contract.objects.filter(legal_entity__isnull=False, kind="main")
            .order_by("legal_entity_id", "starts_on", "id")
            .values_list("legal_entity_id", "starts_on", "ends_on")
        )
        found: dict[int, tuple[Any, Any]] = {}
        for legal_id, starts_on, ends_on in rows:
            found.setdefault(legal_id, (starts_on, ends_on))
        _holder_cache["legal_contracts"] = found
    cached: dict[int, tuple[Any, Any]] = _holder_cache["legal_contracts"]
    return cached


def _day_start(day: Any) -> Any:
    if day is None:
        return None
    from django.utils import timezone

    return timezone.make_aware(datetime(day.year, day.month, day.day))


def _address_block(prefix: str, address_id: int | None, text: str) -> Row:
    parts = address_parts(address_id)
    if parts is None:
        return {f"{prefix}full_description": text[:1024]}
    return {
        f"{prefix}post_index": parts.postcode,
        f"{prefix}office": parts.office,
        f"{prefix}parent_id_ao": parts.street_id,
        f"{prefix}house": parts.house,
        f"{prefix}building": parts.building,
        f"{prefix}building_corpus": parts.corpus,
        f"{prefix}full_description": (parts.full or text)[:1024],
    }


def _branches(window: Window) -> Iterator[tuple[Any, int]]:
    branch = apps.get_model("parties.Branch")
    rows = (
        branch.objects.filter(
            created_at__lte=window.until, customer__is_active=True, legal_entity__is_active=True
        )
        .select_related("legal_entity")
        .order_by("legal_entity_id", "customer_id")
    )
    for row in rows.iterator(journal.CHUNK):
        yield row.legal_entity, row.customer_id


def jur(window: Window) -> Iterator[Row]:
    """One row per active branch of each legal entity (key: legal id + branch).
    The postal address serves as the delivery address too."""
    for legal, customer_id in _branches(window):
        start, end = _legal_contracts().get(legal.pk, (None, None))
        postal_id, postal_text = legal.postal()
        phones = ", ".join(p for p in (legal.phone, legal.responsible_phone) if p)
        yield {
            "legal_id": f"L{legal.pk}",
            "legal_title": legal.sorm_title()[:256],
            "inn": legal.inn,
            **_address_block("", legal.legal_address_id, legal.legal_address_text),
            "customer_bank": legal.bank_name,
            "customer_bank_num": legal.account,
            "contact_telephones": phones[:128],
            **_address_block("post_", getattr(postal_id, "pk", None), postal_text),
            **_address_block("delivery_", getattr(postal_id, "pk", None), postal_text),
            "actual_start_time": _day_start(start) or legal.created_at,
            "actual_end_time": _day_start(end) if end and end <= window.until.date() else None,
            "customer_id": str(customer_id),
        }


def branch_people(window: Window) -> Iterator[Row]:
    """The fiz row of each branch: the legal entity's named responsible person."""
    for legal, customer_id in _branches(window):
        start, end = _legal_contracts().get(legal.pk, (None, None))
        parts = address_parts(legal.legal_address_id)
        yield {
            "contract_id": f"L{legal.pk}",
            "name": legal.responsible_first_name or legal.responsible_last_name,
            "last_name": legal.responsible_patronymic,
            "surname": legal.responsible_last_name if legal.responsible_first_name else "",
            **_house_columns(parts, legal.legal_address_text),
            "actual_start_time": _day_start(start) or legal.created_at,
            "actual_end_time": _day_start(end) if end and end <= window.until.date() else None,
            "customer_id": str(customer_id),
        }
