"""Plan history: what changed between two versions."""

import difflib
import random
import re
import string

import pytest

from app.projects import diff
from app.projects.diff import plan_diff, text_diff
from app.projects.models import PLAN_FIELD_MAX, PlanVersion
from tests import factories
from tests.helpers import soup


def test_diff_between_versions_marks_words_removed_and_added(logged_in, db, user):
    project = factories.make_project(
        db, user, "P", goal="Be first with the benchmark", approach="Same"
    )
    logged_in.submit(
        f"/projects/{project.id}/plan",
        {"goal": "Be best with the benchmark", "approach": "Same", "based_on": "1"},
    )
    logged_in.submit(f"/projects/{project.id}/plan", {"goal": "Third", "based_on": "2"})
    page = soup(logged_in.get(f"/projects/{project.id}/plans/diff"))
    goal = page.select(".field-diff")[0]
    assert [d.get_text() for d in goal.select("del")] == ["Be best with the benchmark"]
    assert [i.get_text() for i in goal.select("ins")] == ["Third"]

    page = soup(logged_in.get(f"/projects/{project.id}/plans/diff?a=1&b=2"))
    goal, approach = page.select(".field-diff")[:2]
    assert [d.get_text() for d in goal.select("del")] == ["first"]
    assert [i.get_text() for i in goal.select("ins")] == ["best"]
    assert "unchanged" in approach.get_text()


def test_diff_with_nonsense_versions_falls_back_to_the_latest_two(logged_in, db, user):
    project = factories.make_project(db, user, "P", goal="only one")
    r = logged_in.get(f"/projects/{project.id}/plans/diff?a=x&b=99")
    assert r.status_code == 200
    assert "Version 1" in r.text


# ---------------------------------------------------------------- the diff itself

WORDS = ["the", "model", "data", "eval", "a", "of", "naïve", "GPU", "run", "x2", "—", "(draft)"]
SPACES = [" ", " ", " ", "  ", "\n", "\n", "\n\n", "\t", " \n", "\r\n", "\u00a0", "\u2003"]


def random_words(rng: random.Random, size: int, sep: str = " ") -> str:
    """Random 2–4 letter words: the adversarial case, nothing in common but letters."""
    words, length = [], 0
    while length < size:
        words.append("".join(rng.choices(string.ascii_lowercase, k=rng.randint(2, 4))))
        length += len(words[-1]) + 1
    return sep.join(words)[:size]


def random_text(rng: random.Random, size: int) -> str:
    """Words, punctuation and every kind of space and line break, on many lines."""
    tokens = []
    for _ in range(size):
        tokens.append(rng.choice(WORDS) if rng.random() < 0.6 else rng.choice(SPACES))
    return "".join(tokens)


def edited(rng: random.Random, text: str) -> str:
    """`text` with a few words or lines removed, added or replaced."""
    tokens = re.findall(r"\s+|\S+", text)
    for _ in range(rng.randint(1, 6)):
        at = rng.randint(0, len(tokens))
        cut = rng.choice([0, 1, 1, 2, 5])
        tokens[at : at + cut] = re.findall(r"\s+|\S+", random_text(rng, rng.randint(0, 6)))
    return "".join(tokens)


def spelled(parts, *kinds) -> str:
    return "".join(text for kind, text in parts if kind in kinds)


def assert_spells_both(parts, old: str, new: str) -> None:
    assert spelled(parts, "same", "del") == old
    assert spelled(parts, "same", "ins") == new
    assert all(kind in ("same", "del", "ins") and text for kind, text in parts)


def plan(**fields) -> PlanVersion:
    return PlanVersion(project_id=1, number=1, author_id=1, **fields)


@pytest.mark.parametrize("seed", range(40))
def test_parts_spell_the_old_and_the_new_text_exactly(seed):
    rng = random.Random(seed)
    old = random_text(rng, rng.choice([0, 1, 5, 40, 400, 1500]))
    for new in (edited(rng, old), random_text(rng, rng.randint(0, 400)), old, "", edited(rng, "")):
        assert_spells_both(text_diff(old, new), old, new)
        assert_spells_both(text_diff(new, old), new, old)
    assert text_diff(old, old) == ([("same", old)] if old else [])


