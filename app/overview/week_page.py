"""The week in review's two pages, assembled here for the routes that show
them (app/overview/week.py): the weekly review a researcher writes in their
journal, and the digest of what they were told and did. What both show of
the week's own work, its journal entries and re-plans, one selector reads."""

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session

from app.auth.models import User
from app.journal import queries as journal_queries
from app.journal import service as journal_service
from app.journal.models import EntryKind, JournalEntry
from app.notifications import queries as notification_queries
from app.notifications.models import NoticeKind
from app.notifications.queries import NoticeRow
from app.projects import queries as project_queries
from app.projects.models import Project
from app.releases import queries as release_queries
from app.replans import queries as replan_queries
from app.replans.models import Replan
from app.reviews import queries as review_queries
from app.teams import queries as team_queries

REVIEW_PROMPTS = (
    ("why", "Why am I doing each of my projects?"),
    ("stop", "What would I stop?"),
    ("went_well", "What went well in how I worked?"),
    ("next", "What do I want to do differently next week?"),
)

# Headings of the digest's groups, in the order they are shown.
KIND_HEADINGS = {
    NoticeKind.review_requested: "Review requests",
    NoticeKind.review_answered: "Answers to your review requests",
    NoticeKind.comment_added: "Comments on reviews",
    NoticeKind.release_linked: "Releases linked to shared projects",
    NoticeKind.scoop_suggested: "Possible scoops found by your feeds",
    NoticeKind.round_requested: "Estimates asked of you",
}

WEEK_MESSAGE = "Pick a day of the week, or write the week like 2026-W47 (year, W, week number)."


# ---------------------------------------------------------------- the week's own work


@dataclass(frozen=True)
class WeekWork:
    """What a user did in a week, Monday `start` to Sunday `end`: their
    journal entries (archived ones left out) and the re-plans they made."""

    start: date
    end: date
    entries: list[JournalEntry]
    replans: list[tuple[Replan, Project]]


def week_work(session: Session, *, user: User, start: date) -> WeekWork:
    end = start + timedelta(days=6)
    return WeekWork(
        start=start,
        end=end,
        entries=journal_queries.entries_between(session, user=user, since=start, until=end),
        replans=replan_queries.replans_between(session, user=user, since=start, until=end),
    )


# ---------------------------------------------------------------- the weekly review


def review_body(answers: dict[str, str]) -> str:
    """The review as its journal entry keeps it: each answer under its question."""
    return "\n\n".join(
        f"**{question}**\n\n{answers[name]}"
        for name, question in REVIEW_PROMPTS
        if answers.get(name)
    )


def review_answers(body: str) -> dict[str, str]:
    """The answers back out of a review's body (review_body's inverse), to
    edit them in the form they were written in."""
    heads = [(name, f"**{question}**\n\n") for name, question in REVIEW_PROMPTS]
    found = sorted((body.find(head), name, head) for name, head in heads if head in body)
    answers = {}
    for i, (at, name, head) in enumerate(found):
        end = found[i + 1][0] if i + 1 < len(found) else len(body)
        answers[name] = body[at + len(head) : end].strip()
    return answers


@dataclass(frozen=True)
class ChosenWeek:
    """The week a page shows: the one written `asked` ("2026-W47", or any day
    of it), or this week where the user is if `asked` is blank or no week."""

    start: date  # its Monday
    this_monday: date
    asked: str
    readable: bool

    @property
    def iso(self) -> str:
        return journal_queries.iso_week(self.start)

    @property
    def previous(self) -> str:
        return journal_queries.iso_week(self.start - timedelta(weeks=1))

    @property
    def next(self) -> str | None:
        """The week after, unless it has not started yet."""
        if self.start >= self.this_monday:
            return None
        return journal_queries.iso_week(self.start + timedelta(weeks=1))


def chosen_week(*, user: User, asked: str) -> ChosenWeek:
    """The week both week pages (the review and the digest) show for `asked`."""
    this_monday = journal_queries.week_start(journal_service.today_for(user))
    start = journal_queries.parse_iso_week(asked) if asked else this_monday
    return ChosenWeek(start or this_monday, this_monday, asked, readable=start is not None)


