"""A project's page: its scores and their history, plans, releases, re-plans,
reviews, journal entries and the suggestions that may scoop it, in one
context for the template."""

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session

from app.auth.models import User
from app.inbox import queries as inbox_queries
from app.journal import queries as journal_queries
from app.overview.timeline import timeline
from app.projects import charts, queries
from app.projects.models import Project
from app.releases import queries as release_queries
from app.releases.models import SCOOP_EFFECTS, LinkEffect
from app.replans import queries as replan_queries
from app.replans import service as replan_service
from app.reviews import queries as review_queries
from app.rounds import queries as round_queries
from app.scoring import ScoreField, Scores, ScoringConfig, priority, rank
from app.teams import queries as team_queries
from app.teams.models import Team


@dataclass(frozen=True)
class WhatIf:
    field: ScoreField
    value: int
    moves: list


def ranking(
    session: Session, *, user: User, project: Project, team: Team | None, scoring: ScoringConfig
) -> tuple[ScoringConfig, list[tuple[int, str, Scores]]]:
    """The formula and the projects a project is ranked among, as `user`
    sees it: its owner among their own by `scoring`, their formula; a
    teammate among the team's, by the team's formula."""
    if project.owner_id == user.id or team is None:
        return scoring, queries.rank_entries(session, user=user)
    config = team_queries.scoring_of(team)
    rows = queries.team_portfolio(session, team_id=team.id, config=config)
    return config, [(r.project.id, r.project.title, Scores.of(r.assessment)) for r in rows]


def project_page(session: Session, *, user: User, project_id: int, scoring: ScoringConfig) -> dict:
    """Everything a project's page shows, for the user looking at it (its
    owner, or a teammate it is shared with); `scoring` is the owner's formula."""
    project, access = queries.project_viewable(session, user=user, project_id=project_id)
    owner = access is queries.Access.owner
    team = session.get(Team, project.team_id) if project.team_id else None
    config, entries = ranking(session, user=user, project=project, team=team, scoring=scoring)
    history = queries.assessments_of(session, project=project)
    current = history[-1]
    ranked = {r.project_id: r for r in rank(entries, config)}
    plans = queries.plans_of(session, project=project)
    links = release_queries.links_of_project(session, project=project)
    replans = replan_queries.replans_with_releases(session, project=project)
    reviews = review_queries.reviews_of_project(session, project_id=project.id)
    rounds = round_queries.rounds_of_project(session, user=user, project=project)
    linked = {release.id for _, release in links}
    replanned = {release.id for _, release in replans}
    # A scoop linked but not yet re-planned: what "I got scooped" is about.
    pending = [
        release
        for link, release in links
        if link.effect in SCOOP_EFFECTS and release.id not in replanned
    ]
    return {
        "project": project,
        "can_edit": owner,
        "access": access,
        "team": team,
        "owner_name": user.display_name
        if owner
        else session.get(User, project.owner_id).display_name,
        "assessment": current,
        "history": list(reversed(history)),
        "history_chart": charts.history_chart(
            history,
            priorities=[priority(Scores.of(a), config).value for a in history],
            events=[(r.created_at, "replan", f"re-plan after {rel.title}") for r, rel in replans]
            + [(link.created_at, "link", f"linked {rel.title}") for link, rel in links],
            zone=ZoneInfo(user.timezone),
        ),
        "keywords": queries.keywords_of(session, project_ids=[project.id])[project.id],
        "plans": plans,
        "ranked": ranked.get(project.id),
        "portfolio_size": len(entries),
        "formula": config.formula(),
        "entries": entries,
        "score_fields": list(ScoreField),
        "what_if": None,
        "links": links,
        # Open suggestions that may scoop it: only its owner triages them.
        "likely_scoops": inbox_queries.likely_scoops(session, project=project) if owner else [],
        "replans": replans,
        "review_requests": review_queries.requests_of_project(
            session, user=user, project_id=project.id
        ),
        "timeline": timeline(
            history=history,
            plans=plans,
            links=links,
            replans=replans,
            entries=journal_queries.entries_of_project(session, user=user, project_id=project.id),
            reviews=reviews,
            rounds=rounds,
            zone=ZoneInfo(user.timezone),
        ),
        "rounds": rounds,
        "open_round": next((r for r in rounds if r.round.status != "closed"), None),
        "reinforced": sum(1 for link, _ in links if link.effect == LinkEffect.reinforces),
        "draft": replan_service.draft_get(session, project=project, actor=user) if owner else None,
        "release_options": [
            (r.id, f"{r.title} ({r.released_on.isoformat()})")
            for r in release_queries.recent_releases(session, user=user, limit=50)
            if r.id not in linked
        ]
        if owner
        else [],
        "effect_options": [(e.value, e.label) for e in LinkEffect],
        "scoop_effects": SCOOP_EFFECTS,
        # Sharing is set on the page itself: private, or one of the owner's teams.
        "share_options": [("", "Private: only me"), *team_queries.team_choices(session, user=user)]
        if owner
        else [],
        "share_values": {"team_id": str(project.team_id or "")},
        "share_errors": {},
        "today": datetime.now(ZoneInfo(user.timezone)).date(),
        "replanned_release_ids": replanned,
        "pending_scoop": max(pending, key=lambda r: (r.released_on, r.id), default=None),
    }
