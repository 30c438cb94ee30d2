"""Loading the demo portfolio, through the same services a person's clicks
go through (so every rule holds: dedupe, versions, notifications, the
re-plan's journal entry). Never commits: the caller commits once, so the
demo lands whole or not at all.

Demo accounts are known by their addresses. Their passwords are derived
from the instance's secret key, so a second `goldfish demo` can print them
again without storing them anywhere, and they differ between instances."""

import base64
import hashlib
import hmac
from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel import Session, select

from app.auth.models import User, UserCreate
from app.auth.service import user_create
from app.demo import content
from app.feeds.models import FeedCreate, FeedKind, PollStatus
from app.feeds.parse import Entry
from app.feeds.service import feed_create, feed_ingest, feed_polled
from app.inbox.service import suggestions_make
from app.journal.models import EntryIn
from app.journal.service import entry_create, today_for
from app.projects.models import AssessmentIn, AssessmentPatch, PlanIn, ProjectCreate, ProjectUpdate
from app.projects.queries import current_plan
from app.projects.service import plan_revise, project_create, project_update
from app.releases.models import Release, ReleaseCreate
from app.releases.service import link_set, release_create
from app.releases.urls import arxiv_id
from app.replans.models import ReplanCreate, ReplanDecision
from app.replans.service import replan_submit
from app.reviews.models import CommentCreate, Decision, RequestCreate, ReviewCreate
from app.reviews.queries import request_for
from app.reviews.service import comment_add, request_create, review_submit
from app.scoring import ScoringConfig
from app.teams.models import InviteCreate, TeamCreate, TeamRole
from app.teams.queries import team_for
from app.teams.service import invite_accept, invite_create, team_create

DEMO_DOMAIN = "demo.goldfish.example"
RESEARCHER_EMAIL = f"researcher@{DEMO_DOMAIN}"
MANAGER_EMAIL = f"manager@{DEMO_DOMAIN}"
DEMO_EMAILS = (RESEARCHER_EMAIL, MANAGER_EMAIL)
_NAMES = {RESEARCHER_EMAIL: "Noor Haddad (demo)", MANAGER_EMAIL: "Sam Whitfield (demo)"}


class RealDataPresent(Exception):
    """The instance has accounts of its own: the demo stays out of it."""

    def __init__(self, users: int) -> None:
        super().__init__(
            f"This instance has {users} account(s) that are not demo accounts; "
            "the demo data is only loaded into an empty instance."
        )


@dataclass(frozen=True)
class DemoAccount:
    role: str
    email: str
    password: str


@dataclass(frozen=True)
class DemoLoaded:
    accounts: list[DemoAccount]
    created: bool  # False: it was there already, nothing was changed
    researcher: User


