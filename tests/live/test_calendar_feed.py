"""The calendar feed over real HTTP, on its own connections: a calendar
app's first fetch notes the link's use in a write of its own (the class of
bug that once made every API token's first call a 500 on SQLite)."""

import re

import httpx2 as httpx
from icalendar import Calendar
from sqlmodel import Session

from app.calendar_feed.models import CalendarFeed
from tests.live.conftest import CLIENT_TIMEOUT


def test_a_calendar_app_fetches_the_link_and_loses_it_on_revoke(
    serve, database, account, browser_for
):
    server = serve()
    person = browser_for(server)
    person.log_in(account.user.email)
    made = person.post("/account/calendar/link", {})
    assert made.status_code == 201, made.text
    path = re.search(r"/calendar/gfcal_[A-Za-z0-9_-]+\.ics", made.text).group(0)

    with httpx.Client(base_url=server.url, timeout=CLIENT_TIMEOUT) as app:
        first, second = app.get(path), app.get(path)
        assert (first.status_code, second.status_code) == (200, 200), first.text
        calendar = Calendar.from_ical(first.content)
        assert [str(e["summary"]) for e in calendar.walk("VEVENT")] == ["Weekly review"]
        with Session(database.engine) as db:
            assert db.get(CalendarFeed, account.user.id).last_used_at is not None

        assert person.post("/account/calendar/revoke", {}).status_code == 303
        assert app.get(path).status_code == 404
