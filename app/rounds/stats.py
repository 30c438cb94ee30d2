"""The agreement of a round's estimates, per score: pure arithmetic."""

import statistics
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from app.scoring import ScoreField

LABELS = {
    ScoreField.attainability: "attainability",
    ScoreField.scoop_risk: "scoop risk",
    ScoreField.impact: "impact",
}
# Estimates this far apart (or further) are a disagreement worth talking about.
WIDE = 2


@dataclass(frozen=True)
class Spread:
    score: ScoreField
    values: tuple[int, ...]
    min: int
    max: int
    median: float
    # What the decide form proposes: the median, a half rounded up.
    proposed: int

    @property
    def wide(self) -> bool:
        return self.max - self.min >= WIDE

    @property
    def label(self) -> str:
        return LABELS[self.score]

    @property
    def text(self) -> str:
        if self.min == self.max:
            return f"agreement on {self.label}: all {self.min}"
        words = "wide disagreement" if self.wide else "close"
        return f"{words} on {self.label}: {self.min} to {self.max}"

    def counts(self) -> list[tuple[int, int]]:
        """(score, how many gave it) for 1 to 5: the distribution."""
        return [(value, self.values.count(value)) for value in range(1, 6)]


def spread(score: ScoreField, values: list[int]) -> Spread | None:
    if not values:
        return None
    median = statistics.median(values)
    proposed = int(Decimal(str(median)).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return Spread(score, tuple(sorted(values)), min(values), max(values), float(median), proposed)


def spreads(estimates: list) -> list[Spread]:
    """One Spread per score over `estimates` (anything with the three scores)."""
    found = []
    for score in ScoreField:
        one = spread(score, [getattr(e, score.value) for e in estimates])
        if one is not None:
            found.append(one)
    return found


# The distribution chart's geometry, in SVG user units.
CHART_WIDTH = 150
CHART_HEIGHT = 60
_BAR = 22
_GAP = 8


@dataclass(frozen=True)
class Bar:
    value: int
    count: int
    x: int
    y: float
    height: float
    width: int = _BAR


def bars(one: Spread) -> list[Bar]:
    """Bars of the distribution, 1 to 5 left to right, the tallest full height."""
    counts = one.counts()
    top = max(n for _, n in counts) or 1
    usable = CHART_HEIGHT - 14  # room for the value labels below
    out = []
    for index, (value, count) in enumerate(counts):
        height = usable * count / top
        out.append(Bar(value, count, index * (_BAR + _GAP) + 2, usable - height, height))
    return out
