"""A person's calendar as iCalendar (RFC 5545), built with the icalendar
library: plan horizons, review requests waiting, and the weekly review slot.

Horizons and waiting reviews are all-day events (they are days, not
moments). The weekly review repeats at a local time in the person's zone,
with that zone's VTIMEZONE, so calendar apps keep it at 16:00 across
daylight-saving changes."""

from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

from app.auth.models import User
from app.calendar_feed.models import CalendarFeed
from app.calendar_feed.queries import Horizon, WaitingReview

_BYDAY = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
# How long a calendar app should wait before fetching again.
REFRESH = timedelta(hours=1)


def _local_day(moment: datetime, zone: ZoneInfo) -> date:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(zone).date()


def first_slot(feed: CalendarFeed, *, zone: ZoneInfo, since: date) -> datetime:
    """The first weekly review on or after `since`, at the slot's local time."""
    day = since + timedelta(days=(feed.review_weekday - since.weekday()) % 7)
    return datetime.combine(day, time(feed.review_hour, feed.review_minute), tzinfo=zone)


def _event(uid: str, summary: str, url: str, description: str, stamp: datetime) -> Event:
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    event.add("summary", summary)
    event.add("url", url)
    event.add("description", description)
    return event


def _all_day(event: Event, first: date, last: date) -> Event:
    event.add("dtstart", first)
    event.add("dtend", last + timedelta(days=1))  # DTEND of a day is exclusive
    event.add("transp", "TRANSPARENT")  # a reminder, not busy time
    return event


class CalendarBuilder:
    def __init__(self, *, user: User, base_url: str, now: datetime | None = None) -> None:
        self.user = user
        self.base = base_url.rstrip("/")
        self.host = urlsplit(self.base).hostname or "goldfish"
        self.zone = ZoneInfo(user.timezone)
        self.now = now or datetime.now(UTC)
        self.calendar = Calendar()
        self.calendar.add("prodid", "-//Goldfish//Research planner//EN")
        self.calendar.add("version", "2.0")
        self.calendar.add("calscale", "GREGORIAN")
        self.calendar.add("method", "PUBLISH")
        self.calendar.add("x-wr-calname", f"Goldfish · {user.display_name}")
        self.calendar.add("x-wr-timezone", user.timezone)
        self.calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
        self.calendar.add("x-published-ttl", REFRESH)

    def _uid(self, what: str) -> str:
        return f"{what}@{self.host}"

    def horizons(self, rows: list[Horizon]) -> None:
        for row in rows:
            whose = f" ({row.owner_name})" if row.owner_name else ""
            url = f"{self.base}/projects/{row.project_id}"
            goal = f"Goal: {row.goal}\n" if row.goal else ""
            event = _event(
                self._uid(f"horizon-{row.project_id}"),
                f"Horizon: {row.title}{whose}",
                url,
                f"The horizon of plan {row.plan_number} of {row.title}{whose}.\n{goal}{url}",
                self.now,
            )
            self.calendar.add_component(_all_day(event, row.horizon, row.horizon))

    def reviews(self, rows: list[WaitingReview]) -> None:
        today = self.now.astimezone(self.zone).date()
        for row in rows:
            url = f"{self.base}/reviews/{row.request_id}"
            asked = _local_day(row.asked_at, self.zone)
            if row.mine:
                uid, summary = f"review-sent-{row.request_id}", "Awaiting review"
                said = f"You asked for a review of plan {row.plan_number} on {asked:%d %b %Y}."
            else:
                uid, summary = f"review-{row.request_id}", "Review to give"
                said = (
                    f"{row.requester_name} asked you to review plan {row.plan_number} "
                    f"on {asked:%d %b %Y}."
                )
            # From the day it was asked until today: a bar that grows while it waits.
            event = _event(
                self._uid(uid),
                f"{summary}: {row.project_title} (plan {row.plan_number})",
                url,
                f"{said}\n{url}",
                self.now,
            )
            self.calendar.add_component(_all_day(event, min(asked, today), today))

    def weekly_review(self, feed: CalendarFeed) -> None:
        since = _local_day(feed.created_at or self.now, self.zone)
        start = first_slot(feed, zone=self.zone, since=since)
        url = f"{self.base}/journal/review"
        event = _event(
            self._uid(f"weekly-review-{self.user.id}"),
            "Weekly review",
            url,
            f"Look back at the week: what moved, what you learned, what comes next.\n{url}",
            self.now,
        )
        event.add("dtstart", start)
        event.add("dtend", start + timedelta(minutes=feed.review_minutes))
        event.add("rrule", {"freq": "weekly", "byday": _BYDAY[feed.review_weekday]})
        self.calendar.add_component(event)

    def to_ical(self) -> bytes:
        self.calendar.add_missing_timezones()
        return self.calendar.to_ical()
