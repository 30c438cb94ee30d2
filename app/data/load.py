"""Loading an archive into an empty instance (`goldfish import FILE`).

All or nothing: the archive is checked whole first (sizes, manifest, format
and schema revision, every file against its checksum), then every row goes
in within one transaction, which any problem rolls back. Ids are kept as
they were, so links between rows hold; PostgreSQL's sequences are moved
past them afterwards, so the next row made gets a fresh id."""

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from app.data.archive import (
    SECRET_COLUMNS,
    ArchiveError,
    ArchiveReader,
    decoders,
    exported_columns,
    tables,
)
from app.data.export import BATCH, NoProgress, Progress, check_revision


@dataclass
class Loaded:
    rows: dict[str, int]


def _plan(reader: ArchiveReader, revision: str) -> list[tuple[sa.Table, dict]]:
    """Which file fills which table, in the order tables must be filled."""
    manifest = reader.manifest
    if manifest.get("scope") != "instance":
        raise ArchiveError(
            "this archive holds one person's own data (downloaded from their account page);"
            " `goldfish import` loads a whole instance's export (`goldfish export`)"
        )
    if manifest.get("schema_revision") != revision:
        raise ArchiveError(
            f"this archive was made at schema revision {manifest.get('schema_revision')},"
            f" this database is at {revision}: export it again with a Goldfish at {revision}"
            " (or import it into one at its revision, then `goldfish migrate`)"
        )
    include_secrets = bool(manifest.get("include_secrets"))
    by_name = {entry.get("name"): entry for entry in manifest["tables"]}
    known = {table.name: table for table in tables()}
    if unknown := sorted(str(name) for name in set(by_name) - set(known)):
        raise ArchiveError(f"the archive holds tables this Goldfish does not have: {unknown}")
    plan = []
    for table in tables():
        entry = by_name.get(table.name)
        if entry is None:
            continue  # credentials left out of the export, or a table it had no file for
        expected = [c.name for c in exported_columns(table, include_secrets=include_secrets)]
        if entry.get("columns") != expected:
            raise ArchiveError(
                f"{entry.get('file')}: columns {entry.get('columns')} are not this table's"
                f" ({expected})"
            )
        plan.append((table, entry))
    return plan


def _occupied(connection: Connection) -> list[str]:
    found = []
    for table in tables():
        count = connection.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
        if count:
            found.append(f"{table.name}: {count} {'row' if count == 1 else 'rows'}")
    return found


def _rows(reader: ArchiveReader, table: sa.Table, entry: dict) -> Iterator[list[dict]]:
    """The file's rows, decoded into what the table binds, a batch at a time."""
    columns = set(entry["columns"])
    decode = decoders(c for c in table.columns if c.name in columns)
    fill = {column: make for (name, column), make in SECRET_COLUMNS.items() if name == table.name}
    batch: list[dict] = []
    for number, line in reader.lines(entry):
        where = f"{entry['file']} line {number}"
        try:
            row: Any = json.loads(line)
        except ValueError as exc:
            raise ArchiveError(f"{where}: not JSON ({exc})") from None
        if not isinstance(row, dict) or set(row) != columns:
            raise ArchiveError(f"{where}: not a row with the columns the manifest lists")
        try:
            for name, convert in decode.items():
                if row[name] is not None:
                    row[name] = convert(row[name])
        except (ValueError, TypeError, ArithmeticError) as exc:
            raise ArchiveError(f"{where}: {exc}") from None
        for name, make in fill.items():
            if name not in row:
                row[name] = make(row)
        batch.append(row)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _reset_sequences(connection: Connection) -> None:
    """PostgreSQL hands out ids from a sequence, which rows given their own
    ids leave behind: move each past the largest id loaded."""
    if connection.dialect.name != "postgresql":
        return  # SQLite takes the next rowid after the largest present
    for table in tables():
        for column in table.primary_key.columns:
            if column.autoincrement is True or (
                column.autoincrement == "auto"
                and isinstance(column.type, sa.Integer)
                and len(table.primary_key.columns) == 1
                and not column.foreign_keys
            ):
                name = connection.execute(
                    sa.text("SELECT pg_get_serial_sequence(:table, :column)"),
                    {"table": f'"{table.name}"', "column": column.name},
                ).scalar_one()
                if name is None:
                    continue
                connection.execute(
                    sa.text(
                        f'SELECT setval(:sequence, COALESCE(MAX("{column.name}"), 1),'  # noqa: S608
                        f' MAX("{column.name}") IS NOT NULL) FROM "{table.name}"'
                    ),
                    {"sequence": name},
                )


def instance_import(
    connection: Connection, reader: ArchiveReader, *, progress: Progress | None = None
) -> Loaded:
    """Load the archive through `connection`, inside its transaction (the
    caller commits, or rolls back on ArchiveError). The database must be
    migrated to this Goldfish's schema and hold no rows at all."""
    progress = progress or NoProgress()
    revision = check_revision(connection)
    plan = _plan(reader, revision)
    for _table, entry in plan:
        reader.verify(entry)
    if occupied := _occupied(connection):
        shown = ", ".join(occupied[:3]) + (", …" if len(occupied) > 3 else "")
        raise ArchiveError(
            f"the database is not empty ({shown}): `goldfish import` loads only into a"
            " new instance; point DATABASE_URL at an empty database and run `goldfish migrate`"
        )
    loaded: dict[str, int] = {}
    progress.begin(sum(int(entry.get("rows", 0)) for _, entry in plan))
    for table, entry in plan:
        progress.table(table.name)
        count = 0
        for batch in _rows(reader, table, entry):
            try:
                connection.execute(sa.insert(table), batch)
            except sa.exc.DBAPIError as exc:
                first = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
                raise ArchiveError(
                    f"{entry['file']} rows {count + 1}–{count + len(batch)}: the database"
                    f" refused them: {first}"
                ) from None
            count += len(batch)
            progress.rows(len(batch))
        loaded[table.name] = count
    _reset_sequences(connection)
    return Loaded(rows=loaded)
