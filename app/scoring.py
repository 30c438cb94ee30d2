"""The priority formula: pure arithmetic, explainable on the page.

    priority = impact × attainability × (1 − scoop_risk × (1 − residual)) × 100

Each 1–5 score maps onto a probability-like scale (`mapping`), and `residual`
is the share of value a project keeps if someone else ships first, set by its
success axis: aiming to be first keeps little, aiming to be best or open
keeps more.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Protocol


class SuccessAxis(StrEnum):
    """What winning means: being first, being the thorough best, or being open."""

    first = "first"
    best = "best"
    open = "open"


class ScoreField(StrEnum):
    attainability = "attainability"
    scoop_risk = "scoop_risk"
    impact = "impact"


@dataclass(frozen=True)
class ScoringConfig:
    mapping: tuple[float, float, float, float, float]
    residuals: dict[SuccessAxis, float] = field(hash=False)

    def mapped(self, score: int) -> float:
        """A 1–5 score on the probability-like scale of the formula."""
        return self.mapping[score - 1]

    def formula(self) -> str:
        scale = ", ".join(f"{i}→{_fmt(v)}" for i, v in enumerate(self.mapping, start=1))
        residuals = ", ".join(f"{axis.value} {_fmt(self.residuals[axis])}" for axis in SuccessAxis)
        return (
            "priority = impact × attainability × (1 − scoop risk × (1 − residual)) × 100, "
            f"with scores mapped {scale} and the residual (value kept if someone ships first) "
            f"set by the success axis: {residuals}"
        )


def config_from_settings(settings: object) -> ScoringConfig:
    return ScoringConfig(
        mapping=tuple(settings.score_mapping),  # type: ignore[attr-defined]
        residuals={
            SuccessAxis.first: settings.residual_first,  # type: ignore[attr-defined]
            SuccessAxis.best: settings.residual_best,  # type: ignore[attr-defined]
            SuccessAxis.open: settings.residual_open,  # type: ignore[attr-defined]
        },
    )


class Scored(Protocol):
    attainability: int
    scoop_risk: int
    impact: int
    success_axis: SuccessAxis


@dataclass(frozen=True)
class Scores:
    attainability: int
    scoop_risk: int
    impact: int
    success_axis: SuccessAxis

    @classmethod
    def of(cls, scored: Scored) -> "Scores":
        return cls(
            scored.attainability, scored.scoop_risk, scored.impact, SuccessAxis(scored.success_axis)
        )

    def moved(self, score: ScoreField, value: int) -> "Scores":
        return replace(self, **{score.value: value})


@dataclass(frozen=True)
class Priority:
    value: float  # rounded to one decimal: what is shown is what is ranked
    impact: float
    attainability: float
    scoop_risk: float
    residual: float
    success_axis: SuccessAxis

    @property
    def scoop_factor(self) -> float:
        return 1 - self.scoop_risk * (1 - self.residual)

    def explanation(self) -> str:
        return (
            f"{_fmt(self.value)} = impact {_fmt(self.impact)} × attainability "
            f"{_fmt(self.attainability)} × scoop factor {_fmt(self.scoop_factor, 3)} "
            f"(1 − scoop risk {_fmt(self.scoop_risk)} × (1 − residual {_fmt(self.residual)} "
            f"for '{self.success_axis.value}')) × 100"
        )


def priority(scores: Scores, config: ScoringConfig) -> Priority:
    impact = config.mapped(scores.impact)
    attainability = config.mapped(scores.attainability)
    scoop_risk = config.mapped(scores.scoop_risk)
    residual = config.residuals[scores.success_axis]
    # Decimal arithmetic, rounded half-up: the figure a reader gets by hand.
    d = {
        name: Decimal(str(v))
        for name, v in (("i", impact), ("a", attainability), ("s", scoop_risk), ("r", residual))
    }
    raw = d["i"] * d["a"] * (1 - d["s"] * (1 - d["r"])) * 100
    return Priority(
        value=float(raw.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)),
        impact=impact,
        attainability=attainability,
        scoop_risk=scoop_risk,
        residual=residual,
        success_axis=scores.success_axis,
    )


@dataclass(frozen=True)
class Ranked:
    project_id: int
    title: str
    scores: Scores
    priority: Priority
    rank: int


def rank(entries: Iterable[tuple[int, str, Scores]], config: ScoringConfig) -> list[Ranked]:
    """Rank by priority; ties break on impact, then attainability, then lower
    scoop risk, then title, then id, so the order never depends on luck."""
    scored = [(pid, title, s, priority(s, config)) for pid, title, s in entries]
    scored.sort(
        key=lambda e: (
            -e[3].value,
            -e[2].impact,
            -e[2].attainability,
            e[2].scoop_risk,
            e[1].casefold(),
            e[0],
        )
    )
    return [Ranked(pid, title, s, p, i) for i, (pid, title, s, p) in enumerate(scored, start=1)]


@dataclass(frozen=True)
class RankMove:
    project_id: int
    title: str
    before: int
    after: int
    priority_before: float
    priority_after: float


def what_if(
    entries: Sequence[tuple[int, str, Scores]],
    config: ScoringConfig,
    *,
    project_id: int,
    scores: Scores,
) -> list[RankMove]:
    """The ranking before and after one project's scores change, in the new order."""
    before = {r.project_id: r for r in rank(entries, config)}
    changed = [(pid, title, scores if pid == project_id else s) for pid, title, s in entries]
    return [
        RankMove(
            project_id=r.project_id,
            title=r.title,
            before=before[r.project_id].rank,
            after=r.rank,
            priority_before=before[r.project_id].priority.value,
            priority_after=r.priority.value,
        )
        for r in rank(changed, config)
    ]


def _fmt(value: float, places: int = 2) -> str:
    text = f"{value:.{places}f}".rstrip("0").rstrip(".")
    return text or "0"
