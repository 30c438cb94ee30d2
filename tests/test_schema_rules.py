"""The OpenAPI document says what the validators check: what a field's schema
allows is accepted and what it refuses is refused, since schemathesis
(tests/live) sends both and holds the API to the difference."""

import re
from decimal import Decimal

import pytest
from pydantic import ValidationError

from app.journal.models import EntryIn
from app.projects.models import ProjectCreate
from app.releases.models import URL_PATTERN, LinkUpdate, ReleaseCreate
from app.replans.models import ReplanCreate
from tests import factories


def _accepts(model, data: dict) -> bool:
    try:
        model.model_validate(data)
    except ValidationError:
        return False
    return True


@pytest.mark.parametrize(
    ("url", "valid"),
    [
        ("", True),
        ("https://example.org/a", True),
        (" http://a.b/c?d=1 ", True),
        ("2401.12345", True),
        ("arXiv:2401.12345v2", True),
        ("hep-th/9901001", True),
        ("ftp://example.org", False),
        ("example.org", False),
        ("000", False),
        ("https://", False),
    ],
)
def test_a_release_url_is_what_its_pattern_says(url, valid):
    assert bool(re.search(URL_PATTERN, url)) is valid
    release = factories.release_data(url=url)
    assert _accepts(ReleaseCreate, release) is valid


_KEYWORD = ProjectCreate.model_json_schema()["properties"]["keywords"]


@pytest.mark.parametrize(
    ("keyword", "valid"),
    [
        ("nlp", True),
        ("  Computer   Vision ", True),
        ("c++", True),
        ("", True),  # blank: dropped
        ("x" * 40, True),
        ("-x", False),
        ("a!", False),
        ("x" * 41, False),
        (" " * 41, False),  # too long as sent, though blank once trimmed
    ],
)
def test_a_keyword_is_what_its_schema_says(keyword, valid):
    items = _KEYWORD["items"]
    by_schema = len(keyword) <= items["maxLength"] and bool(re.search(items["pattern"], keyword))
    assert by_schema is valid
    assert _accepts(ProjectCreate, factories.project_data(keywords=[keyword])) is valid


def test_keywords_are_a_list_of_at_most_twenty_as_sent():
    assert _KEYWORD["type"] == "array" and _KEYWORD["maxItems"] == 20
    assert not _accepts(ProjectCreate, {**factories.project_data(), "keywords": "a, b"})
    assert not _accepts(ProjectCreate, factories.project_data(keywords=["same"] * 21))
    assert _accepts(ProjectCreate, factories.project_data(keywords=["same"] * 20))


@pytest.mark.parametrize(
    ("hours", "expected"),
    [(7.5, Decimal("7.5")), (3 * 0.1, Decimal("0.3")), (24, Decimal(24)), (0, Decimal(0))],
)
def test_hours_are_a_json_number_in_tenths(hours, expected):
    assert EntryIn.model_validate({"kind": "rest", "hours": hours}).hours == expected


@pytest.mark.parametrize("hours", ["7.5", 7.25, 24.1, -0.1, True, float("nan")])
def test_hours_that_are_text_or_not_in_tenths_are_refused(hours):
    assert not _accepts(EntryIn, {"kind": "rest", "hours": hours})


def test_a_link_change_names_an_effect_or_a_note():
    assert LinkUpdate.model_json_schema()["anyOf"]
    assert not _accepts(LinkUpdate, {})
    assert not _accepts(LinkUpdate, {"effect": None, "note": None})
    assert _accepts(LinkUpdate, {"note": ""})
    assert _accepts(LinkUpdate, {"effect": "scoop", "note": None})


def test_a_replan_names_one_release_and_a_retirement_its_learnings():
    schema = ReplanCreate.model_json_schema()
    assert {"oneOf", "if", "then"} <= set(schema)
    release = factories.release_data()
    both = factories.replan_data(version=1, release_id=1, release=release)
    assert not _accepts(ReplanCreate, both)
    assert not _accepts(ReplanCreate, factories.replan_data(version=1))
    assert _accepts(ReplanCreate, factories.replan_data(version=1, release_id=1))
    retired = factories.replan_data(version=1, release_id=1, decision="retire", learnings=" ")
    assert not _accepts(ReplanCreate, retired)


@pytest.mark.parametrize("blank", [" ", "\x0b", "\x85", "\u2003\n", "\u3000"])
def test_text_that_is_only_white_space_is_refused_by_schema_and_validator(blank):
    pattern = ProjectCreate.model_json_schema()["properties"]["title"]["pattern"]
    assert re.search(pattern, blank) is None
    assert not _accepts(ProjectCreate, factories.project_data(blank))
    assert re.search(pattern, f"{blank}A title{blank}")
    assert _accepts(ProjectCreate, factories.project_data(f"{blank}A title{blank}"))
