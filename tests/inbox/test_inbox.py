"""The triage inbox: suggestions grouped by project, confirmed, dismissed or
marked not relevant, in place over HTMX and as plain forms; and matching
learning from those choices."""

import pytest
import sqlalchemy as sa
from sqlmodel import select

from app.inbox import service
from app.inbox.models import Suggestion, SuggestionState
from app.inbox.queries import matchable_projects, profiles_of, release_text
from app.matching.engine import Matcher
from app.notifications.models import Notification
from app.releases.models import SCOOP_EFFECTS, LinkEffect, Release, ReleaseLink
from tests import factories
from tests.helpers import soup

INSTRUCTION = {
    "title": "Instruction tuning from a thousand curated examples",
    "summary": "Can a small, carefully curated instruction dataset align a pretrained "
    "language model as well as a large noisy one?",
    "keywords": ["instruction tuning", "data quality", "alignment"],
}
PROTEINS = {
    "title": "Protein structure from sequence embeddings",
    "summary": "Predict protein folding from protein language model embeddings.",
    "keywords": ["protein folding", "structure prediction"],
}
LIMA = {
    "title": "LIMA: Less Is More for Alignment",
    "summary": "Fine-tuning a 65B LLaMA on only 1,000 carefully curated instruction examples "
    "gives strong alignment: data quality matters more than quantity in instruction tuning.",
    "url": "https://arxiv.org/abs/2305.11206",
}
SAM = {
    "title": "Segment Anything",
    "summary": "A promptable image segmentation model and a dataset of a billion masks.",
    "kind": "model",
    "url": "https://arxiv.org/abs/2304.02643",
}


def project(db, user, spec):
    return factories.make_project(
        db, user, spec["title"], summary=spec["summary"], keywords=spec["keywords"]
    )


def release(db, user, spec):
    return factories.make_release(
        db, user, spec["title"], **{k: v for k, v in spec.items() if k != "title"}
    )


def suggest(db, user, releases):
    """What matching put in the inbox for these releases, strongest first."""
    made = service.suggestions_make(
        db, releases=releases, projects=matchable_projects(db, owner_id=user.id), actor=user
    )
    db.commit()
    rows = db.exec(
        select(Suggestion)
        .where(Suggestion.release_id.in_([r.release_id for r in made]))
        .order_by(Suggestion.score.desc(), Suggestion.id)
    ).all()
    assert [(s.release_id, s.project_id) for s in rows] == [
        (m.release_id, m.project_id) for m in made
    ]
    return rows


@pytest.fixture
def matched(db, user):
    """Ada's two projects, and LIMA and Segment Anything arriving."""
    instruction = project(db, user, INSTRUCTION)
    proteins = project(db, user, PROTEINS)
    lima, sam = release(db, user, LIMA), release(db, user, SAM)
    made = suggest(db, user, [lima, sam])
    return instruction, proteins, lima, sam, made


def test_a_new_release_is_suggested_for_the_project_it_touches_with_reasons(db, user, matched):
    instruction, _proteins, lima, _sam, made = matched
    assert [(s.release_id, s.project_id) for s in made] == [(lima.id, instruction.id)]
    [suggestion] = made
    assert 0 < suggestion.score <= 1
    terms = " ".join(suggestion.explanation["terms"])
    assert "instruction" in terms or "curated" in terms
    # Matching it again suggests nothing more.
    assert suggest(db, user, [lima]) == []


def test_the_inbox_groups_by_project_and_shows_why(logged_in, db, user, matched):
    instruction, *_ = matched
    page = soup(logged_in.get("/inbox"))
    group = page.select_one(f"#project-{instruction.id}")
    assert instruction.title in group.select_one("h2").get_text()
    item = group.select_one("li.suggestion")
    assert "LIMA" in item.select_one(".release-title").get_text()
    assert item.select("mark.term")
    assert page.select_one("#nav-inbox .count").get_text() == "1"


