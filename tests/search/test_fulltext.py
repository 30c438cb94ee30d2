"""The one full-text query (app.fulltext) and the search behind the header's
box (app.search.queries), on the database under test (SQLite FTS5, or
PostgreSQL's GIN-indexed tsvector with `pytest --postgres`): prefixes,
accents and case, ranking, sync on every write, scoping, hostile input."""

import pytest
import sqlalchemy as sa

from app import fulltext
from app.journal import service as journal_service
from app.journal.models import EntryUpdate
from app.projects import service as project_service
from app.projects.models import ProjectUpdate
from app.search.queries import search_everything
from tests import factories


def found(db, user, text: str) -> dict[str, list[str]]:
    """What the search finds, kind by kind, as plain titles (journal: snippets)."""
    result = search_everything(db, user=user, text=text)
    return {
        "projects": [h.title for h in result.projects],
        "releases": [h.title for h in result.releases],
        "journal": [str(h.snippet_html) for h in result.journal],
    }


def release_titles(db, user, text: str) -> list[str]:
    return found(db, user, text)["releases"]


def test_a_prefix_finds_the_whole_word_and_every_word_must_match(db, user):
    factories.make_release(db, user, "Evaluation harness", organisation="")
    factories.make_release(db, user, "Long context", summary="an evaluator for retrieval")
    factories.make_release(db, user, "Robotics", organisation="")
    assert sorted(release_titles(db, user, "eval")) == ["Evaluation harness", "Long context"]
    assert release_titles(db, user, "eval retr") == ["Long context"]
    assert release_titles(db, user, "valuation") == []  # a prefix, not any substring
    assert release_titles(db, user, "eval robot") == []


@pytest.mark.parametrize(
    ("written", "typed"),
    [
        ("modèle", "modele"),
        ("modele", "modèle"),
        ("Tülu", "TULU"),
        ("MODÈLE", "Modè"),
        ("ÉTÉ", "ete"),
    ],
)
def test_accents_and_case_are_ignored_both_ways(db, user, written, typed):
    factories.make_release(db, user, f"Un {written} ouvert", organisation="")
    factories.make_project(db, user, f"Projet {written}")
    factories.make_entry(db, user, body=f"Lu le {written} ce matin")
    result = found(db, user, typed)
    assert result["releases"] == [f"Un {written} ouvert"]
    assert result["projects"] == [f"Projet {written}"]
    assert len(result["journal"]) == 1


def test_a_match_in_the_title_ranks_above_one_in_the_summary(db, user):
    factories.make_release(
        db, user, "Other thing", organisation="", summary="mentions diffusion once"
    )
    factories.make_release(db, user, "Diffusion policy", organisation="")
    factories.make_release(db, user, "Diffusion diffusion", organisation="", summary="diffusion")
    assert release_titles(db, user, "diffusion") == [
        "Diffusion diffusion",
        "Diffusion policy",
        "Other thing",
    ]


def test_edits_deletes_and_archives_are_seen_at_once(db, user):
    release = factories.make_release(db, user, "Placeholder title", organisation="")
    project = factories.make_project(db, user, "Draft project")
    entry = factories.make_entry(db, user, body="Wrote the draft")
    release.title = "Añadido al registro"
    db.add(release)
    project_service.project_update(
        db,
        project=project,
        actor=user,
        data=ProjectUpdate(version=project.version, title="Harness"),
    )
    journal_service.entry_update(
        db, entry=entry, data=EntryUpdate(version=entry.version, body="Rewrote the benchmark")
    )
    db.commit()
    assert found(db, user, "placeholder") == {"projects": [], "releases": [], "journal": []}
    assert found(db, user, "draft") == {"projects": [], "releases": [], "journal": []}
    assert release_titles(db, user, "anadido") == ["Añadido al registro"]
    assert found(db, user, "harness")["projects"] == ["Harness"]
    assert len(found(db, user, "benchmark")["journal"]) == 1

    journal_service.entry_archive(db, entry=entry)
    db.delete(release)
    db.commit()
    assert found(db, user, "benchmark")["journal"] == []  # the journal page hides it too
    assert release_titles(db, user, "anadido") == []


