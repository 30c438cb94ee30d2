"""Pace figures in the user's time zone, across a DST change, and the nudges."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa

from app.journal import queries, service
from app.journal.charts import nice_ticks
from app.journal.models import JournalEntry, JournalSettings
from tests import factories
from tests.helpers import soup


def entry_at(
    db, user, *, day: str, logged: datetime, kind: str = "experiment", **fields
) -> JournalEntry:
    entry = factories.make_entry(db, user, day=day, kind=kind, **fields)
    db.execute(sa.update(JournalEntry).where(JournalEntry.id == entry.id).values(created_at=logged))
    db.commit()
    return entry


def week_of(pace, day: date):
    return next(w for w in pace.weeks if w.start == queries.week_start(day))


def test_late_night_and_weekend_follow_the_users_clock_across_dst(db, user):
    user.timezone = "Europe/Berlin"
    db.add(user)
    db.commit()
    # Berlin moves from UTC+1 to UTC+2 at 01:00 UTC on Sunday 29 March 2026.
    entry_at(
        db, user, day="2026-03-27", logged=datetime(2026, 3, 27, 20, 30, tzinfo=UTC)
    )  # 21:30 CET: evening
    entry_at(
        db, user, day="2026-03-28", logged=datetime(2026, 3, 28, 21, 30, tzinfo=UTC)
    )  # 22:30 CET: late
    entry_at(
        db, user, day="2026-03-29", logged=datetime(2026, 3, 29, 20, 30, tzinfo=UTC)
    )  # 22:30 CEST: late
    entry_at(
        db, user, day="2026-03-30", logged=datetime(2026, 3, 30, 19, 30, tzinfo=UTC)
    )  # 21:30 CEST: evening
    entry_at(
        db, user, day="2026-03-31", logged=datetime(2026, 3, 31, 3, 30, tzinfo=UTC)
    )  # 05:30 CEST: morning
    settings = JournalSettings(user_id=user.id)
    pace = queries.pace(db, user=user, settings=settings, today=date(2026, 4, 1))
    before, after = week_of(pace, date(2026, 3, 27)), week_of(pace, date(2026, 3, 30))
    assert (before.entries, before.late_entries, before.weekend_entries) == (3, 2, 2)
    assert (after.entries, after.late_entries, after.weekend_entries) == (2, 0, 0)
    # The same instants, read on a server clock in UTC, would count differently.
    user.timezone = "UTC"
    utc_pace = queries.pace(db, user=user, settings=settings, today=date(2026, 4, 1))
    assert week_of(utc_pace, date(2026, 3, 27)).late_entries == 0


def test_today_is_the_users_today(db, user, monkeypatch):
    # 23:30 UTC on 31 March is already 1 April in Berlin (CEST, UTC+2).
    monkeypatch.setattr(service, "utcnow", lambda: datetime(2026, 3, 31, 23, 30, tzinfo=UTC))
    user.timezone = "Europe/Berlin"
    assert service.today_for(user) == date(2026, 4, 1)
    user.timezone = "America/New_York"
    assert service.today_for(user) == date(2026, 3, 31)


def test_weekly_hours_energy_and_rest(db, user):
    today = date(2026, 11, 20)  # a Friday
    monday = queries.week_start(today)
    factories.make_entry(db, user, day=monday.isoformat(), hours="6.5", energy=4)
    factories.make_entry(
        db, user, day=(monday + timedelta(days=1)).isoformat(), hours="3", energy=2
    )
    factories.make_entry(db, user, day=(monday + timedelta(days=2)).isoformat(), kind="rest")
    factories.make_entry(
        db,
        user,
        day=(monday - timedelta(days=7)).isoformat(),
        hours="1",
        learned="x",
        serves_purpose=True,
    )
    pace = queries.pace(db, user=user, settings=JournalSettings(user_id=user.id), today=today)
    assert len(pace.weeks) == 12 and pace.weeks[-1].start == monday
    this = pace.weeks[-1]
    assert (this.hours, this.entries, this.rest_days, this.energy) == (Decimal("9.5"), 3, 1, 3.0)
    assert pace.weeks[-2].hours == Decimal("1")
    assert (pace.total, pace.days_logged, pace.rest_days, pace.learnings) == (4, 3, 1, 1)
    assert pace.purpose_share == 25


def _weekly(db, user, today: date, hours: list[float], energies: list[int | None]) -> None:
    monday = queries.week_start(today)
    for weeks_ago, (h, e) in enumerate(zip(reversed(hours), reversed(energies), strict=True)):
        factories.make_entry(
            db,
            user,
            day=(monday - timedelta(weeks=weeks_ago)).isoformat(),
            hours=str(h),
            energy=e,
            kind="experiment",
        )


def test_nudge_after_weeks_over_the_hours_limit(db, user):
    today = date(2026, 11, 20)
    _weekly(db, user, today, [10, 20, 20, 20], [None] * 4)
    settings = JournalSettings(user_id=user.id, weekly_hours_limit=15, weeks_over_limit=3)
    prompts = queries.pace(db, user=user, settings=settings, today=today).prompts
    assert any("more than 15 hours a week for 3 weeks running" in p for p in prompts)
    settings.weeks_over_limit = 4
    prompts = queries.pace(db, user=user, settings=settings, today=today).prompts
    assert not any("hours a week" in p for p in prompts)


def test_nudge_when_energy_falls_three_weeks_running(db, user):
    today = date(2026, 11, 20)
    _weekly(db, user, today, [1, 1, 1], [4, 3, 2])
    prompts = queries.pace(
        db, user=user, settings=JournalSettings(user_id=user.id), today=today
    ).prompts
    assert any("energy has gone down three weeks in a row (4.0 → 3.0 → 2.0)" in p for p in prompts)


def test_no_nudges_for_a_steady_pace(db, user):
    today = date(2026, 11, 20)
    _weekly(db, user, today, [12, 12, 12], [3, 4, 3])
    factories.make_entry(db, user, day=today.isoformat(), kind="rest")
    assert (
        queries.pace(db, user=user, settings=JournalSettings(user_id=user.id), today=today).prompts
        == []
    )


def test_pace_page_is_only_about_the_person_viewing_it(logged_in, db, user, other_user):
    today = service.today_for(user)
    factories.make_entry(db, user, day=today.isoformat(), hours="4")
    factories.make_entry(db, other_user, day=today.isoformat(), hours="17")
    page = soup(logged_in.get("/journal/pace"))
    row = page.select_one(f'#pace-table tr[data-week="{queries.week_start(today).isoformat()}"]')
    assert row.select("td")[1].get_text() == "4.0"
    assert len(page.select("svg.pace-chart")) == 3
    assert "17" not in row.get_text()


def test_pace_charts_have_week_labels_hour_units_and_the_limit_line_at_its_value(
    logged_in, db, user
):
    today = service.today_for(user)
    db.add(JournalSettings(user_id=user.id, weekly_hours_limit=15))
    db.commit()
    _weekly(db, user, today, [10, 18, 12], [4, 2, 3])
    page = soup(logged_in.get("/journal/pace"))
    hours = page.select_one("svg#hours-chart")
    # The x axis names every week, oldest first, the same weeks as the table.
    weeks = [t.get_text() for t in hours.select("text.week-tick")]
    table_weeks = [tr.select_one("td").get_text() for tr in page.select("#pace-table tbody tr")]
    assert weeks == list(reversed(table_weeks)) and len(weeks) == 12
    assert weeks[-1] == queries.week_start(today).strftime("%d %b")
    assert "hours" in [t.get_text() for t in hours.select("text.y-unit")]
    # The limit line sits where the axis says 15.
    ticks = {t.get_text(): t for t in hours.select("text.chart-tick:not(.week-tick)")}
    assert "15" in ticks, ticks.keys()
    limit = hours.select_one("line.limit")
    assert float(limit["y1"]) == float(ticks["15"]["y"]) - 4
    assert "your limit 15 h" in hours.get_text()
    # A week over the limit is drawn differently, and each bar says its hours,
    # the same figure as the table.
    bars = hours.select("rect.bar-hours")
    assert [("bar-over" in b["class"]) for b in bars[-3:]] == [False, True, False]
    assert bars[-2].title.get_text().endswith(": 18.0 h")
    # Energy is a line over the weeks, on a 1–5 axis.
    energy = page.select_one("svg#energy-chart")
    assert len(energy.select("circle.dot-energy")) == 3
    assert [t.get_text() for t in energy.select("text.chart-tick:not(.week-tick)")] == list("12345")
    # Weekend and late-night bars are named in a legend.
    legend = page.select_one("#odd-caption").get_text()
    assert "weekend" in legend and "late at night" in legend


def test_nice_ticks_are_round_and_cover_the_top():
    assert nice_ticks(18.9) == [0, 5, 10, 15, 20]
    assert nice_ticks(52.5) == [0, 20, 40, 60]
    assert nice_ticks(4) == [0, 1, 2, 3, 4]
    assert nice_ticks(0) == [0, 0.2, 0.4, 0.6, 0.8, 1.0]
