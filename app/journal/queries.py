"""Reads of the journal: the author's own entries, and what members shared with a team."""

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlmodel import Session, select

from app import fulltext
from app.auth.models import User
from app.auth.queries import display_names
from app.errors import NotFound
from app.journal.models import EntryKind, JournalEntry, JournalRevision, JournalSettings
from app.listing import newest_first_page
from app.projects.models import Project
from app.teams.models import Membership

PAGE_SIZE = 50
PACE_WEEKS = 12


class EntryNotFound(NotFound):
    what = "journal entry"


def entry_for(session: Session, *, user: User, entry_id: int) -> JournalEntry:
    entry = session.exec(
        select(JournalEntry).where(JournalEntry.id == entry_id, JournalEntry.author_id == user.id)
    ).first()
    if entry is None:
        raise EntryNotFound(entry_id)
    return entry


def revisions_of(session: Session, *, entry: JournalEntry) -> list[JournalRevision]:
    return list(
        session.exec(
            select(JournalRevision)
            .where(JournalRevision.entry_id == entry.id)
            .order_by(JournalRevision.id.desc())
        )
    )


def settings_for(session: Session, *, user: User) -> JournalSettings:
    return session.get(JournalSettings, user.id) or JournalSettings(user_id=user.id)


@dataclass(frozen=True)
class EntryFilter:
    since: date | None = None
    until: date | None = None
    kind: EntryKind | None = None
    project_id: int | None = None
    text: str = ""
    archived: bool = False


def entries(
    session: Session,
    *,
    user: User,
    filters: EntryFilter,
    before: tuple[date, int] | None = None,
    limit: int = PAGE_SIZE,
) -> tuple[list[JournalEntry], str | None]:
    """The author's entries, newest day first, a page at a time."""
    query = select(JournalEntry).where(JournalEntry.author_id == user.id)
    query = query.where(
        JournalEntry.archived_at.is_not(None)
        if filters.archived
        else JournalEntry.archived_at.is_(None)
    )
    if filters.since:
        query = query.where(JournalEntry.day >= filters.since)
    if filters.until:
        query = query.where(JournalEntry.day <= filters.until)
    if filters.kind:
        query = query.where(JournalEntry.kind == filters.kind)
    if filters.project_id:
        query = query.where(JournalEntry.project_id == filters.project_id)
    dialect = session.get_bind().dialect.name
    found = fulltext.match(fulltext.JOURNAL, filters.text, dialect=dialect)
    if found:
        query = query.where(JournalEntry.id.in_(found.ids()))
    return newest_first_page(
        session, query, day=JournalEntry.day, ident=JournalEntry.id, before=before, limit=limit
    )


def entries_of_project(
    session: Session, *, user: User, project_id: int, limit: int = 100
) -> list[JournalEntry]:
    return list(
        session.exec(
            select(JournalEntry)
            .where(
                JournalEntry.author_id == user.id,
                JournalEntry.project_id == project_id,
                JournalEntry.archived_at.is_(None),
            )
            .order_by(JournalEntry.day.desc(), JournalEntry.id.desc())
            .limit(limit)
        )
    )


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


_ISO_WEEK = re.compile(r"(\d{4})-W(\d{1,2})", re.IGNORECASE)


def parse_iso_week(value: str) -> date | None:
    """Monday of the ISO week written "2026-W47", or of the week a date
    ("2026-11-18", what a date picker sends) falls in; None if neither."""
    text = value.strip()
    match = _ISO_WEEK.fullmatch(text)
    if match is None:
        try:
            day = date.fromisoformat(text) if len(text) == 10 else None
        except ValueError:
            return None
        return week_start(day) if day and 1970 <= day.year <= 2999 else None
    year, week = int(match[1]), int(match[2])
    if not 1970 <= year <= 2999:
        return None
    try:
        return date.fromisocalendar(year, week, 1)
    except ValueError:
        return None


def iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02}"


@dataclass
class WeekPace:
    start: date
    hours: Decimal = Decimal(0)
    entries: int = 0
    weekend_entries: int = 0
    late_entries: int = 0
    rest_days: int = 0
    energy: float | None = None

    @property
    def label(self) -> str:
        return self.start.strftime("%d %b")


@dataclass
class Pace:
    weeks: list[WeekPace]
    prompts: list[str] = field(default_factory=list)
    kinds: Counter = field(default_factory=Counter)
    days_logged: int = 0
    learnings: int = 0
    replans: int = 0
    rest_days: int = 0
    purpose_share: int | None = None  # percent of entries tagged as serving the purpose
    total: int = 0


