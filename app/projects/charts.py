"""Geometry for the server-rendered SVG charts: the portfolio map and score history.

Templates draw; this module only computes where things go."""

import functools
import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta

# Scoop risk 1 (calm) to 5 (hot) is drawn by colour (CSS classes risk-1..5,
# styled from the --risk-N tokens so dark mode reaches them) AND by shape, so
# the chart reads without colour: circle, square, diamond, triangle, star.
RISK_NAMES = ("calm", "low", "medium", "high", "hot")

MAP_WIDTH, MAP_HEIGHT, MAP_MARGIN = 960, 560, 56
MARKER_R = 8
LABEL_FONT = 12  # px, the .map-label font size in static/app.css
LABEL_CHARS = 24  # longer titles are cut with "…" (the full title is in <title>)
LABEL_PAD = 2
# Only the best-ranked projects are tried for a label: past a few dozen the
# map has no room left, and trying all 500 would cost the page half a second.
LABEL_TRIES = 60

# Quadrants split at the middle score (3): attainability across, impact up.
QUADRANTS = (
    # (name, what it means, x side, y side)
    ("Quick wins", "likely to work, big payoff", "right", "top"),
    ("Moonshots", "big payoff, hard to pull off", "left", "top"),
    ("Safe bets", "likely to work, modest payoff", "right", "bottom"),
    ("Rethink", "hard and modest", "left", "bottom"),
)

# Advance widths as fractions of the font size, rounded UP from DejaVu Sans
# (the widest common sans fallback), so an estimated box is never smaller
# than the drawn text.
_NARROW, _WIDE = set("iljtf.,;:'!|()[] I"), set("mwMW@%")


def text_width(text: str, size: float = LABEL_FONT) -> float:
    """An upper estimate of the drawn width of `text` at `size` px."""
    total = 0.0
    for ch in text:
        if ch in _NARROW:
            total += 0.42
        elif ch in _WIDE:
            total += 1.0
        elif ch.isupper() or ch.isdigit() or not ch.isascii():
            total += 0.8
        else:
            total += 0.64
    return total * size


def short_title(title: str, limit: int = LABEL_CHARS) -> str:
    return title if len(title) <= limit else title[: limit - 1].rstrip() + "…"


@dataclass(frozen=True)
class Box:
    x0: float
    y0: float
    x1: float
    y1: float

    def overlaps(self, other: "Box") -> bool:
        return (
            self.x0 < other.x1 and other.x0 < self.x1 and self.y0 < other.y1 and other.y0 < self.y1
        )

    def inside(self, outer: "Box") -> bool:
        return (
            self.x0 >= outer.x0
            and self.y0 >= outer.y0
            and self.x1 <= outer.x1
            and self.y1 <= outer.y1
        )


@dataclass(frozen=True)
class Label:
    text: str
    x: float  # text anchor (start), baseline y
    y: float
    box: Box
    leader: tuple[float, float, float, float] | None  # a line from the marker when moved away


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
    label: Label | None  # None: no room for it (the title is still in <title> and the table)


def _axis(value: int, length: float) -> float:
    return MAP_MARGIN + (value - 1) * (length - 2 * MAP_MARGIN) / 4


def _spread(count: int, step: float) -> list[tuple[float, float]]:
    """Offsets for `count` markers sharing a cell: a sunflower spiral that stays
    inside the cell, so markers in one cell do not cover each other."""
    if count == 1:
        return [(0.0, 0.0)]
    room = step * 0.42
    gap = min(2.2 * MARKER_R, room / math.sqrt(count))
    golden = math.pi * (3 - math.sqrt(5))
    return [
        (
            gap * math.sqrt(i + 0.5) * math.cos(i * golden),
            gap * math.sqrt(i + 0.5) * math.sin(i * golden),
        )
        for i in range(count)
    ]


