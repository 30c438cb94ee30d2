"""The portfolio map's geometry, without a browser: label placement never
overlaps, moved labels get a leader line, and the map reads at 500 projects."""

import itertools
from types import SimpleNamespace

from app.projects import charts
from app.projects.charts import Box, place_labels


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
