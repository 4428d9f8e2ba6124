"""One notion of "the same phone number" for storing and searching.

Staff type numbers as "+7 (910) 833-86-90", "8 910 833 86 90" or
"9108338690".  ``phone_key`` reduces each of them to the national number
(the last ten digits for Russian 11-digit numbers starting with 7 or 8), so
a search by any spelling finds a number stored in any other.
"""

from __future__ import annotations

import re

_NON_DIGITS = re.compile(r"\D")

# Shorter than this is more likely part of a contract number or a house than a phone.
MIN_PHONE_DIGITS = 6


def phone_digits(text: str) -> str:
    return _NON_DIGITS.sub("", text)


def phone_key(text: str) -> str:
    """The comparable part of a phone number ('' if ``text`` holds too few digits)."""
    digits = phone_digits(text)
    if len(digits) == 11 and digits[0] in "78":
        digits = digits[1:]
    return digits if len(digits) >= MIN_PHONE_DIGITS else ""