def week_review(session: Session, *, user: User, start: date) -> JournalEntry | None:
    """The week's review (the latest, if older days left several)."""
    reviews = [
        e for e in week_work(session, user=user, start=start).entries if e.kind == EntryKind.review
    ]
    return reviews[-1] if reviews else None


def review_page(
    session: Session,
    *,
    user: User,
    week: str,
    values: dict | None = None,
    errors: dict | None = None,
) -> dict:
    """The weekly review of the week written `week` (this week if it is no
    week): what was done, learned, released and re-planned, the review
    already written (its answers in the form, to edit it rather than write a
    second), and the form with `values` and `errors`."""
    zone = ZoneInfo(user.timezone)
    start = chosen_week(user=user, asked=week).start
    work = week_work(session, user=user, start=start)
    since, until = week_bounds(start, zone)
    reviews = [e for e in work.entries if e.kind == EntryKind.review]
    review = reviews[-1] if reviews else None
    if values is None:
        values = review_answers(review.body) if review else {}
        values["version"] = str(review.version) if review else ""
    return {
        "week": journal_queries.iso_week(start),
        "start": start,
        "end": work.end,
        "entries": [e for e in work.entries if e.kind != EntryKind.review],
        "review": review,
        "learnings": [e for e in work.entries if e.learned],
        "links": release_queries.links_in_range(
            session, user=user, since=start, until=work.end, linked_since=since, linked_until=until
        ),
        "replans": work.replans,
        "prompts": REVIEW_PROMPTS,
        "values": values,
        "errors": errors or {},
        "message": None,
        "project_titles": dict(project_queries.portfolio_titles(session, user=user)),
    }


# ---------------------------------------------------------------- the digest


def week_bounds(start: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """Monday 00:00 to the next Monday 00:00 where the user is, as UTC instants
    (a week with a clock change is an hour shorter or longer, as it was lived)."""
    since = datetime.combine(start, time(0), tzinfo=zone).astimezone(UTC)
    until = datetime.combine(start + timedelta(days=7), time(0), tzinfo=zone).astimezone(UTC)
    return since, until


@dataclass
class Digest:
    start: date  # the Monday, in the user's time zone
    counts: dict[NoticeKind, int]
    notices: dict[NoticeKind, list[NoticeRow]]
    entries: int
    entry_kinds: Counter
    replans: list[tuple[Replan, Project]]
    is_manager: bool
    waiting: list[review_queries.RequestRow]

    @property
    def end(self) -> date:
        return self.start + timedelta(days=6)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def digest_for(session: Session, *, user: User, start: date) -> Digest:
    """One user's week: what they were told, what they did, and (for managers)
    the plans waiting for their answer now. A fixed number of queries."""
    since, until = week_bounds(start, ZoneInfo(user.timezone))
    grouped: dict[NoticeKind, list[NoticeRow]] = {kind: [] for kind in NoticeKind}
    for row in notification_queries.notifications_between(
        session, user=user, since=since, until=until
    ):
        grouped[row.kind].append(row)
    work = week_work(session, user=user, start=start)
    is_manager = any(view.is_manager for view in team_queries.teams_of(session, user=user))
    return Digest(
        start=start,
        counts=notification_queries.counts_by_kind(session, user=user, since=since, until=until),
        notices=grouped,
        entries=len(work.entries),
        entry_kinds=Counter(EntryKind(entry.kind) for entry in work.entries),
        replans=work.replans,
        is_manager=is_manager,
        waiting=review_queries.queue(session, user=user) if is_manager else [],
    )


def digest_page(session: Session, *, user: User, week: str) -> dict:
    """The digest of the week written `week`, or of this week (blank, or with
    an error for a `week` that is no week), with links to the weeks around it."""
    chosen = chosen_week(user=user, asked=week)
    errors = {} if chosen.readable else {"week": WEEK_MESSAGE}
    return {
        "digest": digest_for(session, user=user, start=chosen.start),
        "week": chosen.iso,
        "asked": week[:40] if errors else "",
        "errors": errors,
        "this_week": journal_queries.iso_week(chosen.this_monday),
        "prev_week": chosen.previous,
        "next_week": chosen.next,
        "headings": KIND_HEADINGS,
    }
