"""`goldfish import projects FILE --owner EMAIL`: the same reading, mapping
and checks as the pages, with the mapping given as options, written in the
command's one transaction."""

from collections.abc import Callable
from dataclasses import dataclass

from sqlmodel import Session

from app.auth.models import User
from app.errors import Refused
from app.spreadsheets import service
from app.spreadsheets.mapping import (
    FIELDS,
    LEAVE_OUT,
    SCALE_LABELS,
    SCALE_RULES,
    SCORES,
    Checked,
    Mapping,
    check_rows,
    guess_mapping,
    mapping_from,
)
from app.spreadsheets.queries import titles_of
from app.spreadsheets.sheet import (
    MAX_UPLOAD_BYTES,
    SheetError,
    Table,
    format_of,
    read_table,
    too_large_message,
)

ERRORS_SHOWN = 10


@dataclass
class Plan:
    owner: User
    table: Table
    mapping: Mapping
    checked: Checked
    error: str  # why nothing can be imported, or ""

    def describe(self) -> list[str]:
        lines = []
        for header, name in zip(self.table.headers, self.mapping.columns, strict=True):
            target = FIELDS.get(name, "left out" if name == LEAVE_OUT else "?")
            lines.append(f"column {header!r} → {target}")
        for score, scale in self.mapping.scales.items():
            lines.append(f"{FIELDS[score]} given as {SCALE_LABELS[scale]}: {SCALE_RULES[scale]}")
        for row in self.checked.errors[:ERRORS_SHOWN]:
            problems = "; ".join(f"{FIELDS.get(k, 'row')}: {v}" for k, v in row.errors.items())
            lines.append(f"row {row.line}: {problems}")
        return lines

    def write(self, session: Session, *, progress: Callable[[int], None]) -> tuple[int, int]:
        created, skipped = service.projects_write(
            session, owner=self.owner, checked=self.checked, progress=progress
        )
        return created, len(skipped)


def prepare(
    session: Session,
    *,
    owner: User,
    filename: str,
    read: Callable[[int], bytes | None],
    team_id: int | None,
    overrides: list[str],
    scales: list[str],
) -> Plan:
    """Read, map and check the file. Refused when it cannot be read or an
    option is wrong; a Plan with `error` when rows or columns are wrong."""
    try:
        sheet_format = format_of(filename)
        content = read(MAX_UPLOAD_BYTES)
        if content is None:
            raise SheetError(too_large_message())
        table = read_table(content, sheet_format)
    except SheetError as exc:
        raise Refused(422, "unreadable_file", str(exc)) from None
    columns = guess_mapping(table.headers)
    for override in overrides:
        header, _, name = override.rpartition("=")
        if header not in table.headers:
            raise Refused(422, "bad_option", f"--map {override!r}: no column is called {header!r}.")
        if name not in FIELDS and name != LEAVE_OUT:
            raise Refused(
                422, "bad_option", f"--map {override!r}: fields are {', '.join(FIELDS)} or -."
            )
        columns[table.headers.index(header)] = name
    chosen = {}
    for option in scales:
        score, _, value = option.partition("=")
        if score not in SCORES or value not in {"1-5", "0-10", "percent"}:
            raise Refused(
                422, "bad_option", f"--scale {option!r}: use {'|'.join(SCORES)}=1-5|0-10|percent."
            )
        chosen[score] = value
    if team_id is not None:
        service.check_team(session, owner_id=owner.id, team_id=team_id)
    mapping = mapping_from(table.headers, columns, chosen, table)
    checked = check_rows(
        table, mapping, existing_titles=titles_of(session, owner_id=owner.id), team_id=team_id
    )
    error = ""
    problems = mapping.problems(table.headers)
    if problems:
        unknown = [
            table.headers[i] for i, why in problems.items() if i >= 0 and mapping.columns[i] == ""
        ]
        error = (
            f"unknown columns {', '.join(map(repr, unknown))}: name their field with "
            f'--map "Header=field", or leave them out with --map "Header=-"; nothing was imported.'
            if unknown
            else next(iter(problems.values())) + " Nothing was imported."
        )
    elif checked.errors:
        error = f"{len(checked.errors)} rows have errors (listed above); nothing was imported."
    return Plan(owner=owner, table=table, mapping=mapping, checked=checked, error=error)