def demo_password(secret_key: str, email: str) -> str:
    digest = hmac.new(secret_key.encode(), f"goldfish demo {email}".encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(digest.digest()[:15]).decode()


def demo_accounts(secret_key: str) -> list[DemoAccount]:
    return [
        DemoAccount(role, email, demo_password(secret_key, email))
        for role, email in (("researcher", RESEARCHER_EMAIL), ("manager", MANAGER_EMAIL))
    ]


def demo_state(session: Session) -> tuple[int, int]:
    """(demo accounts present, other accounts present)."""
    emails = list(session.exec(select(User.email)))
    demo = sum(1 for e in emails if e in DEMO_EMAILS)
    return demo, len(emails) - demo


def demo_load(session: Session, *, secret_key: str, scoring: ScoringConfig) -> DemoLoaded:
    """Load the demo into an instance with no accounts; into one holding the
    demo already, change nothing. Any other account: RealDataPresent."""
    demo, others = demo_state(session)
    accounts = demo_accounts(secret_key)
    if others:
        raise RealDataPresent(others)
    if demo == len(DEMO_EMAILS):
        researcher = session.exec(select(User).where(User.email == RESEARCHER_EMAIL)).one()
        return DemoLoaded(accounts, created=False, researcher=researcher)
    if demo:  # half a demo cannot be left by a loader that commits once
        raise RealDataPresent(demo)
    users = {
        a.role: user_create(
            session,
            data=UserCreate(email=a.email, display_name=_NAMES[a.email], password=a.password),
        )
        for a in accounts
    }
    _Loader(session, researcher=users["researcher"], manager=users["manager"]).load(scoring)
    return DemoLoaded(accounts, created=True, researcher=users["researcher"])


class _Loader:
    def __init__(self, session: Session, *, researcher: User, manager: User) -> None:
        self.session = session
        self.researcher = researcher
        self.manager = manager
        self.today = today_for(researcher)
        self.releases: dict[str, Release] = {}
        self.projects = {}

    def load(self, scoring: ScoringConfig) -> None:
        team_id = self._team(scoring)
        self._releases()
        for spec in content.PROJECTS:
            self._project(spec, team_id=team_id if spec.shared else None)
        self._reviews()
        self._replan()
        self._journal(self.researcher, content.JOURNAL, team_id)
        self._inbox_and_feed()
        self._manager_portfolio(team_id)

    def _team(self, scoring: ScoringConfig) -> int:
        team = team_create(
            self.session,
            creator=self.manager,
            data=TeamCreate(name=content.TEAM_NAME),
            defaults=scoring,
        )
        view = team_for(self.session, user=self.manager, team_id=team.id)
        issued = invite_create(
            self.session,
            view=view,
            actor=self.manager,
            data=InviteCreate(role=TeamRole.researcher, note="Noor"),
        )
        invite_accept(self.session, team_id=team.id, raw=issued.raw, user=self.researcher)
        return team.id

    def _releases(self, owner: User | None = None, keys: tuple[str, ...] = ()) -> None:
        owner = owner or self.researcher
        for r in content.RELEASES:
            if keys and r.key not in keys:
                continue
            self.releases[r.key] = release_create(
                self.session,
                owner=owner,
                data=ReleaseCreate(
                    title=r.title,
                    kind=r.kind,
                    organisation=r.organisation,
                    released_on=r.released_on,
                    url=r.url,
                    summary=r.summary,
                ),
            )

    def _plan(self, plan: content.Plan) -> PlanIn:
        return PlanIn(
            goal=plan.goal,
            approach=plan.approach,
            differentiation=plan.differentiation,
            contingency=plan.contingency,
            questions=plan.questions,
            horizon=self.today + timedelta(weeks=plan.horizon_weeks),
        )

    @staticmethod
    def _assessment(scores: content.Scores) -> AssessmentIn:
        return AssessmentIn(
            attainability=scores.attainability,
            scoop_risk=scores.scoop_risk,
            impact=scores.impact,
            success_axis=scores.axis,
            attainability_rationale=scores.attainability_why,
            scoop_risk_rationale=scores.scoop_risk_why,
            impact_rationale=scores.impact_why,
        )

    def _project(
        self, spec: content.DemoProject, *, team_id: int | None, owner: User | None = None
    ) -> None:
        owner = owner or self.researcher
        project = project_create(
            self.session,
            owner=owner,
            data=ProjectCreate(
                title=spec.title,
                summary=spec.summary,
                keywords=spec.keywords,
                status=spec.status,
                team_id=team_id,
                assessment=self._assessment(spec.scores),
                plan=self._plan(spec.plan),
            ),
        )
        self.projects[spec.key] = project
        for link in spec.links:
            link_set(
                self.session,
                release=self.releases[link.release],
                project=project,
                actor=owner,
                effect=link.effect,
                note=link.note,
            )
        if spec.rescore:
            project_update(
                self.session,
                project=project,
                actor=self.researcher,
                data=ProjectUpdate(
                    version=project.version, assessment=AssessmentPatch(**spec.rescore)
                ),
            )
        if spec.revision:
            plan_revise(
                self.session,
                project=project,
                actor=self.researcher,
                based_on=1,
                data=self._plan(spec.revision),
                reason_note="after reading the releases linked to it",
            )

    def _share_up(self, key: str):
        project = self.projects[key]
        plan = current_plan(self.session, project=project)
        questions = [q for q in plan.questions.splitlines() if q.strip()] or [
            "Is this the right priority for the quarter?"
        ]
        request = request_create(
            self.session,
            project=project,
            plan=plan,
            actor=self.researcher,
            data=RequestCreate(reviewer_id=self.manager.id, questions=questions),
        )
        return request, plan

    def _reviews(self) -> None:
        # The scoop risk of the curated-set project, known and accepted before
        # LIMA landed; the judges study approved, with a thread; the imitation
        # study waiting in the manager's box.
        request, plan = self._share_up("curated")
        view = request_for(self.session, user=self.manager, request_id=request.id)
        review_submit(
            self.session,
            view=view,
            actor=self.manager,
            data=ReviewCreate(
                version=request.version,
                plan_number=plan.number,
                decision=Decision.acknowledged,
                answers=[
                    "Best matters more to us than first here; a careful study is worth it.",
                    "Yes: two weeks of human ratings are in the budget if we are scooped.",
                ],
                note="High scoop risk, understood and accepted. Go ahead.",
            ),
        )
        request, plan = self._share_up("judges")
        view = request_for(self.session, user=self.manager, request_id=request.id)
        review_submit(
            self.session,
            view=view,
            actor=self.manager,
            data=ReviewCreate(
                version=request.version,
                plan_number=plan.number,
                decision=Decision.approved,
                answers=["Release them with the paper, not before: we want the analysis out."],
                note="Approved. Keep position-bias controls on every pair.",
            ),
        )
        view = request_for(self.session, user=self.researcher, request_id=request.id)
        comment_add(
            self.session,
            view=view,
            actor=self.researcher,
            data=CommentCreate(body="Thanks. Both orders for every pair is now in the protocol."),
        )
        self._share_up("imitation")

    def _replan(self) -> None:
        project = self.projects[content.SCOOPED_PROJECT]
        spec = content.REPLAN
        replan_submit(
            self.session,
            project=project,
            actor=self.researcher,
            data=ReplanCreate(
                version=project.version,
                release_id=self.releases[content.SCOOP_RELEASE].id,
                what_they_did=spec["what_they_did"],
                what_stands=spec["what_stands"],
                decision=ReplanDecision.evaluate,
                learnings=spec["learnings"],
                assessment=self._assessment(spec["scores"]),
                plan=self._plan(spec["plan"]),
            ),
        )

    def _day(self, weeks_ago: int, weekday: int) -> date:
        monday = self.today - timedelta(days=self.today.weekday())
        day = monday - timedelta(weeks=weeks_ago) + timedelta(days=weekday)
        return day - timedelta(weeks=1) if day > self.today else day

    def _journal(self, author: User, entries: list, team_id: int) -> None:
        for weeks_ago, weekday, kind, key, hours, energy, body, learned in entries:
            project = self.projects.get(key) if key else None
            entry_create(
                self.session,
                author=author,
                data=EntryIn(
                    day=self._day(weeks_ago, weekday),
                    kind=kind,
                    project_id=project.id if project else None,
                    body=body,
                    learned=learned,
                    hours=hours,
                    energy=energy,
                    # What a shared project learns goes to the team journal.
                    shared_team_id=team_id if project is not None and project.team_id else None,
                ),
            )

    def _inbox_and_feed(self) -> None:
        feed_create(
            self.session,
            owner=self.researcher,
            data=FeedCreate(
                kind=FeedKind.arxiv, query=content.FEED_QUERY, title="Instruction tuning on arXiv"
            ),
            allow_private=False,
        )
        suggestions_make(
            self.session,
            releases=[self.releases[k] for k in content.UNLINKED],
            projects=list(self.projects.values()),
            actor=self.researcher,
        )

    def _manager_portfolio(self, team_id: int) -> None:
        self._releases(self.manager, content.MANAGER_RELEASES)  # the manager's own log
        for spec in content.MANAGER_PROJECTS:
            self._project(spec, team_id=team_id if spec.shared else None, owner=self.manager)
        self._journal(self.manager, content.MANAGER_JOURNAL, team_id)
        feed = feed_create(
            self.session,
            owner=self.manager,
            data=FeedCreate(
                kind=FeedKind.arxiv,
                query=content.MANAGER_FEED_QUERY,
                title="Holistic evaluation on arXiv (team)",
                team_id=team_id,
            ),
            allow_private=False,
        )
        # Its last poll, as a poll records it: the items go through the
        # feed's ingest, whose matching puts what fits the team's projects in
        # their owners' inboxes (the manager's harness among them).
        ingested = feed_ingest(
            self.session,
            feed=feed,
            owner=self.manager,
            entries=[_arxiv_entry(item) for item in content.MANAGER_FEED_ITEMS],
        )
        feed_polled(self.session, feed=feed, status=PollStatus.ok, ingested=ingested)
        suggestions_make(
            self.session,
            releases=[self.releases[k] for k in content.MANAGER_UNLINKED],
            projects=[self.projects[p.key] for p in content.MANAGER_PROJECTS],
            actor=self.manager,
        )


def _arxiv_entry(item: content.DemoRelease) -> Entry:
    """A demo feed item as a poll of arXiv's API reads it (app.feeds.parse)."""
    bare = item.url.rsplit("/", 1)[-1]
    return Entry(
        title=item.title,
        url=item.url,
        summary=item.summary,
        published=item.released_on,
        kind=item.kind.value,
        organisation=item.organisation,
        external_id=arxiv_id(item.url),
        guid=f"http://arxiv.org/abs/{bare}v1",
    )
