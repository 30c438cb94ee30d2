"""Quality and speed of release → project matching (app.matching).

    .venv/bin/python -m bench.matching [--data DIR] [--threshold T] [--seed N]
        [--compare] [--no-scale]

DIR (default bench/data/matching/dev) holds projects.jsonl, releases.jsonl
and labels.csv (project_id,release_id,effect,why: every related pair with
its effect; unlisted pairs are unrelated; releases in no row are
distractors).

It prints, at the app's default threshold unless --threshold is given:
- the inbox: precision (suggested pairs labelled related in any way),
  recall (labelled pairs suggested), recall of scoops (scoop or
  partial_scoop), F1, effect accuracy over the correctly suggested pairs,
  and the share of distractors that produce no suggestion at all;
- the same after feedback: for each project, 3 of its labelled releases
  (seeded) are linked with their label, filled up when it has fewer with
  its highest-scoring unrelated releases as rejected (a user's "not
  relevant" clicks); those pairs are left out of the evaluation;
- as context, plain TF-IDF cosine at its oracle-best threshold;
- with --compare, each candidate method at its oracle-best threshold and
  at the default one, without and with feedback;
- scale: a synthetic 1,000 projects × 10,000 releases (and 5,000, for the
  ratio), build + match wall time and peak memory.

Figures only, no pass/fail; exit status 0.
"""

import argparse
import csv
import json
import random
import resource
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from app.matching.engine import (
    DEFAULT_THRESHOLD,
    LinkedRelease,
    Matcher,
    Options,
    ProjectProfile,
    ReleaseText,
)

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT / "bench" / "data" / "matching" / "dev"
SCOOPS = ("scoop", "partial_scoop")
FEEDBACK_EXAMPLES = 3


@dataclass
class Data:
    projects: list[ProjectProfile]
    releases: list[ReleaseText]
    labels: dict[tuple[str, str], str]  # (project id, release id) → effect

    @property
    def distractors(self) -> set[str]:
        labelled = {r for _, r in self.labels}
        return {str(r.id) for r in self.releases} - labelled


def load(directory: Path) -> Data:
    projects = []
    for line in (directory / "projects.jsonl").read_text().splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        plan = row.get("plan") or {}
        projects.append(
            ProjectProfile(
                id=str(row["id"]),
                title=row["title"],
                summary=row.get("summary") or "",
                keywords=tuple(row.get("keywords") or ()),
                plan_text="\n".join(
                    plan.get(k) or "" for k in ("goal", "approach", "differentiation")
                ).strip(),
            )
        )
    releases = []
    for line in (directory / "releases.jsonl").read_text().splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        releases.append(
            ReleaseText(
                id=str(row["id"]),
                title=row["title"],
                summary=row.get("summary") or "",
                kind=row.get("kind") or "paper",
                organisation=row.get("organisation") or "",
            )
        )
    with (directory / "labels.csv").open(newline="") as f:
        labels = {
            (row["project_id"], row["release_id"]): row["effect"] for row in csv.DictReader(f)
        }
    return Data(projects, releases, labels)


@dataclass
class Scores:
    """Every (project, release) score and suggested effect; what a matcher
    at threshold 0 would say."""

    project_ids: list[str]
    release_ids: list[str]
    matrix: np.ndarray  # projects × releases
    effects: dict[tuple[str, str], str]


def all_scores(matcher: Matcher, releases: Sequence[ReleaseText]) -> Scores:
    saved = matcher.threshold
    matcher.threshold = 1e-9
    try:
        matches = matcher.match(releases)
    finally:
        matcher.threshold = saved
    project_ids = [str(p.id) for p in matcher.projects]
    release_ids = [str(r.id) for r in releases]
    p_index = {p: i for i, p in enumerate(project_ids)}
    r_index = {r: i for i, r in enumerate(release_ids)}
    matrix = np.zeros((len(project_ids), len(release_ids)))
    effects = {}
    for m in matches:
        matrix[p_index[str(m.project_id)], r_index[str(m.release_id)]] = m.score
        effects[(str(m.project_id), str(m.release_id))] = m.effect
    return Scores(project_ids, release_ids, matrix, effects)


