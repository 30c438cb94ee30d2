"""The release log in the browser: logging, dedupe, filters, pages, links."""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import select

from app.releases.models import Release, ReleaseLink
from tests import factories
from tests.helpers import count, soup

FORM = {
    "title": "OpenBench-2: a benchmark for long-context retrieval",
    "kind": "benchmark",
    "organisation": "Big Lab",
    "released_on": "2026-10-20",
    "url": "https://arxiv.org/abs/2410.01234v2",
    "summary": "Retrieval over 1M tokens.",
}


def titles(response) -> list[str]:
    return [a.get_text(strip=True) for a in soup(response).select("li.release a.release-title")]


def test_log_a_release_and_see_its_page(logged_in, db, user):
    r = logged_in.submit("/releases", FORM)
    assert r.status_code == 303
    release = db.exec(select(Release)).one()
    # First the projects it may touch; with no projects, straight on to its page.
    assert r.headers["location"] == f"/releases/{release.id}/touches"
    touches = logged_in.get(r.headers["location"])
    assert touches.headers["location"] == f"/releases/{release.id}"
    r = touches
    assert release.external_id == "arxiv:2410.01234"
    assert release.url_key == "https://arxiv.org/abs/2410.01234v2"
    assert release.source == "manual"
    page = soup(logged_in.get(r.headers["location"]))
    assert page.select_one("h1").get_text(strip=True) == FORM["title"]
    assert "arxiv:2410.01234" in page.get_text()


@pytest.mark.parametrize(
    "again",
    [
        "https://arxiv.org/abs/2410.01234v2",
        "https://arxiv.org/pdf/2410.01234v1.pdf",
        "2410.01234",
        "arXiv:2410.01234",
    ],
)
def test_a_release_already_logged_is_shown_instead_of_a_duplicate(logged_in, db, user, again):
    first = logged_in.submit("/releases", FORM)
    r = logged_in.submit("/releases", {**FORM, "title": "Same paper, other title", "url": again})
    assert r.status_code == 409
    notice = soup(r).select_one("#existing-release")
    release = db.exec(select(Release)).one()
    assert first.headers["location"] == f"/releases/{release.id}/touches"
    assert notice.select_one("a")["href"].endswith(f"/releases/{release.id}")
    assert count(db, Release) == 1


def test_url_variants_are_one_release(logged_in, db):
    data = {**FORM, "url": "https://www.example.org/models/big?utm_source=x"}
    assert logged_in.submit("/releases", data).status_code == 303
    again = {**FORM, "url": "http://example.org/models/big/#readme"}
    assert logged_in.submit("/releases", again).status_code == 409
    assert count(db, Release) == 1


def test_the_database_refuses_duplicates_too(db, user):
    release = factories.make_release(db, user, url="https://example.org/x")
    dup = Release(
        owner_id=user.id,
        title="dup",
        kind="paper",
        released_on=date(2026, 1, 1),
        url_key=release.url_key,
    )
    db.add(dup)
    with pytest.raises(sa.exc.IntegrityError):
        db.flush()
    db.rollback()


def test_other_users_may_log_the_same_release(db, user, other_user):
    factories.make_release(db, user, url="https://example.org/shared")
    factories.make_release(db, other_user, url="https://example.org/shared")
    assert count(db, Release) == 2


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("title", "", "required"),
        ("title", "x" * 301, "at most 300"),
        ("kind", "tweet", "one of the options"),
        ("released_on", "", "required"),
        ("released_on", "yesterday", "yyyy-mm-dd"),
        ("released_on", "2026-13-01", "yyyy-mm-dd"),
        ("released_on", (date.today() + timedelta(days=3)).isoformat(), "future"),
        ("url", "javascript:alert(1)", "http"),
        ("url", "x" * 2001, "at most 2000"),
        ("organisation", "x" * 201, "at most 200"),
        ("summary", "x" * 10_001, "at most 10000"),
    ],
)
def test_bad_release_input_is_explained_beside_the_field(logged_in, db, field, value, message):
    r = logged_in.submit("/releases", {**FORM, field: value})
    assert r.status_code == 422
    error = soup(r).select_one(f"#e-{field}")
    assert error is not None and message in error.get_text().lower()
    assert soup(r).select_one("#f-summary").get_text() == (
        "x" * 10_001 if field == "summary" else FORM["summary"]
    )
    assert count(db, Release) == 0


def test_html_in_release_fields_is_escaped(logged_in, db, user):
    evil = "<script>alert('x')</script>"
    r = logged_in.submit(
        "/releases", {**FORM, "title": evil, "organisation": evil, "summary": evil}
    )
    for page in (logged_in.get(r.headers["location"]), logged_in.get("/releases")):
        assert "<script>alert" not in page.text
        assert not soup(page).select("main script")


def _seed_log(db, user) -> None:
    specs = [
        ("Llama 9", "model", "Meta", "2026-09-01"),
        ("GPT-7 system card", "product", "OpenAI", "2026-10-01"),
        ("A survey of scoops", "paper", "Uni A", "2026-08-15"),
        ("Open eval suite", "benchmark", "Uni B", "2026-10-10"),
        ("Tiny model", "model", "Uni A", "2026-07-01"),
    ]
    for title, kind, org, day in specs:
        factories.make_release(db, user, title, kind=kind, organisation=org, released_on=day)


