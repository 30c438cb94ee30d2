"""Which effect to suggest for a matched release.

Measured on the dev set (bench.matching): the median score of a labelled
scoop is about twice that of a partial scoop's lower quartile, and new
baselines are mostly models and benchmarks that match less strongly. So:
a very strong match is a scoop, a strong one a partial scoop; below that a
model, dataset or benchmark is a new baseline; otherwise the effect of the
most similar release already linked to the project, if any, else related.
The levels are on the score scale, independent of the inbox threshold.
"""

SCOOP_SCORE = 0.14
PARTIAL_SCOOP_SCORE = 0.10
ARTIFACT_KINDS = frozenset({"model", "dataset", "benchmark"})


def suggest_effect(*, score: float, kind: str, similar_effect: str | None) -> str:
    if score >= SCOOP_SCORE:
        return "scoop"
    if score >= PARTIAL_SCOOP_SCORE:
        return "partial_scoop"
    if kind in ARTIFACT_KINDS:
        return "new_baseline"
    if similar_effect in ("reinforces", "related", "new_baseline"):
        return similar_effect
    return "related"