def _candidates(x: float, y: float, width: float) -> list[tuple[float, float, bool]]:
    """Where a label may go, nearest first: (text x, baseline y, needs a leader)."""
    h, r, g = LABEL_FONT, MARKER_R, 4
    near = [
        (x + r + g, y + h * 0.35),  # right
        (x - r - g - width, y + h * 0.35),  # left
        (x - width / 2, y - r - g),  # above
        (x - width / 2, y + r + g + h * 0.8),  # below
        (x + r, y - r - g / 2),  # above right
        (x - r - width, y - r - g / 2),  # above left
        (x + r, y + r + h),  # below right
        (x - r - width, y + r + h),  # below left
    ]
    out = [(cx, cy, False) for cx, cy in near]
    for ring in (1, 2, 3, 4):
        d = ring * (h + 6) + r
        for k in range(12):
            angle = 2 * math.pi * k / 12
            cx, cy = x + d * math.cos(angle), y + d * math.sin(angle)
            tx = cx if math.cos(angle) >= 0 else cx - width
            out.append((tx, cy + h * 0.35, True))
    return out


def _label_box(tx: float, ty: float, width: float) -> Box:
    # Text runs from its baseline up by about 0.8 em and down by 0.25 em (descenders).
    p = LABEL_PAD
    return Box(tx - p, ty - LABEL_FONT * 0.85 - p, tx + width + p, ty + LABEL_FONT * 0.3 + p)


