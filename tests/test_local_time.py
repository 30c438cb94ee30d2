"""Every moment on a page is in the reader's time zone and says which one
(app.web.local_time): score history, journal versions, review comments and
activity all agree, for readers in different zones."""

from datetime import UTC, datetime

import sqlalchemy as sa

from app.journal import service as journal_service
from app.journal.models import EntryUpdate, JournalRevision
from app.projects.models import Assessment
from tests import factories
from tests.helpers import soup

MOMENT = datetime(2026, 12, 1, 13, 5, tzinfo=UTC)


def _in_zone(db, user, zone: str):
    user.timezone = zone
    db.add(user)
    db.commit()


def test_score_history_is_in_the_readers_zone_and_labelled(logged_in, db, user):
    project = factories.make_project(db, user, "Reward model robustness")
    db.execute(
        sa.update(Assessment).where(Assessment.project_id == project.id).values(created_at=MOMENT)
    )
    db.commit()
    _in_zone(db, user, "Europe/Paris")
    page = soup(logged_in.get(f"/projects/{project.id}"))
    [stamp] = page.select(".history-list time")
    assert stamp.get_text(strip=True) == "Tue 01 Dec 2026, 14:05 CET"
    assert stamp["datetime"].startswith("2026-12-01T13:05")

    _in_zone(db, user, "America/New_York")
    page = soup(logged_in.get(f"/projects/{project.id}"))
    assert page.select_one(".history-list time").get_text(strip=True) == (
        "Tue 01 Dec 2026, 08:05 EST"
    )


def test_journal_versions_are_in_the_readers_zone_and_labelled(logged_in, db, user):
    entry = factories.make_entry(db, user, body="First take on the ablation.")
    journal_service.entry_update(
        db, entry=entry, data=EntryUpdate(version=entry.version, body="Second take.")
    )
    db.execute(sa.update(JournalRevision).values(replaced_at=MOMENT))
    db.commit()
    _in_zone(db, user, "Asia/Tokyo")
    page = soup(logged_in.get(f"/journal/entries/{entry.id}"))
    summary = page.select_one("details.revision summary").get_text(" ", strip=True)
    assert "Tue 01 Dec 2026, 22:05 JST" in summary
    assert "UTC" not in summary


def test_a_reader_without_a_zone_set_sees_utc_labelled(logged_in, db, user):
    project = factories.make_project(db, user, "Tülu ablations")
    db.execute(
        sa.update(Assessment).where(Assessment.project_id == project.id).values(created_at=MOMENT)
    )
    db.commit()
    page = soup(logged_in.get(f"/projects/{project.id}"))
    assert page.select_one(".history-list time").get_text(strip=True) == (
        "Tue 01 Dec 2026, 13:05 UTC"
    )
