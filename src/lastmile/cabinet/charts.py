"""The traffic chart of the cabinet, drawn on the server as SVG geometry (no
script: the pages' CSP allows none inline, and a phone draws it at once)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.template.defaultfilters import filesizeformat
from django.utils import formats

from lastmile.cabinet.queries import TrafficDay

WIDTH, HEIGHT = 600, 200
LEFT, BOTTOM, TOP = 4, 22, 16


@dataclass(frozen=True)
class Bar:
    x: float
    up_x: float
    width: float
    down_y: float
    down_h: float
    up_y: float
    up_h: float
    label: str  # the day and both amounts, for the tooltip and screen readers
    tick: str  # the day's number under every fifth bar, else ""


def _scale(value: int, peak: int, room: float) -> float:
    return round(room * value / peak, 1) if peak else 0.0


def traffic_chart(days: Sequence[TrafficDay]) -> dict[str, object]:
    """Two bars a day (download, upload) scaled to the busiest day."""
    peak = max([max(d.downloaded, d.uploaded) for d in days] + [0])
    room = HEIGHT - BOTTOM - TOP
    slot = (WIDTH - LEFT) / max(len(days), 1)
    half = max(slot / 2 - 1, 1)
    bars = []
    for n, day in enumerate(days):
        x = LEFT + n * slot
        down_h, up_h = _scale(day.downloaded, peak, room), _scale(day.uploaded, peak, room)
        when = formats.date_format(day.day, "SHORT_DATE_FORMAT")
        bars.append(
            Bar(
                x=round(x, 1),
                up_x=round(x + half, 1),
                width=round(half, 1),
                down_y=round(HEIGHT - BOTTOM - down_h, 1),
                down_h=down_h,
                up_y=round(HEIGHT - BOTTOM - up_h, 1),
                up_h=up_h,
                label=f"{when}: ↓ {filesizeformat(day.downloaded)}, ↑ {filesizeformat(day.uploaded)}",
                tick=str(day.day.day) if (len(days) - 1 - n) % 5 == 0 else "",
            )
        )
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "baseline": HEIGHT - BOTTOM,
        "tick_y": HEIGHT - 6,
        "peak": filesizeformat(peak),
        "has_data": peak > 0,
        "bars": bars,
        "days": days,
    }
