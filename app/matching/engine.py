"""Matching releases to research projects: every release scored against
every project, the pairs at or above a threshold suggested for the triage
inbox with a score, an effect and an explanation. Pure: no database, no web.

The method (chosen by measurement, `make bench-matching ARGS=--compare`):
- TF-IDF over hashed features (app.matching.text): Snowball stems of the
  words left after English and abstract-boilerplate stop words, plus
  bigrams of them; sublinear tf; IDF fitted on the projects and their
  linked and rejected releases; title and keywords counted twice.
- score = cosine(release, project), counted only where the two share at
          least two features (SHARED_MIN)
          + 0.15 × cosine to the project's closest linked release
          − 0.75 × cosine to its closest rejected release, clipped to 0..1
  (feedback as nearest examples, in the spirit of arxiv-sanity-lite's
  per-tag SVM but stable with 3 examples and on the same scale for every
  project).

Measured (36 projects × 131 releases dev set; 31 × 105 held-out check set),
best F1 at an oracle threshold, no feedback:
                                        dev     check
  plain TfidfVectorizer cosine          0.478   0.595
  hashed unigrams, sublinear            0.485   0.619
  + bigrams                             0.487   0.619
  + stems                               0.527   0.598
  + title/keyword weights (chosen)      0.505   0.586
At the default threshold 0.08, chosen method: dev P 0.58 R 0.42 scoop
recall 0.83 F1 0.49, distractors silent 0.86; check P 0.64 R 0.54 scoop
recall 0.89 F1 0.59, distractors silent 0.88 (0.62, 0.54, 0.89, 0.58 and
0.76 before SHARED_MIN). With 3 examples of feedback per project, on the
remaining pairs: dev F1 0.42 (0.40 without feedback on the same pairs),
check 0.43 (0.39); Rocchio (query moved toward linked,
away from rejected) and larger positive weights did no better (larger
positive weights raise recall and lose more precision). A 64-dimension
static embedding shipped in a wheel (tokenlearn-static-model) reached F1
0.24 alone and lowered F1 when mixed in: not used. Nor, measured later
(best F1 at an oracle threshold, dev / check; TF-IDF here 0.505 / 0.595):
WordLlama's 256-dimension static embedding shipped in its wheel, 0.417 /
0.500 alone, 0.498 / 0.628 mixed in at 0.2; LSA (truncated SVD of these
vectors, 80 dimensions) 0.521 / 0.601; z-scores of each project's scores
and each release's, 0.517 / 0.628; a logistic regression over all of these
trained on one set, 0.641 on check and 0.513 on dev at the threshold chosen
on the other. Gains of 0.01 to 0.06 that depend on how many projects and
releases the matcher sees at once, for a 19 MB dependency. These labels pair
projects with releases that paraphrase them ("bootstrapping a task-following
model from its own generations" ↔ Self-Instruct); word overlap finds about
half of the related pairs at a usable precision, most scoops among them.
"""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfTransformer
from sklearn.preprocessing import normalize

from app.matching.effects import suggest_effect
from app.matching.text import Analyzer, SurfaceForms

DEFAULT_THRESHOLD = 0.08

# Releases are matched this many at a time, so memory stays bounded however
# many are passed: one chunk's features and its scores against every project.
CHUNK = 1000
TERMS_MAX = 8
SCORE_DECIMALS = 4
# Below this similarity a linked release is not worth naming as "similar".
SIMILAR_MIN = 0.15
# A release shares at least this many features (stems or bigrams) with a
# project's text for that text to count: one shared word ("agents",
# "alignment") alone is how unrelated releases got suggested. Measured at
# the default threshold: the held-out check set's distractors left silent
# went from 0.76 to 0.88, F1 0.579 to 0.587; the dev set unchanged.
SHARED_MIN = 2


@dataclass(frozen=True)
class ReleaseText:
    id: int | str
    title: str
    summary: str = ""
    kind: str = "paper"  # paper | model | dataset | product | benchmark
    organisation: str = ""


