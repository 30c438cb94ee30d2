"""Differences between two plan versions, for the plan history and reviews.

Lines first, then words inside the lines that changed. difflib's matcher
costs up to the product of the two sides' lengths per matching block it
finds: over the word and space tokens of whole fields, two unrelated
5,000-character plans of random short words took seconds. So here it runs
over lines (cheap: most are equal and hash as one item), then over the words
of each changed block of lines, leaving out the words the block starts and
ends with in common, and only while the block is small; a bigger block is
shown as removed and added whole. Spaces ride along with the word after them
and never count as items to match. Whatever the route, the "same" and "del"
parts spell the old text and the "same" and "ins" parts the new one, exactly.
"""

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass

from app.projects.models import PlanVersion

PLAN_FIELD_LABELS = {
    "goal": "Goal",
    "approach": "Approach",
    "differentiation": "What still stands if someone ships first",
    "contingency": "If scooped, we will…",
    "questions": "Questions for leadership",
    "horizon": "Horizon",
}
# Runs of space, then a word: spaces ride along with the word after them.
_WORD = re.compile(r"(\s*)(\S+)")

# The matcher runs over at most this many changed lines a side (past the
# lines both texts start and end with); more, and the block goes on whole.
LINE_DIFF_SIDE_MAX = 500
# A changed block of lines is diffed word by word only within these sizes,
# in words: old × new, and either side alone. At the bound one block of
# realistic prose takes about a millisecond, and about 13 ms in the worst
# case seen (words from a two-word vocabulary, which match everywhere).
WORD_DIFF_PAIRS_MAX = 40_000
WORD_DIFF_SIDE_MAX = 400
# ... and only while a whole diff's blocks stay within this, so that many
# blocks each just under the bound, over five fields, cannot add up. Past
# it a block shows whole: when that much changed, a word diff is noise.
DIFF_WORD_PAIRS_MAX = 2 * WORD_DIFF_PAIRS_MAX

Parts = list[tuple[str, str]]  # ("same" | "del" | "ins", text)
Opcode = tuple[str, int, int, int, int]


# A changed line is marked word by word only while at least this share of
# its characters (difflib's ratio: twice the common over both lengths) is in
# common with the line it replaces; below, it reads as rewritten, and shows
# as a removed and an added line without word marks, which are noise there.
LINE_SIMILAR_MIN = 0.5
# Runs of more unchanged lines than this fold away, keeping one line of
# context either side.
UNCHANGED_RUN_MAX = 3


@dataclass(frozen=True)
class LineRow:
    """One line of a field's unified diff. "same", "del" and "ins" rows carry
    `text`; a "change" row pairs a removed and an added line that are alike,
    with `old_parts` ("same" | "del") and `new_parts` ("same" | "ins")."""

    kind: str
    text: str = ""
    old_parts: Parts | None = None
    new_parts: Parts | None = None


@dataclass(frozen=True)
class Fold:
    """Unchanged lines folded away."""

    rows: list[LineRow]


@dataclass(frozen=True)
class FieldDiff:
    label: str
    changed: bool
    parts: Parts
    rows: list[LineRow | Fold]


class _Budget:
    """Word pairs a diff may still hand to the matcher."""

    def __init__(self, pairs: int) -> None:
        self.pairs = pairs

    def spend(self, pairs: int) -> bool:
        if pairs > self.pairs:
            return False
        self.pairs -= pairs
        return True


def _add(parts: Parts, kind: str, text: str) -> None:
    """Append, skipping empty text and joining onto a part of the same kind."""
    if not text:
        return
    if parts and parts[-1][0] == kind:
        parts[-1] = (kind, parts[-1][1] + text)
    else:
        parts.append((kind, text))