def test_log_is_newest_first_and_filters(logged_in, db, user):
    _seed_log(db, user)
    assert titles(logged_in.get("/releases")) == [
        "Open eval suite",
        "GPT-7 system card",
        "Llama 9",
        "A survey of scoops",
        "Tiny model",
    ]
    assert titles(logged_in.get("/releases?kind=model")) == ["Llama 9", "Tiny model"]
    assert titles(logged_in.get("/releases?organisation=uni+a")) == [
        "A survey of scoops",
        "Tiny model",
    ]
    assert titles(logged_in.get("/releases?since=2026-08-01&until=2026-09-30")) == [
        "Llama 9",
        "A survey of scoops",
    ]
    assert titles(logged_in.get("/releases?q=SCOOP")) == ["A survey of scoops"]
    assert titles(logged_in.get("/releases?q=100%25")) == []  # LIKE wildcards are literal
    bad = logged_in.get("/releases?since=someday")
    assert bad.status_code == 200 and "YYYY-MM-DD" in bad.text


def test_log_pages_through_everything_once(logged_in, db, user):
    for i in range(120):
        factories.make_release(db, user, f"R{i:03}", released_on=f"2026-0{1 + i % 9}-1{i % 9}")
    seen: list[str] = []
    url = "/releases"
    pages = 0
    while url:
        page = soup(logged_in.get(url))
        seen += [a.get_text(strip=True) for a in page.select("li.release a.release-title")]
        older = page.select_one("a[rel=next]")
        url = older["href"] if older else None
        pages += 1
    assert pages == 3
    assert sorted(seen) == sorted(f"R{i:03}" for i in range(120))
    assert len(set(seen)) == 120


def test_htmx_filter_gets_only_the_results(logged_in, db, user):
    _seed_log(db, user)
    r = logged_in.get("/releases?kind=paper", headers={"HX-Request": "true"})
    assert soup(r).select_one("html") is None
    assert titles(r) == ["A survey of scoops"]


def test_link_a_release_to_a_project_and_change_its_effect(logged_in, db, user):
    project = factories.make_project(db, user, "Long-context eval")
    release = factories.make_release(db, user, "OpenBench-2")
    r = logged_in.submit(
        f"/releases/{release.id}/links",
        {"project_id": str(project.id), "effect": "partial_scoop", "note": "Same retrieval task"},
    )
    assert r.status_code == 303
    link = db.exec(select(ReleaseLink)).one()
    assert (link.effect, link.note) == ("partial_scoop", "Same retrieval task")
    release_page = soup(logged_in.get(f"/releases/{release.id}"))
    item = release_page.select_one(f"#link-{link.id}")
    assert "Long-context eval" in item.get_text() and "partial scoop" in item.get_text()
    assert item.select_one("a.button")["href"].endswith(
        f"/projects/{project.id}/replan?release_id={release.id}"
    )
    assert logged_in.submit(f"/links/{link.id}", {"effect": "reinforces"}).status_code == 303
    db.refresh(link)
    assert link.effect == "reinforces"
    project_page = soup(logged_in.get(f"/projects/{project.id}"))
    assert "reinforced 1 time" in project_page.select_one("#resilience").get_text(" ", strip=True)
    kinds = [li["data-kind"] for li in project_page.select("#timeline li")]
    assert "reinforces" in kinds


def test_link_from_the_project_page(logged_in, db, user):
    project = factories.make_project(db, user, "P")
    release = factories.make_release(db, user, "R")
    page = soup(logged_in.get(f"/projects/{project.id}"))
    form = page.select_one("#link-release-form")
    assert form is not None
    r = logged_in.submit(form["action"], {"release_id": str(release.id), "effect": "new_baseline"})
    assert r.status_code == 303
    assert db.exec(select(ReleaseLink.effect)).one() == "new_baseline"


@pytest.mark.parametrize(
    ("form", "status"),
    [
        ({"project_id": "", "effect": "scoop"}, 422),
        ({"project_id": "abc", "effect": "scoop"}, 422),
        ({"project_id": "1", "effect": "doom"}, 422),
        ({"project_id": "999999", "effect": "scoop"}, 404),
    ],
)
def test_bad_links_are_refused_and_nothing_written(logged_in, db, user, form, status):
    factories.make_project(db, user, "P")
    release = factories.make_release(db, user, "R")
    r = logged_in.submit(f"/releases/{release.id}/links", form)
    assert r.status_code == status
    assert count(db, ReleaseLink) == 0


def test_cannot_link_my_release_to_someone_elses_project(logged_in, db, user, other_user):
    release = factories.make_release(db, user, "Mine")
    theirs = factories.make_project(db, other_user, "Theirs")
    r = logged_in.submit(
        f"/releases/{release.id}/links", {"project_id": str(theirs.id), "effect": "scoop"}
    )
    assert r.status_code == 404
    assert count(db, ReleaseLink) == 0