def test_nobody_finds_what_they_may_not_see(db, user, other_user):
    team = factories.make_team(db, user, "Vision")
    factories.add_member(db, team, other_user)
    factories.make_project(db, user, "Secret alpha plan")
    factories.make_project(db, user, "Shared alpha plan", team_id=team.id)
    factories.make_release(db, user, "Alpha release", organisation="")
    factories.make_entry(db, user, body="Alpha diary")
    stranger = factories.make_user(db, email="olga@example.org")
    assert found(db, other_user, "alpha") == {
        "projects": ["Shared alpha plan"],
        "releases": [],
        "journal": [],
    }
    assert found(db, stranger, "alpha") == {"projects": [], "releases": [], "journal": []}
    mine = found(db, user, "alpha")
    assert sorted(mine["projects"]) == ["Secret alpha plan", "Shared alpha plan"]
    assert mine["releases"] == ["Alpha release"] and len(mine["journal"]) == 1


HOSTILE = [
    "",
    "   ",
    '"',
    '"unclosed',
    "*",
    "eval*",
    "-eval",
    "NOT",
    "eval OR",
    "AND AND",
    "title:eval",
    "NEAR(eval harness)",
    "(eval",
    "eval & | ! :*",
    "e'val",
    "''; DROP TABLE release; --",
    "\x00eval",
    "^eval",
    "{title}: eval",
    "<script>alert(1)</script>",
    "eval " * 200,
    "ab" * 500,
    "\ue000eval\ue001",
]


@pytest.mark.parametrize("typed", HOSTILE)
def test_hostile_queries_never_raise(db, user, typed):
    factories.make_release(db, user, "Evaluation harness", organisation="")
    result = found(db, user, typed)
    words = fulltext.terms(typed)
    # Found exactly when there are words and each starts a word of the title.
    expected = bool(words) and all(
        any(w.startswith(t) for w in ("evaluation", "harness")) for t in words
    )
    assert result["releases"] == (["Evaluation harness"] if expected else [])
    assert db.execute(sa.text("SELECT count(*) FROM release")).scalar_one() >= 1


def test_snippets_mark_the_words_and_escape_the_content(db, user):
    factories.make_release(
        db,
        user,
        "<b>Evaluation</b> & co",
        organisation="",
        summary='Text before <img src=x onerror="alert(1)"> evaluation of models',
    )
    [hit] = search_everything(db, user=user, text="evaluation").releases
    assert str(hit.title_html) == "&lt;b&gt;<mark>Evaluation</mark>&lt;/b&gt; &amp; co"
    # SQLite's snippet keeps the tag as text (escaped); ts_headline drops tags.
    assert "<img" not in str(hit.snippet_html)
    assert "<mark>evaluation</mark>" in str(hit.snippet_html)


def test_marks_in_the_content_cannot_leave_a_tag_open():
    assert str(fulltext.marked("a\ue000b")) == "a<mark>b</mark>"
    assert str(fulltext.marked("a\ue001b\ue000\ue000c")) == "ab<mark>c</mark>"


def test_the_release_log_query_uses_the_index(db, user, connection):
    """On PostgreSQL the planner must see the indexed expression (spelled
    the same in app.fulltext and the migration); on SQLite the FTS table."""
    match = fulltext.match(fulltext.RELEASES, "eval", dialect=connection.dialect.name)
    query = match.ids()
    compiled = query.compile(connection, compile_kwargs={"literal_binds": True})
    if connection.dialect.name == "postgresql":
        db.execute(sa.text("SET LOCAL enable_seqscan = off"))
        plan = "\n".join(r[0] for r in db.execute(sa.text(f"EXPLAIN {compiled}")))
        assert "ix_release_fulltext" in plan
    else:
        plan = " ".join(str(r[-1]) for r in db.execute(sa.text(f"EXPLAIN QUERY PLAN {compiled}")))
        assert "VIRTUAL TABLE INDEX" in plan and "release_fts" in plan
