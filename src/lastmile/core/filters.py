"""Date filters of the staff lists: a date picker that also takes what the
tables print.

The browser's ``<input type="date">`` sends ISO dates (2026-12-02).  A filter
link typed or pasted by hand may carry the format the tables show in the
active language (02.12.2026 in Russian, 12/02/2026 in English), possibly
with the time ("02.12.2026 10:15"), and the API passes full ISO date-times.
All of these are accepted; anything else is a form error the list shows
next to its table (the list is then empty, never silently unfiltered).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils import formats, timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _


def _parse_date(text: str) -> date | None:
    """A date in ISO or in the active language's input formats (time ignored)."""
    candidates = [
        "%Y-%m-%d",
        *formats.get_format("DATE_INPUT_FORMATS"),
        *formats.get_format("DATETIME_INPUT_FORMATS"),
    ]
    for fmt in dict.fromkeys(candidates):
        try:
            return datetime.strptime(text, fmt).date()
        except (ValueError, TypeError):
            continue
    return None


def _invalid(value: str) -> forms.ValidationError:
    example = formats.date_format(timezone.localdate(), "SHORT_DATE_FORMAT")
    return forms.ValidationError(
        _("“%(value)s” is not a date. Pick one, or type it like %(example)s."),
        code="invalid",
        params={"value": value[:40], "example": example},
    )


class DatePickerInput(forms.DateInput):
    """``<input type="date">``: its value is always an ISO date."""

    input_type = "date"

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, datetime):
            moment: datetime = timezone.localtime(value) if timezone.is_aware(value) else value
            return moment.date().isoformat()
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, str) and value.strip():
            parsed = parse_datetime(value.strip())
            if parsed is not None:
                return self.format_value(parsed)
            day = _parse_date(value.strip())
            return day.isoformat() if day else value
        return None


class LocalDateField(forms.Field):
    """A date in any of the accepted spellings."""

    widget = DatePickerInput

    def to_python(self, value: Any) -> date | None:
        if value in self.empty_values:
            return None
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        text = str(value).strip()
        day = _parse_date(text)
        if day is None:
            raise _invalid(text)
        return day


class LocalDateTimeBoundField(LocalDateField):
    """A date (a whole local day) or an exact ISO date-time (the API's, a dashboard link's)."""

    def to_python(self, value: Any) -> date | None:
        if value in self.empty_values:
            return None
        if isinstance(value, datetime):
            return value
        text = str(value).strip()
        if "T" in text or ":" in text:
            try:
                moment = parse_datetime(text)
            except ValueError:
                moment = None
            if moment is not None:
                return moment if timezone.is_aware(moment) else timezone.make_aware(moment)
        return super().to_python(text)


class DateFilter(django_filters.DateFilter):
    """A date filter with a date picker (``lookup_expr`` like ``date__gte``)."""

    field_class = LocalDateField


class DateTimeBoundFilter(django_filters.Filter):
    """Bound a date-time field by a date or a date-time.

    ``bound="start"``: from the start of the given local day (or the moment);
    ``bound="end"``: up to the end of the given local day (or the moment).
    """

    field_class = LocalDateTimeBoundField

    def __init__(self, *args: Any, bound: str = "start", **kwargs: Any) -> None:
        if bound not in ("start", "end"):
            raise ValueError("bound is 'start' or 'end'")
        self.bound = bound
        super().__init__(*args, **kwargs)

    def filter(self, qs: QuerySet[Any], value: Any) -> QuerySet[Any]:
        if value in (None, ""):
            return qs
        if isinstance(value, datetime):
            lookup = "gte" if self.bound == "start" else "lte"
            return qs.filter(**{f"{self.field_name}__{lookup}": value})
        start = timezone.make_aware(datetime.combine(value, time.min))
        if self.bound == "start":
            return qs.filter(**{f"{self.field_name}__gte": start})
        next_day = timezone.make_aware(datetime.combine(value + timedelta(days=1), time.min))
        return qs.filter(**{f"{self.field_name}__lt": next_day})
