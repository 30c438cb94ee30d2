"""Text analysis for matching: words, stems, hashed TF-IDF features.

Features are hashed (scikit-learn's FeatureHasher, as HashingVectorizer
does) rather than learned
from a vocabulary, so a release is turned into the same vector whatever else
it is matched with, chunk by chunk, and words no project uses still count in
its length (a release that shares two words with a project and is about
something else is not mistaken for a short, focused one). The IDF is fitted
on the texts the matcher knows when it is built: the projects and the
releases linked to or rejected from them; a word none of them uses gets the
highest IDF.
"""

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from itertools import pairwise

import numpy as np
import scipy.sparse as sp
import Stemmer
from sklearn.feature_extraction import FeatureHasher
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS
from sklearn.utils import murmurhash3_32

N_FEATURES = 2**20

# Words that every abstract and project summary uses whatever its topic: a
# match on them says nothing. scikit-learn's English list covers the rest.
# (A word list reads better as text than as a list literal.)
BOILERPLATE_WORDS = frozenset(
    """
    approach approaches based can demonstrate demonstrates does existing improve improves
    improved introduce introduces method methods new novel paper present presents propose
    proposed proposes release released releases result results show shows showing study
    state art use used uses using via work works whether able also well across towards
    """.split()  # noqa: SIM905
)
STOP_WORDS = ENGLISH_STOP_WORDS | BOILERPLATE_WORDS

# scikit-learn's default token pattern; \b is implied, matches are whole words.
_WORD = re.compile(r"\w\w+")
# Snowball's English stemmer, in C (PyStemmer).
_stemmer = Stemmer.Stemmer("english")


class _Features(dict):
    """Lower-cased word → the feature it counts as ("" for a word not worth
    matching on), computed once per word: a dict lookup runs in C, so the
    loop over thousands of abstracts has no Python frame per word."""

    def __init__(self, stem: bool):
        super().__init__()
        self.stem = stem

    def __missing__(self, word: str) -> str:
        if len(self) > _FEATURE_CACHE_MAX:
            self.clear()
        if word in STOP_WORDS or word.isdigit():
            feature = ""
        else:
            feature = _stemmer.stemWord(word) if self.stem else word
        self[word] = feature
        return feature


_FEATURE_CACHE_MAX = 500_000
_FEATURES = {True: _Features(stem=True), False: _Features(stem=False)}


def words(text: str, *, stem: bool = True) -> list[tuple[str, str]]:
    """(feature form, surface form) of each word worth matching on, in order."""
    return [(feature, text[start:end]) for feature, start, end in _spans(text, stem=stem)]


def _spans(text: str, *, stem: bool) -> list[tuple[str, int, int]]:
    found = []
    for match in _WORD.finditer(text):
        feature = _FEATURES[stem][match.group().lower()]
        if feature:
            found.append((feature, match.start(), match.end()))
    return found


def feature_index(term: str) -> int:
    """The column FeatureHasher gives a term (the same hash, signed 32-bit
    MurmurHash3 of its UTF-8, folded onto N_FEATURES): one term's index
    without building a sparse matrix for it."""
    index = _INDEX.get(term)
    if index is None:
        if len(_INDEX) > _FEATURE_CACHE_MAX:
            _INDEX.clear()
        index = _INDEX[term] = abs(murmurhash3_32(term, seed=0)) % N_FEATURES
    return index


_INDEX: dict[str, int] = {}


