"""A team: a manager and researchers sharing their projects with it, plans
shared up for review (some answered, some waiting), releases linked to the
team's projects (scoops on accepted risks, re-plans) and the manager's
notifications."""

import random
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session

from app.auth.models import User
from app.config import Settings
from app.notifications.models import NoticeKind, Notification
from app.projects import queries as project_queries
from app.projects.models import AssessmentIn, PlanIn, Project
from app.releases import service as release_service
from app.releases.models import SCOOP_EFFECTS, LinkEffect, Release
from app.replans import service as replan_service
from app.replans.models import ReplanCreate, ReplanDecision
from app.reviews import queries as review_queries
from app.reviews import service as review_service
from app.reviews.models import CommentCreate, Decision, RequestCreate, ReviewCreate
from app.scoring import config_from_settings
from app.teams import service as team_service
from app.teams.models import TeamCreate
from bench import progress
from bench.seed import SECRET_KEY, Seeder, insert_rows
from bench.seed.projects import PHRASES, Seeded, project_payload, prose, seed_user
from bench.seed.releases import release_rows

PROJECTS_EACH = 25  # projects each researcher shares with the team
LEADERSHIP_QUESTIONS = (
    "Do we accept that a large lab may ship this first?",
    "Can we count on the compute for the next quarter?",
    "Should we publish the evaluation suite before the method?",
    "Who else in the company should hear about this plan now?",
    "Would you back the open-source angle if someone ships first?",
    "May we hire a contractor for the data pipeline?",
)
REVIEW_NOTES = (
    "Go ahead: the risk is known and the contingency is sound.",
    "Worth the risk. Keep the evaluation suite as the part that stands either way.",
    "Tighten the contingency before the next milestone, then share it up again.",
)
# Effects of the links that are not a realised risk, and their weights.
OTHER_EFFECTS = {
    LinkEffect.related: 40,
    LinkEffect.reinforces: 30,
    LinkEffect.new_baseline: 15,
    LinkEffect.partial_scoop: 10,
    LinkEffect.scoop: 5,
}


@dataclass
class SeededTeam:
    """A team with one manager (its admin) and researchers sharing every project."""

    name: str
    team_id: int
    manager: Seeded
    researchers: list[Seeded]
    open_requests: list[int] = field(default_factory=list)  # newest first, as listed
    answered: list[int] = field(default_factory=list)
    questions: dict[int, list[str]] = field(default_factory=dict)  # request id → questions
    accepted: list[int] = field(default_factory=list)  # projects whose scoop risk was accepted
    links: int = 0  # confirmed links to the team's projects
    realised: int = 0  # scoop links after an accepted review
    replans: int = 0
    notices: int = 0  # the manager's notifications
    unread: int = 0

    @property
    def shared(self) -> int:
        return sum(len(r.project_ids) for r in self.researchers)

    def owner_of(self) -> dict[int, Seeded]:
        return {pid: r for r in self.researchers for pid in r.project_ids}


