"""Page timings at realistic sizes, over real HTTP against a real uvicorn.

    .venv/bin/python -m bench.pages [--projects 500] [--releases 20000] [--entries 2000]
        [--shared 500] [--requests 50] [--database-url URL]
        [--only projects|releases|journal|teams]

What it does: migrates a fresh database (an SQLite file in a temp dir unless
--database-url is given), seeds users with realistic projects through the
app's own services, starts `goldfish serve` as a subprocess on 127.0.0.1
and a free port (bench/server.py, as the live tests do), and times sequential GETs over one
keep-alive connection (wall time on the client, body read included). Every
response is checked (status 200, and the expected number of rows) so an
error page is never what gets timed. It then counts the SQL statements each
page runs, in-process (bench/sql.py, as the tests' `count_queries` does).

Figures go to stdout; progress goes to stderr.

Adding a bench: write `def bench_x(ctx: Context) -> None` that seeds what it
needs (`ctx.new_user()`, `ctx.db`), times endpoints (`ctx.time(...)`) and
counts statements (`ctx.count_sql(...)`), then add it to BENCHES. The server
reads the database live, so seeding after it started is fine.
"""

import argparse
import io
import math
import os
import random
import re
import secrets
import statistics
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import httpx2 as httpx
import sqlalchemy as sa
from alembic import command
from sqlalchemy.engine import make_url
from sqlmodel import Session

from app.auth import service as auth_service
from app.auth.deps import SESSION_COOKIE, session_cookie_value
from app.auth.models import ApiToken, User, UserCreate, UserSession
from app.cli import alembic_config
from app.config import Settings
from app.db import Database, make_engine
from app.journal.models import JournalEntry, JournalRevision, JournalSettings
from app.journal.queries import PACE_WEEKS
from app.journal.queries import PAGE_SIZE as JOURNAL_PAGE_SIZE
from app.markdown import render_markdown
from app.notifications.models import NoticeKind, Notification
from app.notifications.queries import PAGE as NOTICE_PAGE_SIZE
from app.projects import queries as project_queries
from app.projects import service as project_service
from app.projects.models import (
    Assessment,
    AssessmentIn,
    AssessmentPatch,
    PlanIn,
    PlanVersion,
    Project,
    ProjectCreate,
    ProjectKeyword,
)
from app.projects.scoring import config_from_settings
from app.releases import service as release_service
from app.releases.models import SCOOP_EFFECTS, LinkEffect, Release, ReleaseLink
from app.releases.queries import PAGE_SIZE
from app.releases.urls import external_id, normalise_url
from app.replans import service as replan_service
from app.replans.models import Replan, ReplanCreate, ReplanDecision, ReplanDraft
from app.reviews import queries as review_queries
from app.reviews import service as review_service
from app.reviews.models import (
    CommentCreate,
    Decision,
    RequestCreate,
    Review,
    ReviewComment,
    ReviewCreate,
    ReviewQuestion,
    ReviewRequest,
)
from app.teams import service as team_service
from app.teams.models import Invite, Membership, Team, TeamCreate, TeamRole
from app.teams.portfolio_queries import REALISED_MAX, RECENT_LINKS
from bench import server
from bench.checks import (
    Check,
    all_of,
    api_ids_check,
    api_items_check,
    count_check,
    fragment_check,
    ids_check,
    json_check,
    numbers,
    older_link,
    once_per_page,
    same_ids,
    shows_check,
    soup,
    text_check,
)
from bench.sql import counting

SECRET_KEY = "bench-" + "x" * 42
PASSWORD = "bench password, not a secret"  # noqa: S105
WARMUP = 3
SEED = 20261122

# ---------------------------------------------------------------- results


@dataclass
class Timing:
    """Wall times, in seconds, of one endpoint."""

    label: str
    path: str
    size: str  # what the page holds, e.g. "500 projects"
    samples: list[float]
    body_bytes: int

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def p95(self) -> float:
        ordered = sorted(self.samples)
        return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]  # nearest rank

    @property
    def min(self) -> float:
        return min(self.samples)


@dataclass
class SqlCount:
    label: str
    what: str  # the request, e.g. "GET /"
    counts: dict[str, int]  # size → statements per request
    statements: dict[str, list[str]]


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:7.1f} ms"


def report(ctx: "Context") -> str:
    load = ", ".join(f"{v:.2f}" for v in ctx.load_before)
    busy = ctx.load_before[0] >= 0.5
    lines = [
        f"Goldfish page timings: {ctx.database_label}. {ctx.args.requests} sequential requests "
        f"per row after {WARMUP} warm-up, one keep-alive connection, client wall time "
        "(body read included).",
        f"Load average before the run: {load} on {os.cpu_count()} CPUs"
        + (": something else is running, expect noisy figures (p95 above all)." if busy else "."),
        "",
    ]
    label_w = max((len(t.label) for t in ctx.timings), default=0)
    path_w = max((len(t.path) for t in ctx.timings), default=0) + 4
    size_w = max((len(t.size) for t in ctx.timings), default=0)
    for t in ctx.timings:
        lines.append(
            f"{t.label.ljust(label_w)}  {('GET ' + t.path).ljust(path_w)}  {t.size.ljust(size_w)}"
            f"  median {_ms(t.median)}  p95 {_ms(t.p95)}  min {_ms(t.min)}"
            f"  {t.body_bytes / 1024:7.1f} KiB  ({len(t.samples)} requests)"
        )
    if ctx.sql_counts:
        lines += [
            "",
            "SQL statements per request (counted in-process; on SQLite the BEGIN is one of them):",
        ]
        label_w = max(len(c.label) for c in ctx.sql_counts)
        what_w = max(len(c.what) for c in ctx.sql_counts)
        for c in ctx.sql_counts:
            counts = ", ".join(f"{size} → {n}" for size, n in c.counts.items())
            grows = "  GROWS WITH SIZE" if len(set(c.counts.values())) > 1 else ""
            lines.append(f"{c.label.ljust(label_w)}  {c.what.ljust(what_w)}  {counts}{grows}")
    return "\n".join(lines)


# ---------------------------------------------------------------- database


def migrate(url: str) -> None:
    command.upgrade(alembic_config(url), "head")