@dataclass
class Quality:
    threshold: float
    suggested: int
    precision: float
    recall: float
    scoop_recall: float
    f1: float
    effect_accuracy: float
    distractors_silent: float


def quality(
    scores: Scores,
    labels: dict[tuple[str, str], str],
    threshold: float,
    *,
    excluded: frozenset[tuple[str, str]] = frozenset(),
    distractors: set[str],
    effects: dict[tuple[str, str], str] | None = None,
) -> Quality:
    suggested = set()
    rows, cols = np.nonzero(scores.matrix >= threshold)
    for p, r in zip(rows.tolist(), cols.tolist(), strict=True):
        pair = (scores.project_ids[p], scores.release_ids[r])
        if pair not in excluded and scores.matrix[p, r] > 0:
            suggested.add(pair)
    wanted = {pair for pair in labels if pair not in excluded}
    scoops = {pair for pair in wanted if labels[pair] in SCOOPS}
    hits = suggested & wanted
    precision = len(hits) / len(suggested) if suggested else 1.0
    recall = len(hits) / len(wanted) if wanted else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    effects = scores.effects if effects is None else effects
    correct = sum(1 for pair in hits if effects.get(pair) == labels[pair])
    noisy = {r for _, r in suggested}
    silent = sum(1 for r in distractors if r not in noisy)
    return Quality(
        threshold=threshold,
        suggested=len(suggested),
        precision=precision,
        recall=recall,
        scoop_recall=len(scoops & hits) / len(scoops) if scoops else 1.0,
        f1=f1,
        effect_accuracy=correct / len(hits) if hits else 0.0,
        distractors_silent=silent / len(distractors) if distractors else 1.0,
    )


def best_threshold(evaluate: Callable[[float], Quality], scores: np.ndarray) -> Quality:
    candidates = np.unique(np.round(scores[scores > 0], 4))
    if candidates.size > 400:
        candidates = np.quantile(candidates, np.linspace(0, 1, 400))
    best = None
    for t in candidates:
        q = evaluate(float(t))
        if best is None or q.f1 > best.f1:
            best = q
    return best or evaluate(1.0)


def with_feedback(
    data: Data, options: Options, seed: int, threshold: float
) -> tuple[Matcher, frozenset[tuple[str, str]]]:
    """A matcher whose projects each have 3 examples of feedback, and the
    pairs those examples are (left out of the evaluation)."""
    plain = all_scores(Matcher(data.projects, options=options), data.releases)
    by_id = {str(r.id): r for r in data.releases}
    projects, used = [], set()
    for p_index, project in enumerate(data.projects):
        pid = str(project.id)
        positives = sorted(r for (p, r) in data.labels if p == pid)
        chosen = random.Random(f"{seed}:{pid}").sample(  # noqa: S311 (seeded sample)
            positives, min(FEEDBACK_EXAMPLES, len(positives))
        )
        linked = tuple(LinkedRelease(by_id[r], data.labels[(pid, r)]) for r in chosen)
        rejected = []
        if len(chosen) < FEEDBACK_EXAMPLES:
            row = plain.matrix[p_index]
            for r_index in np.argsort(-row, kind="stable"):
                rid = plain.release_ids[r_index]
                if (pid, rid) in data.labels:
                    continue
                rejected.append(by_id[rid])
                if len(chosen) + len(rejected) == FEEDBACK_EXAMPLES:
                    break
        used |= {(pid, str(r.release.id)) for r in linked} | {(pid, str(r.id)) for r in rejected}
        projects.append(replace(project, linked=linked, rejected=tuple(rejected)))
    return Matcher(projects, threshold=threshold, options=options), frozenset(used)


def plain_tfidf(data: Data) -> Scores:
    """The baseline: scikit-learn's TfidfVectorizer with its defaults,
    fitted on every text, cosine similarity."""
    project_texts = [
        " ".join([p.title, " ".join(p.keywords), p.summary, p.plan_text]) for p in data.projects
    ]
    release_texts = [f"{r.title} {r.summary}" for r in data.releases]
    vectorizer = TfidfVectorizer().fit(project_texts + release_texts)
    matrix = (vectorizer.transform(project_texts) @ vectorizer.transform(release_texts).T).toarray()
    return Scores(
        [str(p.id) for p in data.projects], [str(r.id) for r in data.releases], matrix, {}
    )