def _opcodes(
    a: Sequence[str],
    b: Sequence[str],
    *,
    side_max: int,
    pairs_max: int | None = None,
    budget: _Budget | None = None,
    autojunk: bool,
) -> list[Opcode]:
    """difflib's opcodes, with the common start and end found in linear time
    and the middle matched only if small enough; else one change."""
    common = min(len(a), len(b))
    start = 0
    while start < common and a[start] == b[start]:
        start += 1
    end = 0
    while end < common - start and a[-1 - end] == b[-1 - end]:
        end += 1
    a_end, b_end = len(a) - end, len(b) - end
    ops: list[Opcode] = [("equal", 0, start, 0, start)] if start else []
    pairs = (a_end - start) * (b_end - start)
    if (
        pairs
        and max(a_end, b_end) - start <= side_max
        and (pairs_max is None or pairs <= pairs_max)
        and (budget is None or budget.spend(pairs))
    ):
        matcher = difflib.SequenceMatcher(a=a[start:a_end], b=b[start:b_end], autojunk=autojunk)
        ops += [
            (op, i1 + start, i2 + start, j1 + start, j2 + start)
            for op, i1, i2, j1, j2 in matcher.get_opcodes()
        ]
    elif start < a_end or start < b_end:
        ops.append(("replace", start, a_end, start, b_end))
    if end:
        ops.append(("equal", a_end, len(a), b_end, len(b)))
    return ops


def _split_words(text: str) -> tuple[list[str], list[str], str]:
    """The spaces before each word, the words, and the spaces after the last."""
    found = _WORD.findall(text)  # back to back from the start: each \S+ is maximal
    spaces, words = [s for s, _ in found], [w for _, w in found]
    return spaces, words, text[sum(map(len, spaces)) + sum(map(len, words)) :]


def _spaces(parts: Parts, old: str, new: str) -> None:
    if old == new:
        _add(parts, "same", old)
    else:
        _add(parts, "del", old)
        _add(parts, "ins", new)


def _word_diff(parts: Parts, old: str, new: str, budget: _Budget) -> None:
    a_spaces, a_words, a_tail = _split_words(old)
    b_spaces, b_words, b_tail = _split_words(new)
    for op, i1, i2, j1, j2 in _opcodes(
        a_words,
        b_words,
        side_max=WORD_DIFF_SIDE_MAX,
        pairs_max=WORD_DIFF_PAIRS_MAX,
        budget=budget,
        autojunk=False,
    ):
        if op == "equal":
            same: list[str] = []
            for i, j in zip(range(i1, i2), range(j1, j2), strict=True):
                if a_spaces[i] != b_spaces[j]:  # the same words, spaced anew
                    _add(parts, "same", "".join(same))
                    same = []
                    _spaces(parts, a_spaces[i], b_spaces[j])
                else:
                    same.append(a_spaces[i])
                same.append(a_words[i])
            _add(parts, "same", "".join(same))
            continue
        removed = "".join(s + w for s, w in zip(a_spaces[i1:i2], a_words[i1:i2], strict=True))
        added = "".join(s + w for s, w in zip(b_spaces[j1:j2], b_words[j1:j2], strict=True))
        # A word changed between the same spaces: keep the space out of it.
        lead = a_spaces[i1] if i1 < i2 and j1 < j2 and a_spaces[i1] == b_spaces[j1] else ""
        _add(parts, "same", lead)
        _add(parts, "del", removed[len(lead) :])
        _add(parts, "ins", added[len(lead) :])
    _spaces(parts, a_tail, b_tail)


def text_diff(old: str, new: str, *, budget: _Budget | None = None) -> Parts:
    """Parts that spell `old` without the "ins" and `new` without the "del"."""
    budget = budget or _Budget(DIFF_WORD_PAIRS_MAX)
    a, b = old.splitlines(keepends=True), new.splitlines(keepends=True)
    parts: Parts = []
    # difflib's autojunk (from 200 lines on) keeps a line repeated all over a
    # long text, a blank one say, from making the line matcher quadratic.
    for op, i1, i2, j1, j2 in _opcodes(a, b, side_max=LINE_DIFF_SIDE_MAX, autojunk=True):
        if op == "equal":
            _add(parts, "same", "".join(a[i1:i2]))
        else:
            _word_diff(parts, "".join(a[i1:i2]), "".join(b[j1:j2]), budget)
    return parts


