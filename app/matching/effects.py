"""Which effect to suggest for a matched release: PLACEHOLDER"""

SCOOP_MARGIN = 2.0
PARTIAL_MARGIN = 1.4
ARTIFACT_KINDS = frozenset({"model", "dataset", "benchmark"})


def suggest_effect(*, score: float, kind: str, similar_effect: str | None, threshold: float) -> str:
    if score >= threshold * SCOOP_MARGIN:
        return "scoop"
    if score >= threshold * PARTIAL_MARGIN:
        return "partial_scoop"
    if kind in ARTIFACT_KINDS:
        return "new_baseline"
    if similar_effect in ("reinforces", "related", "new_baseline"):
        return similar_effect
    return "related"
