"""SOCRBASE: the FIAS/KLADR table of address-object types (level, short
name, full name, code ``KOD_T_ST``), the type code SORM's address-objects
file wants in its ``type_id`` column (sorm-format.md §3.3).

Levels are the FIAS ones: 1 region, 3 district, 4 city, 6 settlement,
7 street.  The codes are the level number followed by the type's place in
the alphabetical list of that level, so FIAS level 4 is KLADR's 3rd level
+ 100, FIAS 6 is KLADR's 4th + 200, FIAS 7 is KLADR's 5th + 200.

Sources (only codes found in them are listed; none is made up):

* Order of the FNS of Russia of 17.11.2005 N SAE-3-13/594@, appendix 1 to
  the KLADR description ("types of address objects and their short names"):
  levels 1–3 and the start of level 4 (zakonbase.ru/content/part/1145086);
* the SOCRBASE table as carried by djing2 (``apps/addresses/fias_socrbase.py``),
  cross-checked against the FNS list where both have a level; its locally
  invented codes and those that contradict the FNS list (e.g. ``с/мо``) are
  left out.

A type not in this table has no code: the object's row is refused by the
``regions`` file and the data-gaps report lists it (staff then fix the
type short name).
"""

from __future__ import annotations

from typing import NamedTuple


class SocrType(NamedTuple):
    level: int  # FIAS level
    short: str  # SCNAME
    name: str  # SOCRNAME
    code: int  # KOD_T_ST


_TABLE: tuple[tuple[int, str, str, int], ...] = (
    # Level 1: subjects of the federation.
    (1, "АО", "Автономный округ", 101),
    (1, "Аобл", "Автономная область", 102),
    (1, "г", "Город", 103),
    (1, "край", "Край", 104),
    (1, "обл", "Область", 105),
    (1, "Респ", "Республика", 106),
    # Level 3: districts.
    (3, "р-н", "Район", 301),
    (3, "у", "Улус", 302),
    (3, "тер", "Территория", 303),
    # Level 4: cities and the units of rural administration.
    (4, "г", "Город", 401),
    (4, "пгт", "Поселок городского типа", 402),
    (4, "рп", "Рабочий поселок", 403),
    (4, "кп", "Курортный поселок", 404),
    (4, "дп", "Дачный поселок", 405),
    (4, "с/с", "Сельсовет", 406),
    (4, "с/а", "Сельская администрация", 407),
    (4, "с/о", "Сельский округ", 409),
    (4, "волость", "Волость", 410),
    (4, "п/о", "Почтовое отделение", 411),
    (4, "тер", "Территория", 412),
    # Level 6: settlements.
    (6, "аал", "Аал", 601),
    (6, "аул", "Аул", 602),
    (6, "волость", "Волость", 603),
    (6, "высел", "Выселки(ок)", 604),
    (6, "г", "Город", 605),
    (6, "д", "Деревня", 606),
    (6, "дп", "Дачный поселок", 607),
    (6, "ж/д_будка", "Железнодорожная будка", 608),
    (6, "ж/д_казарм", "Железнодорожная казарма", 609),
    (6, "ж/д_оп", "ж/д остановочный (обгонный) пункт", 610),
    (6, "ж/д_пост", "Железнодорожный пост", 611),
    (6, "ж/д_рзд", "Железнодорожный разъезд", 612),
    (6, "ж/д_ст", "Железнодорожная станция", 613),
    (6, "заимка", "Заимка", 614),
    (6, "казарма", "Казарма", 615),
    (6, "кп", "Курортный поселок", 616),
    (6, "м", "Местечко", 617),
    (6, "мкр", "Микрорайон", 618),
    (6, "нп", "Населенный пункт", 619),
    (6, "остров", "Остров", 620),
    (6, "п", "Поселок", 621),
    (6, "п/р", "Планировочный район", 622),
    (6, "п/ст", "Поселок и(при) станция(и)", 623),
    (6, "пгт", "Поселок городского типа", 624),
    (6, "починок", "Починок", 625),
    (6, "п/о", "Почтовое отделение", 626),
    (6, "промзона", "Промышленная зона", 627),
    (6, "рзд", "Разъезд", 628),
    (6, "рп", "Рабочий поселок", 629),
    (6, "с", "Село", 630),
    (6, "сл", "Слобода", 631),
    (6, "ст", "Станция", 632),
    (6, "ст-ца", "Станица", 633),
    (6, "у", "Улус", 634),
    (6, "х", "Хутор", 635),
    # Level 7: streets.
    (7, "аллея", "Аллея", 701),
    (7, "б-р", "Бульвар", 702),
    (7, "въезд", "Въезд", 703),
    (7, "дор", "Дорога", 704),
    (7, "жт", "Животноводческая точка", 705),
    (7, "заезд", "Заезд", 706),
    (7, "кв-л", "Квартал", 707),
    (7, "км", "Километр", 708),
    (7, "кольцо", "Кольцо", 709),
    (7, "линия", "Линия", 710),
    (7, "наб", "Набережная", 711),
    (7, "остров", "Остров", 712),
    (7, "парк", "Парк", 713),
    (7, "пер", "Переулок", 714),
    (7, "переезд", "Переезд", 715),
    (7, "пл", "Площадь", 716),
    (7, "пл-ка", "Площадка", 717),
    (7, "проезд", "Проезд", 718),
    (7, "пр-кт", "Проспект", 719),
    (7, "просек", "Просек", 720),
    (7, "проселок", "Проселок", 721),
    (7, "проулок", "Проулок", 722),
    (7, "сад", "Сад", 723),
    (7, "сквер", "Сквер", 724),
    (7, "стр", "Строение", 725),
    (7, "тер", "Территория", 726),
    (7, "тракт", "Тракт", 727),
    (7, "туп", "Тупик", 728),
    (7, "ул", "Улица", 729),
    (7, "уч-к", "Участок", 730),
    (7, "ш", "Шоссе", 731),
)

