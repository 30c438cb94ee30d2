"""Builders for test data, going through the same services as the app."""

from decimal import Decimal
from functools import cache
from itertools import count

from sqlmodel import Session

from app.auth import service as auth_service
from app.auth.deps import SESSION_COOKIE, session_cookie_value
from app.auth.models import User, UserCreate
from app.auth.passwords import hash_password
from app.journal import service as journal_service
from app.journal.models import EntryIn, JournalEntry
from app.projects import service as project_service
from app.projects.models import Project, ProjectCreate
from app.releases import service as release_service
from app.releases.models import LinkEffect, Release, ReleaseCreate
from app.replans import service as replan_service
from app.replans.models import Replan, ReplanCreate
from app.security import CSRF_COOKIE, bound_csrf_token
from app.spreadsheets.service import import_upload

PASSWORD = "correct horse battery staple"
_seq = count(1)


@cache
def _password_hash() -> str:
    """PASSWORD hashed once per run: Argon2 costs ~120 ms a hash, and most
    tests make several people (signing up itself is tested in tests/auth)."""
    return hash_password(PASSWORD)


def make_user(db: Session, *, email: str | None = None, display_name: str = "Researcher") -> User:
    data = UserCreate(
        email=email or f"user{next(_seq)}@example.org", display_name=display_name, password=PASSWORD
    )
    user = User(email=data.email, display_name=data.display_name, password_hash=_password_hash())
    db.add(user)
    db.commit()
    return user


def log_in(client, db: Session, user: User) -> None:
    """Give the client a session cookie without paying for Argon2 each time."""
    issued = auth_service.session_create(db, user=user)
    db.commit()
    secret = client.app.state.settings.secret_key
    client.cookies.set(SESSION_COOKIE, session_cookie_value(secret, issued.raw))
    # As a real log-in does: a CSRF token bound to the new session.
    set_cookie(client, CSRF_COOKIE, bound_csrf_token(secret, issued.raw))


def set_cookie(client, name: str, value: str) -> None:
    """Replace a cookie, for the domain the server sets it for (so that a
    later Set-Cookie replaces it rather than adding a second one)."""
    client.cookies.delete(name)
    client.cookies.set(name, value, domain="testserver.local")


def make_token(db: Session, user: User, name: str = "test") -> str:
    issued = auth_service.token_create(db, user=user, name=name)
    db.commit()
    return issued.raw


def project_data(
    title: str | None = None,
    *,
    attainability: int = 3,
    scoop_risk: int = 3,
    impact: int = 3,
    success_axis: str = "best",
    keywords: list[str] | None = None,
    status: str = "idea",
    summary: str = "",
    **plan: str,
) -> dict:
    reasons = {name: plan.pop(name) for name in list(plan) if name.endswith("_rationale")}
    return {
        "title": f"Project {next(_seq)}" if title is None else title,
        "summary": summary,
        "keywords": keywords or [],
        "status": status,
        "assessment": {
            "attainability": attainability,
            "scoop_risk": scoop_risk,
            "impact": impact,
            "success_axis": success_axis,
            **reasons,
        },
        "plan": plan,
    }


def make_project(
    db: Session, owner: User, title: str | None = None, *, team_id: int | None = None, **kwargs
) -> Project:
    data = ProjectCreate.model_validate({**project_data(title, **kwargs), "team_id": team_id})
    project = project_service.project_create(db, owner=owner, data=data)
    db.commit()
    return project


def release_data(title: str | None = None, **overrides) -> dict:
    n = next(_seq)
    return {
        "title": f"Release {n}" if title is None else title,
        "kind": "paper",
        "organisation": "Some Lab",
        "released_on": "2026-10-01",
        "url": f"https://example.org/releases/{n}",
        "summary": "",
        **overrides,
    }


def make_release(db: Session, owner: User, title: str | None = None, **overrides) -> Release:
    data = ReleaseCreate.model_validate(release_data(title, **overrides))
    release = release_service.release_create(db, owner=owner, data=data)
    db.commit()
    return release


def make_link(
    db: Session, actor: User, release: Release, project: Project, effect: str = "related"
):
    link = release_service.link_set(
        db, release=release, project=project, actor=actor, effect=LinkEffect(effect)
    )
    db.commit()
    return link


def replan_data(
    *, version: int, release_id: int | None = None, release: dict | None = None, **overrides
):
    data = {
        "version": version,
        "effect": "scoop",
        "what_they_did": "Shipped the same benchmark, English only",
        "what_stands": "Our multilingual split and the error analysis",
        "decision": "differentiate",
        "learnings": "Check arXiv weekly for our keywords",
        "assessment": {"attainability": 4, "scoop_risk": 2, "impact": 4, "success_axis": "best"},
        "plan": {
            "goal": "The multilingual version",
            "contingency": "Publish the analysis as a note",
        },
        **overrides,
    }
    if release_id is not None:
        data["release_id"] = release_id
    if release is not None:
        data["release"] = release
    return data


def make_replan(
    db: Session, project: Project, actor: User, release: Release, **overrides
) -> Replan:
    """Re-plan `project` after `release`, from the version the object holds
    (refresh it first if something else has bumped it)."""
    data = replan_data(version=project.version, release_id=release.id, **overrides)
    replan = replan_service.replan_submit(
        db, project=project, actor=actor, data=ReplanCreate.model_validate(data)
    )
    db.commit()
    return replan


def make_entry(db: Session, author: User, **fields) -> JournalEntry:
    if isinstance(fields.get("hours"), str):  # the API takes hours as a JSON number
        fields["hours"] = Decimal(fields["hours"])
    data = EntryIn.model_validate({"kind": "experiment", "body": "Worked on it.", **fields})
    entry = journal_service.entry_create(db, author=author, data=data)
    db.commit()
    return entry


