"""A release log: releases bulk-inserted over the last five years (papers
with arXiv ids, models, datasets, products, benchmarks), a few linked to the
owner's projects through the app's service."""

import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa

from app.auth.models import User
from app.listing import folded_text
from app.projects.models import Project
from app.releases import service as release_service
from app.releases.models import LinkEffect, Release
from app.releases.urls import external_id, normalise_url
from bench import progress
from bench.seed import Seeder, insert_rows
from bench.seed.projects import ADJECTIVES, DOMAINS, KEYWORDS, Seeded

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
        # A bulk insert skips the ORM hook that folds the searchable text.
        row = rows[-1]
        row["search_text"] = folded_text(row["title"], row["organisation"], row["summary"])
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
    seeder: Seeder, who: Seeded, n: int, *, links: int, showcase_links: int = 5
) -> ReleaseLog:
    """`n` releases bulk-inserted for `who`; `links` of them linked (as related)
    to the user's projects through the service, one of them to several."""
    started = time.perf_counter()
    rows = release_rows(seeder.rng, owner_id=who.user.id, n=n)
    with seeder.db.session(write=True) as s:
        insert_rows(s, Release, rows)
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
        linked = seeder.rng.sample([r.id for r in logged], min(links, len(logged)))
        showcase_links = min(showcase_links, len(projects))
        for k, release_id in enumerate(linked):
            release = s.get(Release, release_id)
            targets = seeder.rng.sample(projects, showcase_links if k == 0 else 1)
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
