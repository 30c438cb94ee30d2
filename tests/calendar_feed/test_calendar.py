"""The calendar feed: a private, revocable iCalendar link per person with
their plans' horizons, the reviews waiting, and their weekly review slot.
Every calendar here is read back with the icalendar library, as a calendar
app would read it."""

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from bs4 import BeautifulSoup
from dateutil.rrule import rrulestr
from icalendar import Calendar
from sqlmodel import select

from app.calendar_feed.models import CalendarFeed
from app.teams import queries as team_queries
from app.teams import service as team_service
from tests import factories

LINK = re.compile(r"https?://[^/\s<]+(/calendar/gfcal_[A-Za-z0-9_-]+\.ics)")


def make_link(client) -> str:
    """Make the link on the page, as a person does; its path."""
    response = client.submit("/account/calendar/link")
    assert response.status_code == 201, response.text
    found = LINK.search(response.text)
    assert found, "the new link is shown"
    return found.group(1)


def fetch(client, path: str) -> Calendar:
    # A calendar app: no cookies, no login.
    client.cookies.clear()
    response = client.get(path)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.content)


def events(calendar: Calendar) -> dict[str, object]:
    return {str(e["summary"]): e for e in calendar.walk("VEVENT")}


@pytest.fixture
def link(logged_in) -> str:
    return make_link(logged_in)


def test_the_account_page_leads_to_the_calendar_feed(logged_in):
    page = BeautifulSoup(logged_in.get("/account").text, "html.parser")
    assert page.select_one("#calendar a[href$='/account/calendar']")
    page = BeautifulSoup(logged_in.get("/account/calendar").text, "html.parser")
    assert page.h1.get_text() == "Calendar feed"
    assert page.find("button", string="Make my calendar link")


def test_the_link_is_shown_once_and_stored_only_as_a_hash(logged_in, db, user, link):
    raw = link.removeprefix("/calendar/").removesuffix(".ics")
    again = logged_in.get("/account/calendar").text
    assert raw not in again and raw[:10] in again  # the page names it by its start only
    row = db.get(CalendarFeed, user.id)
    assert row.token_hash and raw not in row.token_hash and len(row.token_hash) == 64


def test_a_calendar_app_reads_horizons_with_links(client, logged_in, db, user, link):
    factories.make_project(db, user, "Multilingual tuning", horizon="2027-03-15", goal="Ship it")
    factories.make_project(db, user, "No horizon yet")
    factories.make_project(db, user, "Done already", horizon="2027-01-10", status="shipped")
    calendar = fetch(client, link)
    assert str(calendar["prodid"]).startswith("-//Goldfish//")
    found = events(calendar)
    horizon = found["Horizon: Multilingual tuning"]
    assert horizon.decoded("dtstart") == date(2027, 3, 15)
    assert horizon.decoded("dtend") == date(2027, 3, 16)  # one whole day
    assert re.fullmatch(r"https://testserver/projects/\d+", str(horizon["url"]))
    assert "Goal: Ship it" in str(horizon["description"])
    assert not any("No horizon" in s or "Done already" in s for s in found)


def test_the_weekly_review_repeats_at_local_time_across_daylight_saving(
    client, logged_in, db, user
):
    user.timezone = "Europe/Berlin"
    db.add(user)
    db.commit()
    saved = logged_in.submit(
        "/account/calendar/slot", {"weekday": "4", "time": "16:00", "minutes": "45"}
    )
    assert saved.status_code == 303
    calendar = fetch(client, make_link(logged_in))
    zones = [str(tz["tzid"]) for tz in calendar.walk("VTIMEZONE")]
    assert zones == ["Europe/Berlin"]
    review = events(calendar)["Weekly review"]
    assert review["dtstart"].params["TZID"] == "Europe/Berlin"
    start = review.decoded("dtstart")
    assert (start.weekday(), start.hour, start.minute) == (4, 16, 0)
    assert review.decoded("dtend") - start == timedelta(minutes=45)
    assert str(review["url"]).endswith("/journal/review")
    # Expanded as a calendar app does: 16:00 in Berlin on both sides of each change.
    rule = rrulestr(review["rrule"].to_ical().decode(), dtstart=start)
    berlin = ZoneInfo("Europe/Berlin")
    changes = ((date(2027, 3, 26), date(2027, 4, 2)), (date(2027, 10, 29), date(2027, 11, 5)))
    for before, after in changes:
        days = rule.between(
            datetime.combine(before, datetime.min.time(), berlin),
            datetime.combine(after + timedelta(days=1), datetime.min.time(), berlin),
        )
        assert [d.date() for d in days] == [before, after]
        assert {d.astimezone(berlin).hour for d in days} == {16}
        offsets = [d.astimezone(UTC).hour for d in days]
        assert offsets in ([15, 14], [14, 15])  # CET then CEST, or back