CANDIDATES = {
    "tfidf unigram (hashed, sublinear, no fields)": Options(
        stem=False, bigrams=False, title_weight=1, keyword_weight=1, feedback="none"
    ),
    "tfidf uni+bigram, sublinear": Options(
        stem=False, title_weight=1, keyword_weight=1, feedback="none"
    ),
    "+ stems": Options(title_weight=1, keyword_weight=1, feedback="none"),
    "+ field weights (title, keywords ×2)": Options(feedback="none"),
    "+ feedback: rocchio": Options(feedback="rocchio"),
    "+ feedback: knn (default)": Options(),
}


def line(label: str, q: Quality) -> str:
    return (
        f"  {label:<34} t={q.threshold:.3f} suggested={q.suggested:<5} "
        f"precision={q.precision:.3f} recall={q.recall:.3f} scoop_recall={q.scoop_recall:.3f} "
        f"F1={q.f1:.3f} effect_acc={q.effect_accuracy:.3f} "
        f"distractors_silent={q.distractors_silent:.3f}"
    )


def report_quality(data: Data, threshold: float, seed: int) -> None:
    distractors = data.distractors
    print(
        f"data: {len(data.projects)} projects, {len(data.releases)} releases, "
        f"{len(data.labels)} labelled pairs "
        f"({sum(1 for e in data.labels.values() if e in SCOOPS)} scoops or partial), "
        f"{len(distractors)} distractors"
    )
    effects: dict[str, int] = {}
    for e in data.labels.values():
        effects[e] = effects.get(e, 0) + 1
    print("labelled effects: " + ", ".join(f"{k}={v}" for k, v in sorted(effects.items())))
    print(f"threshold: {threshold} (app default {DEFAULT_THRESHOLD})")

    scores = all_scores(Matcher(data.projects), data.releases)
    print(line("no feedback", quality(scores, data.labels, threshold, distractors=distractors)))
    matcher, used = with_feedback(data, Options(), seed, threshold)
    fb_scores = all_scores(matcher, data.releases)
    fb = quality(fb_scores, data.labels, threshold, excluded=used, distractors=distractors)
    print(line(f"feedback ({FEEDBACK_EXAMPLES}/project)", fb))
    # The same pairs without feedback, for a like-for-like comparison.
    same = quality(scores, data.labels, threshold, excluded=used, distractors=distractors)
    print(line("  same pairs, no feedback", same))

    base = plain_tfidf(data)
    oracle = best_threshold(
        lambda t: quality(base, data.labels, t, distractors=distractors), base.matrix
    )
    print(line("baseline: plain TF-IDF, oracle t", oracle))


def report_candidates(data: Data, threshold: float, seed: int) -> None:
    print("candidates (oracle-best threshold, then the given one; feedback on the rest):")
    distractors = data.distractors
    for name, options in CANDIDATES.items():
        scores = all_scores(Matcher(data.projects, options=options), data.releases)
        oracle = best_threshold(
            lambda t, s=scores: quality(s, data.labels, t, distractors=distractors), scores.matrix
        )
        matcher, used = with_feedback(data, options, seed, threshold)
        fb_scores = all_scores(matcher, data.releases)
        fb_oracle = best_threshold(
            lambda t, s=fb_scores, used=used: quality(
                s, data.labels, t, excluded=used, distractors=distractors
            ),
            fb_scores.matrix,
        )
        print(f" {name}")
        print(line("oracle", oracle))
        print(
            line("at threshold", quality(scores, data.labels, threshold, distractors=distractors))
        )
        print(line("feedback, oracle", fb_oracle))
        print(
            line(
                "feedback, at threshold",
                quality(fb_scores, data.labels, threshold, excluded=used, distractors=distractors),
            )
        )


