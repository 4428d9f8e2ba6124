"""Finding registry objects from free text ("г. Москва", "ул. Ленина", "12к1")."""

from __future__ import annotations

import re

from django.db.models import Q, QuerySet

from lastmile.addresses.models import AddressObject, Level

_TYPE_WORDS = (
    "г", "город", "гор", "пгт", "п", "пос", "поселок", "посёлок", "с", "село", "д", "дер",
    "деревня", "ст", "станица", "рп", "ул", "улица", "пр", "пр-кт", "просп", "проспект",
    "пер", "переулок", "б-р", "бульвар", "ш", "шоссе", "наб", "набережная", "пл", "площадь",
    "проезд", "пр-д", "мкр", "микрорайон", "тупик", "туп", "аллея", "кв", "офис", "дом",
)  # fmt: skip
_TYPE_RE = re.compile(
    r"(^|\s)("
    + "|".join(re.escape(w) for w in sorted(_TYPE_WORDS, key=len, reverse=True))
    + r")\.?(?=\s|$)",
    re.IGNORECASE,
)


def clean_name(text: str) -> str:
    """A name without its type word and dots: "ул. Ленина" → "ленина"."""
    text = text.replace("ё", "е").replace("Ё", "Е")
    text = _TYPE_RE.sub(" ", f" {text} ")
    return " ".join(text.replace(".", " ").split()).lower()


def split_house(text: str) -> tuple[str, str, str, str]:
    """ "12к1", "12 корп. 1", "12/1 стр 2", "12А" → (number, building, structure, letter)."""
    text = text.lower().replace("ё", "е").strip()
    text = re.sub(r"^(д\.?|дом)\s*", "", text)
    building = structure = letter = ""
    m = re.search(r"\s*(?:корпус|корп|к)\.?\s*([0-9а-я]+)", text)
    if m:
        building, text = m.group(1), text[: m.start()] + text[m.end() :]
    m = re.search(r"\s*(?:строение|стр|с)\.?\s*([0-9а-я]+)", text)
    if m:
        structure, text = m.group(1), text[: m.start()] + text[m.end() :]
    m = re.fullmatch(r"\s*([0-9]+(?:/[0-9]+)?)\s*(?:лит\.?|литера)?\s*([а-я])?\s*", text)
    if m:
        return m.group(1), building, structure, (m.group(2) or "").upper()
    return text.strip(), building, structure, letter


def _named(queryset: QuerySet[AddressObject], name: str) -> QuerySet[AddressObject]:
    variants = {name, name.replace("е", "ё")}
    condition = Q()
    for variant in variants:
        condition |= Q(name__iexact=variant)
    return queryset.filter(condition)


def localities(name: str) -> QuerySet[AddressObject]:
    return _named(AddressObject.objects.filter(level=Level.LOCALITY, is_active=True), name)


def streets(locality: AddressObject, name: str) -> QuerySet[AddressObject]:
    """Streets of the locality, directly or under a planning element / district."""
    under = Q(parent=locality) | Q(parent__parent=locality)
    return _named(AddressObject.objects.filter(under, level=Level.STREET, is_active=True), name)


def houses(parent: AddressObject, house_text: str) -> QuerySet[AddressObject]:
    number, building, structure, letter = split_house(house_text)
    # GAR writes a letter either in the number ("5А") or as a part (литера А).
    same_number = Q(name__iexact=number + letter, letter="") | Q(
        name__iexact=number, letter__iexact=letter
    )
    return AddressObject.objects.filter(
        same_number,
        parent=parent,
        level=Level.HOUSE,
        is_active=True,
        building__iexact=building,
        structure__iexact=structure,
    )


def search(text: str, limit: int = 50) -> QuerySet[AddressObject]:
    """Objects whose name contains every word of ``text`` (for the registry search)."""
    queryset = AddressObject.objects.all()
    for word in clean_name(text).split():
        queryset = queryset.filter(name__icontains=word)
    return queryset.select_related("parent").order_by("level", "name")[:limit]
