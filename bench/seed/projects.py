"""Users with portfolios: projects created and re-scored through the app's
services, each user signed in (a session cookie) and holding an API token."""

import random
import time
from dataclasses import dataclass
from datetime import date, timedelta

from app.auth import service as auth_service
from app.auth.deps import SESSION_COOKIE, session_cookie_value
from app.auth.models import User, UserCreate
from app.projects import service as project_service
from app.projects.models import AssessmentPatch, ProjectCreate, ProjectUpdate
from app.teams.models import Membership, TeamRole
from bench import progress
from bench.seed import PASSWORD, SECRET_KEY, Seeder

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


def prose(rng: random.Random, sentences: int) -> str:
    return " ".join(rng.choice(PHRASES) for _ in range(sentences))


def project_payload(rng: random.Random, i: int) -> dict:
    topic = rng.choice(KEYWORDS)
    return {
        "title": f"{rng.choice(ADJECTIVES)} {topic} for {rng.choice(DOMAINS)} #{i}",
        "summary": prose(rng, 3),
        "keywords": rng.sample(KEYWORDS, rng.randint(2, 5)),
        "status": rng.choices(list(STATUS_WEIGHTS), weights=list(STATUS_WEIGHTS.values()))[0],
        "assessment": {
            "attainability": rng.randint(1, 5),
            "scoop_risk": rng.randint(1, 5),
            "impact": rng.randint(1, 5),
            "success_axis": rng.choice(("first", "best", "open")),
            "attainability_rationale": prose(rng, 2),
            "scoop_risk_rationale": prose(rng, 3),
            "impact_rationale": prose(rng, 2),
        },
        "plan": {
            "goal": prose(rng, 2),
            "approach": prose(rng, 4),
            "differentiation": prose(rng, 2),
            "contingency": prose(rng, 2),
            "questions": "What is our plan if a major open model lands next month? "
            + prose(rng, 1),
            "horizon": (date(2027, 1, 1) + timedelta(days=rng.randint(0, 365))).isoformat(),
        },
    }


@dataclass
class Seeded:
    """A seeded user and what a bench needs to act as them."""

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
    seeder: Seeder, name: str, projects: int, *, team_id: int | None = None, batch: int = 100
) -> Seeded:
    """A user with `projects` live projects; about a third re-scored 1–4 times.
    With `team_id`, the user joins that team as a researcher first and shares
    every project with it."""
    started = time.perf_counter()
    rng = seeder.rng
    email = f"bench-{seeder.tag}-{name}@example.org"
    with seeder.db.session(write=True) as s:
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
                    score = rng.choice(("attainability", "scoop_risk", "impact"))
                    scores[score] = rng.choice([v for v in range(1, 6) if v != scores[score]])
                    patch = AssessmentPatch(**{score: scores[score]})
                    project_service.project_update(
                        s,
                        project=project,
                        actor=user,
                        data=ProjectUpdate(version=project.version, assessment=patch),
                    )
                    history[project.id] += 1
            if i % batch == 0:
                s.commit()
        s.commit()
        raw = auth_service.session_create(s, user=user).raw
        cookie = f"{SESSION_COOKIE}={session_cookie_value(SECRET_KEY, raw)}"
        token = auth_service.token_create(s, user=user, name="bench").raw
        s.commit()
    seeder.user_ids.append(user.id)
    progress(f"seeded {name}: {projects} projects in {time.perf_counter() - started:.1f} s")
    return Seeded(user=user, project_ids=ids, history=history, cookie=cookie, token=token)