def test_confirm_with_another_effect_and_a_note_links_it(logged_in, db, user, matched):
    instruction, _p, lima, _s, [suggestion] = matched
    r = logged_in.submit(
        f"/inbox/{suggestion.id}/confirm", {"effect": "partial_scoop", "note": "same data idea"}
    )
    assert r.status_code == 303
    link = db.exec(select(ReleaseLink)).one()
    assert (link.release_id, link.project_id, link.effect, link.note) == (
        lima.id,
        instruction.id,
        LinkEffect.partial_scoop,
        "same data idea",
    )
    db.refresh(suggestion)
    assert suggestion.state == SuggestionState.confirmed
    # A confirmed scoop offers the re-plan, on the page the plain form lands on.
    page = soup(logged_in.get(r.headers["location"]))
    scooped = page.find("a", string=lambda s: s and "I got scooped" in s)
    assert scooped["href"] == f"/projects/{instruction.id}/replan?release_id={lima.id}"
    assert soup(logged_in.get("/inbox")).select_one("#nav-inbox .count") is None


def test_htmx_confirm_swaps_the_row_in_place(logged_in, db, user, matched):
    _i, _p, _l, _s, [suggestion] = matched
    r = logged_in.htmx(f"/inbox/{suggestion.id}/confirm", {"effect": "scoop"})
    assert r.status_code == 200
    row = soup(r).select_one(f"li#suggestion-{suggestion.id}")
    assert "state-confirmed" in row["class"]
    assert row.find("a", string=lambda s: s and "I got scooped" in s)


def test_a_note_too_long_is_refused_beside_the_field_and_kept(logged_in, db, user, matched):
    _i, _p, _l, _s, [suggestion] = matched
    r = logged_in.htmx(f"/inbox/{suggestion.id}/confirm", {"effect": "scoop", "note": "x" * 2001})
    assert r.status_code == 422
    assert "at most 2000" in soup(r).select_one(".error").get_text()
    assert db.exec(select(ReleaseLink)).all() == []
    db.refresh(suggestion)
    assert suggestion.state == SuggestionState.open


def test_dismiss_and_undo(logged_in, db, user, matched):
    _i, _p, _l, _s, [suggestion] = matched
    r = logged_in.htmx(f"/inbox/{suggestion.id}/dismiss", {"reason": ""})
    assert "Dismissed" in soup(r).get_text()
    db.refresh(suggestion)
    assert suggestion.state == SuggestionState.dismissed
    logged_in.htmx(f"/inbox/{suggestion.id}/reopen")
    db.refresh(suggestion)
    assert suggestion.state == SuggestionState.open
    logged_in.submit(f"/inbox/{suggestion.id}/dismiss", {"reason": "not_relevant"})
    db.refresh(suggestion)
    assert suggestion.state == SuggestionState.not_relevant
    assert db.exec(select(ReleaseLink)).all() == []


def test_a_likely_scoop_notifies_its_owner(db, user, matched):
    *_, made = matched
    notices = db.exec(select(Notification).where(Notification.user_id == user.id)).all()
    scoops = [s for s in made if s.effect in SCOOP_EFFECTS]
    assert sorted((n.project_id, n.release_id) for n in notices) == sorted(
        (s.project_id, s.release_id) for s in scoops
    )
    assert all(n.kind == "scoop_suggested" for n in notices)


def test_a_likely_scoop_shows_on_the_project_page(logged_in, db, user):
    instruction = project(db, user, INSTRUCTION)
    lima = release(db, user, LIMA)
    suggestion = factories.make_suggestion(db, lima, instruction, effect="scoop")
    alert = soup(logged_in.get(f"/projects/{instruction.id}")).select_one("#likely-scoops")
    assert "LIMA" in alert.get_text()
    assert alert.find("a", href=f"/inbox/{suggestion.id}")
    logged_in.submit(f"/inbox/{suggestion.id}/dismiss", {"reason": "not_relevant"})
    assert soup(logged_in.get(f"/projects/{instruction.id}")).select_one("#likely-scoops") is None


