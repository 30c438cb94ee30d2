"""Which column holds which field, how its scores read, and what each row
would become: a guess from the headers, then every row checked as a
project before anything is written.

Pure functions over a `Table`: the page's preview, the worker's import and
`goldfish import projects` all read a file through `check_rows`.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from app.forms import validate
from app.projects.models import ProjectCreate, ProjectStatus
from app.scoring import SuccessAxis
from app.spreadsheets.sheet import MAX_CELL_CHARS, Table

PROGRESS_EVERY = 250  # rows between two progress reports
LEAVE_OUT = "-"  # a column deliberately not imported

# field → its label, in the order the mapping screen offers them.
FIELDS: dict[str, str] = {
    "title": "Title",
    "summary": "Question / summary",
    "keywords": "Keywords",
    "attainability": "Attainability",
    "scoop_risk": "Scoop risk",
    "impact": "Impact",
    "success_axis": "Success axis (first, best, open)",
    "status": "Status",
    "attainability_rationale": "Attainability rationale",
    "scoop_risk_rationale": "Scoop risk rationale",
    "impact_rationale": "Impact rationale",
}
SCORES = ("attainability", "scoop_risk", "impact")
RATIONALES = tuple(f"{s}_rationale" for s in SCORES)
# What a project gets for a field no column holds.
DEFAULTS = {"attainability": 3, "scoop_risk": 3, "impact": 3, "success_axis": "best"}

# Header words → field. A header is lower-cased and reduced to its words first.
_SYNONYMS: dict[str, tuple[str, ...]] = {
    "title": ("title", "project", "project title", "project name", "name"),
    "summary": (
        "question",
        "research question",
        "summary",
        "description",
        "question summary",
        "abstract",
    ),
    "keywords": ("keywords", "keyword", "tags", "tag", "topics", "topic"),
    "attainability": ("attainability", "attainable", "feasibility", "feasible"),
    "scoop_risk": ("scoop risk", "scoop", "scoopability", "risk of scoop", "competition"),
    "impact": ("impact", "value", "importance"),
    "success_axis": ("success axis", "success", "axis", "aim", "success means"),
    "status": ("status", "state", "stage"),
}
_RATIONALE_WORDS = ("rationale", "why", "reason", "reasoning", "notes", "note", "comment")
_SCORE_WORDS = {
    "attainability": ("attainability", "attainable", "feasibility"),
    "scoop_risk": ("scoop", "scoop risk"),
    "impact": ("impact",),
}


def _words(header: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", header.lower().replace("_", " ")))


def guess_field(header: str) -> str | None:
    words = _words(header)
    if not words:
        return None
    if any(re.search(rf"\b{w}\b", words) for w in _RATIONALE_WORDS):
        for score, names in _SCORE_WORDS.items():
            if any(name in words for name in names):
                return f"{score}_rationale"
        return None
    for name, synonyms in _SYNONYMS.items():
        if words in synonyms:
            return name
    # "Impact (1-5)", "Scoop risk %": the header starts with a synonym.
    for name, synonyms in _SYNONYMS.items():
        if any(words.startswith(s + " ") for s in synonyms if len(s) > 3):
            return name
    return None


def guess_mapping(headers: list[str]) -> list[str]:
    """One field per column, "" where the header names none Goldfish has; a
    field already taken by a column to the left is not guessed twice."""
    taken: set[str] = set()
    out: list[str] = []
    for header in headers:
        guess = guess_field(header)
        if guess is None or guess in taken:
            out.append("")
            continue
        taken.add(guess)
        out.append(guess)
    return out


# ---------------------------------------------------------------- scales


class Scale(StrEnum):
    five = "1-5"
    ten = "0-10"
    percent = "percent"


SCALE_LABELS = {
    Scale.five: "1 to 5 (as Goldfish scores)",
    Scale.ten: "0 to 10",
    Scale.percent: "percentages (0–100 %)",
}
# Shown before anything is written: how each scale lands on 1–5, in equal fifths.
SCALE_RULES = {
    Scale.five: "1→1, 2→2, 3→3, 4→4, 5→5",
    Scale.ten: "0–1.9→1, 2–3.9→2, 4–5.9→3, 6–7.9→4, 8–10→5",
    Scale.percent: "0–19 %→1, 20–39 %→2, 40–59 %→3, 60–79 %→4, 80–100 %→5",
}
_TOP = {Scale.ten: Decimal(10), Scale.percent: Decimal(100)}


def _number(text: str) -> Decimal | None:
    cleaned = text.strip().removesuffix("%").strip().replace(",", ".")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def guess_scale(values: list[str]) -> Scale:
    """The scale a column's values are on: any "%" or a number over 10 is a
    percentage, a 0 or a number over 5 out of ten, else 1–5."""
    numbers = []
    for text in values:
        if not text.strip():
            continue
        if "%" in text:
            return Scale.percent
        number = _number(text)
        if number is not None:
            numbers.append(number)
    if any(n > 10 for n in numbers):
        return Scale.percent
    if any(n > 5 or n == 0 for n in numbers) or any(n != n.to_integral() for n in numbers):
        return Scale.ten
    return Scale.five


def scale_score(text: str, scale: Scale) -> tuple[int | None, str]:
    """(score 1–5, "") or (None, why not)."""
    number = _number(text)
    if number is None:
        return None, f"“{text.strip()[:20]}” is not a number"
    if scale is Scale.five:
        if number != number.to_integral() or not 1 <= number <= 5:
            return None, f"{text.strip()} is not a whole number from 1 to 5"
        return int(number), ""
    top = _TOP[scale]
    if not 0 <= number <= top:
        unit = " %" if scale is Scale.percent else ""
        return None, f"{text.strip()} is outside 0–{top}{unit}"
    return 1 + min(4, int(number * 5 // top)), ""


# ---------------------------------------------------------------- mapping


@dataclass
class Mapping:
    """Per column: the field it goes to, LEAVE_OUT, or "" (not decided yet);
    per score field: the scale its column is on."""

    columns: list[str]
    scales: dict[str, Scale] = field(default_factory=dict)

    def column_of(self, name: str) -> int | None:
        return self.columns.index(name) if name in self.columns else None

    def problems(self, headers: list[str]) -> dict[int, str]:
        """Column index → what is wrong with its choice; empty when it can be used."""
        out: dict[int, str] = {}
        seen: dict[str, int] = {}
        for index, (header, name) in enumerate(zip(headers, self.columns, strict=True)):
            if name == "":
                out[index] = (
                    f"Goldfish has no field called “{header[:40] or '(no header)'}”: choose "
                    "the field it holds, or leave it out."
                )
            elif name != LEAVE_OUT and name not in FIELDS:
                out[index] = "Choose one of the fields."
            elif name in seen:
                out[index] = f"Column {seen[name] + 1} goes to {FIELDS[name]} already."
            elif name != LEAVE_OUT:
                seen[name] = index
        if "title" not in self.columns and not out:
            out[-1] = "Choose the column that holds each project's title."
        return out


def mapping_from(
    headers: list[str], columns: list[str], scales: dict[str, str], table: Table
) -> Mapping:
    """The mapping as chosen, with each score column's scale guessed from
    its values where none was chosen."""
    chosen: dict[str, Scale] = {}
    for score in SCORES:
        if score not in columns:
            continue
        raw = scales.get(score, "")
        if raw in {s.value for s in Scale}:
            chosen[score] = Scale(raw)
        else:
            index = columns.index(score)
            chosen[score] = guess_scale([row[index] for row in table.rows if len(row) > index])
    return Mapping(columns=list(columns) + [""] * (len(headers) - len(columns)), scales=chosen)


def guessed(table: Table) -> Mapping:
    return mapping_from(table.headers, guess_mapping(table.headers), {}, table)


# ---------------------------------------------------------------- rows


@dataclass
class RowCheck:
    line: int  # the row's number in the spreadsheet (the header is 1)
    values: dict[str, str]  # field → what the row says, as shown in the preview
    scored: dict[str, str]  # score field → "7 → 4"
    errors: dict[str, str]
    skip: str = ""  # why this row is not imported, though it is fine
    data: ProjectCreate | None = None


@dataclass
class Checked:
    rows: list[RowCheck]

    @property
    def errors(self) -> list[RowCheck]:
        return [r for r in self.rows if r.errors]

    @property
    def to_create(self) -> list[RowCheck]:
        return [r for r in self.rows if r.data is not None and not r.skip and not r.errors]

    @property
    def skipped(self) -> list[RowCheck]:
        return [r for r in self.rows if r.skip and not r.errors]


def _dedupe_key(title: str) -> str:
    return " ".join(title.split()).casefold()


def check_rows(
    table: Table,
    mapping: Mapping,
    *,
    existing_titles: set[str],
    team_id: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> Checked:
    """Every row as the project it would be. A row with an error stops the
    whole import; a row already in the portfolio (same title) or repeating
    an earlier row exactly is skipped, never written twice."""
    width = len(table.headers)
    existing = {_dedupe_key(t) for t in existing_titles}
    first_seen: dict[str, RowCheck] = {}
    rows: list[RowCheck] = []
    for offset, cells in enumerate(table.rows):
        line = offset + 2
        if progress is not None and offset and offset % PROGRESS_EVERY == 0:
            progress(offset)
        if not any(c.strip() for c in cells):
            continue  # a blank line
        check = RowCheck(line=line, values={}, scored={}, errors={})
        rows.append(check)
        if len(cells) > width:
            check.errors["row"] = (
                f"This row has {len(cells)} cells but the header names {width} columns: "
                "check the delimiter and the quotes around text holding it."
            )
            continue
        for index, name in enumerate(mapping.columns):
            if name in FIELDS:
                check.values[name] = cells[index].strip()
        for name, value in check.values.items():
            if len(value) > MAX_CELL_CHARS:
                check.errors[name] = f"Too long: at most {MAX_CELL_CHARS:,} characters."
        if check.errors:
            continue
        _build(check, mapping, team_id=team_id)
        if check.errors or check.data is None:
            continue
        key = _dedupe_key(check.data.title)
        earlier = first_seen.get(key)
        if earlier is not None:
            if earlier.values == check.values:
                check.skip = f"The same as row {earlier.line}: imported once."
            else:
                check.errors["title"] = (
                    f"Row {earlier.line} has the same title with other values: rename one, "
                    "or delete the one you do not want."
                )
            continue
        first_seen[key] = check
        if key in existing:
            check.skip = "A project with this title is in your portfolio already: left as it is."
    return Checked(rows=rows)


def _build(check: RowCheck, mapping: Mapping, *, team_id: int | None) -> None:
    values = check.values
    assessment: dict[str, object] = {}
    for score in SCORES:
        if score not in values:
            assessment[score] = DEFAULTS[score]
            continue
        text = values[score]
        if not text:
            check.errors[score] = "No score: fill it in, or leave the column out."
            continue
        score_value, why = scale_score(text, mapping.scales.get(score, Scale.five))
        if score_value is None:
            check.errors[score] = why + "."
            continue
        assessment[score] = score_value
        check.scored[score] = f"{text} → {score_value}"
    axis = values.get("success_axis", "").lower() or DEFAULTS["success_axis"]
    if axis not in {a.value for a in SuccessAxis}:
        check.errors["success_axis"] = "Write first, best or open."
    status = values.get("status", "").lower() or ProjectStatus.idea.value
    if status not in {s.value for s in ProjectStatus}:
        check.errors["status"] = "Write one of " + ", ".join(s.value for s in ProjectStatus) + "."
    if check.errors:
        return
    for rationale in RATIONALES:
        assessment[rationale] = values.get(rationale, "")
    data, errors = validate(
        ProjectCreate,
        {
            "title": values.get("title", ""),
            "summary": values.get("summary", ""),
            "keywords": re.split(r"[,;]", values.get("keywords", "")),
            "status": status,
            "team_id": team_id,
            "assessment": {**assessment, "success_axis": axis},
        },
    )
    check.errors.update(errors)
    check.data = data