TYPES: tuple[SocrType, ...] = tuple(SocrType(*row) for row in _TABLE)

#: Our registry level → the FIAS levels its objects may have, in the order tried.
LEVELS: dict[str, tuple[int, ...]] = {
    "region": (1,),
    "district": (3,),
    "locality": (4, 6),
    "street": (7,),
}

_BY_KEY: dict[tuple[int, str], SocrType] = {(t.level, t.short.casefold()): t for t in TYPES}
_BY_CODE: dict[int, SocrType] = {t.code: t for t in TYPES}

# GAR spells some street types out or with a dot ("пр-д", "ул."); the short
# names above are SOCRBASE's.
_ALIASES: dict[str, str] = {
    "улица": "ул",
    "пр-д": "проезд",
    "проспект": "пр-кт",
    "переулок": "пер",
    "бульвар": "б-р",
    "набережная": "наб",
    "площадь": "пл",
    "шоссе": "ш",
    "тупик": "туп",
    "ал": "аллея",
    "город": "г",
    "область": "обл",
    "район": "р-н",
    "республика": "респ",
    "деревня": "д",
    "село": "с",
    "поселок": "п",
    "посёлок": "п",
    "пос": "п",
    "станица": "ст-ца",
    "хутор": "х",
}


def _normal(short: str) -> str:
    text = " ".join(short.split()).casefold().rstrip(".")
    return _ALIASES.get(text, text)


def lookup(level: str, short: str) -> SocrType | None:
    """The SOCRBASE type of a registry object of ``level`` named ``short``
    ("г", "ул", "ул.", "улица"…), or None."""
    key = _normal(short)
    if not key:
        return None
    for fias_level in LEVELS.get(level, ()):
        found = _BY_KEY.get((fias_level, key))
        if found is not None:
            return found
    return None


def by_code(code: int | None) -> SocrType | None:
    return _BY_CODE.get(code) if code is not None else None


def choices(level: str | None = None) -> list[tuple[int, str]]:
    """(code, "ул — Улица (729)") for a form's select, of one level or all."""
    levels = LEVELS.get(level, ()) if level else tuple({t.level: 0 for t in TYPES})
    return [(t.code, f"{t.short} — {t.name} ({t.code})") for t in TYPES if t.level in levels]