@pytest.mark.parametrize("sep", [" ", "\n", " \n "])
def test_unrelated_plans_of_random_short_words_spell_both_and_stay_coarse(sep):
    rng = random.Random(7)
    fields = ("goal", "approach", "differentiation", "contingency", "questions")
    old = plan(**{name: random_words(rng, PLAN_FIELD_MAX, sep) for name in fields})
    new = plan(**{name: random_words(rng, PLAN_FIELD_MAX, sep) for name in fields})
    diffs = plan_diff(old, new)
    for name, field in zip(fields, diffs, strict=False):
        assert field.changed
        assert_spells_both(field.parts, getattr(old, name), getattr(new, name))
    if sep == " ":  # one line a side, too long to match word by word: shown whole
        assert all(len(field.parts) <= 4 for field in diffs[:5])


def test_an_edit_inside_a_long_paragraph_is_shown_word_by_word():
    text = random_words(random.Random(3), PLAN_FIELD_MAX)
    words = text.split(" ")
    words[len(words) // 2] = "CHANGED"
    parts = text_diff(text, " ".join(words))
    assert [kind for kind, _ in parts] == ["same", "del", "ins", "same"]
    assert parts[2] == ("ins", "CHANGED")


def test_lines_changed_among_equal_ones_are_diffed_word_by_word():
    old = "Goal: be first.\nKeep the eval suite.\nShip in March.\n"
    new = "Goal: be best.\nKeep the eval suite.\nA new line.\nShip in April.\n"
    assert text_diff(old, new) == [
        ("same", "Goal: be "),
        ("del", "first."),
        ("ins", "best."),
        ("same", "\nKeep the eval suite.\n"),
        ("ins", "A new line.\n"),
        ("same", "Ship in "),
        ("del", "March."),
        ("ins", "April."),
        ("same", "\n"),
    ]


def two_word_blocks(rng: random.Random) -> str:
    """Lines of a two-word vocabulary, which match everywhere, between equal lines."""
    lines: list[str] = []
    while sum(map(len, lines)) < PLAN_FIELD_MAX:
        lines += [" ".join(rng.choices("ab", k=rng.randint(20, 200))) + "\n", "same\n"]
    return "".join(lines)[:PLAN_FIELD_MAX]


@pytest.mark.parametrize(
    "make",
    [
        two_word_blocks,
        lambda rng: random_words(rng, PLAN_FIELD_MAX),
        lambda rng: random_words(rng, PLAN_FIELD_MAX, "\n"),
    ],
    ids=["two-word blocks", "one line", "one word a line"],
)
@pytest.mark.parametrize("by_line", [False, True], ids=["inline", "by line"])
def test_the_matcher_is_only_ever_handed_bounded_work(monkeypatch, make, by_line):
    """However hostile the plans, and however many changed blocks they make."""
    calls: list[tuple[int, int, bool]] = []

    class Recording(difflib.SequenceMatcher):
        def __init__(self, isjunk=None, a="", b="", autojunk=True):
            calls.append((len(a), len(b), autojunk))
            super().__init__(isjunk, a, b, autojunk)

    monkeypatch.setattr(diff.difflib, "SequenceMatcher", Recording)
    rng = random.Random(11)
    fields = ("goal", "approach", "differentiation", "contingency", "questions")
    old, new = (plan(**{name: make(rng) for name in fields}) for _ in range(2))
    plan_diff(old, new, by_line=by_line)
    words = [(a, b) for a, b, autojunk in calls if not autojunk]
    lines = [(a, b) for a, b, autojunk in calls if autojunk]
    assert all(a * b <= diff.WORD_DIFF_PAIRS_MAX for a, b in words)
    assert all(max(a, b) <= diff.WORD_DIFF_SIDE_MAX for a, b in words)
    assert sum(a * b for a, b in words) <= diff.DIFF_WORD_PAIRS_MAX
    assert all(max(a, b) <= diff.LINE_DIFF_SIDE_MAX for a, b in lines)
    if make is two_word_blocks:  # small blocks still get their words matched
        assert len(words) > 1


def test_a_diff_of_two_long_unrelated_plans_is_shown(logged_in, db, user):
    rng = random.Random(5)
    old, new = (random_words(rng, PLAN_FIELD_MAX) for _ in range(2))
    project = factories.make_project(db, user, "P", goal=old)
    logged_in.submit(f"/projects/{project.id}/plan", {"goal": new, "based_on": "1"})
    r = logged_in.get(f"/projects/{project.id}/plans/diff")
    assert r.status_code == 200
    goal = soup(r).select(".field-diff")[0]
    assert "".join(d.get_text() for d in goal.select("del")) == old
    assert "".join(i.get_text() for i in goal.select("ins")) == new


# ---------------------------------------------------------------- by field and by line


def unfolded(rows):
    return [r for row in rows for r in (row.rows if isinstance(row, diff.Fold) else [row])]


def old_and_new_lines(rows) -> tuple[list[str], list[str]]:
    old, new = [], []
    for r in unfolded(rows):
        if r.kind == "change":
            old.append("".join(t for _, t in r.old_parts))
            new.append("".join(t for _, t in r.new_parts))
        else:
            (old if r.kind in ("same", "del") else []).append(r.text)
            (new if r.kind in ("same", "ins") else []).append(r.text)
    return old, new


@pytest.mark.parametrize("seed", range(30))
def test_line_rows_spell_the_old_and_the_new_lines_exactly(seed):
    rng = random.Random(seed)
    old = random_text(rng, rng.randint(0, 300))
    new = edited(rng, old)
    assert old_and_new_lines(diff.line_rows(old, new)) == (old.splitlines(), new.splitlines())


def test_a_line_alike_its_replacement_is_marked_by_word_and_a_rewritten_one_is_not():
    (alike,) = diff.line_rows("we train the model on data", "we train the model on eval")
    assert alike.kind == "change"
    assert alike.old_parts == [("same", "we train the model on "), ("del", "data")]
    assert alike.new_parts == [("same", "we train the model on "), ("ins", "eval")]
    # Only "the " in common: ratio 2*4/(19+20) ≈ 0.2 < LINE_SIMILAR_MIN.
    rewritten = diff.line_rows("the first benchmark", "the ablation of GPUs")
    assert [(r.kind, r.text) for r in rewritten] == [
        ("del", "the first benchmark"),
        ("ins", "the ablation of GPUs"),
    ]


def test_the_similarity_threshold_sits_at_half_the_characters_in_common():
    # "ab cd" vs "ab xy": "ab " is 3 of 5 on each side, a ratio of 0.6, marked;
    # "ab cdef" vs "ab wxyz": 3 of 7 each, 0.43, shown as rewritten.
    assert [r.kind for r in diff.line_rows("ab cd", "ab xy")] == ["change"]
    assert [r.kind for r in diff.line_rows("ab cdef", "ab wxyz")] == ["del", "ins"]


def test_long_runs_of_unchanged_lines_fold_with_one_line_of_context():
    old = "".join(f"line {n}\n" for n in range(10)) + "last"
    new = old.replace("last", "final")
    rows = diff.line_rows(old, new)
    assert isinstance(rows[0], diff.Fold) and len(rows[0].rows) == 9
    assert [(r.kind, r.text) for r in rows[1:]] == [
        ("same", "line 9"),
        ("del", "last"),
        ("ins", "final"),
    ]
    # Three unchanged lines or fewer stay in view.
    assert not any(isinstance(r, diff.Fold) for r in diff.line_rows("a\nb\nc\nd", "a\nb\nc\nD"))


def test_the_page_shows_a_rewritten_field_as_lines_and_a_small_edit_by_word(logged_in, db, user):
    approach = "\n".join(f"Step {n}: collect the data for week {n}" for n in range(1, 11))
    project = factories.make_project(
        db, user, "P", goal="Be first with the benchmark", approach=approach
    )
    logged_in.submit(
        f"/projects/{project.id}/plan",
        {
            "goal": "Publish an ablation of tokenisers instead",
            "approach": approach.replace("week 5", "week 6"),
            "based_on": "1",
        },
    )
    page = soup(logged_in.get(f"/projects/{project.id}/plans/diff"))
    goal, approach_diff, differentiation = page.select(".field-diff")[:3]
    # Rewritten: the old line removed, the new one added, no word marked.
    assert [r.select_one(".text").get_text() for r in goal.select(".line")] == [
        "Be first with the benchmark",
        "Publish an ablation of tokenisers instead",
    ]
    assert [r["class"] for r in goal.select(".line")] == [
        ["line", "line-del"],
        ["line", "line-ins"],
    ]
    assert goal.select(".word") == []
    # One word edited: only it is marked, inside its own line; the lines
    # around it are plain and the long runs fold away, counted.
    assert [w.get_text() for w in approach_diff.select("del.word")] == ["5"]
    assert [w.get_text() for w in approach_diff.select("ins.word")] == ["6"]
    changed = approach_diff.select(".line-del, .line-ins")
    assert [c.select_one(".text").get_text() for c in changed] == [
        "Step 5: collect the data for week 5",
        "Step 5: collect the data for week 6",
    ]
    assert all(not s.select("del, ins") for s in approach_diff.select(".line-same"))
    assert [s.get_text() for s in approach_diff.select("details.fold > summary")] == [
        "3 unchanged lines",
        "4 unchanged lines",
    ]
    assert differentiation.get_text(" ", strip=True) == (
        "What still stands if someone ships first: unchanged"
    )
