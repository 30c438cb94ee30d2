"""What the import pages show: the mapping screen's columns, the preview's
rows and the progress of a running import."""

from dataclasses import dataclass

from sqlmodel import Session

from app.spreadsheets import service
from app.spreadsheets.mapping import (
    DEFAULTS,
    FIELDS,
    LEAVE_OUT,
    SCALE_LABELS,
    SCALE_RULES,
    SCORES,
    Checked,
    Mapping,
)
from app.spreadsheets.models import ProjectImport
from app.spreadsheets.sheet import Table

PREVIEW_ROWS = 20
ERRORS_LISTED = 50
SAMPLES = 3

FIELD_OPTIONS = [
    ("", "Choose…"),
    *FIELDS.items(),
    (LEAVE_OUT, "— leave this column out —"),
]
SCALE_OPTIONS = [(scale.value, label) for scale, label in SCALE_LABELS.items()]


@dataclass
class Column:
    index: int
    header: str
    samples: list[str]
    field: str
    scale: str  # for a score column
    error: str


def columns_of(table: Table, mapping: Mapping, problems: dict[int, str]) -> list[Column]:
    out = []
    for index, header in enumerate(table.headers):
        samples = [row[index] for row in table.rows if len(row) > index and row[index].strip()]
        name = mapping.columns[index]
        scale = mapping.scales.get(name)
        out.append(
            Column(
                index=index,
                header=header or f"(column {index + 1})",
                samples=[s[:60] for s in samples[:SAMPLES]],
                field=name,
                scale=scale.value if scale else "",
                error=problems.get(index, ""),
            )
        )
    return out


def mapping_context(job: ProjectImport, table: Table, mapping: Mapping, problems=None) -> dict:
    problems = mapping.problems(table.headers) if problems is None else problems
    return {
        "job": job,
        "columns": columns_of(table, mapping, problems),
        "form_error": problems.get(-1, ""),
        "field_options": FIELD_OPTIONS,
        "scale_options": SCALE_OPTIONS,
        "scores": SCORES,
        "row_count": table.row_count,
    }


def preview_context(session: Session, job: ProjectImport) -> dict:
    table, checked = service.import_check(session, job=job)
    mapping = service.mapping_of(job, table)
    problems = mapping.problems(table.headers)
    shown_fields = [name for name in FIELDS if name in mapping.columns]
    preview = checked.rows[:PREVIEW_ROWS]
    later_errors = [r for r in checked.errors if r not in preview][:ERRORS_LISTED]
    return {
        "job": job,
        "fields": FIELDS,
        "shown_fields": shown_fields,
        "rows": preview,
        "later_errors": later_errors,
        "checked": checked,
        "counts": _counts(checked),
        "mapping_problems": problems,
        "scales": [
            (FIELDS[score], SCALE_LABELS[scale], SCALE_RULES[scale])
            for score, scale in mapping.scales.items()
        ],
        "defaults": [
            (FIELDS[name], value)
            for name, value in {**DEFAULTS, "status": "idea"}.items()
            if name not in mapping.columns
        ],
    }


def _counts(checked: Checked) -> dict[str, int]:
    return {
        "rows": len(checked.rows),
        "create": len(checked.to_create),
        "skip": len(checked.skipped),
        "errors": len(checked.errors),
    }
