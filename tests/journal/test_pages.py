"""The journal in the browser: writing, reading, editing, archiving, privacy."""

import io
import json
import zipfile

import pytest
from sqlmodel import select

from app.journal import service as journal_service
from app.journal.models import EntryUpdate, JournalEntry, JournalRevision
from tests import factories
from tests.helpers import count, soup, words


def bodies(response) -> list[str]:
    return [
        a.select_one(".markdown").get_text(" ", strip=True)
        for a in soup(response).select("article.entry")
    ]


def test_quick_entry_box_is_on_every_page(logged_in, db, user):
    project = factories.make_project(db, user, "P")
    for url in ("/", f"/projects/{project.id}", "/releases", "/account", "/journal"):
        box = soup(logged_in.get(url)).select_one("#quick-entry form")
        assert box is not None, url
        assert box.select_one("input[name=next]")["value"] == url


def test_quick_entry_without_javascript_goes_back_where_it_came_from(logged_in, db, user):
    r = logged_in.submit(
        "/journal/entries",
        {
            "kind": "reading",
            "body": "Read the *scaling* paper",
            "learned": "Data > params",
            "hours": "1,5",
            "next": "/releases",
        },
    )
    entry = db.exec(select(JournalEntry)).one()
    assert r.status_code == 303 and r.headers["location"] == f"/releases?saved_entry={entry.id}"
    back = soup(logged_in.get(r.headers["location"]))
    assert "Saved to your journal" in back.select_one("#quick-saved").get_text()
    assert (entry.kind, str(entry.hours), entry.learned) == ("reading", "1.5", "Data > params")
    assert entry.day is not None and entry.author_id == user.id


def test_quick_entry_with_htmx_confirms_in_place(logged_in, db):
    r = logged_in.htmx("/journal/entries", {"kind": "rest", "body": "A walk", "hours": ""})
    assert r.status_code == 200
    page = soup(r)
    assert page.select_one("html") is None
    assert "Saved to your journal" in page.select_one("#quick-saved").get_text()
    bad = logged_in.htmx("/journal/entries", {"kind": "napping", "hours": "30"})
    assert bad.status_code == 422
    assert soup(bad).select_one("#qe-kind") and soup(bad).select_one("#qe-hours")
    assert count(db, JournalEntry) == 1


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("kind", "", "required"),
        ("kind", "napping", "one of the options"),
        ("hours", "25", "at most 24"),
        ("hours", "-1", "at least 0"),
        ("hours", "lots", "number"),
        ("energy", "6", "1 to 5"),
        ("day", "someday", "yyyy-mm-dd"),
        ("body", "x" * 20_001, "at most 20000"),
        ("learned", "x" * 5_001, "at most 5000"),
    ],
)
def test_bad_entries_are_explained_and_not_saved(logged_in, db, field, value, message):
    form = {"kind": "experiment", "body": "Tried a thing", "day": "2026-11-02", field: value}
    r = logged_in.submit("/journal/entries", form)
    assert r.status_code == 422
    error = soup(r).select_one(f"#e-{field}")
    assert error is not None and message in error.get_text().lower()
    assert count(db, JournalEntry) == 0


def test_entries_about_someone_elses_project_are_refused(logged_in, db, other_user):
    theirs = factories.make_project(db, other_user, "Theirs")
    r = logged_in.submit("/journal/entries", {"kind": "experiment", "project_id": str(theirs.id)})
    assert r.status_code == 404
    assert count(db, JournalEntry) == 0


def test_editing_keeps_the_earlier_text(logged_in, db, user):
    entry = factories.make_entry(db, user, body="First draft", learned="old lesson")
    form = soup(logged_in.get(f"/journal/entries/{entry.id}/edit"))
    assert form.select_one("#f-body").get_text() == "First draft"
    r = logged_in.submit(
        f"/journal/entries/{entry.id}",
        {"version": "1", "kind": "writing", "body": "Second draft", "day": ""},
    )
    assert r.status_code == 303
    db.refresh(entry)
    assert (entry.body, entry.kind, entry.version) == ("Second draft", "writing", 2)
    revision = db.exec(select(JournalRevision)).one()
    assert (revision.body, revision.learned, revision.version) == ("First draft", "old lesson", 1)
    page = soup(logged_in.get(f"/journal/entries/{entry.id}"))
    assert "First draft" in page.select_one("details.revision").get_text()
    # An edit from a stale form is refused and keeps what was typed.
    stale = logged_in.submit(
        f"/journal/entries/{entry.id}", {"version": "1", "kind": "writing", "body": "Third"}
    )
    assert stale.status_code == 409
    assert soup(stale).select_one("#f-body").get_text() == "Third"
    db.refresh(entry)
    assert entry.body == "Second draft"


