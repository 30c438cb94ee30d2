"""Geometry for the pace page's SVG charts (12 weeks): hours against the
user's limit, weekend and late-night entries, energy. Templates draw; this
module only computes where things go, on axes with ticks and units."""

import math
from dataclasses import dataclass

from app.journal.queries import Pace

WIDTH, HEIGHT = 720, 200
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 14, 34


def nice_ticks(top: float, *, most: int = 5) -> list[float]:
    """0 up to a round number at or above `top`, in 1/2/5 × 10ⁿ steps, at most
    `most` + 1 ticks (the usual "nice numbers" rule, small enough to keep here)."""
    top = max(top, 1.0)
    raw = top / most
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    count = math.ceil(top / step - 1e-9)
    return [round(i * step, 6) for i in range(count + 1)]


@dataclass(frozen=True)
class Axis:
    """A vertical scale from `low` at the bottom of the plot to `high` at its top."""

    low: float
    high: float

    def y(self, value: float) -> float:
        span = self.high - self.low or 1
        return round(HEIGHT - BOTTOM - (HEIGHT - TOP - BOTTOM) * (value - self.low) / span, 1)


def _ticks(axis: Axis, values: list[float]) -> list[dict]:
    return [{"value": f"{v:g}", "y": axis.y(v)} for v in values]


def pace_charts(pace: Pace, *, hours_limit: int) -> dict:
    weeks = pace.weeks
    step = (WIDTH - LEFT - RIGHT) / len(weeks)
    centre = [round(LEFT + step * (i + 0.5), 1) for i in range(len(weeks))]
    bar_w = round(step * 0.6, 1)

    hour_ticks = nice_ticks(max([float(w.hours) for w in weeks] + [hours_limit]) * 1.05)
    hours = Axis(0, hour_ticks[-1])
    count_ticks = [
        t
        for t in nice_ticks(
            max([w.weekend_entries for w in weeks] + [w.late_entries for w in weeks] + [4])
        )
        if t == int(t)
    ]
    counts = Axis(0, count_ticks[-1])
    energy = Axis(1, 5)
    half = round(bar_w / 2, 1)
    return {
        "box": {
            "width": WIDTH,
            "height": HEIGHT,
            "left": LEFT,
            "right": WIDTH - RIGHT,
            "top": TOP,
            "bottom": HEIGHT - BOTTOM,
        },
        "weeks": [
            {"label": w.label, "x": x, "week": w} for w, x in zip(weeks, centre, strict=True)
        ],
        "hours": {
            "ticks": _ticks(hours, hour_ticks),
            "limit": {"value": hours_limit, "y": hours.y(hours_limit)},
            "bars": [
                {
                    "x": round(x - bar_w / 2, 1),
                    "w": bar_w,
                    "y": hours.y(float(w.hours)),
                    "h": round(hours.y(0) - hours.y(float(w.hours)), 1),
                    "week": w,
                    "over": float(w.hours) > hours_limit,
                }
                for w, x in zip(weeks, centre, strict=True)
            ],
        },
        "odd": {
            "ticks": _ticks(counts, count_ticks),
            "bars": [
                {
                    "x": round(x - half, 1),
                    "w": half,
                    "week": w,
                    "weekend_y": counts.y(w.weekend_entries),
                    "weekend_h": round(counts.y(0) - counts.y(w.weekend_entries), 1),
                    "late_y": counts.y(w.late_entries),
                    "late_h": round(counts.y(0) - counts.y(w.late_entries), 1),
                }
                for w, x in zip(weeks, centre, strict=True)
            ],
        },
        "energy": {
            "ticks": _ticks(energy, [1, 2, 3, 4, 5]),
            "points": [
                (x, energy.y(w.energy))
                for w, x in zip(weeks, centre, strict=True)
                if w.energy is not None
            ],
        },
    }
