"""The portfolio map's geometry, without a browser: label placement never
overlaps, moved labels get a leader line, and the map reads at 500 projects."""

import itertools
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

import sqlalchemy as sa

from app.projects import charts
from app.projects.charts import Box, place_labels
from app.projects.models import Assessment
from app.releases.models import ReleaseLink
from app.replans.models import Replan
from tests import factories
from tests.helpers import soup


def overlapping(boxes: list[Box]) -> list[tuple[Box, Box]]:
    return [(a, b) for a, b in itertools.combinations(boxes, 2) if a.overlaps(b)]


def row(
    pid: int, title: str, attainability: int, impact: int, risk: int = 3, rank: int | None = None
):
    return SimpleNamespace(
        project=SimpleNamespace(id=pid, title=title),
        assessment=SimpleNamespace(attainability=attainability, impact=impact, scoop_risk=risk),
        rank=rank if rank is not None else pid,
    )


BOUNDS = Box(0, 0, 960, 560)


def test_a_lone_marker_gets_its_label_just_right_of_it_without_a_leader():
    (label,) = place_labels([(100, 100, "Tokenizer ablations")], bounds=BOUNDS)
    assert label.x > 100 and abs(label.y - 100) < charts.LABEL_FONT
    assert label.leader is None


def test_crowded_markers_get_labels_that_never_overlap_each_other_or_a_marker():
    # 12 markers on top of one another: the placement must move labels away.
    markers = [(300 + i % 3, 300 + i // 3, f"Project number {i}") for i in range(12)]
    labels = place_labels(markers, bounds=BOUNDS)
    placed = [lb for lb in labels if lb]
    assert len(placed) >= 10
    assert overlapping([lb.box for lb in placed]) == []
    assert any(lb.leader for lb in placed), "a label moved away has a line back to its marker"
    for lb in placed:
        assert lb.box.inside(BOUNDS)
        for x, y, _ in markers:
            marker = Box(
                x - charts.MARKER_R, y - charts.MARKER_R, x + charts.MARKER_R, y + charts.MARKER_R
            )
            own = lb.leader is None or (lb.leader[0], lb.leader[1]) == (x, y)
            assert own or not lb.box.overlaps(marker)


def test_a_label_avoids_the_obstacles_it_is_given():
    wall = Box(100, 80, 400, 120)
    (label,) = place_labels(
        [(150, 100, "Sparse attention kernels")], bounds=BOUNDS, obstacles=[wall]
    )
    assert not label.box.overlaps(wall)


def test_long_titles_are_cut_with_an_ellipsis_and_keep_the_full_title_elsewhere():
    title = "A very long project title that would cover half of the map"
    (point,) = charts.map_points([row(1, title, 4, 4)])
    assert point.label.text.endswith("…") and len(point.label.text) == charts.LABEL_CHARS
    assert point.title == title


def test_the_estimated_width_is_never_below_dejavu_sans_advance_widths():
    # DejaVu Sans at 12 px (the widest common fallback): "m" 11.7, "W" 11.9, "i" 3.3, "a" 7.4.
    assert charts.text_width("m") >= 11.69
    assert charts.text_width("W") >= 11.88
    assert charts.text_width("i") >= 3.33
    assert charts.text_width("a") >= 7.35


def test_five_hundred_projects_place_without_overlaps_and_best_ranks_first():
    rows = [
        row(i, f"Project {i:03d} on topic", 1 + i % 5, 1 + (i // 5) % 5, 1 + i % 5)
        for i in range(500)
    ]
    points = charts.map_points(rows)
    assert len(points) == 500
    labelled = [p for p in points if p.label]
    assert overlapping([p.label.box for p in labelled]) == []
    # The best-ranked projects are named first; the rest keep their <title>.
    assert len(labelled) >= 15
    assert all(p.label for p in points if p.rank < 4)
    # Markers sharing a cell do not sit on one another.
    spots = {(p.x, p.y) for p in points}
    assert len(spots) == 500
    # Labels avoid the quadrant names.
    for p in labelled:
        assert not any(p.label.box.overlaps(q["box"]) for q in charts.quadrant_labels())


def test_date_ticks_are_round_dates_at_every_span():
    assert charts.date_ticks(date(2026, 3, 2), date(2026, 3, 5)) == [
        date(2026, 3, d) for d in (2, 3, 4, 5)
    ]
    weekly = charts.date_ticks(date(2026, 3, 4), date(2026, 4, 20))
    assert all(d.weekday() == 0 for d in weekly) and len(weekly) <= 8
    monthly = charts.date_ticks(date(2026, 1, 15), date(2026, 12, 1))
    assert all(d.day == 1 for d in monthly) and date(2026, 3, 1) in monthly
    assert len(monthly) <= 8


def test_score_history_has_dates_a_priority_line_and_a_marker_per_replan_and_link(
    logged_in, db, user
):
    project = factories.make_project(db, user, "Dated", attainability=2, impact=3)
    release = factories.make_release(db, user, "Their benchmark")
    factories.make_link(db, user, release, project, effect="scoop")
    factories.make_replan(db, project, user, release)
    # Spread the history over March 2026, so the axis has dates to show.
    base = datetime(2026, 3, 2, 12, tzinfo=UTC)
    for i, a in enumerate(db.exec(sa.select(Assessment).order_by(Assessment.id)).scalars()):
        a.created_at = base + timedelta(days=20 * i)
    db.execute(sa.update(Replan).values(created_at=base + timedelta(days=20)))
    db.execute(sa.update(ReleaseLink).values(created_at=base + timedelta(days=5)))
    db.commit()
    page = soup(logged_in.get(f"/projects/{project.id}"))
    svg = page.select_one("section[aria-labelledby=history-h] svg.history")
    days = [t["data-day"] for t in svg.select("text.date-tick")]
    assert days and all(d.startswith("2026-03") for d in days[:2]), days
    assert svg.select_one("text.date-tick").get_text().endswith("2026")
    lines = {g["data-series"]: g for g in svg.select("g.series")}
    assert set(lines) == {"Attainability", "Scoop risk", "Impact", "Priority (right axis)"}
    assert [c.title.get_text() for c in lines["Attainability"].select("circle")] == [
        "Attainability: 2",
        "Attainability: 4",
    ]
    assert len(svg.select("g.event-replan")) == 1
    assert "re-plan after Their benchmark" in svg.select_one("g.event-replan title").get_text()
    assert len(svg.select("g.event-link")) == 1
    legend = page.select_one("#history-caption").get_text()
    for name in ("Attainability", "Scoop risk", "Impact", "Priority", "re-plan", "release linked"):
        assert name in legend
    # Nothing hard-coded: colours come from the chart tokens (dark mode included).
    assert not svg.select("[stroke], [fill]:not([fill=none])")


def test_a_map_drawn_again_reuses_its_placement_and_a_changed_one_is_placed_afresh():
    rows = [row(i, f"Project {i}", 1 + i % 5, 1 + (i // 5) % 5) for i in range(30)]
    charts.map_labels.cache_clear()
    first = charts.map_points(rows)
    again = charts.map_points(rows)
    assert again == first
    assert charts.map_labels.cache_info().hits == 1
    # A new title is placed for itself: the label says it, nothing stale is shown.
    renamed = [row(0, "Renamed project", 1, 1), *rows[1:]]
    (moved,) = [p for p in charts.map_points(renamed) if p.project_id == 0]
    assert moved.label.text == "Renamed project"
    assert charts.map_labels.cache_info().misses == 2
