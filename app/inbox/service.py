"""Matching new releases to projects, and triaging what it suggests. Never commits."""

from dataclasses import dataclass

from sqlmodel import Session

from app.auth.models import User
from app.db import insert_new, utcnow
from app.inbox.models import Suggestion, SuggestionState
from app.inbox.queries import already_paired, matchable_projects, profiles_of, release_text
from app.matching.engine import DEFAULT_THRESHOLD, Explanation, Matcher
from app.notifications.models import NoticeKind
from app.notifications.service import notify
from app.projects.models import Project
from app.releases.models import SCOOP_EFFECTS, LinkEffect, Release, ReleaseLink
from app.releases.service import link_set, releases_copied_for


@dataclass(frozen=True)
class Made:
    """A suggestion as written (rows go in with one INSERT, not as objects)."""

    owner_id: int
    release_id: int
    project_id: int
    score: float
    effect: LinkEffect
    explanation: dict


def suggestions_make(
    session: Session,
    *,
    releases: list[Release],
    projects: list[Project],
    actor: User,
    feed_id: int | None = None,
    threshold: float | None = None,
    tell_owners: bool = True,
) -> list[Made]:
    """Match the releases against the projects and put every match that is
    not suggested or linked already into its project owner's inbox. A
    release found for somebody else's project (a team feed) is added to that
    person's log. Likely scoops are a notification too, one per project
    (naming the strongest), unless `tell_owners` is off."""
    if not releases or not projects:
        return []
    matcher = Matcher(
        profiles_of(session, projects=projects),
        threshold=DEFAULT_THRESHOLD if threshold is None else threshold,
    )
    matches = matcher.match([release_text(r) for r in releases])
    if not matches:
        return []
    by_release = {r.id: r for r in releases}
    by_project = {p.id: p for p in projects}
    copies = releases_copied_for(
        session,
        wanted=[(by_release[m.release_id], by_project[m.project_id].owner_id) for m in matches],
    )
    candidates = [
        (m, by_project[m.project_id], copies[(m.release_id, by_project[m.project_id].owner_id)])
        for m in matches
    ]
    paired = already_paired(
        session,
        release_ids=sorted({r.id for _, _, r in candidates}),
        project_ids=sorted({p.id for _, p, _ in candidates}),
    )
    made: list[Made] = []
    scoops: dict[int, list[tuple[Made, Release]]] = {}
    for match, project, release in candidates:  # strongest first
        if (release.id, project.id) in paired:
            continue
        paired.add((release.id, project.id))
        row = Made(
            owner_id=project.owner_id,
            release_id=release.id,
            project_id=project.id,
            score=round(min(1.0, max(0.0, float(match.score))), 4),
            effect=LinkEffect(match.effect),
            explanation=match.explanation.as_dict(),
        )
        made.append(row)
        if row.effect in SCOOP_EFFECTS:
            scoops.setdefault(project.id, []).append((row, release))
    if not made:
        return []
    now = utcnow()
    insert_new(
        session,
        Suggestion,
        [
            {
                "owner_id": m.owner_id,
                "release_id": m.release_id,
                "project_id": m.project_id,
                "feed_id": feed_id,
                "score": m.score,
                "effect": m.effect,
                "explanation": m.explanation,
                "state": SuggestionState.open,
                "note": "",
                "created_at": now,
            }
            for m in made
        ],
    )
    if tell_owners:
        for project_id, found in scoops.items():
            best, release = found[0]
            more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
            notify(
                session,
                user_ids=[best.owner_id],
                kind=NoticeKind.scoop_suggested,
                actor=actor,
                summary=f"possible {best.effect.label}: {release.title} → "
                f"{by_project[project_id].title}{more}",
                project_id=project_id,
                release_id=release.id,
                tell_actor=True,
            )
    return made


def suggestion_confirm(
    session: Session,
    *,
    suggestion: Suggestion,
    actor: User,
    effect: LinkEffect | None = None,
    note: str = "",
) -> ReleaseLink:
    """Confirm: the release is linked to the project with the effect chosen
    (the suggested one by default), and the link is a positive example for
    the project's next matches."""
    release = session.get(Release, suggestion.release_id)
    project = session.get(Project, suggestion.project_id)
    chosen = effect or suggestion.effect
    link = link_set(
        session, release=release, project=project, actor=actor, effect=chosen, note=note
    )
    suggestion.state = SuggestionState.confirmed
    suggestion.effect = chosen
    suggestion.note = note
    suggestion.decided_at = utcnow()
    session.flush()
    return link


def suggestion_dismiss(
    session: Session, *, suggestion: Suggestion, not_relevant: bool = False
) -> Suggestion:
    """Put away; "not relevant" also teaches the project's matching."""
    suggestion.state = SuggestionState.not_relevant if not_relevant else SuggestionState.dismissed
    suggestion.decided_at = utcnow()
    session.flush()
    return suggestion


def suggestion_reopen(session: Session, *, suggestion: Suggestion) -> Suggestion:
    """Undo a dismissal (not a confirmation: that made a link, changed on its own)."""
    if suggestion.state in (SuggestionState.dismissed, SuggestionState.not_relevant):
        suggestion.state = SuggestionState.open
        suggestion.decided_at = None
        session.flush()
    return suggestion


@dataclass(frozen=True)
class ProbableProject:
    project: Project
    score: float
    effect: LinkEffect
    explanation: Explanation


def release_matches(
    session: Session, *, user: User, release: Release, threshold: float | None = None
) -> list[ProbableProject]:
    """The user's projects a release (logged by hand) probably touches, that
    it is not linked to yet: computed, not stored, so nothing waits in the
    inbox for a release its author is looking at."""
    projects = matchable_projects(session, owner_id=user.id)
    if not projects:
        return []
    matcher = Matcher(
        profiles_of(session, projects=projects),
        threshold=DEFAULT_THRESHOLD if threshold is None else threshold,
    )
    linked = already_paired(session, release_ids=[release.id], project_ids=[p.id for p in projects])
    by_id = {p.id: p for p in projects}
    return [
        ProbableProject(
            project=by_id[m.project_id],
            score=min(1.0, max(0.0, float(m.score))),
            effect=LinkEffect(m.effect),
            explanation=m.explanation,
        )
        for m in matcher.match([release_text(release)])
        if (release.id, m.project_id) not in linked
    ]
