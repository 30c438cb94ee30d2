"""Reads for matching and for the inbox, always scoped to the user."""

from collections import defaultdict
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session, select

from app.auth.models import User
from app.errors import NotFound
from app.inbox.models import Suggestion, SuggestionState
from app.matching.engine import LinkedRelease, ProjectProfile, ReleaseText
from app.navigation import nav_count
from app.projects.models import PlanVersion, Project
from app.projects.queries import keywords_of
from app.releases.models import SCOOP_EFFECTS, LinkState, Release, ReleaseLink

# What a project's profile carries of its history: its most recent examples.
EXAMPLES_MAX = 50


class SuggestionNotFound(NotFound):
    what = "suggestion"


def release_text(release: Release) -> ReleaseText:
    return ReleaseText(
        id=release.id,
        title=release.title,
        summary=release.summary,
        kind=release.kind.value,
        organisation=release.organisation,
    )


def matchable_projects(
    session: Session, *, owner_id: int | None = None, team_id: int | None = None
) -> list[Project]:
    """The projects a release may be matched to: a user's own, or a team's
    shared ones; archived ones are done with."""
    query = select(Project).where(Project.archived_at.is_(None))
    if team_id is not None:
        query = query.where(Project.team_id == team_id)
    else:
        query = query.where(Project.owner_id == owner_id)
    return list(session.exec(query.order_by(Project.id)))


def profiles_of(session: Session, *, projects: list[Project]) -> list[ProjectProfile]:
    """What matching knows of each project: its words, its current plan, the
    releases confirmed as touching it and those marked not relevant. A fixed
    number of queries, whatever the number of projects."""
    ids = [p.id for p in projects]
    if not ids:
        return []
    keywords = keywords_of(session, project_ids=ids)
    newest = (
        select(PlanVersion.project_id, sa.func.max(PlanVersion.number).label("number"))
        .where(PlanVersion.project_id.in_(ids))
        .group_by(PlanVersion.project_id)
        .subquery()
    )
    plans = {
        plan.project_id: plan
        for plan in session.exec(
            select(PlanVersion).join(
                newest,
                sa.and_(
                    PlanVersion.project_id == newest.c.project_id,
                    PlanVersion.number == newest.c.number,
                ),
            )
        )
    }
    linked: dict[int, list[LinkedRelease]] = defaultdict(list)
    for link, release in session.exec(
        select(ReleaseLink, Release)
        .join(Release, Release.id == ReleaseLink.release_id)
        .where(ReleaseLink.project_id.in_(ids), ReleaseLink.state == LinkState.confirmed)
        .order_by(ReleaseLink.project_id, ReleaseLink.id.desc())
    ):
        if len(linked[link.project_id]) < EXAMPLES_MAX:
            linked[link.project_id].append(
                LinkedRelease(release=release_text(release), effect=link.effect.value)
            )
    rejected: dict[int, list[ReleaseText]] = defaultdict(list)
    for project_id, release in session.exec(
        select(Suggestion.project_id, Release)
        .join(Release, Release.id == Suggestion.release_id)
        .where(
            Suggestion.project_id.in_(ids),
            Suggestion.state == SuggestionState.not_relevant,
        )
        .order_by(Suggestion.project_id, Suggestion.id.desc())
    ):
        if len(rejected[project_id]) < EXAMPLES_MAX:
            rejected[project_id].append(release_text(release))
    profiles = []
    for project in projects:
        plan = plans.get(project.id)
        plan_text = (
            "\n".join(filter(None, (plan.goal, plan.approach, plan.differentiation)))
            if plan
            else ""
        )
        profiles.append(
            ProjectProfile(
                id=project.id,
                title=project.title,
                summary=project.summary,
                keywords=tuple(keywords[project.id]),
                plan_text=plan_text,
                linked=tuple(linked[project.id]),
                rejected=tuple(rejected[project.id]),
            )
        )
    return profiles