def test_htmx_edit_swaps_the_entry_in_place(logged_in, db, user):
    entry = factories.make_entry(db, user, body="Before")
    form = logged_in.get(f"/journal/entries/{entry.id}/edit", headers={"HX-Request": "true"})
    assert soup(form).select_one("html") is None and soup(form).select_one("#entry-view form")
    r = logged_in.htmx(
        f"/journal/entries/{entry.id}", {"version": "1", "kind": "experiment", "body": "After"}
    )
    assert r.status_code == 200
    assert "After" in soup(r).select_one("article.entry").get_text()


def test_archive_and_restore_never_lose_an_entry(logged_in, db, user):
    entry = factories.make_entry(db, user, body="Keep me")
    assert logged_in.submit(f"/journal/entries/{entry.id}/archive").status_code == 303
    assert bodies(logged_in.get("/journal")) == []
    assert bodies(logged_in.get("/journal?archived=1")) == ["Keep me"]
    assert logged_in.submit(f"/journal/entries/{entry.id}/restore").status_code == 303
    assert bodies(logged_in.get("/journal")) == ["Keep me"]
    assert count(db, JournalEntry) == 1


def test_read_by_week_project_kind_and_text(logged_in, db, user):
    project = factories.make_project(db, user, "Probe")
    factories.make_entry(db, user, day="2026-11-16", kind="reading", body="Monday reading")
    factories.make_entry(
        db, user, day="2026-11-22", kind="experiment", body="Sunday run", project_id=project.id
    )
    factories.make_entry(db, user, day="2026-11-23", kind="experiment", body="Next Monday")
    assert bodies(logged_in.get("/journal?week=2026-W47")) == ["Sunday run", "Monday reading"]
    assert bodies(logged_in.get(f"/journal?project={project.id}")) == ["Sunday run"]
    assert bodies(logged_in.get("/journal?kind=reading")) == ["Monday reading"]
    assert bodies(logged_in.get("/journal?q=MONDAY")) == ["Next Monday", "Monday reading"]
    fragment = logged_in.get("/journal?kind=reading", headers={"HX-Request": "true"})
    assert soup(fragment).select_one("html") is None and bodies(fragment) == ["Monday reading"]
    project_page = soup(logged_in.get(f"/projects/{project.id}"))
    assert [li["data-kind"] for li in project_page.select("#timeline li")].count("journal") == 1


def test_nobody_else_sees_my_journal(logged_in, db, user, other_user):
    factories.make_entry(db, other_user, body="Their private worries", learned="their lesson")
    mine = factories.make_entry(db, user, body="My own note")
    for url in (
        "/journal",
        "/journal?q=worries",
        "/journal?archived=1",
        "/journal/pace",
        "/journal/review",
        "/journal/export.md",
        "/journal/export.json",
    ):
        text = logged_in.get(url).text
        assert "Their private worries" not in text and "their lesson" not in text, url
    archive = zipfile.ZipFile(io.BytesIO(logged_in.get("/journal/export.zip").content))
    assert all("worries" not in archive.read(name).decode() for name in archive.namelist())
    assert bodies(logged_in.get("/journal")) == ["My own note"]
    assert mine.id


@pytest.mark.parametrize(
    "markdown",
    [
        "<script>alert('x')</script>",
        "[click](javascript:alert(1))",
        "[click](JAVASCRIPT:alert(1))",
        '<img src=x onerror="alert(1)">',
        '<a href="#" onclick="alert(1)">hi</a>',
        "<iframe src='https://evil.example'></iframe>",
        "![x](javascript:alert(1))",
    ],
)
def test_markdown_is_rendered_inert(logged_in, db, user, markdown):
    entry = factories.make_entry(db, user, body=f"Note\n\n{markdown}\n\n**bold**")
    for url in ("/journal", f"/journal/entries/{entry.id}"):
        rendered = soup(logged_in.get(url)).select_one(f"#entry-{entry.id} .markdown")
        assert rendered.select_one("strong").get_text() == "bold"
        assert not rendered.select("script, iframe, [onerror], [onclick]")
        for link in rendered.select("a[href], img[src]"):
            target = (link.get("href") or link.get("src")).lower()
            assert not target.startswith("javascript:")