@dataclass(frozen=True)
class LinkedRelease:
    """A confirmed link: a positive example for its project."""

    release: ReleaseText
    effect: str  # a LinkEffect value


@dataclass(frozen=True)
class ProjectProfile:
    id: int | str
    title: str
    summary: str = ""  # the research question
    keywords: tuple[str, ...] = ()
    plan_text: str = ""  # the current plan's goal, approach and differentiation, joined
    linked: tuple[LinkedRelease, ...] = ()  # confirmed links (positives)
    rejected: tuple[ReleaseText, ...] = ()  # releases marked "not relevant" (negatives)


@dataclass(frozen=True)
class Explanation:
    terms: tuple[str, ...]
    similar_release_id: int | str | None
    similar_release_title: str | None

    def as_dict(self) -> dict:
        similar = None
        if self.similar_release_id is not None:
            similar = {"id": self.similar_release_id, "title": self.similar_release_title}
        return {"terms": list(self.terms), "similar_release": similar}


@dataclass(frozen=True)
class Match:
    release_id: int | str
    project_id: int | str
    score: float  # 0..1, higher is stronger; comparable across projects
    effect: str  # suggested LinkEffect value
    explanation: Explanation


@dataclass(frozen=True)
class Options:
    """How scores are computed; the defaults are what the app uses. The
    other settings exist so bench.matching can measure the alternatives."""

    stem: bool = True
    bigrams: bool = True
    sublinear_tf: bool = True
    # Repeats of each field in a text: a title word counts more than a word
    # of the plan.
    # Weights ≥ 1, so that sublinear tf (1 + log tf) stays positive.
    title_weight: float = 2.0
    keyword_weight: float = 2.0
    summary_weight: float = 1.0
    plan_weight: float = 1.0
    # Feedback: "none", "rocchio" (move the project's vector toward its
    # linked releases and away from its rejected ones) or "knn" (add the
    # similarity to the closest linked release, subtract that to the closest
    # rejected one).
    feedback: str = "knn"
    positive_weight: float = 0.15
    negative_weight: float = 0.75
    scale: float = 1.0


def _release_counts(analyzer: Analyzer, releases: Sequence[ReleaseText], opts: Options):
    return analyzer.counts([[(r.title, opts.title_weight), (r.summary, 1)] for r in releases])


def _project_counts(analyzer: Analyzer, projects: Sequence[ProjectProfile], opts: Options):
    # Each keyword is a field of its own: no bigram spans two keywords.
    return analyzer.counts(
        [
            [(p.title, opts.title_weight), (p.summary, opts.summary_weight)]
            + [(p.plan_text, opts.plan_weight)]
            + [(keyword, opts.keyword_weight) for keyword in p.keywords]
            for p in projects
        ]
    )


def _presence(vectors: sp.csr_matrix) -> sp.csr_matrix:
    """1 where a feature is present: products of these count shared features."""
    out = vectors.copy()
    out.data = np.ones_like(out.data)
    return out


def _chunks(items: Sequence, size: int) -> Iterator[tuple[int, Sequence]]:
    for start in range(0, len(items), size):
        yield start, items[start : start + size]


@dataclass
class _Examples:
    """Linked (or rejected) releases of every project, stacked: row i
    belongs to project owner[i]."""

    vectors: sp.csr_matrix
    owner: np.ndarray
    releases: list[ReleaseText] = field(default_factory=list)
    effects: list[str] = field(default_factory=list)