# ---------------------------------------------------------------- teams, reviews


def make_team(db: Session, creator: User, name: str = "Vision group"):
    """A team whose creator is its manager and admin."""
    from app.config import get_settings
    from app.scoring import config_from_settings
    from app.teams import service as team_service
    from app.teams.models import TeamCreate

    team = team_service.team_create(
        db,
        creator=creator,
        data=TeamCreate(name=name),
        defaults=config_from_settings(get_settings()),
    )
    db.commit()
    return team


def add_member(db: Session, team, user: User, role: str = "researcher", *, is_admin=False):
    from app.teams.models import Membership, TeamRole

    membership = Membership(
        team_id=team.id, user_id=user.id, role=TeamRole(role), is_admin=is_admin
    )
    db.add(membership)
    db.commit()
    return membership


def make_invite(db: Session, team, admin: User, *, role: str = "researcher", days: int = 7):
    """(invite, raw token)."""
    from app.teams import queries as team_queries
    from app.teams import service as team_service
    from app.teams.models import InviteCreate, TeamRole

    view = team_queries.team_for(db, user=admin, team_id=team.id)
    issued = team_service.invite_create(
        db, view=view, actor=admin, data=InviteCreate(role=TeamRole(role), days=days)
    )
    db.commit()
    return issued.invite, issued.raw


def make_request(
    db: Session,
    project: Project,
    owner: User,
    reviewer: User,
    questions: list[str] | None = None,
):
    """Share the project's newest plan up to `reviewer`."""
    from app.projects import queries as project_queries
    from app.reviews import service as review_service
    from app.reviews.models import RequestCreate

    plan = project_queries.current_plan(db, project=project)
    request = review_service.request_create(
        db,
        project=project,
        plan=plan,
        actor=owner,
        data=RequestCreate(
            reviewer_id=reviewer.id,
            questions=questions or ["What is our plan if a major open model lands next month?"],
        ),
    )
    db.commit()
    return request


def make_review(db: Session, request, manager: User, decision: str = "acknowledged", **kw):
    from app.projects import queries as project_queries
    from app.reviews import queries as review_queries
    from app.reviews import service as review_service
    from app.reviews.models import ReviewCreate

    view = review_queries.request_for(db, user=manager, request_id=request.id)
    newest = project_queries.current_plan(db, project=view.project)
    questions = review_queries.questions_of(db, request=request)
    review = review_service.review_submit(
        db,
        view=view,
        actor=manager,
        data=ReviewCreate(
            version=view.request.version,
            plan_number=newest.number,
            decision=decision,
            answers=kw.get("answers", [f"Answer {q.position}" for q in questions]),
            note=kw.get("note", ""),
        ),
    )
    db.commit()
    return review


def make_feed(
    db: Session,
    owner: User,
    title: str = "A feed",
    *,
    url: str = "http://127.0.0.1:9/feed.xml",
    team_id: int | None = None,
    kind: str = "rss",
    **overrides,
):
    """A feed row as if added (no address check: tests point feeds at their
    own servers, or at a closed port)."""
    from app.feeds.models import Feed, FeedKind

    feed = Feed(
        owner_id=owner.id, team_id=team_id, kind=FeedKind(kind), title=title, url=url, **overrides
    )
    db.add(feed)
    db.commit()
    return feed


def make_suggestion(
    db: Session,
    release: Release,
    project: Project,
    *,
    score: float = 0.8,
    effect: str = "scoop",
    terms: tuple[str, ...] = ("instruction tuning",),
    feed_id: int | None = None,
):
    from app.inbox.models import Suggestion

    suggestion = Suggestion(
        owner_id=project.owner_id,
        release_id=release.id,
        project_id=project.id,
        feed_id=feed_id,
        score=score,
        effect=LinkEffect(effect),
        explanation={"terms": list(terms), "similar_release": None},
    )
    db.add(suggestion)
    db.commit()
    return suggestion


def unbound_csrf_token(client) -> str:
    """A CSRF cookie as asgi-csrf makes for a visitor: random, tied to no session."""
    from itsdangerous.url_safe import URLSafeSerializer

    secret = client.app.state.settings.secret_key
    return URLSafeSerializer(secret).dumps("0123456789abcdef0123", "csrftoken")


def make_import(db: Session, owner: User, text: str = "Title\nImported project\n"):
    """An uploaded spreadsheet, mapped as guessed, not imported yet."""
    job = import_upload(db, owner=owner, filename="plans.csv", content=text.encode(), team_id=None)
    db.commit()
    return job


# ---------------------------------------------------------------- scoring rounds


def make_round(db: Session, project: Project, owner: User, estimators: list[User]):
    """The owner asks `estimators` (members of the project's team) for estimates."""
    from app.rounds import service as round_service
    from app.rounds.models import RoundCreate

    scoring_round = round_service.round_start(
        db,
        project=project,
        actor=owner,
        data=RoundCreate(estimator_ids=[e.id for e in estimators]),
    )
    db.commit()
    return scoring_round


def make_estimate(
    db: Session, scoring_round, estimator: User, scores: tuple[int, int, int] = (3, 3, 3), **why
):
    """`estimator`'s estimate of (attainability, scoop risk, impact), with rationales."""
    from app.rounds import queries as round_queries
    from app.rounds import service as round_service
    from app.rounds.models import EstimateIn

    view = round_queries.round_for(db, user=estimator, round_id=scoring_round.id)
    attainability, scoop_risk, impact = scores
    estimate = round_service.estimate_submit(
        db,
        view=view,
        actor=estimator,
        data=EstimateIn(attainability=attainability, scoop_risk=scoop_risk, impact=impact, **why),
    )
    db.commit()
    return estimate
