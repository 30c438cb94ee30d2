"""Reads behind the team portfolio: releases that touched the team's
projects, re-plans since a date, and acknowledged risks now realised. The
caller has checked that the user may see the team's portfolio."""

from dataclasses import dataclass
from datetime import UTC, date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from app.auth.models import User
from app.projects.models import Project
from app.releases.models import SCOOP_EFFECTS, LinkEffect, LinkState, Release, ReleaseLink
from app.replans.models import Replan, ReplanDecision
from app.reviews.models import Decision, Review, ReviewRequest

# Each read is one statement.
RECENT_LINKS = 20
REALISED_MAX = 20


@dataclass(frozen=True)
class TouchedBy:
    """A release confirmed as touching one of the team's projects."""

    effect: LinkEffect
    note: str
    release_title: str
    organisation: str
    released_on: date
    project_id: int
    project_title: str


def releases_touching(
    session: Session, *, team_id: int, limit: int = RECENT_LINKS
) -> list[TouchedBy]:
    """Confirmed links to the team's projects, newest release first. Releases
    belong to whoever logged them, so only what the link shows is read here."""
    rows = session.exec(
        select(
            ReleaseLink.effect,
            ReleaseLink.note,
            Release.title,
            Release.organisation,
            Release.released_on,
            Project.id,
            Project.title,
        )
        .join(Release, Release.id == ReleaseLink.release_id)
        .join(Project, Project.id == ReleaseLink.project_id)
        .where(
            Project.team_id == team_id,
            Project.archived_at.is_(None),
            ReleaseLink.state == LinkState.confirmed,
        )
        .order_by(Release.released_on.desc(), ReleaseLink.id.desc())
        .limit(limit)
    ).all()
    return [TouchedBy(LinkEffect(row[0]), *row[1:]) for row in rows]


def quarter_start(now: datetime) -> datetime:
    """Midnight UTC on the first day of the calendar quarter `now` is in."""
    return datetime(now.year, 3 * ((now.month - 1) // 3) + 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class TeamReplan:
    decision: ReplanDecision
    effect: LinkEffect
    created_at: datetime
    project_id: int
    project_title: str
    release_title: str


def replans_since(session: Session, *, team_id: int, since: datetime) -> list[TeamReplan]:
    rows = session.exec(
        select(
            Replan.decision,
            Replan.effect,
            Replan.created_at,
            Project.id,
            Project.title,
            Release.title,
        )
        .join(Project, Project.id == Replan.project_id)
        .join(Release, Release.id == Replan.release_id)
        .where(Project.team_id == team_id, Replan.created_at >= since)
        .order_by(Replan.created_at.desc(), Replan.id.desc())
    ).all()
    return [
        TeamReplan(ReplanDecision(decision), LinkEffect(effect), *rest)
        for decision, effect, *rest in rows
    ]


@dataclass(frozen=True)
class RealisedRisk:
    """A scoop risk a manager accepted, and the release that later came."""

    project_id: int
    project_title: str
    reviewer_name: str
    acknowledged_at: datetime
    decision: Decision
    release_title: str
    effect: LinkEffect
    linked_at: datetime
    replanned: bool


def realised_risks(
    session: Session, *, team_id: int, limit: int = REALISED_MAX
) -> list[RealisedRisk]:
    """Each scoop or partial scoop confirmed on a team project after one of
    the team's managers accepted its risk, with the latest such review before it."""
    reviewer = aliased(User)
    accepting = [d.value for d in Decision if d.accepts_risk]
    newest_first = (
        sa.func.row_number()
        .over(
            partition_by=ReleaseLink.id,
            order_by=(Review.created_at.desc(), Review.id.desc()),
        )
        .label("nth")
    )
    replanned = (
        sa.exists()
        .where(
            Replan.project_id == ReleaseLink.project_id,
            Replan.release_id == ReleaseLink.release_id,
        )
        .label("replanned")
    )
    pairs = (
        select(
            Project.id.label("project_id"),
            Project.title.label("project_title"),
            reviewer.display_name.label("reviewer_name"),
            Review.created_at.label("acknowledged_at"),
            Review.decision.label("decision"),
            Release.title.label("release_title"),
            ReleaseLink.effect.label("effect"),
            ReleaseLink.created_at.label("linked_at"),
            replanned,
            ReleaseLink.id.label("link_id"),
            newest_first,
        )
        .select_from(Review)
        .join(ReviewRequest, ReviewRequest.id == Review.request_id)
        .join(Project, Project.id == ReviewRequest.project_id)
        .join(reviewer, reviewer.id == Review.reviewer_id)
        .join(
            ReleaseLink,
            sa.and_(
                ReleaseLink.project_id == Project.id,
                ReleaseLink.created_at > Review.created_at,
                ReleaseLink.effect.in_([e.value for e in SCOOP_EFFECTS]),
                ReleaseLink.state == LinkState.confirmed,
            ),
        )
        .join(Release, Release.id == ReleaseLink.release_id)
        .where(
            Project.team_id == team_id,
            ReviewRequest.team_id == team_id,
            Project.archived_at.is_(None),
            Review.decision.in_(accepting),
        )
        .subquery("pairs")
    )
    rows = session.exec(
        select(
            pairs.c.project_id,
            pairs.c.project_title,
            pairs.c.reviewer_name,
            pairs.c.acknowledged_at,
            pairs.c.decision,
            pairs.c.release_title,
            pairs.c.effect,
            pairs.c.linked_at,
            pairs.c.replanned,
        )
        .where(pairs.c.nth == 1)
        .order_by(pairs.c.linked_at.desc(), pairs.c.link_id.desc())
        .limit(limit)
    ).all()
    return [
        RealisedRisk(
            project_id=row.project_id,
            project_title=row.project_title,
            reviewer_name=row.reviewer_name,
            acknowledged_at=_utc(row.acknowledged_at),
            decision=Decision(row.decision),
            release_title=row.release_title,
            effect=LinkEffect(row.effect),
            linked_at=_utc(row.linked_at),
            replanned=bool(row.replanned),
        )
        for row in rows
    ]


def _utc(value: datetime | str) -> datetime:
    """Columns read through a subquery lose their type on SQLite: read them back."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)