def test_markdown_keeps_ordinary_formatting(logged_in, db, user):
    entry = factories.make_entry(
        db, user, body="- one\n- two\n\n[paper](https://arxiv.org/abs/2401.00001)"
    )
    rendered = soup(logged_in.get(f"/journal/entries/{entry.id}")).select_one(".markdown")
    assert [li.get_text() for li in rendered.select("li")] == ["one", "two"]
    link = rendered.select_one("a")
    assert link["href"] == "https://arxiv.org/abs/2401.00001" and "noopener" in link["rel"]


def test_pages_show_the_html_stored_when_the_body_was_written(
    logged_in, db, user, markdown_rendering_stopped
):
    team = factories.make_team(db, user, "Vision group")
    entry = factories.make_entry(
        db, user, day="2026-11-17", body="First **draft**", shared_team_id=team.id
    )
    journal_service.entry_update(
        db, entry=entry, data=EntryUpdate(version=1, body="Second **draft**")
    )
    db.commit()
    review = factories.make_entry(db, user, day="2026-11-22", kind="review", body="**Stop** it")
    assert entry.body_html == "<p>Second <strong>draft</strong></p>\n"
    markdown_rendering_stopped()

    pages = {
        "/journal": [f"#entry-{entry.id}", f"#entry-{review.id}"],
        f"/journal/entries/{entry.id}": ["#entry-view article.entry", "details.revision"],
        "/journal/review?week=2026-W47": ["section.card:has(> .markdown)"],
        f"/teams/{team.id}/journal": [f"#shared-{entry.id}"],
    }
    shown = {}
    for url, selectors in pages.items():
        r = logged_in.get(url)
        assert r.status_code == 200, url
        for selector in selectors:
            block = soup(r).select_one(f"{selector} .markdown")
            shown[url, selector] = words(block)
            assert block.select_one("strong"), (url, selector)
    assert list(shown.values()) == [
        "Second draft",
        "Stop it",
        "Second draft",
        "First draft",
        "Stop it",
        "Second draft",
    ]


def test_exports_carry_everything_including_archived(logged_in, db, user):
    project = factories.make_project(db, user, "Probe")
    factories.make_entry(
        db,
        user,
        day="2026-11-16",
        kind="reading",
        body="Read **it**",
        learned="L1",
        hours="2.5",
        energy=4,
        project_id=project.id,
    )
    old = factories.make_entry(db, user, day="2026-10-05", kind="rest", body="Hike")
    logged_in.submit(f"/journal/entries/{old.id}/archive")
    md = logged_in.get("/journal/export.md")
    assert md.headers["content-type"].startswith("text/markdown")
    assert "attachment" in md.headers["content-disposition"]
    text = md.text
    assert "## 2026-W47" in text and "### 2026-11-16 · reading · Probe" in text
    assert "Read **it**" in text and "**Learned:** L1" in text and "*2.5 h, energy 4/5*" in text
    assert "*(archived)*" in text
    archive = zipfile.ZipFile(io.BytesIO(logged_in.get("/journal/export.zip").content))
    assert sorted(archive.namelist()) == ["2026-W41.md", "2026-W47.md"]
    assert "Hike" in archive.read("2026-W41.md").decode()
    data = json.loads(logged_in.get("/journal/export.json").text)
    assert data["author"]["email"] == user.email
    assert [(e["day"], e["kind"], e["hours"]) for e in data["entries"]] == [
        ("2026-10-05", "rest", None),
        ("2026-11-16", "reading", "2.5"),
    ]
    assert logged_in.get("/journal/export.pdf").status_code == 404


def test_settings_and_purpose(logged_in, db, user):
    r = logged_in.submit(
        "/journal/settings",
        {
            "purpose": "Make evaluation honest",
            "weekly_hours_limit": "45",
            "weeks_over_limit": "2",
            "late_hour": "23",
        },
    )
    assert r.status_code == 303
    assert (
        "Make evaluation honest"
        in soup(logged_in.get("/journal")).select_one("#purpose").get_text()
    )
    bad = logged_in.submit(
        "/journal/settings", {"weekly_hours_limit": "0", "weeks_over_limit": "2", "late_hour": "23"}
    )
    assert bad.status_code == 422 and soup(bad).select_one("#e-weekly_hours_limit")