SYNTHETIC_VOCABULARY = 30_000


def synthetic(
    vocabulary: dict[str, int], n_projects: int, n_releases: int, seed: int
) -> tuple[list[ProjectProfile], list[ReleaseText]]:
    """Projects and releases of random words: the data's own words as often
    as the data uses them (stop words included), and made-up words for the
    long tail of a real vocabulary."""
    rng = random.Random(seed)  # noqa: S311 (seeded test data)
    words = sorted(vocabulary)
    weights = [float(vocabulary[w]) for w in words]
    while len(words) < SYNTHETIC_VOCABULARY:
        words.append("".join(rng.choices("abcdefghijklmnopqrstuvwxyz", k=rng.randint(4, 10))))
        weights.append(0.5)
    cumulative = list(np.cumsum(weights))

    def text(n: int, source: list[str] | None = None) -> str:
        drawn = rng.choices(words, cum_weights=cumulative, k=n)
        if source:
            drawn[: n // 2] = rng.choices(source, k=n // 2)
        return " ".join(drawn)

    def release(i: int, source: list[str] | None = None) -> ReleaseText:
        kind = rng.choice(["paper", "paper", "model", "dataset", "benchmark", "product"])
        return ReleaseText(f"r{i}", text(10, source), text(150, source), kind)

    projects = []
    for i in range(n_projects):
        title, summary, plan = text(6), text(40), text(80)
        source = f"{title} {summary}".split()
        linked = tuple(
            LinkedRelease(release(-3 * i - k, source), "partial_scoop") for k in range(2)
        )
        projects.append(
            ProjectProfile(
                f"p{i}",
                title,
                summary,
                tuple(text(2).split()[:2]),
                plan,
                linked=linked,
                rejected=(release(-3 * i - 2),),
            )
        )
    releases = []
    for i in range(n_releases):
        # One release in ten is about one of the projects.
        source = None
        if rng.random() < 0.1:
            p = rng.choice(projects)
            source = f"{p.title} {p.summary}".split()
        releases.append(release(i, source))
    return projects, releases


def report_scale(vocabulary: dict[str, int], seed: int) -> None:
    print("scale (synthetic, each project with 2 linked and 1 rejected release):")
    timings = {}
    for n_releases in (5_000, 10_000):
        projects, releases = synthetic(vocabulary, 1_000, n_releases, seed)
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        start = time.perf_counter()
        matcher = Matcher(projects)
        built = time.perf_counter()
        matches = matcher.match(releases)
        done = time.perf_counter()
        rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        timings[n_releases] = done - start
        print(
            f"  1000 projects × {n_releases} releases: build {built - start:.2f} s, "
            f"match {done - built:.2f} s, total {done - start:.2f} s, "
            f"{len(matches)} suggestions, peak RSS +{(rss_after - rss_before) / 1024:.0f} MiB "
            f"(peak {rss_after / 1024:.0f} MiB)"
        )
    print(f"  ratio 10,000 / 5,000 releases: {timings[10_000] / timings[5_000]:.2f}")

    projects, releases = synthetic(vocabulary, 50, 1, seed + 1)
    runs = []
    for _ in range(20):
        start = time.perf_counter()
        Matcher(projects).match(releases)
        runs.append(time.perf_counter() - start)
    print(
        f"  50 projects × 1 release (build + match): median {np.median(runs) * 1000:.1f} ms, "
        f"max {max(runs) * 1000:.1f} ms"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--compare", action="store_true", help="measure every candidate method")
    parser.add_argument("--no-scale", action="store_true", help="skip the scale section")
    args = parser.parse_args(argv)

    data = load(args.data)
    print(f"data: {args.data}")
    report_quality(data, args.threshold, args.seed)
    if args.compare:
        report_candidates(data, args.threshold, args.seed)
    if not args.no_scale:
        vocabulary = Counter(
            w.lower()
            for text in [f"{p.title} {p.summary} {p.plan_text}" for p in data.projects]
            + [f"{r.title} {r.summary}" for r in data.releases]
            for w in text.split()
        )
        report_scale(vocabulary, args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