def test_not_relevant_teaches_the_project(db, user):
    """Two rounds of look-alike releases: after the first is marked not
    relevant, the second, on the same off-topic, scores lower than an
    untaught twin project scores it."""
    spec = {
        "title": "Aligning language models with human feedback",
        "summary": "Preference data and reward models to align chat assistants.",
        "keywords": ["alignment", "human feedback", "reward model"],
    }
    taught = project(db, user, spec)
    untaught = project(db, user, {**spec, "title": spec["title"] + " (copy)"})
    off_topic = {
        "title": "Aligning satellite images with human feedback maps",
        "summary": "Image registration: aligning satellite images using feedback from human "
        "annotators and a learned reward model for map alignment.",
    }
    first = release(db, user, {**off_topic, "url": "https://example.org/sat-1"})
    made = suggest(db, user, [first])
    for s in made:
        if s.project_id == taught.id:
            service.suggestion_dismiss(db, suggestion=s, not_relevant=True)
    if not any(s.project_id == taught.id for s in made):
        # Not even suggested: mark it as a user would from the release's page.
        db.add(
            Suggestion(
                owner_id=user.id,
                release_id=first.id,
                project_id=taught.id,
                score=0.3,
                effect=LinkEffect.related,
                state=SuggestionState.not_relevant,
            )
        )
    db.commit()
    second = release(
        db,
        user,
        {
            "title": "Satellite image alignment with human feedback",
            "summary": "Aligning satellite images to maps with human feedback and a reward model.",
            "url": "https://example.org/sat-2",
        },
    )
    scores = {
        m.project_id: m.score
        for m in Matcher(profiles_of(db, projects=[taught, untaught]), threshold=0.0).match(
            [release_text(second)]
        )
    }
    assert scores.get(taught.id, 0.0) < scores[untaught.id]


def test_someone_elses_suggestion_is_not_found(logged_in, db, other_user):
    theirs = project(db, other_user, INSTRUCTION)
    their_release = release(db, other_user, LIMA)
    suggestion = factories.make_suggestion(db, their_release, theirs)
    for url in (f"/inbox/{suggestion.id}/confirm", f"/inbox/{suggestion.id}/dismiss"):
        assert logged_in.submit(url, {"effect": "scoop"}).status_code == 404
    assert logged_in.get(f"/inbox/{suggestion.id}").status_code == 404
    assert "LIMA" not in logged_in.get("/inbox").text
    db.refresh(suggestion)
    assert suggestion.state == SuggestionState.open


@pytest.mark.parametrize("size", [3, 30])
def test_the_inbox_costs_the_same_queries_at_any_size(logged_in, db, user, count_queries, size):
    projects = [
        factories.make_project(db, user, f"Project {i}", keywords=[f"topic{i}"]) for i in range(3)
    ]
    for i in range(size):
        r = factories.make_release(db, user, f"Release {i}", url=f"https://example.org/{i}")
        factories.make_suggestion(db, r, projects[i % 3], score=0.5 + i / 100)
    logged_in.get("/inbox")  # warm: the session's touch, caches
    with count_queries() as counted:
        page = logged_in.get("/inbox")
    assert page.status_code == 200
    assert len(soup(page).select("li.suggestion")) == size
    assert counted.n <= 6, counted.statements


def test_logging_a_release_by_hand_offers_the_projects_it_touches(logged_in, db, user):
    instruction = project(db, user, INSTRUCTION)
    project(db, user, PROTEINS)
    r = logged_in.submit(
        "/releases",
        {
            "title": LIMA["title"],
            "kind": "paper",
            "released_on": "2023-05-18",
            "url": LIMA["url"],
            "summary": LIMA["summary"],
        },
    )
    lima = db.exec(select(Release)).one()
    assert r.headers["location"] == f"/releases/{lima.id}/touches"
    page = soup(logged_in.get(r.headers["location"]))
    choices = page.select("select[name=choice]")
    assert [c["id"] for c in choices] == [f"choice-{instruction.id}"]
    chosen = choices[0].select_one("option[selected]")["value"]
    assert chosen.startswith(f"{instruction.id}:")
    r = logged_in.submit(f"/releases/{lima.id}/touches", {"choice": f"{instruction.id}:scoop"})
    assert r.headers["location"] == f"/releases/{lima.id}"
    link = db.exec(select(ReleaseLink)).one()
    assert (link.project_id, link.effect) == (instruction.id, LinkEffect.scoop)
    # Nothing waits in the inbox for what its author has just seen.
    assert db.exec(select(sa.func.count()).select_from(Suggestion)).one() == 0


def test_choices_the_touches_page_never_offered_are_ignored(logged_in, db, user, other_user):
    mine = factories.make_release(db, user, "Mine")
    theirs = factories.make_project(db, other_user, "Theirs")
    for choice in ("99999999999999999999:related", "1" * 5000 + ":scoop", "٣:scoop", "x:scoop"):
        r = logged_in.submit(f"/releases/{mine.id}/touches", {"choice": choice})
        assert r.status_code == 303, choice
    r = logged_in.submit(f"/releases/{mine.id}/touches", {"choice": f"{theirs.id}:scoop"})
    assert r.status_code == 404
    assert db.exec(select(ReleaseLink)).all() == []