def _changed_pair(old: str, new: str, budget: _Budget) -> list[LineRow]:
    """A removed line and the added one in its place: a "change" row with
    word marks when they are alike enough, else a plain "del" and "ins"."""
    if old == new:  # autojunk can leave equal lines inside a changed block
        return [LineRow("same", old)]
    parts: Parts = []
    _word_diff(parts, old, new, budget)
    common = sum(len(text) for kind, text in parts if kind == "same")
    if 2 * common / (len(old) + len(new)) < LINE_SIMILAR_MIN:
        return [LineRow("del", old), LineRow("ins", new)]
    return [
        LineRow(
            "change",
            old_parts=[(k, t) for k, t in parts if k != "ins"],
            new_parts=[(k, t) for k, t in parts if k != "del"],
        )
    ]


def _fold(rows: list[LineRow]) -> list[LineRow | Fold]:
    """Runs of unchanged lines longer than UNCHANGED_RUN_MAX folded, but for
    one line of context next to a change."""
    out: list[LineRow | Fold] = []
    i = 0
    while i < len(rows):
        j = i
        while j < len(rows) and rows[j].kind == "same":
            j += 1
        if j == i:
            out.append(rows[i])
            i += 1
            continue
        run = rows[i:j]
        if len(run) > UNCHANGED_RUN_MAX:
            keep_start = 1 if i > 0 else 0
            keep_end = 1 if j < len(rows) else 0
            out += run[:keep_start]
            out.append(Fold(run[keep_start : len(run) - keep_end]))
            out += run[len(run) - keep_end :]
        else:
            out += run
        i = j
    return out


def line_rows(old: str, new: str, *, budget: _Budget | None = None) -> list[LineRow | Fold]:
    """The unified diff of a field, line by line: unchanged lines plain (long
    runs folded), changed lines paired in order, each pair marked word by
    word if alike (see LINE_SIMILAR_MIN); lines left over removed or added."""
    budget = budget or _Budget(DIFF_WORD_PAIRS_MAX)
    a, b = old.splitlines(), new.splitlines()
    rows: list[LineRow] = []
    for op, i1, i2, j1, j2 in _opcodes(a, b, side_max=LINE_DIFF_SIDE_MAX, autojunk=True):
        if op == "equal":
            rows += [LineRow("same", line) for line in a[i1:i2]]
            continue
        pairs = min(i2 - i1, j2 - j1)
        for k in range(pairs):
            rows += _changed_pair(a[i1 + k], b[j1 + k], budget)
        rows += [LineRow("del", line) for line in a[i1 + pairs : i2]]
        rows += [LineRow("ins", line) for line in b[j1 + pairs : j2]]
    return _fold(rows)


def _text(plan: PlanVersion, name: str) -> str:
    value = getattr(plan, name)
    if name == "horizon":
        return value.isoformat() if value else ""
    return value or ""


def plan_diff(old: PlanVersion, new: PlanVersion, *, by_line: bool = False) -> list[FieldDiff]:
    """Each field's changes: inline `parts` (a review's summary), or with
    `by_line` the `rows` of a unified diff (the plan diff page), not both."""
    budget = _Budget(DIFF_WORD_PAIRS_MAX)  # one for the page's five fields
    out = []
    for name, label in PLAN_FIELD_LABELS.items():
        a, b = _text(old, name), _text(new, name)
        changed = a != b
        parts = text_diff(a, b, budget=budget) if changed and not by_line else []
        rows = line_rows(a, b, budget=budget) if changed and by_line else []
        out.append(FieldDiff(label=label, changed=changed, parts=parts, rows=rows))
    return out