class Analyzer:
    """Hashed word (and bigram) counts of texts, and the surface form of a
    hashed feature for explanations."""

    def __init__(self, *, stem: bool = True, bigrams: bool = True):
        self.stem = stem
        self.bigrams = bigrams
        self._features = _FEATURES[stem].__getitem__
        # Each document is a Counter of its terms (HashingVectorizer's own
        # path hashes every occurrence, through a Python generator).
        self._hasher = FeatureHasher(
            n_features=N_FEATURES, input_type="dict", alternate_sign=False, dtype=np.float32
        )

    def terms(self, text: str) -> list[str]:
        """The features of text: stems of the words worth matching on, and
        bigrams of them. The hot loop when matching thousands of releases:
        the regex, the cached word lookups and the joins run in C."""
        features = [f for f in map(self._features, _WORD.findall(text.lower())) if f]
        if self.bigrams:
            features = features + [" ".join(pair) for pair in pairwise(features)]
        return features

    def counts(self, documents: Sequence[Sequence[tuple[str, float]]]) -> sp.csr_matrix:
        """Hashed term counts, one row per document; a document is a list of
        (text, weight) fields, each term of a field counting weight times."""
        if not documents:
            return sp.csr_matrix((0, N_FEATURES), dtype=np.float32)
        return self._hasher.transform(self._counter(fields) for fields in documents).tocsr()

    def _counter(self, fields: Sequence[tuple[str, float]]) -> Counter:
        counter: Counter = Counter()
        for text, weight in fields:
            if weight == 1:
                counter.update(self.terms(text))
            else:
                for term, n in Counter(self.terms(text)).items():
                    counter[term] += weight * n
        return counter

    def surface_forms(self, texts: Sequence[str]) -> "SurfaceForms":
        """Where each feature of texts first occurs in them, to show a
        feature as written: a bigram with the stop words between its two
        words ("mixture of experts"), not as stems."""
        spans: dict[str, tuple[int, int, int]] = {}
        for t, text in enumerate(texts):
            found = _spans(text, stem=self.stem)
            for feature, start, end in found:
                spans.setdefault(feature, (t, start, end))
            if self.bigrams:
                for (fa, start, _), (fb, _, end) in pairwise(found):
                    if end - start <= _BIGRAM_SPAN_MAX:
                        spans.setdefault(f"{fa} {fb}", (t, start, end))
        if not spans:
            return SurfaceForms(texts, {})
        return SurfaceForms(texts, {feature_index(term): span for term, span in spans.items()})


class SurfaceForms:
    def __init__(self, texts: Sequence[str], spans: dict[int, tuple[int, int, int]]):
        self.texts = texts
        self.spans = spans

    def phrases(self, indices: Iterable[int], limit: int) -> list[str]:
        """The features at indices (best first) as phrases of the text:
        features that overlap in the text are joined ("low-resource" and
        "resource languages" make "low-resource languages"), and a word
        inside a phrase is not listed again."""
        placed: list[list] = []  # [text, start, end, rank]
        for rank, index in enumerate(indices):
            span = self.spans.get(index)
            if span is None:
                continue
            t, start, end = span
            for other in placed:
                if other[0] == t and start <= other[2] and end >= other[1]:
                    other[1], other[2] = min(start, other[1]), max(end, other[2])
                    break
            else:
                placed.append([t, start, end, rank])
        # Joining can make two phrases overlap; merge until none do.
        merged: list[list] = []
        for item in sorted(placed, key=lambda p: (p[0], p[1])):
            last = merged[-1] if merged else None
            if last and last[0] == item[0] and item[1] <= last[2]:
                last[2], last[3] = max(last[2], item[2]), min(last[3], item[3])
            else:
                merged.append(item)
        phrases: list[str] = []
        for t, start, end, _ in sorted(merged, key=lambda p: p[3]):
            phrase = _display(" ".join(self.texts[t][start:end].split()))
            if phrase not in phrases:
                phrases.append(phrase)
        return phrases[:limit]


# Longer than this, the two words of a bigram were far apart in the text and
# the span between them would read as a sentence, not a phrase.
_BIGRAM_SPAN_MAX = 48


def _display(surface: str) -> str:
    # Acronyms (LLM, RLHF) keep their case; other words are shown lower-case.
    return " ".join(w if w.isupper() else w.lower() for w in surface.split())
