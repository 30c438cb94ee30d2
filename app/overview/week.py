"""The week in review, two views of it: the weekly review a researcher
writes in their journal (their entries, links and re-plans of the week, with
four questions), and the digest of what they were told and did (their
notifications, entries, re-plans and, for managers, the plans waiting)."""

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from pydantic import BaseModel
from sqlmodel import Session

from app.auth.deps import CurrentUser
from app.auth.models import User
from app.db import SessionDep
from app.forms import validate
from app.journal import queries as journal_queries
from app.journal import service as journal_service
from app.journal.models import EntryIn, EntryKind
from app.notifications import queries as notification_queries
from app.notifications.models import NoticeKind
from app.notifications.queries import NoticeRow
from app.projects import queries as project_queries
from app.projects.models import Project
from app.releases import queries as release_queries
from app.replans import queries as replan_queries
from app.replans.models import Replan
from app.reviews import queries as review_queries
from app.routing import Route
from app.teams import queries as team_queries
from app.web import redirect, render

router = APIRouter(route_class=Route, include_in_schema=False)

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
}

WEEK_MESSAGE = "Pick a week written like 2026-W47 (year, W, week number)."


# ---------------------------------------------------------------- the weekly review


@router.get("/journal/review", name="journal_review")
def journal_review(
    request: Request, session: SessionDep, user: CurrentUser, week: str = ""
) -> Response:
    return render(request, "journal/review.html", _review_context(session, user, week))


def _review_context(
    session, user, week: str, values: dict | None = None, errors: dict | None = None
) -> dict:
    today = journal_service.today_for(user)
    start = journal_queries.parse_week(week, today)
    end = start + timedelta(days=6)
    entries = journal_queries.entries_between(session, user=user, since=start, until=end)
    return {
        "week": journal_queries.iso_week(start),
        "start": start,
        "end": end,
        "entries": [e for e in entries if e.kind != EntryKind.review],
        "reviews": [e for e in entries if e.kind == EntryKind.review],
        "learnings": [e for e in entries if e.learned],
        "links": release_queries.links_in_range(session, user=user, since=start, until=end),
        "replans": replan_queries.replans_between(session, user=user, since=start, until=end),
        "prompts": REVIEW_PROMPTS,
        "values": values or {},
        "errors": errors or {},
        "project_titles": dict(project_queries.portfolio_titles(session, user=user)),
    }


class ReviewForm(BaseModel):
    week: str = ""
    why: str = ""
    stop: str = ""
    went_well: str = ""
    next: str = ""


@router.post("/journal/review", name="journal_review_save")
def journal_review_save(
    request: Request, session: SessionDep, user: CurrentUser, form: Annotated[ReviewForm, Form()]
) -> Response:
    answers = form.model_dump(exclude={"week"})
    if not any(v.strip() for v in answers.values()):
        context = _review_context(
            session, user, form.week, answers, {"why": "Answer at least one question."}
        )
        return render(request, "journal/review.html", context, status_code=422)
    start = journal_queries.parse_week(form.week, journal_service.today_for(user))
    body = "\n\n".join(
        f"**{question}**\n\n{answers[name].strip()}"
        for name, question in REVIEW_PROMPTS
        if answers[name].strip()
    )
    data, errors = validate(
        EntryIn,
        {
            "kind": EntryKind.review,
            "body": body,
            "day": min(start + timedelta(days=6), journal_service.today_for(user)),
        },
    )
    if data is None:
        context = _review_context(
            session, user, form.week, answers, {"why": next(iter(errors.values()))}
        )
        return render(request, "journal/review.html", context, status_code=422)
    journal_service.entry_create(session, author=user, data=data)
    session.commit()
    return redirect(request, f"/journal/review?week={journal_queries.iso_week(start)}")


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
    end = start + timedelta(days=6)
    grouped: dict[NoticeKind, list[NoticeRow]] = {kind: [] for kind in NoticeKind}
    for row in notification_queries.notifications_between(
        session, user=user, since=since, until=until
    ):
        grouped[row.kind].append(row)
    entries = journal_queries.entries_between(session, user=user, since=start, until=end)
    is_manager = any(view.is_manager for view in team_queries.teams_of(session, user=user))
    return Digest(
        start=start,
        counts=notification_queries.counts_by_kind(session, user=user, since=since, until=until),
        notices=grouped,
        entries=len(entries),
        entry_kinds=Counter(EntryKind(entry.kind) for entry in entries),
        replans=replan_queries.replans_between(session, user=user, since=start, until=end),
        is_manager=is_manager,
        waiting=review_queries.queue(session, user=user) if is_manager else [],
    )


@router.get("/digest", name="digest")
def digest(request: Request, session: SessionDep, user: CurrentUser, week: str = "") -> Response:
    this_monday = journal_queries.week_start(journal_service.today_for(user))
    start = journal_queries.parse_iso_week(week) if week else this_monday
    errors = {}
    if start is None:
        errors["week"] = WEEK_MESSAGE
        start = this_monday
    summary = digest_for(session, user=user, start=start)
    return render(
        request,
        "notifications/digest.html",
        {
            "digest": summary,
            "week": journal_queries.iso_week(start),
            "asked": week[:40] if errors else "",
            "errors": errors,
            "this_week": journal_queries.iso_week(this_monday),
            "prev_week": journal_queries.iso_week(start - timedelta(weeks=1)),
            "next_week": journal_queries.iso_week(start + timedelta(weeks=1))
            if start < this_monday
            else None,
            "headings": KIND_HEADINGS,
            "zone": ZoneInfo(user.timezone),
        },
        status_code=422 if errors else 200,
    )