def test_weekly_review_gathers_the_week_and_saves_an_entry(logged_in, db, user):
    project = factories.make_project(db, user, "Probe")
    factories.make_entry(
        db, user, day="2026-11-17", kind="experiment", body="Ran it", learned="It works"
    )
    release = factories.make_release(db, user, "Rival", released_on="2026-11-18")
    factories.make_link(db, user, release, project, effect="reinforces")
    page = soup(logged_in.get("/journal/review?week=2026-W47"))
    text = page.get_text(" ", strip=True)
    assert "It works" in text and "Rival" in text and "reinforces the plan" in text
    assert page.select_one("#f-why") and page.select_one("#f-stop")
    empty = logged_in.submit("/journal/review", {"week": "2026-W47"})
    assert empty.status_code == 422
    r = logged_in.submit(
        "/journal/review", {"week": "2026-W47", "why": "Because it matters", "stop": "Meetings"}
    )
    assert r.status_code == 303
    review = db.exec(select(JournalEntry).where(JournalEntry.kind == "review")).one()
    assert review.day.isoformat() == "2026-11-22"
    assert "**What would I stop?**\n\nMeetings" in review.body


def test_a_finished_replan_writes_a_replan_entry(logged_in, db, user):
    project = factories.make_project(db, user, "P")
    release = factories.make_release(db, user, "R")
    factories.make_replan(db, project, user, release)
    entry = db.exec(select(JournalEntry)).one()
    assert (entry.kind, entry.project_id) == ("replan", project.id)
    assert entry.learned == "Check arXiv weekly for our keywords"
    assert "Re-planned **P** after *R*" in entry.body
    page = soup(logged_in.get("/journal"))
    assert "re-plan" in page.select_one("article.entry .kind").get_text()
    assert page.select_one('[data-count="replans"]').get_text() == "1"


def test_timezone_setting(logged_in, db, user):
    assert logged_in.submit("/account/timezone", {"timezone": "Europe/Berlin"}).status_code == 303
    db.refresh(user)
    assert user.timezone == "Europe/Berlin"
    bad = logged_in.submit("/account/timezone", {"timezone": "Mars/Olympus"})
    assert bad.status_code == 422 and soup(bad).select_one("#e-timezone")
    db.refresh(user)
    assert user.timezone == "Europe/Berlin"


@pytest.mark.parametrize("htmx", [True, False])
def test_an_empty_quick_entry_is_refused_beside_the_text(logged_in, db, htmx):
    """Nothing typed would still count in pace and the weekly review."""
    form = {"kind": "experiment", "body": "  ", "learned": "", "hours": "3"}
    r = (
        logged_in.htmx("/journal/entries", form)
        if htmx
        else logged_in.submit("/journal/entries", form)
    )
    assert r.status_code == 422
    page = soup(r)
    error = page.select_one("#qe-body" if htmx else "#e-body")
    assert "empty entry is not saved" in error.get_text()
    hours = page.select_one("#q-hours" if htmx else "#f-hours")
    assert hours["value"] == "3"  # what was typed is kept
    assert count(db, JournalEntry) == 0


def test_an_entry_cannot_be_emptied_through_the_api(api, db, user):
    entry = factories.make_entry(db, user, body="Ran the ablation")
    r = api.patch(f"/api/v1/journal/entries/{entry.id}", json={"version": 1, "body": ""})
    assert r.status_code == 422 and "empty entry" in r.json()["error"]["message"]
    assert api.post("/api/v1/journal/entries", json={"kind": "rest"}).status_code == 422


def test_a_long_journal_exports_whole_a_week_a_section_in_every_format(logged_in, db, user):
    """The exports are written a batch of entries at a time (and streamed):
    a journal longer than a batch still comes out whole, in day order, each
    week once, and the JSON is one document."""
    from datetime import date, timedelta

    first = date(2025, 1, 6)  # a Monday
    days = [first + timedelta(days=3 * i) for i in range(700)]  # more than a batch (500)
    for i, day in enumerate(days):
        factories.make_entry(db, user, day=day.isoformat(), kind="writing", body=f"Entry {i}")
    weeks = sorted({f"{d.isocalendar()[0]}-W{d.isocalendar()[1]:02}" for d in days})
    text = logged_in.get("/journal/export.md").text
    assert [line[3:] for line in text.splitlines() if line.startswith("## ")] == weeks
    assert text.index("Entry 0\n") < text.index("Entry 500\n") < text.index("Entry 699\n")
    archive = zipfile.ZipFile(io.BytesIO(logged_in.get("/journal/export.zip").content))
    assert sorted(archive.namelist()) == [f"{w}.md" for w in weeks]
    data = json.loads(logged_in.get("/journal/export.json").text)
    assert [e["body"] for e in data["entries"]] == [f"Entry {i}" for i in range(700)]
