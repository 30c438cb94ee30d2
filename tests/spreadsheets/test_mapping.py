"""The mapping guess, the score scales and the row checks."""

import pytest

from app.spreadsheets.mapping import (
    LEAVE_OUT,
    Scale,
    check_rows,
    guess_mapping,
    guess_scale,
    guessed,
    scale_score,
)
from app.spreadsheets.sheet import SheetFormat, read_table


def test_headers_people_write_are_guessed():
    headers = [
        "Project name",
        "Research question",
        "Tags",
        "Feasibility",
        "Scoop risk (%)",
        "Impact (0-10)",
        "Success",
        "Status",
        "Why this impact",
        "Attainability rationale",
        "Scoop notes",
        "Owner",
    ]
    assert guess_mapping(headers) == [
        "title",
        "summary",
        "keywords",
        "attainability",
        "scoop_risk",
        "impact",
        "success_axis",
        "status",
        "impact_rationale",
        "attainability_rationale",
        "scoop_risk_rationale",
        "",
    ]


def test_a_field_is_not_guessed_twice():
    assert guess_mapping(["Title", "Name"]) == ["title", ""]


@pytest.mark.parametrize(
    ("values", "scale"),
    [
        (["1", "5", "3"], Scale.five),
        (["0", "4"], Scale.ten),
        (["7", "2"], Scale.ten),
        (["2.5", "4"], Scale.ten),
        (["45%", "3"], Scale.percent),
        (["80", "10"], Scale.percent),
    ],
)
def test_scales_are_guessed_from_the_values(values, scale):
    assert guess_scale(values) is scale


@pytest.mark.parametrize(
    ("text", "scale", "score"),
    [
        ("4", Scale.five, 4),
        ("0", Scale.ten, 1),
        ("1.9", Scale.ten, 1),
        ("2", Scale.ten, 2),
        ("7.9", Scale.ten, 4),
        ("10", Scale.ten, 5),
        ("19%", Scale.percent, 1),
        ("20 %", Scale.percent, 2),
        ("79", Scale.percent, 4),
        ("100%", Scale.percent, 5),
    ],
)
def test_scores_land_on_one_to_five_in_equal_fifths(text, scale, score):
    assert scale_score(text, scale) == (score, "")


@pytest.mark.parametrize(
    ("text", "scale", "why"),
    [
        ("3.5", Scale.five, "3.5 is not a whole number from 1 to 5"),
        ("6", Scale.five, "6 is not a whole number from 1 to 5"),
        ("11", Scale.ten, "11 is outside 0–10"),
        ("120%", Scale.percent, "120% is outside 0–100 %"),
        ("high", Scale.five, "“high” is not a number"),
    ],
)
def test_scores_off_their_scale_say_why(text, scale, why):
    assert scale_score(text, scale) == (None, why)


def _checked(text: str, existing=frozenset(), leave_out=()):
    table = read_table(text.encode(), SheetFormat.csv)
    mapping = guessed(table)
    for index in leave_out:
        mapping.columns[index] = LEAVE_OUT
    return mapping, check_rows(table, mapping, existing_titles=set(existing))


def test_rows_become_projects_with_their_scores_mapped():
    mapping, checked = _checked(
        "Title,Question,Keywords,Impact,Scoop risk,Attainability,Success axis,Status\n"
        "Distil,Can a 7B match?,rlhf; distillation,8,30%,4,Open,Active\n"
    )
    assert mapping.scales == {
        "impact": Scale.ten,
        "scoop_risk": Scale.percent,
        "attainability": Scale.five,
    }
    (row,) = checked.to_create
    assert row.data.title == "Distil" and row.data.keywords == ["rlhf", "distillation"]
    assert row.data.status == "active" and row.data.assessment.success_axis == "open"
    assert (row.data.assessment.impact, row.data.assessment.scoop_risk) == (5, 2)
    assert row.scored["impact"] == "8 → 5"


def test_a_row_error_is_beside_its_field_and_rows_are_numbered_as_in_the_file():
    _, checked = _checked(
        "Title,Impact,Status\nGood,3,idea\n\n,3,idea\nBad score,high,idea\nBad status,3,dreaming\n"
    )
    errors = {row.line: row.errors for row in checked.errors}
    assert errors == {
        4: {"title": "This is required."},
        5: {"impact": "“high” is not a number."},
        6: {"status": "Write one of idea, active, paused, shipped, retired."},
    }


def test_repeated_rows_are_skipped_and_conflicting_twins_refused():
    _, checked = _checked("Title,Impact\nA,3\nA,3\nB,3\nb ,4\n")
    assert [r.line for r in checked.to_create] == [2, 4]
    assert [(r.line, r.skip) for r in checked.skipped] == [(3, "The same as row 2: imported once.")]
    assert checked.errors[0].line == 5
    assert "Row 4 has the same title" in checked.errors[0].errors["title"]


def test_titles_already_in_the_portfolio_are_skipped_not_overwritten():
    _, checked = _checked("Title,Impact\nExisting one,3\nNew,3\n", existing={"existing  ONE"})
    assert [r.line for r in checked.skipped] == [2]
    assert [r.line for r in checked.to_create] == [3]


def test_unknown_and_doubled_columns_are_problems_until_decided():
    table = read_table(b"Title,Owner,Name\nA,me,x\n", SheetFormat.csv)
    mapping = guessed(table)
    problems = mapping.problems(table.headers)
    assert list(problems) == [1, 2]
    assert "no field called “Owner”" in problems[1]
    mapping.columns[1] = LEAVE_OUT
    mapping.columns[2] = "title"
    assert mapping.problems(table.headers) == {2: "Column 1 goes to Title already."}
    mapping.columns[2] = LEAVE_OUT
    assert mapping.problems(table.headers) == {}


def test_a_row_with_more_cells_than_the_header_is_refused():
    _, checked = _checked("Title,Impact\nA,3,extra\n")
    assert "3 cells but the header names 2" in checked.errors[0].errors["row"]