class _Boxes:
    """Boxes bucketed on a coarse grid, so a placement test looks only at its
    neighbours (500 projects place in milliseconds, not seconds)."""

    CELL = 48

    def __init__(self) -> None:
        self.cells: dict[tuple[int, int], list[Box]] = {}

    def _keys(self, box: Box):
        c = self.CELL
        for i in range(int(box.x0 // c), int(box.x1 // c) + 1):
            for j in range(int(box.y0 // c), int(box.y1 // c) + 1):
                yield i, j

    def add(self, box: Box) -> None:
        for key in self._keys(box):
            self.cells.setdefault(key, []).append(box)

    def hits(self, box: Box, *, ignore: Box | None = None) -> bool:
        return any(
            other.overlaps(box) and other != ignore
            for key in self._keys(box)
            for other in self.cells.get(key, ())
        )


def _marker_box(x: float, y: float) -> Box:
    return Box(x - MARKER_R, y - MARKER_R, x + MARKER_R, y + MARKER_R)


def place_labels(
    markers: list[tuple[float, float, str]], *, bounds: Box, obstacles: list[Box] = ()
) -> list[Label | None]:
    """Greedy label placement: for each marker in order (put the most important
    first), the first candidate position around it whose box stays inside
    `bounds` and overlaps no marker, obstacle or label placed so far. Moved
    beyond the eight places next to the marker, a label gets a leader line;
    with no room at all, None."""
    taken = _Boxes()
    for box in obstacles:
        taken.add(box)
    for x, y, _ in markers:
        taken.add(_marker_box(x, y))
    labels: list[Label | None] = []
    for x, y, text in markers:
        if len(labels) >= LABEL_TRIES:
            labels.append(None)
            continue
        width = text_width(text)
        own = _marker_box(x, y)
        placed = None
        for tx, ty, leader in _candidates(x, y, width):
            box = _label_box(tx, ty, width)
            if not box.inside(bounds) or taken.hits(box, ignore=own):
                continue
            line = None
            if leader:
                ex = min(max(x, box.x0), box.x1)
                ey = min(max(y, box.y0), box.y1)
                line = (round(x, 1), round(y, 1), round(ex, 1), round(ey, 1))
            placed = Label(text=text, x=round(tx, 1), y=round(ty, 1), box=box, leader=line)
            taken.add(box)
            break
        labels.append(placed)
    return labels


def quadrant_labels() -> list[dict]:
    """The quadrant names, written in each quadrant's outer corner."""
    inner = Box(MAP_MARGIN, MAP_MARGIN, MAP_WIDTH - MAP_MARGIN, MAP_HEIGHT - MAP_MARGIN)
    out = []
    for name, meaning, side, level in QUADRANTS:
        right = side == "right"
        x = inner.x1 - 6 if right else inner.x0 + 6
        y = inner.y0 + 18 if level == "top" else inner.y1 - 22
        width = max(text_width(name, 15), text_width(meaning, 11))
        x0 = x - width if right else x
        box = Box(x0 - 2, y - 15, x0 + width + 2, y + 16)
        out.append(
            {
                "name": name,
                "meaning": meaning,
                "x": x,
                "y": y,
                "anchor": "end" if right else "start",
                "box": box,
            }
        )
    return out


def map_points(rows: list) -> list[MapPoint]:
    """One point per project, titles placed best rank first."""
    cells: dict[tuple[int, int], list] = {}
    for row in rows:
        cells.setdefault((row.assessment.attainability, row.assessment.impact), []).append(row)
    step = (MAP_HEIGHT - 2 * MAP_MARGIN) / 4
    spots = []
    for (attainability, impact), members in cells.items():
        cx = _axis(attainability, MAP_WIDTH)
        cy = MAP_HEIGHT - _axis(impact, MAP_HEIGHT)
        members = sorted(members, key=_importance)
        for row, (dx, dy) in zip(members, _spread(len(members), step), strict=True):
            spots.append((row, round(cx + dx, 1), round(cy + dy, 1)))
    spots.sort(key=lambda s: _importance(s[0]))
    labels = map_labels(tuple((x, y, short_title(row.project.title)) for row, x, y in spots))
    return [
        MapPoint(
            project_id=row.project.id,
            title=row.project.title,
            rank=row.rank,
            attainability=row.assessment.attainability,
            impact=row.assessment.impact,
            scoop_risk=row.assessment.scoop_risk,
            x=x,
            y=y,
            label=label,
        )
        for (row, x, y), label in zip(spots, labels, strict=True)
    ]


@functools.lru_cache(maxsize=64)
def map_labels(markers: tuple[tuple[float, float, str], ...]) -> tuple[Label | None, ...]:
    """The map's labels for these markers, in their order. Placing them is
    most of the map's cost (about a tenth of a portfolio of 50), and a
    portfolio shows the same map until a score or a title changes: the
    placements of the last maps drawn are kept, per process, keyed by what
    they depend on alone (positions and titles), so a changed map is placed
    afresh and no one is shown a placement made for other markers."""
    bounds = Box(4, 4, MAP_WIDTH - 4, MAP_HEIGHT - MAP_MARGIN + 4)
    obstacles = [q["box"] for q in quadrant_labels()]
    return tuple(place_labels(list(markers), bounds=bounds, obstacles=obstacles))


def _importance(row) -> tuple:
    return (row.rank if row.rank is not None else 10**9, row.project.id)


def map_ticks() -> list[dict]:
    return [
        {"value": v, "x": _axis(v, MAP_WIDTH), "y": MAP_HEIGHT - _axis(v, MAP_HEIGHT)}
        for v in range(1, 6)
    ]


def map_context(rows: list) -> dict:
    """What templates/projects/_map.html needs to draw these rows."""
    points = map_points(rows)
    return {
        "points": points,
        "ticks": map_ticks(),
        "quadrants": quadrant_labels(),
        "map": {
            "width": MAP_WIDTH,
            "height": MAP_HEIGHT,
            "margin": MAP_MARGIN,
            "mid_x": _axis(3, MAP_WIDTH),
            "mid_y": MAP_HEIGHT - _axis(3, MAP_HEIGHT),
            "unlabelled": sum(1 for p in points if p.label is None),
        },
        "risk_names": RISK_NAMES,
    }


# ---------------------------------------------------------------- score history on a time axis

HIST_W, HIST_H = 720, 240
HIST_LEFT, HIST_RIGHT, HIST_TOP, HIST_BOTTOM = 40, 52, 30, 44
SCORE_SERIES = (
    ("attainability", "Attainability", "series-1"),
    ("scoop_risk", "Scoop risk", "series-2"),
    ("impact", "Impact", "series-3"),
)


def date_ticks(first: date, last: date) -> list[date]:
    """Round dates across [first, last]: days, Mondays, 1st of months or
    Januaries, whichever gives at most about eight ticks."""
    span = (last - first).days
    if span <= 8:
        return [first + timedelta(days=i) for i in range(span + 1)]
    if span <= 60:
        step = 7 * max(1, math.ceil(span / 7 / 8))
        start = first + timedelta(days=(7 - first.weekday()) % 7)
        return [start + timedelta(days=i) for i in range(0, span - (start - first).days + 1, step)]
    months = (last.year - first.year) * 12 + last.month - first.month
    every = next(m for m in (1, 2, 3, 6, 12, 24, 60) if months / m <= 8)
    ticks, y, m = [], first.year, first.month
    while (y, m) <= (last.year, last.month):
        day = date(y, m, 1)
        if first <= day and (m - 1) % every == 0:
            ticks.append(day)
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return ticks


def history_chart(
    assessments: list, *, priorities: list[float], events: list[tuple[datetime, str, str]], zone
) -> dict:
    """Scores (left axis, 1–5) and priority (right axis, 0–100) over the
    assessments' dates, with markers for re-plans and release links:
    `events` are (when, kind "replan" or "link", what)."""
    inner_w = HIST_W - HIST_LEFT - HIST_RIGHT
    bottom = HIST_H - HIST_BOTTOM
    times = [a.created_at for a in assessments] + [when for when, _, _ in events]
    first, last = min(times), max(times)
    span = (last - first).total_seconds()
    pad = max(span * 0.04, 12 * 3600)
    t0, t1 = first - timedelta(seconds=pad), last + timedelta(seconds=pad)

    def x(when: datetime) -> float:
        return round(
            HIST_LEFT + inner_w * (when - t0).total_seconds() / (t1 - t0).total_seconds(), 1
        )

    def y_score(v: float) -> float:
        return round(bottom - (bottom - HIST_TOP) * (v - 1) / 4, 1)

    def y_priority(v: float) -> float:
        return round(bottom - (bottom - HIST_TOP) * v / 100, 1)

    series = []
    for attr, label, css in SCORE_SERIES:
        pts = [(x(a.created_at), y_score(getattr(a, attr)), getattr(a, attr)) for a in assessments]
        series.append({"label": label, "css": css, "points": pts})
    pts = [
        (x(a.created_at), y_priority(p), p) for a, p in zip(assessments, priorities, strict=True)
    ]
    series.append({"label": "Priority (right axis)", "css": "series-priority", "points": pts})
    local = [t.astimezone(zone) for t in (t0, t1)]
    ticks = []
    for day in date_ticks(local[0].date(), local[1].date()):
        at = datetime.combine(day, datetime.min.time(), tzinfo=zone)
        if t0 <= at <= t1:
            ticks.append(
                {
                    "x": x(at),
                    "label": day.strftime("%d %b %Y" if not ticks else "%d %b"),
                    "day": day,
                }
            )
    return {
        "box": {
            "width": HIST_W,
            "height": HIST_H,
            "left": HIST_LEFT,
            "right": HIST_W - HIST_RIGHT,
            "top": HIST_TOP,
            "bottom": bottom,
        },
        "series": series,
        "score_ticks": [{"value": v, "y": y_score(v)} for v in range(1, 6)],
        "priority_ticks": [{"value": v, "y": y_priority(v)} for v in (0, 25, 50, 75, 100)],
        "date_ticks": ticks,
        "events": [
            {"x": x(when), "kind": kind, "what": what, "when": when.astimezone(zone)}
            for when, kind, what in sorted(events, key=lambda e: e[0])
        ],
    }