def _safe_url(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


KEYWORDS = (
    "llm", "rlhf", "diffusion", "evaluation", "benchmarks", "distillation", "retrieval",
    "agents", "multimodal", "interpretability", "safety", "quantization", "long context",
    "mixture of experts", "tokenization", "speech", "vision", "robotics", "synthetic data",
    "code generation", "reasoning", "scaling laws", "reinforcement learning", "data curation",
    "alignment", "efficient inference", "fine-tuning", "lora", "graph nn", "time series",
    "protein design", "chemistry", "weather", "federated", "privacy", "fairness",
    "compression", "sparsity", "world models", "in-context learning",
)  # fmt: skip
ADJECTIVES = (
    "Scalable",
    "Robust",
    "Open",
    "Efficient",
    "Faithful",
    "Sparse",
    "Calibrated",
    "Private",
)
DOMAINS = ("small labs", "edge devices", "low-resource languages", "clinical notes", "math", "code")
PHRASES = (
    "We have a working prototype on the small benchmark and the numbers hold up.",
    "Two other groups have posted related preprints in the last quarter.",
    "The compute budget fits in one month of our allocation.",
    "A strong open model released next month would change the baseline overnight.",
    "Our evaluation suite is the part nobody else has, and it takes months to build.",
    "The data pipeline is the risky part: licensing is not settled yet.",
    "If it works, three teams downstream would adopt it within the quarter.",
    "The idea is obvious once stated, so someone else is likely to try it soon.",
    "The results so far are noisy; we need more seeds before we trust them.",
    "A thorough, well-documented release would be cited whoever ships first.",
)
STATUS_WEIGHTS = {"idea": 25, "active": 40, "paused": 15, "shipped": 10, "retired": 10}


def _prose(rng: random.Random, sentences: int) -> str:
    return " ".join(rng.choice(PHRASES) for _ in range(sentences))


def project_payload(rng: random.Random, i: int) -> dict:
    topic = rng.choice(KEYWORDS)
    return {
        "title": f"{rng.choice(ADJECTIVES)} {topic} for {rng.choice(DOMAINS)} #{i}",
        "summary": _prose(rng, 3),
        "keywords": rng.sample(KEYWORDS, rng.randint(2, 5)),
        "status": rng.choices(list(STATUS_WEIGHTS), weights=list(STATUS_WEIGHTS.values()))[0],
        "assessment": {
            "attainability": rng.randint(1, 5),
            "scoop_risk": rng.randint(1, 5),
            "impact": rng.randint(1, 5),
            "success_axis": rng.choice(("first", "best", "open")),
            "attainability_rationale": _prose(rng, 2),
            "scoop_risk_rationale": _prose(rng, 3),
            "impact_rationale": _prose(rng, 2),
        },
        "plan": {
            "goal": _prose(rng, 2),
            "approach": _prose(rng, 4),
            "differentiation": _prose(rng, 2),
            "contingency": _prose(rng, 2),
            "questions": "What is our plan if a major open model lands next month? "
            + _prose(rng, 1),
            "horizon": (date(2027, 1, 1) + timedelta(days=rng.randint(0, 365))).isoformat(),
        },
    }


@dataclass
class Seeded:
    user: User
    project_ids: list[int]
    history: dict[int, int]  # project id → number of assessments
    cookie: str  # a signed-in browser's Cookie header
    token: str  # an API bearer token

    @property
    def deepest_project(self) -> int:
        """A project with the longest score history: the heaviest project page."""
        return max(self.project_ids, key=lambda pid: (self.history[pid], -pid))


def seed_user(
    db: Database,
    rng: random.Random,
    *,
    email: str,
    projects: int,
    batch: int = 100,
    team_id: int | None = None,
) -> Seeded:
    """A user with `projects` live projects; about a third re-scored 1–4 times.
    With `team_id`, the user joins that team as a researcher first and shares
    every project with it."""
    with db.session(write=True) as s:
        user = auth_service.user_create(
            s, data=UserCreate(email=email, display_name=email.split("@")[0], password=PASSWORD)
        )
        if team_id is not None:
            s.add(Membership(team_id=team_id, user_id=user.id, role=TeamRole.researcher))
        s.commit()
        ids: list[int] = []
        history: dict[int, int] = {}
        for i in range(1, projects + 1):
            payload = project_payload(rng, i)
            if team_id is not None:
                payload["team_id"] = team_id
            project = project_service.project_create(
                s, owner=user, data=ProjectCreate.model_validate(payload)
            )
            ids.append(project.id)
            history[project.id] = 1
            if rng.random() < 1 / 3:
                scores = dict(payload["assessment"])
                for _ in range(rng.randint(1, 4)):
                    name = rng.choice(("attainability", "scoop_risk", "impact"))
                    scores[name] = rng.choice([v for v in range(1, 6) if v != scores[name]])
                    project_service.project_rescore(
                        s,
                        project=project,
                        actor=user,
                        version=project.version,
                        patch=AssessmentPatch(**{name: scores[name]}),
                    )
                    history[project.id] += 1
            if i % batch == 0:
                s.commit()
        s.commit()
        raw = auth_service.session_create(s, user=user).raw
        cookie = f"{SESSION_COOKIE}={session_cookie_value(SECRET_KEY, raw)}"
        token = auth_service.token_create(s, user=user, name="bench").raw
        s.commit()
    return Seeded(user=user, project_ids=ids, history=history, cookie=cookie, token=token)


def delete_users(db: Database, user_ids: list[int]) -> None:
    """Remove what the bench wrote to a database it was pointed at."""
    if not user_ids:
        return
    with db.session(write=True) as s:
        owned = sa.select(Project.id).where(Project.owner_id.in_(user_ids))
        releases = sa.select(Release.id).where(Release.owner_id.in_(user_ids))
        teams = sa.select(Team.id).where(Team.created_by_id.in_(user_ids))
        s.execute(
            sa.delete(Notification).where(
                Notification.user_id.in_(user_ids) | Notification.actor_id.in_(user_ids)
            )
        )
        requests = sa.select(ReviewRequest.id).where(
            ReviewRequest.requested_by_id.in_(user_ids) | ReviewRequest.project_id.in_(owned)
        )
        for model in (ReviewComment, ReviewQuestion, Review):
            s.execute(sa.delete(model).where(model.request_id.in_(requests)))
        s.execute(sa.delete(ReviewRequest).where(ReviewRequest.id.in_(requests)))
        entries = sa.select(JournalEntry.id).where(JournalEntry.author_id.in_(user_ids))
        s.execute(sa.delete(JournalRevision).where(JournalRevision.entry_id.in_(entries)))
        s.execute(sa.delete(JournalEntry).where(JournalEntry.author_id.in_(user_ids)))
        s.execute(sa.delete(JournalSettings).where(JournalSettings.user_id.in_(user_ids)))
        s.execute(sa.delete(ReplanDraft).where(ReplanDraft.author_id.in_(user_ids)))
        s.execute(sa.delete(Replan).where(Replan.project_id.in_(owned)))
        s.execute(
            sa.delete(ReleaseLink).where(
                ReleaseLink.release_id.in_(releases) | ReleaseLink.project_id.in_(owned)
            )
        )
        s.execute(sa.delete(Release).where(Release.owner_id.in_(user_ids)))
        for model in (ProjectKeyword, Assessment, PlanVersion):
            s.execute(sa.delete(model).where(model.project_id.in_(owned)))
        s.execute(sa.delete(Project).where(Project.owner_id.in_(user_ids)))
        s.execute(sa.delete(Invite).where(Invite.team_id.in_(teams)))
        s.execute(
            sa.delete(Membership).where(
                Membership.user_id.in_(user_ids) | Membership.team_id.in_(teams)
            )
        )
        s.execute(sa.delete(Team).where(Team.created_by_id.in_(user_ids)))
        for model in (UserSession, ApiToken):
            s.execute(sa.delete(model).where(model.user_id.in_(user_ids)))
        s.execute(sa.delete(User).where(User.id.in_(user_ids)))
        s.commit()


# ---------------------------------------------------------------- releases

RELEASE_KINDS = {"paper": 55, "model": 18, "dataset": 12, "product": 8, "benchmark": 7}
ORGANISATIONS = {
    "Google DeepMind": 13, "OpenAI": 11, "Meta AI": 11, "Microsoft Research": 9,
    "Hugging Face": 8, "Stanford University": 8, "Tsinghua University": 7, "Anthropic": 6,
    "Mistral AI": 6, "Allen Institute for AI": 6, "EleutherAI": 5, "Alibaba Qwen": 5, "": 5,
}  # fmt: skip
FILTER_ORGANISATION = "EleutherAI"  # about 5% of releases
SEARCH_WORD = "kestrel"  # in about 1% of titles, nowhere else
MISSING_WORD = "zyzzogeton"  # in no release: the search has to look at every row
MODEL_NAMES = ("Falcon", "Heron", "Osprey", "Wren", "Finch", "Lark", "Ibis", "Swift", "Tern")
RELEASE_PHRASES = (
    "Weights are released under a permissive licence.",
    "Reports state-of-the-art results on three public benchmarks.",
    "Trained on a filtered mix of web text and code.",
    "The evaluation harness and all prompts are public.",
    "A smaller distilled variant runs on a single consumer GPU.",
    "Ablations show most of the gain comes from the data, not the architecture.",
    "Comes with a leaderboard and a held-out test split.",
    "Available through the API from launch day.",
)
RELEASE_YEARS = 5


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "community"


def release_rows(rng: random.Random, *, owner_id: int, n: int) -> list[dict]:
    """`n` rows for the `release` table: dates over the last five years (none
    in the future), unique URLs, arXiv ids for papers."""
    today = date.today()
    kinds, kind_weights = list(RELEASE_KINDS), list(RELEASE_KINDS.values())
    orgs, org_weights = list(ORGANISATIONS), list(ORGANISATIONS.values())
    arxiv_seq: dict[str, int] = {}
    rows = []
    for i in range(1, n + 1):
        kind = rng.choices(kinds, weights=kind_weights)[0]
        org = rng.choices(orgs, weights=org_weights)[0]
        released_on = today - timedelta(days=rng.randint(0, RELEASE_YEARS * 365))
        topic = rng.choice(KEYWORDS)
        if kind == "paper":
            title = f"{rng.choice(ADJECTIVES)} {topic} for {rng.choice(DOMAINS)}"
            month = released_on.strftime("%y%m")
            arxiv_seq[month] = arxiv_seq.get(month, 0) + 1
            url = f"https://arxiv.org/abs/{month}.{arxiv_seq[month]:05d}"
        elif kind == "model":
            title = f"{rng.choice(MODEL_NAMES)}-{rng.choice((1, 3, 7, 8, 13, 34, 70))}B {topic}"
            url = f"https://huggingface.co/{_slug(org)}/{_slug(title)}-{i}"
        elif kind == "dataset":
            title = f"{topic.capitalize()} corpus v{rng.randint(1, 4)}"
            url = f"https://huggingface.co/datasets/{_slug(org)}/{_slug(title)}-{i}"
        elif kind == "product":
            title = f"{org or 'A start-up'} launches a {topic} assistant"
            url = f"https://{_slug(org)}.example.com/blog/{_slug(title)}-{i}"
        else:
            title = f"{topic.capitalize()}-Bench: evaluating {topic} on {rng.choice(DOMAINS)}"
            url = f"https://github.com/{_slug(org)}/{_slug(title)}-{i}"
        if rng.random() < 0.01:
            title = f"{SEARCH_WORD.capitalize()}: {title}"
        created = datetime(released_on.year, released_on.month, released_on.day, 9, tzinfo=UTC)
        rows.append(
            {
                "owner_id": owner_id,
                "title": title,
                "kind": kind,
                "organisation": org,
                "released_on": released_on,
                "url": url,
                "url_key": normalise_url(url),
                "external_id": external_id(url),
                "summary": " ".join(rng.sample(RELEASE_PHRASES, rng.randint(1, 2))),
                "source": "manual",
                "created_at": min(created + timedelta(days=rng.randint(0, 20)), datetime.now(UTC)),
            }
        )
    return rows


@dataclass(frozen=True)
class LoggedRelease:
    """What a check needs to know of a seeded release."""

    id: int
    released_on: date
    kind: str
    organisation: str
    text: str  # title, organisation and summary, lower-cased: what `?q=` searches


@dataclass
class ReleaseLog:
    who: Seeded
    releases: list[LoggedRelease]  # newest first, as the log orders them
    showcase: int  # a release linked to several projects
    showcase_links: int
    links: int

    def matching(self, keep: Callable[[LoggedRelease], bool]) -> list[int]:
        return [r.id for r in self.releases if keep(r)]

    def cursor_after(self, rows: int) -> str:
        """The `before` cursor of the page that starts after the first `rows` releases."""
        last = self.releases[rows - 1]
        return f"{last.released_on.isoformat()}_{last.id}"


def seed_releases(
    ctx: "Context", who: Seeded, n: int, *, links: int, showcase_links: int = 5
) -> ReleaseLog:
    """`n` releases bulk-inserted for `who`; `links` of them linked (as related)
    to the user's projects through the service, one of them to several."""
    started = time.perf_counter()
    rows = release_rows(ctx.rng, owner_id=who.user.id, n=n)
    with ctx.db.session(write=True) as s:
        for chunk in range(0, len(rows), 2000):
            s.execute(sa.insert(Release.__table__), rows[chunk : chunk + 2000])
        s.commit()
        found = s.execute(
            sa.select(
                Release.id,
                Release.released_on,
                Release.kind,
                Release.organisation,
                Release.title,
                Release.summary,
            )
            .where(Release.owner_id == who.user.id)
            .order_by(Release.released_on.desc(), Release.id.desc())
        ).all()
        logged = [
            LoggedRelease(
                r.id,
                r.released_on,
                str(r.kind),
                r.organisation,
                f"{r.title}\n{r.organisation}\n{r.summary}".lower(),
            )
            for r in found
        ]
        user = s.get(User, who.user.id)
        projects = [s.get(Project, pid) for pid in who.project_ids]
        linked = ctx.rng.sample([r.id for r in logged], min(links, len(logged)))
        showcase_links = min(showcase_links, len(projects))
        for k, release_id in enumerate(linked):
            release = s.get(Release, release_id)
            targets = ctx.rng.sample(projects, showcase_links if k == 0 else 1)
            for project in targets:
                release_service.link_set(
                    s, release=release, project=project, actor=user, effect=LinkEffect.related
                )
        s.commit()
    progress(
        f"seeded {n} releases and {len(linked) - 1 + showcase_links} links "
        f"in {time.perf_counter() - started:.1f} s"
    )
    return ReleaseLog(
        who=who,
        releases=logged,
        showcase=linked[0],
        showcase_links=showcase_links,
        links=len(linked) - 1 + showcase_links,
    )


# ---------------------------------------------------------------- context


def project_rows_check(expected: int) -> Check:
    return count_check("tr[data-project-id]", expected, "project rows")


def release_ids(response: httpx.Response) -> list[int]:
    """The data-release-id of every `li.release` of a page, in order (-1 if it has none)."""
    return numbers(soup(response), "li.release", "data-release-id")


def release_rows_check(expected: list[int]) -> Check:
    """The page lists exactly these releases (`li.release`), in this order."""
    return ids_check("li.release", "data-release-id", expected, "li.release rows")


def entry_ids(response: httpx.Response) -> list[int]:
    """The data-entry-id of every `article.entry` of a page, in order (-1 if it has none)."""
    return numbers(soup(response), "article.entry", "data-entry-id")


def entry_rows_check(expected: list[int]) -> Check:
    """The page shows exactly these entries (`article.entry`), in this order."""
    return ids_check("article.entry", "data-entry-id", expected, "article.entry")


@dataclass
class Context:
    args: argparse.Namespace
    database_url: str
    database_label: str
    db: Database  # for seeding
    base_url: str = ""
    rng: random.Random = field(default_factory=lambda: random.Random(SEED))  # noqa: S311 (data, not secrets)
    tag: str = field(default_factory=lambda: secrets.token_hex(3))
    user_ids: list[int] = field(default_factory=list)
    timings: list[Timing] = field(default_factory=list)
    sql_counts: list[SqlCount] = field(default_factory=list)
    load_before: tuple[float, float, float] = field(default_factory=os.getloadavg)

    def new_user(self, name: str, projects: int, *, team_id: int | None = None) -> Seeded:
        started = time.perf_counter()
        seeded = seed_user(
            self.db,
            self.rng,
            email=f"bench-{self.tag}-{name}@example.org",
            projects=projects,
            team_id=team_id,
        )
        self.user_ids.append(seeded.user.id)
        progress(f"seeded {name}: {projects} projects in {time.perf_counter() - started:.1f} s")
        return seeded

    def page_headers(self, who: Seeded) -> dict[str, str]:
        # Set as a header: the cookie is Secure, so a jar would not send it over http.
        return {"Cookie": who.cookie}

    def api_headers(self, who: Seeded) -> dict[str, str]:
        return {"Authorization": f"Bearer {who.token}"}

    def time(
        self,
        label: str,
        path: str,
        size: str,
        *,
        headers: dict[str, str],
        check: Check,
        requests: int | None = None,
    ) -> Timing:
        """Time `GET path` over HTTP; every response must be a 200 that passes `check`.
        `requests` caps the timed requests below --requests, for the slow ones."""
        samples: list[float] = []
        requests = min(requests or self.args.requests, self.args.requests)
        check = once_per_page(check)
        with httpx.Client(
            base_url=self.base_url,
            headers=headers,
            trust_env=False,
            timeout=60,
            follow_redirects=False,
        ) as client:
            for i in range(WARMUP + requests):
                started = time.perf_counter()
                response = client.get(path)
                elapsed = time.perf_counter() - started
                _verify(response, check, path)
                if i >= WARMUP:
                    samples.append(elapsed)
        timing = Timing(label, path, size, samples, len(response.content))
        self.timings.append(timing)
        progress(f"timed {label} GET {path} ({size}): median {timing.median * 1000:.1f} ms")
        return timing

    def follow(
        self,
        label: str,
        path: str,
        size: str,
        *,
        headers: dict[str, str],
        pages: int,
        next_path: Callable[[httpx.Response], str | None],
        ids: Callable[[httpx.Response], list[int]],
        shown: str,
    ) -> tuple[str, list[int]]:
        """GET `path`, then follow its next-page link `pages` times, timing each
        page followed (once each, no warm-up). Returns the last path and the
        ids listed by all the pages, in order."""
        samples: list[float] = []
        with httpx.Client(
            base_url=self.base_url, headers=headers, trust_env=False, timeout=60
        ) as client:
            response = client.get(path)
            _verify(response, lambda _r: None, path)
            seen = ids(response)
            for _ in range(pages):
                following = next_path(response)
                if following is None:
                    raise RuntimeError(f"GET {path}: no next page after {len(seen)} rows")
                path = following
                started = time.perf_counter()
                response = client.get(path)
                samples.append(time.perf_counter() - started)
                _verify(response, lambda _r: None, path)
                seen += ids(response)
        timing = Timing(label, shown, size, samples, len(response.content))
        self.timings.append(timing)
        progress(f"followed {label} {shown} ({size}): median {timing.median * 1000:.1f} ms")
        return path, seen

    def count_sql(
        self, label: str, what: str, cases: dict[str, tuple[str, dict[str, str]]]
    ) -> SqlCount:
        """Statements one GET runs, per case (size → path, headers), counted in-process."""
        from fastapi.testclient import TestClient

        from app.main import create_app

        settings = Settings(env="test", database_url=self.database_url, secret_key=SECRET_KEY)
        engine = make_engine(self.database_url)
        counts: dict[str, int] = {}
        statements: dict[str, list[str]] = {}
        app = create_app(settings, Database(engine))
        with TestClient(app, base_url="https://testserver", follow_redirects=False) as client:
            for size, (path, headers) in cases.items():
                for _ in range(2):  # the first one warms up; the second is counted
                    with counting(engine) as counted:
                        response = client.get(path, headers=headers)
                    if response.status_code != 200:
                        raise RuntimeError(
                            f"in-process GET {path} ({size}): {response.status_code}"
                        )
                counts[size] = counted.n
                statements[size] = counted.statements
        engine.dispose()  # the lifespan disposed it already; harmless
        result = SqlCount(label, what, counts, statements)
        self.sql_counts.append(result)
        return result


def _verify(response: httpx.Response, check: Check, path: str) -> None:
    if response.status_code != 200:
        raise RuntimeError(f"GET {path}: {response.status_code}, not 200:\n{response.text[:500]}")
    problem = check(response)
    if problem:
        raise RuntimeError(f"GET {path}: {problem}")


def progress(message: str) -> None:
    print(f"  … {message}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------- benches


def bench_projects(ctx: Context) -> None:
    """Portfolio, project page and API list at --projects; the portfolio at 50 too."""
    large_n = ctx.args.projects
    small_n = 50
    ctx.time("baseline", "/healthz", "no database", headers={}, check=json_check("status", "ok"))
    small = ctx.new_user("small", small_n)
    # Measured before the large portfolio exists, so the instance holds only these.
    ctx.time(
        "portfolio",
        "/",
        f"{small_n} projects",
        headers=ctx.page_headers(small),
        check=project_rows_check(small_n),
    )

    large = ctx.new_user("large", large_n)
    size = f"{large_n} projects"
    page = ctx.page_headers(large)
    ctx.time("portfolio", "/", size, headers=page, check=project_rows_check(large_n))
    project_id = large.deepest_project
    with ctx.db.session() as s:
        title = s.get(Project, project_id).title
    ctx.time(
        "project",
        f"/projects/{project_id}",
        f"{size}, {large.history[project_id]} assessments",
        headers=page,
        check=shows_check(title),
    )
    ctx.time(
        "api",
        "/api/v1/projects",
        size,
        headers=ctx.api_headers(large),
        check=api_items_check(large_n),
    )
    # The small user again, now that the instance holds everyone's projects:
    # a page whose time depends on other users' data shows here.
    ctx.time(
        "portfolio",
        "/",
        f"{small_n} projects, {small_n + large_n} in the instance",
        headers=ctx.page_headers(small),
        check=project_rows_check(small_n),
    )

    sizes = {f"{small_n} projects": small, f"{large_n} projects": large}
    ctx.count_sql("portfolio", "GET /", {k: ("/", ctx.page_headers(v)) for k, v in sizes.items()})
    ctx.count_sql(
        "project",
        "GET /projects/{id}",
        {k: (f"/projects/{v.deepest_project}", ctx.page_headers(v)) for k, v in sizes.items()},
    )
    ctx.count_sql(
        "api",
        "GET /api/v1/projects",
        {k: ("/api/v1/projects", ctx.api_headers(v)) for k, v in sizes.items()},
    )


def _three_months_a_year_ago(today: date) -> tuple[date, date]:
    since = date(today.year - 1, today.month, 1)
    after = since.month + 3
    until = date(since.year + (after - 1) // 12, (after - 1) % 12 + 1, 1) - timedelta(days=1)
    return since, until


def bench_releases(ctx: Context) -> None:
    """The release log at --releases (and at 2,000 for the SQL counts): first,
    deep and filtered pages, a release page, and the API list."""
    large_n = ctx.args.releases
    small_n = 2000 if large_n > 2000 else large_n // 10
    logs: dict[str, ReleaseLog] = {}
    for name, n in (("releases-small", small_n), ("releases", large_n)):
        who = ctx.new_user(name, 20)
        logs[f"{n} releases"] = seed_releases(ctx, who, n, links=max(1, n // 100))
    small, large = logs.values()
    size = f"{large_n} releases"
    page = ctx.page_headers(large.who)
    api = ctx.api_headers(large.who)
    everything = large.matching(lambda _r: True)

    ctx.time(
        "release log",
        "/releases",
        f"{small_n} releases",
        headers=ctx.page_headers(small.who),
        check=release_rows_check(small.matching(lambda _r: True)[:PAGE_SIZE]),
    )
    ctx.time(
        "release log",
        "/releases",
        size,
        headers=page,
        check=release_rows_check(everything[:PAGE_SIZE]),
    )

    # Deep pages: walk the "Older →" links like a reader would, checking that
    # the pages together list every release once, in order.
    depth = min(100, (large_n - 1) // PAGE_SIZE)
    deep_path, seen = ctx.follow(
        "release log",
        "/releases",
        f"{size}, pages 2–{depth + 1}",
        headers=page,
        pages=depth,
        next_path=older_link,
        ids=release_ids,
        shown=f"/releases, then Older → ×{depth}",
    )
    problem = same_ids(seen, everything[: len(seen)], "releases over the pages")
    if problem or len(seen) != min(large_n, (depth + 1) * PAGE_SIZE):
        raise RuntimeError(f"walking the release log: {problem or f'{len(seen)} rows'}")
    deep_rows = everything[depth * PAGE_SIZE : (depth + 1) * PAGE_SIZE]
    ctx.time(
        "release log",
        deep_path,
        f"{size}, page {depth + 1}",
        headers=page,
        check=release_rows_check(deep_rows),
    )

    since, until = _three_months_a_year_ago(date.today())
    filtered = {
        "kind=model": lambda r: r.kind == "model",
        f"organisation={FILTER_ORGANISATION}": (
            lambda r: r.organisation.lower() == FILTER_ORGANISATION.lower()
        ),
        f"q={SEARCH_WORD}": lambda r: SEARCH_WORD in r.text,
        f"q={MISSING_WORD}": lambda r: MISSING_WORD in r.text,
        f"since={since}&until={until}": lambda r: since <= r.released_on <= until,
    }
    for query, keep in filtered.items():
        matches = large.matching(keep)
        check = release_rows_check(matches[:PAGE_SIZE])
        if not matches:
            check = all_of(check, shows_check("No release matches these filters."))
        ctx.time(
            "release log",
            "/releases?" + urlencode(dict(p.split("=") for p in query.split("&"))),
            f"{size}, {len(matches)} match",
            headers=page,
            check=check,
        )

    # What the search box sends on each keystroke: only the results block is
    # rendered, but the route runs the same queries.
    matches = large.matching(filtered[f"q={SEARCH_WORD}"])
    ctx.time(
        "release log, htmx",
        "/releases?" + urlencode({"q": SEARCH_WORD}),
        f"{size}, {len(matches)} match, results fragment",
        headers={**page, "HX-Request": "true"},
        check=all_of(
            release_rows_check(matches[:PAGE_SIZE]),
            fragment_check,
        ),
    )

    with ctx.db.session() as s:
        title = s.get(Release, large.showcase).title
    ctx.time(
        "release",
        f"/releases/{large.showcase}",
        f"{size}, {large.showcase_links} links",
        headers=page,
        check=all_of(
            shows_check(title),
            count_check('li[id^="link-"]', large.showcase_links, "links"),
        ),
    )

    api_first = f"/api/v1/releases?limit={PAGE_SIZE}"
    ctx.time(
        "api",
        api_first,
        size,
        headers=api,
        check=api_ids_check(everything[:PAGE_SIZE]),
    )

    def api_next(response: httpx.Response) -> str | None:
        cursor = response.json()["next_before"]
        return f"{api_first}&{urlencode({'before': cursor})}" if cursor else None

    api_deep, seen = ctx.follow(
        "api",
        api_first,
        f"{size}, pages 2–{depth + 1}",
        headers=api,
        pages=depth,
        next_path=api_next,
        ids=lambda r: [item["id"] for item in r.json()["items"]],
        shown=f"{api_first}, then next_before ×{depth}",
    )
    problem = same_ids(seen, everything[: len(seen)], "releases over the API pages")
    if problem:
        raise RuntimeError(f"walking the API release list: {problem}")
    ctx.time(
        "api",
        api_deep,
        f"{size}, page {depth + 1}",
        headers=api,
        check=api_ids_check(deep_rows),
    )

    # Statements per page at both sizes: none of them should grow with the log.
    deep_rows_small = min(depth * PAGE_SIZE, small_n - 1)
    per_page: dict[str, tuple[str, Callable[[ReleaseLog], str]]] = {
        "GET /releases": ("release log", lambda _log: "/releases"),
        "GET /releases?before=…": (
            "release log",
            lambda log: (
                "/releases?before="
                + log.cursor_after(deep_rows_small if log is small else depth * PAGE_SIZE)
            ),
        ),
        **{
            f"GET /releases?{query}": (
                "release log",
                lambda _log, q=query: (
                    "/releases?" + urlencode(dict(p.split("=") for p in q.split("&")))
                ),
            )
            for query in filtered
        },
        "GET /releases/{id}": ("release", lambda log: f"/releases/{log.showcase}"),
        "GET /api/v1/releases": ("api", lambda _log: api_first),
        "GET /api/v1/releases?before=…": (
            "api",
            lambda log: (
                f"{api_first}&before="
                + log.cursor_after(deep_rows_small if log is small else depth * PAGE_SIZE)
            ),
        ),
    }
    for what, (label, path_of) in per_page.items():
        headers_of = ctx.api_headers if label == "api" else ctx.page_headers
        ctx.count_sql(
            label, what, {k: (path_of(log), headers_of(log.who)) for k, log in logs.items()}
        )


# ---------------------------------------------------------------- journal

JOURNAL_TZ = "Europe/Berlin"
JOURNAL_KINDS = {
    "experiment": 30, "reading": 20, "evaluation": 12, "infrastructure": 12,
    "writing": 11, "planning": 8, "rest": 7,
}  # fmt: skip
JOURNAL_FILTER_KIND = "reading"  # about 20% of entries
JOURNAL_WORD = "axolotl"  # in about 2% of entry bodies, nowhere else
JOURNAL_DEPTH = 20  # "Older entries →" followed this many times
EXPORT_REQUESTS = 10  # the exports read every entry: fewer timed requests
# Local hour an entry is written at: mostly office hours, some late at night
# (22–23h, and 0–1h the next day).
JOURNAL_HOURS = {**{h: 10 for h in range(8, 22)}, 22: 6, 23: 4, 0: 3, 1: 2}
JOURNAL_SENTENCES = (
    "Ran the ablation on the smaller model with three seeds.",
    "The loss curve flattens after the warm-up, as it did last week.",
    "Read the related work section twice and took notes on the baselines.",
    "Rewrote the data loader so it streams shards instead of loading them all.",
    "The evaluation harness now reports confidence intervals.",
    "Spent the morning on a bug that turned out to be a stale cache.",
    "Drafted the method section; the notation still needs a pass.",
    "Talked through the plan with a colleague, who asked about the contingency.",
    "The numbers on the held-out split are lower than on the dev split.",
    "Cleaned up the configs and removed the experiments we will not run.",
    "Compared our tokenizer statistics with the ones in the paper.",
    "Nothing worked today, but now I know three things that do not.",
    "The GPU queue was full, so I wrote the analysis scripts instead.",
    "Wrote down the open questions before they get lost.",
)
JOURNAL_ITEMS = (
    "check the learning-rate schedule",
    "rerun with `seed=3`",
    "plot the per-class accuracy",
    "ask about the licence of the second corpus",
    "write the README for the harness",
    "compare against the distilled baseline",
    "move the checkpoints off the scratch disk",
    "read the appendix of the scaling paper",
)
JOURNAL_LINKS = (
    ("the preprint", "https://arxiv.org/abs/2405.01234"),
    ("the model card", "https://huggingface.co/example/model-7b"),
    ("the issue", "https://github.com/example/harness/issues/42"),
    ("the dataset", "https://huggingface.co/datasets/example/corpus"),
    ("the blog post", "https://example.com/blog/what-we-learned"),
)
JOURNAL_LEARNED = (
    "Small runs predict the big one only when the data mix is the same.",
    "Write the evaluation first; it keeps the experiments honest.",
    "Most of the gain came from cleaning the data, not from the model.",
    "Three seeds are not enough to trust a one-point difference.",
    "A rest day made the next two days faster.",
    "The baseline was stronger than the paper said.",
    "Asking early saves a week of guessing.",
)
JOURNAL_PURPOSE = "Build evaluation tools that small labs can trust, and keep a pace I can sustain."


def _entry_body(rng: random.Random, kind: str) -> str:
    """A few paragraphs of Markdown; some with a list, some with links."""
    if kind == "rest":
        return rng.choice(("A walk, no screens.", "Day off.", "Read a novel, slept well."))
    paragraphs = [
        " ".join(rng.sample(JOURNAL_SENTENCES, rng.randint(2, 4))) for _ in range(rng.randint(1, 3))
    ]
    if rng.random() < 0.4:
        text, url = rng.choice(JOURNAL_LINKS)
        paragraphs[-1] += f" See [{text}]({url}) for the details."
    if rng.random() < 0.35:
        items = rng.sample(JOURNAL_ITEMS, rng.randint(2, 5))
        paragraphs.append("Next:\n\n" + "\n".join(f"- {item}" for item in items))
    if rng.random() < 0.02:
        paragraphs.insert(1, f"Tried the {JOURNAL_WORD} config for the fine-tune; it is simpler.")
    return "\n\n".join(paragraphs)


def journal_rows(
    rng: random.Random, *, author_id: int, project_ids: list[int], n: int, today: date
) -> list[dict]:
    """`n` rows for `journal_entry`: one or two entries a day, some days skipped,
    going back from `today` (about five years for 2,000 entries)."""
    tz = ZoneInfo(JOURNAL_TZ)
    now = datetime.now(UTC)
    kinds, kind_weights = list(JOURNAL_KINDS), list(JOURNAL_KINDS.values())
    hours, hour_weights = list(JOURNAL_HOURS), list(JOURNAL_HOURS.values())
    rows: list[dict] = []
    day = today
    while len(rows) < n:
        per_day = 0 if rng.random() < 0.1 else 2 if rng.random() < 0.22 else 1
        for _ in range(min(per_day, n - len(rows))):
            kind = rng.choices(kinds, weights=kind_weights)[0]
            hour = rng.choices(hours, weights=hour_weights)[0]
            local = datetime(day.year, day.month, day.day, hour, rng.randint(0, 59), tzinfo=tz)
            if hour < 5:  # written after midnight, about the day before
                local += timedelta(days=1)
            created = min(local.astimezone(UTC), now - timedelta(minutes=rng.randint(1, 60)))
            rows.append(
                {
                    "author_id": author_id,
                    "project_id": (
                        rng.choice(project_ids)
                        if kind != "rest" and project_ids and rng.random() < 0.4
                        else None
                    ),
                    "replan_id": None,
                    "day": day,
                    "kind": kind,
                    "body": _entry_body(rng, kind),
                    "learned": rng.choice(JOURNAL_LEARNED) if rng.random() < 0.5 else "",
                    "hours": (
                        None
                        if kind == "rest" or rng.random() < 0.15
                        else Decimal(rng.randint(5, 100)) / 10
                    ),
                    "energy": None if rng.random() < 0.2 else rng.randint(1, 5),
                    "serves_purpose": rng.random() < 0.6,
                    "version": 1,
                    "created_at": created,
                    "updated_at": created,
                    "archived_at": None,
                }
            )
            # A bulk insert skips the service, which renders the body on save.
            rows[-1]["body_html"] = render_markdown(rows[-1]["body"])
        day -= timedelta(days=1)
    return rows


@dataclass(frozen=True)
class LoggedEntry:
    id: int
    day: date
    kind: str
    text: str  # body and learned, lower-cased: what `?q=` searches


@dataclass
class Journal:
    who: Seeded
    entries: list[LoggedEntry]  # newest first, as the journal orders them
    today: date  # in the author's time zone

    def matching(self, keep: Callable[[LoggedEntry], bool]) -> list[int]:
        return [e.id for e in self.entries if keep(e)]

    def week_of(self, monday: date) -> list[int]:
        return self.matching(lambda e: monday <= e.day <= monday + timedelta(days=6))

    def pace_weeks(self) -> dict[str, int]:
        """Entries per week of the pace window, keyed by the Monday's ISO date."""
        first = self.today - timedelta(days=self.today.weekday(), weeks=PACE_WEEKS - 1)
        weeks = {(first + timedelta(weeks=i)).isoformat(): 0 for i in range(PACE_WEEKS)}
        for e in self.entries:
            if first <= e.day <= self.today:
                weeks[(e.day - timedelta(days=e.day.weekday())).isoformat()] += 1
        return weeks

    def cursor_after(self, rows: int) -> str:
        last = self.entries[rows - 1]
        return f"{last.day.isoformat()}_{last.id}"


def seed_journal(ctx: "Context", name: str, n: int) -> Journal:
    """A user in Europe/Berlin with 20 projects, journal settings and `n`
    entries bulk-inserted."""
    who = ctx.new_user(name, 20)
    started = time.perf_counter()
    today = datetime.now(ZoneInfo(JOURNAL_TZ)).date()
    rows = journal_rows(
        ctx.rng, author_id=who.user.id, project_ids=who.project_ids, n=n, today=today
    )
    with ctx.db.session(write=True) as s:
        s.get(User, who.user.id).timezone = JOURNAL_TZ
        s.add(
            JournalSettings(
                user_id=who.user.id,
                purpose=JOURNAL_PURPOSE,
                weekly_hours_limit=50,
                weeks_over_limit=3,
                late_hour=22,
            )
        )
        for chunk in range(0, len(rows), 2000):
            s.execute(sa.insert(JournalEntry.__table__), rows[chunk : chunk + 2000])
        s.commit()
        found = s.execute(
            sa.select(
                JournalEntry.id,
                JournalEntry.day,
                JournalEntry.kind,
                JournalEntry.body,
                JournalEntry.learned,
            )
            .where(JournalEntry.author_id == who.user.id)
            .order_by(JournalEntry.day.desc(), JournalEntry.id.desc())
        ).all()
    logged = [
        LoggedEntry(r.id, r.day, str(r.kind), f"{r.body}\n{r.learned}".lower()) for r in found
    ]
    progress(
        f"seeded {n} journal entries ({logged[-1].day} to {logged[0].day}) "
        f"in {time.perf_counter() - started:.1f} s"
    )
    return Journal(who=who, entries=logged, today=today)


def pace_check(weeks: dict[str, int]) -> Check:
    """The pace table has a row per week, with the entries of that week (its third column)."""

    def check(response: httpx.Response) -> str | None:
        found = {
            str(row["data-week"]): int(row.find_all("td")[2].get_text())
            for row in soup(response).select("tr[data-week]")
        }
        return None if found == weeks else f"pace table {found}, expected {weeks}"

    return check


def review_check(expected: int) -> Check:
    """The review's "What I did" lists the week's entries."""

    def check(response: httpx.Response) -> str | None:
        heading = next(
            (h for h in soup(response).select("section h2") if h.get_text() == "What I did"), None
        )
        if heading is None:
            return "no section headed What I did"
        found = len(heading.find_parent("section").select("li"))
        return (
            None if found == expected else f"{found} entries under What I did, expected {expected}"
        )

    return check


def export_check(expected: int, fmt: str) -> Check:
    """The export carries every entry."""

    def headings(text: str) -> int:
        return sum(line.startswith("### ") for line in text.splitlines())

    def check(response: httpx.Response) -> str | None:
        if fmt == "json":
            found = len(response.json()["entries"])
        elif fmt == "zip":
            with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
                found = sum(headings(archive.read(name).decode()) for name in archive.namelist())
        else:
            found = headings(response.text)
        return (
            None
            if found == expected
            else f"{found} entries in the {fmt} export, expected {expected}"
        )

    return check


def _iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02}"


def bench_journal(ctx: Context) -> None:
    """The journal of one person at --entries (and at 200 for the SQL counts):
    home, filters, deep pages, pace, weekly review, an entry, the exports and
    the API list."""
    large_n = ctx.args.entries
    small_n = 200 if large_n > 200 else large_n // 10
    journals = {f"{n} entries": seed_journal(ctx, name, n) for name, n in (
        ("journal-small", small_n), ("journal", large_n)
    )}  # fmt: skip
    small, large = journals.values()
    size = f"{large_n} entries"
    page = ctx.page_headers(large.who)
    everything = large.matching(lambda _e: True)
    pace_total = sum(large.pace_weeks().values())
    home_check = all_of(
        entry_rows_check(everything[:JOURNAL_PAGE_SIZE]),
        text_check('strong[data-count="entries"]', str(pace_total)),
    )

    ctx.time(
        "journal",
        "/journal",
        f"{small_n} entries",
        headers=ctx.page_headers(small.who),
        check=entry_rows_check(small.matching(lambda _e: True)[:JOURNAL_PAGE_SIZE]),
    )
    ctx.time("journal", "/journal", size, headers=page, check=home_check)

    this_week = large.today - timedelta(days=large.today.weekday())
    last_week = this_week - timedelta(weeks=1)
    filtered = {
        f"week={_iso_week(this_week)}": large.week_of(this_week),
        f"week={_iso_week(last_week)}": large.week_of(last_week),  # a whole week, for contrast
        f"q={JOURNAL_WORD}": large.matching(lambda e: JOURNAL_WORD in e.text),
        f"kind={JOURNAL_FILTER_KIND}": large.matching(lambda e: e.kind == JOURNAL_FILTER_KIND),
    }
    for query, matches in filtered.items():
        ctx.time(
            "journal",
            "/journal?" + query,
            f"{size}, {len(matches)} match",
            headers=page,
            check=entry_rows_check(matches[:JOURNAL_PAGE_SIZE]),
        )

    depth = min(JOURNAL_DEPTH, (large_n - 1) // JOURNAL_PAGE_SIZE)
    deep_path, seen = ctx.follow(
        "journal",
        "/journal",
        f"{size}, pages 2–{depth + 1}",
        headers=page,
        pages=depth,
        next_path=older_link,
        ids=entry_ids,
        shown=f"/journal, then Older entries → ×{depth}",
    )
    problem = same_ids(seen, everything[: len(seen)], "entries over the pages")
    if problem or len(seen) != min(large_n, (depth + 1) * JOURNAL_PAGE_SIZE):
        raise RuntimeError(f"walking the journal: {problem or f'{len(seen)} entries'}")
    ctx.time(
        "journal",
        deep_path,
        f"{size}, page {depth + 1}",
        headers=page,
        check=entry_rows_check(everything[depth * JOURNAL_PAGE_SIZE :][:JOURNAL_PAGE_SIZE]),
    )

    ctx.time(
        "pace",
        "/journal/pace",
        f"{size}, {pace_total} in {PACE_WEEKS} weeks",
        headers=page,
        check=pace_check(large.pace_weeks()),
    )
    reviewed = large.week_of(last_week)
    ctx.time(
        "weekly review",
        f"/journal/review?week={_iso_week(last_week)}",
        f"{size}, {len(reviewed)} that week",
        headers=page,
        check=review_check(len(reviewed)),
    )
    # An entry with a body that has a list and a link: the most HTML to show.
    showcase = next(
        (e for e in large.entries if "](" in e.text and "\n- " in e.text), large.entries[0]
    )
    ctx.time(
        "entry",
        f"/journal/entries/{showcase.id}",
        size,
        headers=page,
        check=entry_rows_check([showcase.id]),
    )
    for fmt in ("md", "zip", "json"):
        ctx.time(
            "export",
            f"/journal/export.{fmt}",
            size,
            headers=page,
            check=export_check(large_n, fmt),
            requests=EXPORT_REQUESTS,
        )
    api_first = f"/api/v1/journal/entries?limit={JOURNAL_PAGE_SIZE}"
    ctx.time(
        "api",
        api_first,
        size,
        headers=ctx.api_headers(large.who),
        check=api_ids_check(everything[:JOURNAL_PAGE_SIZE]),
    )

    deep_small = min(depth * JOURNAL_PAGE_SIZE, small_n - 1)
    per_page: dict[str, tuple[str, Callable[[Journal], str]]] = {
        "GET /journal": ("journal", lambda _j: "/journal"),
        "GET /journal?before=…": (
            "journal",
            lambda j: (
                "/journal?before="
                + j.cursor_after(deep_small if j is small else depth * JOURNAL_PAGE_SIZE)
            ),
        ),
        "GET /journal/pace": ("pace", lambda _j: "/journal/pace"),
        "GET /journal/export.json": ("export", lambda _j: "/journal/export.json"),
        "GET /api/v1/journal/entries": ("api", lambda _j: api_first),
    }
    for what, (label, path_of) in per_page.items():
        headers_of = ctx.api_headers if label == "api" else ctx.page_headers
        ctx.count_sql(
            label, what, {k: (path_of(j), headers_of(j.who)) for k, j in journals.items()}
        )


# ---------------------------------------------------------------- teams

PROJECTS_EACH = 25  # projects each researcher shares with the team
QUEUE_LIMIT = review_queries.LIST_LIMIT
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


def seed_team(ctx: "Context", name: str, shared: int) -> SeededTeam:
    """A team sharing `shared` projects (PROJECTS_EACH per researcher) with one
    manager; shared // 5 open review requests to the manager, shared // 10
    answered, 3 × shared // 5 confirmed release links, and 2 × shared
    notifications for the manager."""
    started = time.perf_counter()
    team = _seed_members(ctx, name, shared)
    _seed_reviews(ctx, team, answered=shared // 10, waiting=shared // 5)
    _seed_links(ctx, team, links=3 * shared // 5, replans=max(1, shared // 100))
    _seed_notices(ctx, team, total=2 * shared)
    progress(
        f"seeded team {name}: {team.shared} shared projects, {len(team.open_requests)} waiting "
        f"and {len(team.answered)} answered reviews, {team.links} links ({team.realised} "
        f"realised risks, {team.replans} re-plans), {team.notices} notifications "
        f"in {time.perf_counter() - started:.1f} s"
    )
    return team


def _seed_members(ctx: "Context", name: str, shared: int) -> SeededTeam:
    manager = ctx.new_user(f"{name}-manager", 0)
    settings = Settings(env="test", database_url=ctx.database_url, secret_key=SECRET_KEY)
    with ctx.db.session(write=True) as s:
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
        ctx.new_user(f"{name}-r{k + 1}", shared // n + (k < shared % n), team_id=team_id)
        for k in range(n)
    ]
    return SeededTeam(name=name, team_id=team_id, manager=manager, researchers=researchers)


def _seed_reviews(ctx: "Context", team: SeededTeam, *, answered: int, waiting: int) -> None:
    """Plans shared up to the manager through the services: the oldest `answered`
    of them answered (the first one acknowledged) with a comment back from the
    researcher; the newest `waiting` left open."""
    rng = ctx.rng
    owners = team.owner_of()
    chosen = rng.sample(sorted(owners), answered + waiting)
    with ctx.db.session(write=True) as s:
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
                data=CommentCreate(body="Thank you. " + _prose(rng, 2)),
            )
        s.commit()
    team.answered = ids[:answered]
    team.open_requests = sorted(ids[answered:], reverse=True)


def _seed_links(ctx: "Context", team: SeededTeam, *, links: int, replans: int) -> None:
    """`links` releases (bulk-inserted, each logged by the researcher who links
    it) linked through the service: a scoop on every other project whose risk
    was accepted (a realised risk), a re-plan through the service on `replans`
    of the others, and the rest on other projects with mixed effects."""
    rng = ctx.rng
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
    with ctx.db.session(write=True) as s:
        for owner_id, mine in by_owner.items():
            s.execute(
                sa.insert(Release.__table__), release_rows(rng, owner_id=owner_id, n=len(mine))
            )
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


def _seed_notices(ctx: "Context", team: SeededTeam, *, total: int) -> None:
    """Older notifications for the manager, bulk-inserted (and read), up to
    `total` with the ones the services wrote."""
    with ctx.db.session(write=True) as s:
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
            project_id = ctx.rng.choice(project_ids)
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
        if rows:
            s.execute(sa.insert(Notification.__table__), rows)
        s.commit()
    team.notices = max(total, written)
    team.unread = written


def team_portfolio_check(team: SeededTeam) -> Check:
    """Every shared project ranked, every waiting plan, and the capped lists."""
    return all_of(
        project_rows_check(team.shared),
        ids_check(
            "li[data-request-id]",
            "data-request-id",
            team.open_requests[:QUEUE_LIMIT],
            "plans waiting for review",
            inside="section#waiting",
        ),
        count_check(
            "li[data-project-id]",
            min(team.realised, REALISED_MAX),
            "acknowledged risks now realised",
            inside="section#realised",
        ),
        count_check(
            "li[data-project-id]",
            min(team.links, RECENT_LINKS),
            "releases",
            inside="section#touched",
        ),
        count_check("li[data-project-id]", team.replans, "re-plans", inside="section#replans"),
    )


def review_questions_check(questions: list[str], *, answered: bool) -> Check:
    """The request's page shows its questions: as answer fields while open, with
    the manager's answers once answered."""
    shown = [shows_check(q) for q in questions]
    if answered:
        fields = count_check("dt", len(questions), "answered questions", inside="section#answer")
    else:
        fields = count_check('[id^="f-answer-"]', len(questions), "answer fields")
    return all_of(fields, *shown)


def api_requests_check(expected: list[int], questions: int) -> Check:
    def check(response: httpx.Response) -> str | None:
        items = response.json()
        problem = same_ids([item["id"] for item in items], expected, "review requests")
        if problem:
            return problem
        short = [item["id"] for item in items if len(item["questions"]) != questions]
        return f"requests without {questions} questions: {short[:5]}" if short else None

    return check


def newest_notices(ctx: "Context", user_id: int, n: int) -> list[int]:
    with ctx.db.session() as s:
        return list(
            s.execute(
                sa.select(Notification.id)
                .where(Notification.user_id == user_id)
                .order_by(Notification.created_at.desc(), Notification.id.desc())
                .limit(n)
            ).scalars()
        )


def bench_teams(ctx: Context) -> None:
    """A manager's pages at --shared projects shared with their team (and at 50
    for the SQL counts): the team portfolio, the review queue, a review, the
    activity list and the API's waiting box."""
    large_n = ctx.args.shared
    small_n = 50
    teams = {f"{n} shared projects": seed_team(ctx, name, n) for name, n in (
        ("team-small", small_n), ("team", large_n)
    )}  # fmt: skip
    small, large = teams.values()
    size = f"{large_n} shared projects"
    page = ctx.page_headers(large.manager)

    for team in (small, large):
        ctx.time(
            "team portfolio",
            f"/teams/{team.team_id}/portfolio",
            f"{team.shared} shared projects, {team.links} links",
            headers=ctx.page_headers(team.manager),
            check=team_portfolio_check(team),
        )
    waiting = large.open_requests[:QUEUE_LIMIT]
    ctx.time(
        "review queue",
        "/reviews",
        f"{size}, {len(large.open_requests)} waiting",
        headers=page,
        check=ids_check(
            'a[href^="/reviews/"]',
            "href",
            waiting,
            "requests waiting",
            pattern=r"/reviews/(\d+)",
            inside="section#waiting",
        ),
    )
    for label, request_id, answered in (
        ("review, open", large.open_requests[0], False),
        ("review, answered", large.answered[-1], True),
    ):
        questions = large.questions[request_id]
        ctx.time(
            label,
            f"/reviews/{request_id}",
            f"{size}, {len(questions)} questions",
            headers=page,
            check=review_questions_check(questions, answered=answered),
        )
    shown = newest_notices(ctx, large.manager.user.id, NOTICE_PAGE_SIZE)
    ctx.time(
        "activity",
        "/activity",
        f"{large.notices} notifications, {large.unread} unread",
        headers=page,
        check=all_of(
            count_check("li.activity-item", NOTICE_PAGE_SIZE, "notifications"),
            ids_check("li.activity-item", "id", shown, "notifications", pattern=r"notice-(\d+)"),
            text_check("#unread-total", f"{large.unread} unread"),
            lambda r: None if older_link(r) else "no Older → link",
        ),
    )
    api_waiting = "/api/v1/reviews?box=waiting"
    ctx.time(
        "api",
        api_waiting,
        f"{size}, {len(large.open_requests)} waiting",
        headers=ctx.api_headers(large.manager),
        check=api_requests_check(waiting, 3),
    )

    per_page: dict[str, tuple[str, Callable[[SeededTeam], str]]] = {
        "GET /teams/{id}/portfolio": (
            "team portfolio",
            lambda t: f"/teams/{t.team_id}/portfolio",
        ),
        "GET /reviews": ("review queue", lambda _t: "/reviews"),
        "GET /reviews/{id} (open)": ("review", lambda t: f"/reviews/{t.open_requests[0]}"),
        "GET /activity": ("activity", lambda _t: "/activity"),
        "GET /api/v1/reviews?box=waiting": ("api", lambda _t: api_waiting),
    }
    for what, (label, path_of) in per_page.items():
        headers_of = ctx.api_headers if label == "api" else ctx.page_headers
        ctx.count_sql(
            label, what, {k: (path_of(t), headers_of(t.manager)) for k, t in teams.items()}
        )


BENCHES: dict[str, Callable[[Context], None]] = {
    "projects": bench_projects,
    "releases": bench_releases,
    "journal": bench_journal,
    "teams": bench_teams,
}


# ---------------------------------------------------------------- main


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.pages", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "--projects", type=int, default=500, help="projects of the large portfolio (500)"
    )
    parser.add_argument(
        "--releases", type=int, default=20000, help="releases of the large release log (20000)"
    )
    parser.add_argument(
        "--entries", type=int, default=2000, help="entries of the large journal (2000)"
    )
    parser.add_argument(
        "--shared", type=int, default=500, help="projects shared with the large team (500)"
    )
    parser.add_argument("--requests", type=int, default=50, help="timed requests per endpoint (50)")
    parser.add_argument(
        "--database-url",
        help="a scratch database to run against (e.g. postgresql+psycopg://...); "
        "default: a fresh SQLite file in a temp dir. It is migrated to head, and what the "
        "bench writes is deleted afterwards unless --keep-data",
    )
    parser.add_argument(
        "--keep-data", action="store_true", help="leave the seeded data in --database-url"
    )
    parser.add_argument(
        "--only", choices=sorted(BENCHES), action="append", help="run only these benches"
    )
    parser.add_argument("--show-sql", action="store_true", help="print the statements counted")
    args = parser.parse_args(argv)
    if args.projects < 1 or args.requests < 1:
        parser.error("--projects and --requests must be at least 1")
    if args.releases < 100:
        parser.error("--releases must be at least 100")
    if args.entries < 100:
        parser.error("--entries must be at least 100")
    if args.shared < 100:
        parser.error("--shared must be at least 100")
    return args


def run(args: argparse.Namespace) -> Context:
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="goldfish-bench-") as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'goldfish.db'}"
        label = _safe_url(url) if args.database_url else "SQLite (fresh temp file)"
        migrate(url)
        progress(f"migrated {label}")
        ctx = Context(
            args=args, database_url=url, database_label=label, db=Database(make_engine(url))
        )
        try:
            with server.running(
                url, Path(tmp), settings={"GOLDFISH_SECRET_KEY": SECRET_KEY}
            ) as served:
                ctx.base_url = served.url
                progress(f"goldfish serve up at {served.url} in {served.started_in:.1f} s")
                for name, bench in BENCHES.items():
                    if not args.only or name in args.only:
                        bench(ctx)
        finally:
            if args.database_url and not args.keep_data:
                delete_users(ctx.db, ctx.user_ids)
            ctx.db.dispose()
    progress(f"done in {time.perf_counter() - started:.1f} s")
    return ctx


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    ctx = run(args)
    print(report(ctx))
    if args.show_sql:
        for c in ctx.sql_counts:
            for size, statements in c.statements.items():
                print(f"\n{c.label} {c.what}, {size}:")
                for statement in statements:
                    print("   ", " ".join(statement.split())[:200])


if __name__ == "__main__":
    main()
