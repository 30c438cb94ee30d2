"""Word-level differences between two plan versions, for the plan history."""

import difflib
import re
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
_TOKEN = re.compile(r"\s+|[^\s]+")


@dataclass(frozen=True)
class FieldDiff:
    label: str
    changed: bool
    parts: list[tuple[str, str]]  # ("same" | "del" | "ins", text)


def _text(plan: PlanVersion, name: str) -> str:
    value = getattr(plan, name)
    if name == "horizon":
        return value.isoformat() if value else ""
    return value or ""


def plan_diff(old: PlanVersion, new: PlanVersion) -> list[FieldDiff]:
    out = []
    for name, label in PLAN_FIELD_LABELS.items():
        a, b = _TOKEN.findall(_text(old, name)), _TOKEN.findall(_text(new, name))
        parts: list[tuple[str, str]] = []
        for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
            if op == "equal":
                parts.append(("same", "".join(a[i1:i2])))
            if op in ("delete", "replace"):
                parts.append(("del", "".join(a[i1:i2])))
            if op in ("insert", "replace"):
                parts.append(("ins", "".join(b[j1:j2])))
        out.append(FieldDiff(label=label, changed=a != b, parts=parts))
    return out