def pace(session: Session, *, user: User, settings: JournalSettings, today: date) -> Pace:
    """The last twelve weeks, in the user's time zone, and gentle nudges. One query."""
    tz = ZoneInfo(user.timezone)
    first = week_start(today) - timedelta(weeks=PACE_WEEKS - 1)
    rows = session.exec(
        select(
            JournalEntry.day,
            JournalEntry.kind,
            JournalEntry.hours,
            JournalEntry.energy,
            JournalEntry.created_at,
            JournalEntry.learned,
            JournalEntry.serves_purpose,
        ).where(
            JournalEntry.author_id == user.id,
            JournalEntry.archived_at.is_(None),
            JournalEntry.day >= first,
            JournalEntry.day <= today,
        )
    ).all()
    weeks = {
        first + timedelta(weeks=i): WeekPace(start=first + timedelta(weeks=i))
        for i in range(PACE_WEEKS)
    }
    energies: dict[date, list[int]] = {start: [] for start in weeks}
    rest_days: dict[date, set[date]] = {start: set() for start in weeks}
    result = Pace(weeks=list(weeks.values()))
    work_days: set[date] = set()
    for day, kind, hours, energy, created_at, learned, serves in rows:
        week = weeks[week_start(day)]
        week.entries += 1
        week.hours += hours or 0
        if day.weekday() >= 5:
            week.weekend_entries += 1
        logged_at = created_at.astimezone(tz)
        if logged_at.hour >= settings.late_hour or logged_at.hour < 5:
            week.late_entries += 1
        if energy:
            energies[week.start].append(energy)
        if kind == EntryKind.rest:
            rest_days[week.start].add(day)
        else:
            work_days.add(day)
        result.kinds[EntryKind(kind)] += 1
        result.learnings += bool(learned)
        result.replans += kind == EntryKind.replan
        result.total += 1
        result.purpose_share = (result.purpose_share or 0) + bool(serves)
    for week in result.weeks:
        week.rest_days = len(rest_days[week.start])
        found = energies[week.start]
        week.energy = round(sum(found) / len(found), 1) if found else None
    result.days_logged = len(work_days)
    result.rest_days = sum(len(days) for days in rest_days.values())
    if result.total:
        result.purpose_share = round(100 * (result.purpose_share or 0) / result.total)
    result.prompts = _prompts(result.weeks, settings, today)
    return result


def _prompts(weeks: list[WeekPace], settings: JournalSettings, today: date) -> list[str]:
    """Factual nudges about the pace, never a judgement of the person."""
    prompts = []
    recent = weeks[-settings.weeks_over_limit :]
    if len(recent) == settings.weeks_over_limit and all(
        w.hours > settings.weekly_hours_limit for w in recent
    ):
        prompts.append(
            f"You have logged more than {settings.weekly_hours_limit} hours a week for "
            f"{settings.weeks_over_limit} weeks running. Is this pace one you can keep? "
            "A lighter week is part of the process too."
        )
    with_energy = [w for w in weeks if w.energy is not None][-3:]
    if (
        len(with_energy) == 3
        and with_energy[0].energy > with_energy[1].energy > with_energy[2].energy
    ):
        prompts.append(
            "Your energy has gone down three weeks in a row "
            f"({with_energy[0].energy} → {with_energy[1].energy} → {with_energy[2].energy}). "
            "Consider planning some rest, or a change of task."
        )
    last_two = [w for w in weeks if w.start > today - timedelta(days=14)]
    if sum(w.entries for w in last_two) >= 5 and not any(w.rest_days for w in last_two):
        prompts.append(
            "No rest recorded in the last two weeks. Rest is part of the work: "
            "log it when you take it."
        )
    return prompts


def entries_between(
    session: Session, *, user: User, since: date, until: date
) -> list[JournalEntry]:
    return list(
        session.exec(
            select(JournalEntry)
            .where(
                JournalEntry.author_id == user.id,
                JournalEntry.archived_at.is_(None),
                JournalEntry.day >= since,
                JournalEntry.day <= until,
            )
            .order_by(JournalEntry.day, JournalEntry.id)
        )
    )


def each_entry(session: Session, *, user: User, batch: int = 500) -> Iterator[JournalEntry]:
    """Everything the author wrote, archived included, oldest first, fetched
    `batch` rows at a time (a server-side cursor on PostgreSQL): what an
    export streams, in memory that does not grow with the journal."""
    query = (
        select(JournalEntry)
        .where(JournalEntry.author_id == user.id)
        .order_by(JournalEntry.day, JournalEntry.id)
        .execution_options(yield_per=batch)
    )
    # The session's identity map holds unchanged rows weakly: each batch is
    # freed once written out.
    yield from session.exec(query)