def seed_team(seeder: Seeder, name: str, shared: int) -> SeededTeam:
    """A team sharing `shared` projects (PROJECTS_EACH per researcher) with one
    manager; shared // 5 open review requests to the manager, shared // 10
    answered, 3 × shared // 5 confirmed release links, and 2 × shared
    notifications for the manager."""
    started = time.perf_counter()
    team = _seed_members(seeder, name, shared)
    _seed_reviews(seeder, team, answered=shared // 10, waiting=shared // 5)
    _seed_links(seeder, team, links=3 * shared // 5, replans=max(1, shared // 100))
    _seed_notices(seeder, team, total=2 * shared)
    progress(
        f"seeded team {name}: {team.shared} shared projects, {len(team.open_requests)} waiting "
        f"and {len(team.answered)} answered reviews, {team.links} links ({team.realised} "
        f"realised risks, {team.replans} re-plans), {team.notices} notifications "
        f"in {time.perf_counter() - started:.1f} s"
    )
    return team


def _seed_members(seeder: Seeder, name: str, shared: int) -> SeededTeam:
    manager = seed_user(seeder, f"{name}-manager", 0)
    settings = Settings(env="test", database_url=seeder.database_url, secret_key=SECRET_KEY)
    with seeder.db.session(write=True) as s:
        team = team_service.team_create(
            s,
            creator=s.get(User, manager.user.id),
            data=TeamCreate(name=f"{name} group"),
            defaults=config_from_settings(settings),
        )
        s.commit()
        team_id = team.id
    n = max(1, round(shared / PROJECTS_EACH))
    researchers = [
        seed_user(seeder, f"{name}-r{k + 1}", shared // n + (k < shared % n), team_id=team_id)
        for k in range(n)
    ]
    return SeededTeam(name=name, team_id=team_id, manager=manager, researchers=researchers)


def _seed_reviews(seeder: Seeder, team: SeededTeam, *, answered: int, waiting: int) -> None:
    """Plans shared up to the manager through the services: the oldest `answered`
    of them answered (the first one acknowledged) with a comment back from the
    researcher; the newest `waiting` left open."""
    rng = seeder.rng
    owners = team.owner_of()
    chosen = rng.sample(sorted(owners), answered + waiting)
    with seeder.db.session(write=True) as s:
        manager = s.get(User, team.manager.user.id)
        ids: list[int] = []
        for project_id in chosen:
            project = s.get(Project, project_id)
            questions = rng.sample(LEADERSHIP_QUESTIONS, 3)
            request = review_service.request_create(
                s,
                project=project,
                plan=project_queries.current_plan(s, project=project),
                actor=s.get(User, owners[project_id].user.id),
                data=RequestCreate(reviewer_id=manager.id, questions=questions),
            )
            ids.append(request.id)
            team.questions[request.id] = questions
        s.commit()
        decisions = [Decision.acknowledged, Decision.approved, Decision.changes_requested]
        for k, (request_id, project_id) in enumerate(zip(ids[:answered], chosen, strict=False)):
            view = review_queries.request_for(s, user=manager, request_id=request_id)
            decision = decisions[0] if k == 0 else rng.choices(decisions, weights=(5, 3, 2))[0]
            review_service.review_submit(
                s,
                view=view,
                actor=manager,
                data=ReviewCreate(
                    version=view.request.version,
                    plan_number=view.plan.number,
                    decision=decision,
                    answers=[rng.choice(PHRASES) for _ in team.questions[request_id]],
                    note=REVIEW_NOTES[decisions.index(decision)],
                ),
            )
            if decision.accepts_risk:
                team.accepted.append(project_id)
            researcher = s.get(User, owners[project_id].user.id)
            review_service.comment_add(
                s,
                view=review_queries.request_for(s, user=researcher, request_id=request_id),
                actor=researcher,
                data=CommentCreate(body="Thank you. " + prose(rng, 2)),
            )
        s.commit()
    team.answered = ids[:answered]
    team.open_requests = sorted(ids[answered:], reverse=True)


def _seed_links(seeder: Seeder, team: SeededTeam, *, links: int, replans: int) -> None:
    """`links` releases (bulk-inserted, each logged by the researcher who links
    it) linked through the service: a scoop on every other project whose risk
    was accepted (a realised risk), a re-plan through the service on `replans`
    of the others, and the rest on other projects with mixed effects."""
    rng = seeder.rng
    owners = team.owner_of()
    realised = team.accepted[::2]
    replanned = team.accepted[1::2][:replans]
    accepted = set(team.accepted)
    others = [pid for pid in owners if pid not in accepted]
    effects, weights = list(OTHER_EFFECTS), list(OTHER_EFFECTS.values())
    # (project, effect, re-planned?) for every link to make.
    targets = [(pid, rng.choice(SCOOP_EFFECTS), False) for pid in realised]
    targets += [(pid, LinkEffect.scoop, True) for pid in replanned]
    targets += [
        (rng.choice(others), rng.choices(effects, weights=weights)[0], False)
        for _ in range(max(0, links - len(targets)))
    ]
    by_owner: dict[int, list[tuple[int, LinkEffect, bool]]] = {}
    for target in targets:
        by_owner.setdefault(owners[target[0]].user.id, []).append(target)
    with seeder.db.session(write=True) as s:
        for owner_id, mine in by_owner.items():
            insert_rows(s, Release, release_rows(rng, owner_id=owner_id, n=len(mine)))
            release_ids = (
                s.execute(
                    sa.select(Release.id).where(Release.owner_id == owner_id).order_by(Release.id)
                )
                .scalars()
                .all()
            )
            owner = s.get(User, owner_id)
            for (project_id, effect, replan), release_id in zip(mine, release_ids, strict=True):
                project = s.get(Project, project_id)
                if replan:
                    _replan(s, rng, project=project, actor=owner, release_id=release_id)
                else:
                    release_service.link_set(
                        s,
                        release=s.get(Release, release_id),
                        project=project,
                        actor=owner,
                        effect=effect,
                    )
        s.commit()
    team.links = len(targets)
    team.realised = len(realised) + len(replanned)
    team.replans = len(replanned)


def _replan(
    s: Session, rng: random.Random, *, project: Project, actor: User, release_id: int
) -> None:
    """A scoop re-planned through the app's own service: link, new scores, new plan."""
    fresh = project_payload(rng, project.id)
    replan_service.replan_submit(
        s,
        project=project,
        actor=actor,
        data=ReplanCreate(
            version=project.version,
            release_id=release_id,
            effect=LinkEffect.scoop,
            what_they_did="Shipped the same method with a larger model.",
            what_stands="Our evaluation suite and the small-lab setting.",
            decision=ReplanDecision.differentiate,
            assessment=AssessmentIn(**fresh["assessment"]),
            plan=PlanIn(**fresh["plan"]),
        ),
    )


def _seed_notices(seeder: Seeder, team: SeededTeam, *, total: int) -> None:
    """Older notifications for the manager, bulk-inserted (and read), up to
    `total` with the ones the services wrote."""
    with seeder.db.session(write=True) as s:
        written = s.execute(
            sa.select(sa.func.count())
            .select_from(Notification)
            .where(Notification.user_id == team.manager.user.id)
        ).scalar_one()
        owners = team.owner_of()
        project_ids = sorted(owners)
        start = datetime.now(UTC) - timedelta(days=30)
        rows = []
        for k in range(max(0, total - written)):
            project_id = seeder.rng.choice(project_ids)
            created = start - timedelta(hours=6 * k)
            rows.append(
                {
                    "user_id": team.manager.user.id,
                    "kind": NoticeKind.release_linked.value,
                    "actor_id": owners[project_id].user.id,
                    "project_id": project_id,
                    "request_id": None,
                    "release_id": None,
                    "summary": f"An older release → project {project_id} (related)",
                    "created_at": created,
                    "read_at": created + timedelta(days=1),
                }
            )
        insert_rows(s, Notification, rows)
        s.commit()
    team.notices = max(total, written)
    team.unread = written


def newest_notices(seeder: Seeder, user_id: int, n: int) -> list[int]:
    """The ids of the user's `n` newest notifications, as their list orders them."""
    with seeder.db.session() as s:
        return list(
            s.execute(
                sa.select(Notification.id)
                .where(Notification.user_id == user_id)
                .order_by(Notification.created_at.desc(), Notification.id.desc())
                .limit(n)
            ).scalars()
        )
