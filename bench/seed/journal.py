"""A journal: a person in Europe/Berlin with journal settings and years of
entries (one or two a day, some days skipped), bulk-inserted with their
bodies rendered as the service would."""

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from app.auth.models import User
from app.journal.models import JournalEntry, JournalSettings
from app.journal.queries import PACE_WEEKS
from app.listing import folded_text
from app.markdown import render_markdown
from bench import progress
from bench.seed import Seeder, insert_rows
from bench.seed.projects import Seeded, seed_user

JOURNAL_TZ = "Europe/Berlin"
JOURNAL_KINDS = {
    "experiment": 30, "reading": 20, "evaluation": 12, "infrastructure": 12,
    "writing": 11, "planning": 8, "rest": 7,
}  # fmt: skip
JOURNAL_FILTER_KIND = "reading"  # about 20% of entries
JOURNAL_WORD = "axolotl"  # in about 2% of entry bodies, nowhere else
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
            # ... and the ORM hook that folds the searchable text.
            rows[-1]["search_text"] = folded_text(rows[-1]["body"], rows[-1]["learned"])
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


def seed_journal(seeder: Seeder, name: str, n: int) -> Journal:
    """A user in Europe/Berlin with 20 projects, journal settings and `n`
    entries bulk-inserted."""
    who = seed_user(seeder, name, 20)
    started = time.perf_counter()
    today = datetime.now(ZoneInfo(JOURNAL_TZ)).date()
    rows = journal_rows(
        seeder.rng, author_id=who.user.id, project_ids=who.project_ids, n=n, today=today
    )
    with seeder.db.session(write=True) as s:
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
        insert_rows(s, JournalEntry, rows)
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