def already_paired(
    session: Session, *, release_ids: list[int], project_ids: list[int]
) -> set[tuple[int, int]]:
    """(release, project) pairs that were suggested or linked already."""
    if not release_ids or not project_ids:
        return set()
    pairs = set()
    for model in (Suggestion, ReleaseLink):
        pairs.update(
            session.exec(
                select(model.release_id, model.project_id).where(
                    model.release_id.in_(release_ids), model.project_id.in_(project_ids)
                )
            ).all()
        )
    return pairs


# ---------------------------------------------------------------- the inbox


@dataclass(frozen=True)
class InboxRow:
    suggestion: Suggestion
    release: Release
    project: Project


@dataclass(frozen=True)
class InboxGroup:
    project: Project
    rows: list[InboxRow]

    @property
    def best(self) -> float:
        return self.rows[0].suggestion.score


def suggestion_for(session: Session, *, user: User, suggestion_id: int) -> Suggestion:
    suggestion = session.exec(
        select(Suggestion).where(Suggestion.id == suggestion_id, Suggestion.owner_id == user.id)
    ).first()
    if suggestion is None:
        raise SuggestionNotFound(suggestion_id)
    return suggestion


def suggestion_row(session: Session, *, user: User, suggestion_id: int) -> InboxRow:
    found = session.exec(
        select(Suggestion, Release, Project)
        .join(Release, Release.id == Suggestion.release_id)
        .join(Project, Project.id == Suggestion.project_id)
        .where(Suggestion.id == suggestion_id, Suggestion.owner_id == user.id)
    ).first()
    if found is None:
        raise SuggestionNotFound(suggestion_id)
    return InboxRow(*found)


def suggestions(
    session: Session,
    *,
    user: User,
    state: SuggestionState | None = SuggestionState.open,
    project_id: int | None = None,
    release_id: int | None = None,
    limit: int = 500,
) -> list[InboxRow]:
    """Strongest first. Two joins, one query, whatever the inbox holds."""
    query = (
        select(Suggestion, Release, Project)
        .join(Release, Release.id == Suggestion.release_id)
        .join(Project, Project.id == Suggestion.project_id)
        .where(Suggestion.owner_id == user.id)
    )
    if state is not None:
        query = query.where(Suggestion.state == state)
    if project_id is not None:
        query = query.where(Suggestion.project_id == project_id)
    if release_id is not None:
        query = query.where(Suggestion.release_id == release_id)
    query = query.order_by(Suggestion.score.desc(), Suggestion.id.desc()).limit(limit)
    return [InboxRow(*row) for row in session.exec(query)]


def inbox(session: Session, *, user: User) -> list[InboxGroup]:
    """Open suggestions grouped by project; the group with the strongest
    suggestion first, and the strongest first inside each."""
    groups: dict[int, list[InboxRow]] = {}
    for row in suggestions(session, user=user):
        groups.setdefault(row.project.id, []).append(row)
    return sorted(
        (InboxGroup(project=rows[0].project, rows=rows) for rows in groups.values()),
        key=lambda g: (-g.best, g.project.title),
    )


@nav_count("inbox")
def open_count_query(user: User) -> sa.Select:
    """Open suggestions in the user's inbox."""
    return (
        select(sa.func.count())
        .select_from(Suggestion)
        .where(Suggestion.owner_id == user.id, Suggestion.state == SuggestionState.open)
    )


def likely_scoops(session: Session, *, project: Project) -> list[InboxRow]:
    """Open suggestions that may be scoops of this project, for its page."""
    rows = session.exec(
        select(Suggestion, Release, Project)
        .join(Release, Release.id == Suggestion.release_id)
        .join(Project, Project.id == Suggestion.project_id)
        .where(
            Suggestion.project_id == project.id,
            Suggestion.state == SuggestionState.open,
            Suggestion.effect.in_(SCOOP_EFFECTS),
        )
        .order_by(Suggestion.score.desc())
        .limit(5)
    )
    return [InboxRow(*row) for row in rows]