def test_reviews_waiting_show_for_the_manager_and_the_researcher(client, db, user, other_user):
    team = factories.make_team(db, other_user)  # Grace manages
    factories.add_member(db, team, user)
    project = factories.make_project(db, user, "Shared plan", team_id=team.id, horizon="2027-06-01")
    factories.make_request(db, project, user, other_user)
    factories.log_in(client, db, other_user)
    grace = make_link(client)
    factories.log_in(client, db, user)
    ada = make_link(client)

    manager = events(fetch(client, grace))
    to_give = manager["Review to give: Shared plan (plan 1)"]
    assert "Ada asked you to review plan 1" in str(to_give["description"])
    assert re.search(r"/reviews/\d+$", str(to_give["url"]))
    # From the day it was asked to today (Grace reads in UTC): it grows while it waits.
    today = datetime.now(UTC).date()
    assert to_give.decoded("dtstart") == today
    assert to_give.decoded("dtend") == today + timedelta(days=1)
    # The manager also sees the horizon of a plan in their team, with whose it is.
    assert "Horizon: Shared plan (Ada)" in manager
    researcher = events(fetch(client, ada))
    assert "Awaiting review: Shared plan (plan 1)" in researcher
    assert "Horizon: Shared plan" in researcher


def test_leaving_the_team_empties_the_managers_calendar_at_once(client, db, user, other_user):
    team = factories.make_team(db, other_user)
    factories.add_member(db, team, user, "manager", is_admin=True)
    third = factories.make_user(db, email="rita@example.org", display_name="Rita")
    factories.add_member(db, team, third)
    project = factories.make_project(
        db, third, "Rita's plan", team_id=team.id, horizon="2027-06-01"
    )
    factories.make_request(db, project, third, user)
    factories.log_in(client, db, user)
    path = make_link(client)
    assert {"Review to give: Rita's plan (plan 1)", "Horizon: Rita's plan (Rita)"} <= set(
        events(fetch(client, path))
    )
    view = team_queries.team_for(db, user=other_user, team_id=team.id)
    team_service.membership_remove(db, view=view, actor=other_user, user_id=user.id)
    db.commit()
    assert not any("Rita" in summary for summary in events(fetch(client, path)))


def test_a_new_link_retires_the_old(client, logged_in, link):
    second = make_link(logged_in)
    assert client.get(link).status_code == 404
    assert "Weekly review" in events(fetch(client, second))


def test_revoking_the_link(client, db, user):
    factories.log_in(client, db, user)
    path = make_link(client)
    revoked = client.submit("/account/calendar/revoke")
    assert revoked.status_code == 303
    page = client.get("/account/calendar").text
    assert "Make my calendar link" in page
    client.cookies.clear()
    gone = client.get(path)
    assert gone.status_code == 404
    assert "gfcal_" not in gone.text


def test_the_calendar_link_opens_nothing_else(client, api, db, user, link):
    raw = link.removeprefix("/calendar/").removesuffix(".ics")
    client.cookies.clear()
    as_api_token = {"Authorization": f"Bearer {raw}"}
    assert client.get("/api/v1/projects", headers=as_api_token).status_code == 401
    api_token = factories.make_token(db, user)
    assert client.get(f"/calendar/{api_token}.ics").status_code == 404
    assert client.get("/calendar/gfcal_not-a-real-link.ics").status_code == 404


def test_a_slot_typed_wrong_is_said_beside_the_field_and_kept(logged_in):
    response = logged_in.submit(
        "/account/calendar/slot", {"weekday": "9", "time": "25:99", "minutes": "7"}
    )
    assert response.status_code == 422
    page = BeautifulSoup(response.text, "html.parser")
    assert page.select_one("#e-time").get_text() == "Enter a time as HH:MM, e.g. 16:00."
    assert page.select_one("#e-weekday").get_text() == "Choose a day of the week."
    assert page.select_one("#e-minutes").get_text() == "Choose how long the review lasts."
    assert page.select_one("#f-time")["value"] == "25:99"


def test_changing_the_slot_needs_the_forms_token(logged_in, db, user):
    refused = logged_in.post(
        "/account/calendar/slot", data={"weekday": "1", "time": "09:00", "minutes": "30"}
    )
    assert refused.status_code == 403
    assert db.exec(select(CalendarFeed).where(CalendarFeed.user_id == user.id)).first() is None


def test_ones_own_download_carries_the_slot_but_never_the_link(logged_in, db, user, link):
    import io
    import json
    import zipfile

    archive = logged_in.get("/account/export")
    with zipfile.ZipFile(io.BytesIO(archive.content)) as z:
        rows = [json.loads(line) for line in z.read("tables/calendar_feed.jsonl").splitlines()]
    assert [row["review_weekday"] for row in rows] == [4]
    assert "token_hash" not in rows[0]


def test_links_use_the_instances_base_url(app, client, logged_in):
    app.state.settings = app.state.settings.model_copy(
        update={"base_url": "https://goldfish.example.org"}
    )
    made = logged_in.submit("/account/calendar/link")
    path = re.search(r"https://goldfish\.example\.org(/calendar/gfcal_[\w-]+\.ics)", made.text)
    assert path, "the link shown is on the instance's address"
    review = events(fetch(client, path.group(1)))["Weekly review"]
    assert str(review["url"]) == "https://goldfish.example.org/journal/review"
