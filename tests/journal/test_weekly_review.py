"""The weekly review (app/overview/week.py): once saved, the page shows the
review and a form holding its answers, and saving again updates that same
review (never a second); it lists what was done, in the entries' own words,
and the releases linked to my projects that week, however old they are."""

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlmodel import select

from app.journal.models import JournalEntry, JournalRevision
from app.releases.models import ReleaseLink
from tests import factories
from tests.helpers import count, soup, words
from tests.test_flash import flash_of

WEEK = "2026-W47"  # Monday 16 to Sunday 22 November 2026


def reviews(db) -> list[JournalEntry]:
    return list(db.exec(select(JournalEntry).where(JournalEntry.kind == "review")))


def form_values(page) -> dict[str, str]:
    form = page.select_one("#review-form")
    data = {i["name"]: i.get("value", "") for i in form.select("input[name]")}
    data |= {t["name"]: t.get_text() for t in form.select("textarea[name]")}
    data.pop("csrftoken")
    return data


def test_saving_shows_the_review_and_saving_again_updates_it(logged_in, db, user):
    r = logged_in.submit(
        "/journal/review", {"week": WEEK, "why": "Because it matters", "stop": "Meetings"}
    )
    assert r.status_code == 303
    page = logged_in.get(r.headers["location"])
    assert flash_of(page) == "Weekly review saved to your journal."
    page = soup(page)
    saved = words(page.select_one("#saved-review"))
    assert "Because it matters" in saved and "Meetings" in saved
    assert page.select_one("#review-form button").get_text(strip=True) == "Update the review"
    values = form_values(page)
    assert (values["why"], values["stop"], values["went_well"]) == (
        "Because it matters",
        "Meetings",
        "",
    )

    r = logged_in.submit("/journal/review", {**values, "stop": "Meetings before noon"})
    assert r.status_code == 303
    assert flash_of(logged_in.get(r.headers["location"])) == "Weekly review updated."
    [review] = reviews(db)
    db.refresh(review)
    assert "**What would I stop?**\n\nMeetings before noon" in review.body
    assert "**Why am I doing each of my projects?**\n\nBecause it matters" in review.body
    assert review.version == 2
    assert count(db, JournalRevision, JournalRevision.entry_id == review.id) == 1


def test_a_form_opened_before_the_review_was_saved_does_not_add_a_second(logged_in, db, user):
    stale = form_values(soup(logged_in.get(f"/journal/review?week={WEEK}")))
    assert stale["version"] == ""
    logged_in.submit("/journal/review", {**stale, "why": "From the first tab"})
    r = logged_in.submit("/journal/review", {**stale, "why": "From the second tab"})
    assert r.status_code == 409
    page = soup(r)
    assert "saved elsewhere" in page.select_one("p.notice[role=alert]").get_text()
    assert "From the first tab" in words(page.select_one("#saved-review"))
    again = form_values(page)
    assert again["why"] == "From the second tab", "what was typed is kept"
    assert len(reviews(db)) == 1
    assert logged_in.submit("/journal/review", again).status_code == 303
    [review] = reviews(db)
    db.refresh(review)
    assert "From the second tab" in review.body


def test_what_i_did_lists_the_entries_text(logged_in, db, user):
    project = factories.make_project(db, user, "Probe")
    factories.make_entry(
        db,
        user,
        day="2026-11-17",
        kind="experiment",
        project_id=project.id,
        body="Ran the **long-context ablation** on 3 seeds",
    )
    page = soup(logged_in.get(f"/journal/review?week={WEEK}"))
    [item] = page.select("ul.week-entries li")
    assert words(item.select_one(".meta")) == "Tue · experiment · Probe"
    assert item.select_one(".markdown strong").get_text() == "long-context ablation"


def test_releases_linked_this_week_are_listed_even_when_older(logged_in, db, user):
    project = factories.make_project(db, user, "Probe")
    old = factories.make_release(db, user, "Tülu 3", released_on="2026-10-01")
    link = factories.make_link(db, user, old, project, effect="new_baseline")
    db.execute(
        sa.update(ReleaseLink)
        .where(ReleaseLink.id == link.id)
        .values(created_at=datetime(2026, 11, 18, 9, 0, tzinfo=UTC))
    )
    earlier = factories.make_release(db, user, "Old news", released_on="2026-09-01")
    other = factories.make_link(db, user, earlier, project, effect="related")
    db.execute(
        sa.update(ReleaseLink)
        .where(ReleaseLink.id == other.id)
        .values(created_at=datetime(2026, 10, 2, 9, 0, tzinfo=UTC))
    )
    db.commit()
    page = soup(logged_in.get(f"/journal/review?week={WEEK}"))
    listed = [words(li) for li in page.select("#week-releases li")]
    assert len(listed) == 1
    assert listed[0].startswith("Tülu 3 → Probe:")
    assert "released 2026-10-01, linked 18 Nov 2026" in listed[0]
