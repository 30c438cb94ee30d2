"""Geometry for the server-rendered SVG charts: the portfolio map and score history.

Templates draw; this module only computes where things go."""

import math
from dataclasses import dataclass

# Scoop risk 1 (calm) to 5 (hot). The digit is also drawn inside each marker,
# so the chart reads without colour.
RISK_COLOURS = ("#1a9850", "#91cf60", "#e6c229", "#fc8d59", "#d73027")

MAP_WIDTH, MAP_HEIGHT, MAP_MARGIN = 520, 420, 48


@dataclass(frozen=True)
class MapPoint:
    project_id: int
    title: str
    rank: int | None
    attainability: int
    impact: int
    scoop_risk: int
    x: float
    y: float
    colour: str


def _axis(value: int, length: float) -> float:
    return MAP_MARGIN + (value - 1) * (length - 2 * MAP_MARGIN) / 4


def map_points(rows: list) -> list[MapPoint]:
    """One point per project; projects sharing a cell are spread on a small ring."""
    cells: dict[tuple[int, int], list] = {}
    for row in rows:
        cells.setdefault((row.assessment.attainability, row.assessment.impact), []).append(row)
    points = []
    for (attainability, impact), members in cells.items():
        cx = _axis(attainability, MAP_WIDTH)
        cy = MAP_HEIGHT - _axis(impact, MAP_HEIGHT)
        radius = 0 if len(members) == 1 else min(34.0, 10 + 4 * len(members))
        for i, row in enumerate(members):
            angle = 2 * math.pi * i / len(members)
            points.append(
                MapPoint(
                    project_id=row.project.id,
                    title=row.project.title,
                    rank=row.rank,
                    attainability=attainability,
                    impact=impact,
                    scoop_risk=row.assessment.scoop_risk,
                    x=round(cx + radius * math.cos(angle), 1),
                    y=round(cy + radius * math.sin(angle), 1),
                    colour=RISK_COLOURS[row.assessment.scoop_risk - 1],
                )
            )
    return points


def map_ticks() -> list[dict]:
    return [
        {"value": v, "x": _axis(v, MAP_WIDTH), "y": MAP_HEIGHT - _axis(v, MAP_HEIGHT)}
        for v in range(1, 6)
    ]


HISTORY_WIDTH, HISTORY_HEIGHT, HISTORY_MARGIN = 360, 140, 24


def map_context(rows: list) -> dict:
    """What templates/projects/_map.html needs to draw these rows."""
    return {
        "points": map_points(rows),
        "ticks": map_ticks(),
        "map": {"width": MAP_WIDTH, "height": MAP_HEIGHT, "margin": MAP_MARGIN},
        "risk_colours": RISK_COLOURS,
    }


HISTORY_SERIES = (
    ("attainability", "Attainability", "#2b6cb0", ""),
    ("scoop_risk", "Scoop risk", "#c53030", "6 4"),
    ("impact", "Impact", "#2f855a", "2 3"),
)


def history_lines(assessments: list) -> list[dict]:
    """Polylines of each score over successive assessments (oldest on the left)."""
    count = len(assessments)
    inner_w = HISTORY_WIDTH - 2 * HISTORY_MARGIN
    inner_h = HISTORY_HEIGHT - 2 * HISTORY_MARGIN

    def x(i: int) -> float:
        return HISTORY_MARGIN + (inner_w * i / (count - 1) if count > 1 else inner_w / 2)

    def y(score: int) -> float:
        return HISTORY_HEIGHT - HISTORY_MARGIN - inner_h * (score - 1) / 4

    lines = []
    for attr, label, colour, dash in HISTORY_SERIES:
        pts = [(round(x(i), 1), round(y(getattr(a, attr)), 1)) for i, a in enumerate(assessments)]
        lines.append(
            {
                "label": label,
                "colour": colour,
                "dash": dash,
                "points": " ".join(f"{px},{py}" for px, py in pts),
                "dots": pts,
                "last": getattr(assessments[-1], attr) if assessments else None,
            }
        )
    return lines


def history_grid() -> list[dict]:
    inner_h = HISTORY_HEIGHT - 2 * HISTORY_MARGIN
    return [
        {"value": v, "y": HISTORY_HEIGHT - HISTORY_MARGIN - inner_h * (v - 1) / 4}
        for v in range(1, 6)
    ]
