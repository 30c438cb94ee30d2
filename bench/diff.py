"""Plan diff timings: the adversarial case against a small baseline.

    .venv/bin/python -m bench.diff [--repeat 5]

Prints milliseconds (best of --repeat) for:
- baseline: difflib on two 100-token texts, what a small plan edit costs;
- plan_diff on two unrelated 5,000-character plans of random 2–4 letter
  words, in all five text fields (what a hostile or careless edit sends);
- the same, one word per line (many small replaced line blocks);
- a realistic edit: a 5,000-character plan with one sentence changed.

Figures, not a test: compare them across commits on the same machine.
"""

import argparse
import difflib
import random
import re
import string
import time
from collections.abc import Callable

from app.projects.diff import plan_diff
from app.projects.models import PLAN_FIELD_MAX, PlanVersion

# What the diff used to run difflib over: words and runs of space, whole fields.
TOKEN = re.compile(r"\s+|[^\s]+")
TEXT_FIELDS = ("goal", "approach", "differentiation", "contingency", "questions")


def random_words(rng: random.Random, size: int, sep: str = " ") -> str:
    words: list[str] = []
    length = 0
    while length < size:
        word = "".join(rng.choices(string.ascii_lowercase, k=rng.randint(2, 4)))
        words.append(word)
        length += len(word) + 1
    return sep.join(words)[:size]


def plan(**fields: str) -> PlanVersion:
    return PlanVersion(project_id=1, number=1, author_id=1, **fields)


def best_ms(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    repeat = parser.parse_args().repeat
    rng = random.Random(20261201)  # noqa: S311 (data, not secrets)

    a, b = (TOKEN.findall(random_words(rng, 300))[:100] for _ in range(2))
    baseline = best_ms(
        lambda: difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes(), repeat
    )

    def fields(sep: str) -> dict[str, str]:
        return {name: random_words(rng, PLAN_FIELD_MAX, sep) for name in TEXT_FIELDS}

    unrelated = plan(**fields(" ")), plan(**fields(" "))
    lines = plan(**fields("\n")), plan(**fields("\n"))
    text = random_words(rng, PLAN_FIELD_MAX)
    middle = len(text) // 2
    edited = plan(goal=text), plan(goal=text[:middle] + " a changed sentence " + text[middle:])

    print(f"baseline, difflib on 100 tokens a side      {baseline:9.2f} ms")
    for label, (old, new) in {
        "5 fields × 5,000 chars of random words      ": unrelated,
        "5 fields × 5,000 chars, one word per line   ": lines,
        "one field of 5,000 chars, one sentence added": edited,
    }.items():
        print(f"plan_diff, {label}{best_ms(lambda o=old, n=new: plan_diff(o, n), repeat):9.2f} ms")


if __name__ == "__main__":
    main()