class Matcher:
    def __init__(
        self,
        projects: Sequence[ProjectProfile],
        *,
        threshold: float = DEFAULT_THRESHOLD,
        options: Options | None = None,
    ):
        self.projects = list(projects)
        self.threshold = threshold
        self.options = options or Options()
        self._analyzer = Analyzer(stem=self.options.stem, bigrams=self.options.bigrams)
        opts = self.options

        linked = [
            (i, link.release, link.effect) for i, p in enumerate(self.projects) for link in p.linked
        ]
        rejected = [(i, r) for i, p in enumerate(self.projects) for r in p.rejected]
        counts = sp.vstack(
            [
                _project_counts(self._analyzer, self.projects, opts),
                _release_counts(self._analyzer, [r for _, r, _ in linked], opts),
                _release_counts(self._analyzer, [r for _, r in rejected], opts),
            ]
        ).tocsr()
        self._tfidf = TfidfTransformer(sublinear_tf=opts.sublinear_tf)
        vectors = self._tfidf.fit_transform(counts).tocsr() if counts.shape[0] else counts
        n_projects, n_linked = len(self.projects), len(linked)
        self._profiles = vectors[:n_projects]
        self._linked = _Examples(
            vectors[n_projects : n_projects + n_linked],
            np.array([i for i, _, _ in linked], dtype=np.int64),
            [r for _, r, _ in linked],
            [e for _, _, e in linked],
        )
        self._rejected = _Examples(
            vectors[n_projects + n_linked :],
            np.array([i for i, _ in rejected], dtype=np.int64),
            [r for _, r in rejected],
        )
        self._queries = self._profiles
        if opts.feedback == "rocchio" and (n_linked or len(rejected)):
            self._queries = self._rocchio()
        self._linked_rows = [
            np.flatnonzero(self._linked.owner == p) for p in range(len(self.projects))
        ]
        # Everything a release is compared with, as the columns of one
        # product: queries, then linked, then rejected releases.
        self._columns = sp.vstack(
            [self._queries, self._linked.vectors, self._rejected.vectors], format="csr"
        ).T.tocsr()
        self._query_features = _presence(self._queries).T.tocsr()
        # Pairs never suggested again: already linked, or dismissed.
        self._known = {(p.id, link.release.id) for p in self.projects for link in p.linked} | {
            (p.id, r.id) for p in self.projects for r in p.rejected
        }

    def _rocchio(self) -> sp.csr_matrix:
        opts = self.options
        n = len(self.projects)
        queries = self._profiles.copy().tolil()
        for examples, weight in (
            (self._linked, opts.positive_weight),
            (self._rejected, -opts.negative_weight),
        ):
            if not examples.owner.size:
                continue
            # Mean of each project's examples, as a sparse (project × example) product.
            counts = np.bincount(examples.owner, minlength=n).astype(np.float64)
            assign = sp.csr_matrix(
                (1.0 / counts[examples.owner], (examples.owner, np.arange(examples.owner.size))),
                shape=(n, examples.owner.size),
            )
            queries = queries + weight * (assign @ examples.vectors)
        queries = sp.csr_matrix(queries)
        queries.data = np.clip(queries.data, 0, None)
        queries.eliminate_zeros()
        return normalize(queries)

    def match(self, releases: Sequence[ReleaseText]) -> list[Match]:
        """Every (release, project) pair at or above the threshold, strongest first."""
        if not self.projects:
            return []
        found: list[tuple[float, int, int, Match]] = []
        for start, chunk in _chunks(list(releases), CHUNK):
            scores, similarity, vectors = self._score(chunk)
            rows, cols = np.nonzero(scores >= self.threshold)
            surfaces: dict[int, SurfaceForms] = {}
            for r, p in zip(rows.tolist(), cols.tolist(), strict=True):
                release, project = chunk[r], self.projects[p]
                if (project.id, release.id) in self._known:
                    continue
                if r not in surfaces:
                    # Terms are shown as the release writes them: every
                    # feature it shares with a project is in its text.
                    surfaces[r] = self._analyzer.surface_forms([release.title, release.summary])
                match = self._match(
                    release,
                    float(scores[r, p]),
                    p,
                    terms=self._terms(vectors, r, p, surfaces[r]),
                    linked_similarity=similarity[r, len(self.projects) :],
                )
                found.append((-match.score, start + r, p, match))
        found.sort(key=lambda item: item[:3])
        return [item[3] for item in found]

    def score_chunk(self, chunk: Sequence[ReleaseText]) -> np.ndarray:
        """Scores of each release of chunk (rows) against every project
        (columns), whatever the threshold."""
        return self._score(chunk)[0]

    def _score(self, chunk: Sequence[ReleaseText]) -> tuple[np.ndarray, np.ndarray, sp.csr_matrix]:
        """Scores (releases × projects), similarities to every column
        (releases × (projects, linked, rejected)) and the releases' vectors."""
        opts = self.options
        counts = _release_counts(self._analyzer, chunk, opts)
        vectors = self._tfidf.transform(counts).tocsr() if self.projects else counts
        similarity = (vectors @ self._columns).toarray()
        n, n_linked = len(self.projects), self._linked.owner.size
        shared = (_presence(vectors) @ self._query_features).toarray()
        scores = np.where(shared >= SHARED_MIN, similarity[:, :n], 0.0)
        if opts.feedback == "knn":
            scores += opts.positive_weight * self._closest(
                similarity[:, n : n + n_linked], self._linked
            )
            scores -= opts.negative_weight * self._closest(
                similarity[:, n + n_linked :], self._rejected
            )
        # Rounded as Match reports them, so the threshold applies to the
        # score a user sees.
        scores = np.round(np.clip(scores * opts.scale, 0.0, 1.0), SCORE_DECIMALS)
        return scores, similarity, vectors

    def _closest(self, similarity: np.ndarray, examples: _Examples) -> np.ndarray:
        """For each release (row) and project, the similarity of the release
        to the project's closest example (0 if it has none)."""
        out = np.zeros((similarity.shape[0], len(self.projects)), dtype=similarity.dtype)
        if not examples.owner.size:
            return out
        order = np.argsort(examples.owner, kind="stable")
        owners = examples.owner[order]
        starts = np.flatnonzero(np.r_[True, owners[1:] != owners[:-1]])
        out[:, owners[starts]] = np.maximum.reduceat(similarity[:, order], starts, axis=1)
        return out

    def _match(
        self,
        release: ReleaseText,
        score: float,
        p: int,
        *,
        terms: tuple[str, ...],
        linked_similarity: np.ndarray,
    ) -> Match:
        similar = None
        rows = self._linked_rows[p]
        if rows.size:
            best = int(rows[np.argmax(linked_similarity[rows])])
            if linked_similarity[best] >= SIMILAR_MIN:
                similar = best
        explanation = Explanation(
            terms=terms,
            similar_release_id=self._linked.releases[similar].id if similar is not None else None,
            similar_release_title=(
                self._linked.releases[similar].title if similar is not None else None
            ),
        )
        effect = suggest_effect(
            score=score,
            kind=release.kind,
            similar_effect=self._linked.effects[similar] if similar is not None else None,
        )
        return Match(release.id, self.projects[p].id, score, effect, explanation)

    def _terms(
        self, vectors: sp.csr_matrix, r: int, p: int, surface: SurfaceForms
    ) -> tuple[str, ...]:
        """The features release r and project p share, by their weight in the match."""
        lo, hi = vectors.indptr[r], vectors.indptr[r + 1]
        q_lo, q_hi = self._queries.indptr[p], self._queries.indptr[p + 1]
        _, mine, theirs = np.intersect1d(
            vectors.indices[lo:hi],
            self._queries.indices[q_lo:q_hi],
            assume_unique=True,
            return_indices=True,
        )
        weight = vectors.data[lo:hi][mine] * self._queries.data[q_lo:q_hi][theirs]
        order = np.argsort(-weight, kind="stable")[: 3 * TERMS_MAX]
        indices = vectors.indices[lo:hi][mine][order]
        terms = surface.phrases(indices.tolist(), TERMS_MAX)
        return tuple(terms[:TERMS_MAX])