# ---------------------------------------------------------------- shared with a team
# What a team sees of its members' journals: the entries they chose to share,
# and counts from those who opted in. Never hours, energy, times of day or
# anything else of a person's pace: those stay with their owner.

TEAM_WEEKS = 4
# Sums are shown only when this many members besides the reader opted in:
# with fewer, a reader who subtracts their own counts reads someone else's.
TEAM_MIN_OTHERS = 3


@dataclass(frozen=True)
class SharedEntry:
    """An entry as the team reads it: what was done and learned, no pace."""

    id: int
    day: date
    kind: EntryKind
    body: str
    body_html: str
    learned: str
    author_id: int
    author_name: str
    # Only a project shared with the same team is named; a private one is not.
    project_id: int | None
    project_title: str | None


def team_entries(
    session: Session,
    *,
    team_id: int,
    before: tuple[date, int] | None = None,
    limit: int = PAGE_SIZE,
) -> tuple[list[SharedEntry], str | None]:
    """Entries shared with the team by its current members, newest day first.
    The caller has checked that the reader is a member. Three queries."""
    query = (
        select(JournalEntry)
        .join(
            Membership,
            sa.and_(
                Membership.team_id == JournalEntry.shared_team_id,
                Membership.user_id == JournalEntry.author_id,
            ),
        )
        .where(JournalEntry.shared_team_id == team_id, JournalEntry.archived_at.is_(None))
    )
    rows, next_before = newest_first_page(
        session, query, day=JournalEntry.day, ident=JournalEntry.id, before=before, limit=limit
    )
    names = display_names(session, user_ids={e.author_id for e in rows})
    titles = dict(
        session.exec(
            select(Project.id, Project.title).where(
                Project.id.in_({e.project_id for e in rows if e.project_id}),
                Project.team_id == team_id,
            )
        ).all()
    )
    return [
        SharedEntry(
            id=e.id,
            day=e.day,
            kind=EntryKind(e.kind),
            body=e.body,
            body_html=e.body_html,
            learned=e.learned,
            author_id=e.author_id,
            author_name=names.get(e.author_id, ""),
            project_id=e.project_id if e.project_id in titles else None,
            project_title=titles.get(e.project_id),
        )
        for e in rows
    ], next_before


@dataclass
class TeamProcess:
    """Process counts of the members who opted in, summed: no one's alone."""

    sharers: int
    others: int  # the sharers besides the reader
    since: date
    until: date
    kinds: Counter = field(default_factory=Counter)
    learnings: int = 0
    replans: int = 0
    total: int = 0

    @property
    def shown(self) -> bool:
        return self.others >= TEAM_MIN_OTHERS


def team_process(session: Session, *, team_id: int, reader_id: int, today: date) -> TeamProcess:
    """The last four weeks, summed over the members who opted in; nothing at
    all while fewer than three besides the reader have, since the reader could
    take their own counts away and read one or two people's."""
    sharing = select(Membership.user_id).where(
        Membership.team_id == team_id, Membership.shares_aggregates.is_(True)
    )
    opted = sharing.subquery()
    sharers, mine = session.exec(
        select(
            sa.func.count(),
            sa.func.coalesce(sa.func.sum(sa.case((opted.c.user_id == reader_id, 1), else_=0)), 0),
        ).select_from(opted)
    ).one()
    result = TeamProcess(
        sharers=sharers,
        others=sharers - mine,
        since=today - timedelta(days=7 * TEAM_WEEKS - 1),
        until=today,
    )
    if not result.shown:
        return result
    rows = session.exec(
        select(
            JournalEntry.kind,
            sa.func.count(),
            sa.func.sum(sa.case((JournalEntry.learned != "", 1), else_=0)),
        )
        .where(
            JournalEntry.author_id.in_(sharing),
            JournalEntry.archived_at.is_(None),
            JournalEntry.day >= result.since,
            JournalEntry.day <= result.until,
        )
        .group_by(JournalEntry.kind)
    ).all()
    for kind, n, learned in rows:
        result.kinds[EntryKind(kind)] = n
        result.learnings += int(learned or 0)
        result.total += n
    result.replans = result.kinds[EntryKind.replan]
    return result


def parse_week(value: str, today: date) -> date:
    """Monday of an ISO week written "2026-W47"; this week if unreadable."""
    return parse_iso_week(value) or week_start(today)
