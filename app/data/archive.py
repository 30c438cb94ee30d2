"""The archive format: a zip holding one JSON Lines file per table and a
manifest. Documented for people in README.md ("Your data"); this module is
its definition.

    manifest.json        {"format": "goldfish-export", "format_version": 1,
                          "schema_revision": <alembic revision>, "scope": "instance" | "user",
                          "include_secrets": bool, "exported_at": <ISO time>,
                          "tables": [{"name", "file", "columns", "rows", "bytes", "sha256"}, …]}
    tables/<name>.jsonl  one row a line: a JSON object, keys sorted, timestamps
                         ISO 8601 in UTC, dates ISO, decimals as strings

Tables come in foreign-key order (parents first), taken from SQLModel's
metadata so that a table added later is exported without anyone
remembering to. Rows come in primary-key order, compared bytewise on every
database, so the same data makes the same bytes from SQLite or PostgreSQL:
two exports of one instance differ only in the manifest's `exported_at`.

Secrets (what lets someone act as a user) stay out unless asked for:
password hashes, API tokens, log-in sessions, password-reset links,
pending sign-ups and the hashes of invite links.
"""

import base64
import hashlib
import json
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import IO, Any

import sqlalchemy as sa

from app.models import metadata

FORMAT = "goldfish-export"
FORMAT_VERSION = 1
# Archives of these versions are read (older ones through an upgrade step).
OLDEST_READABLE_VERSION = 1
MANIFEST = "manifest.json"
MANIFEST_MAX_BYTES = 1024 * 1024

# Whole tables of credentials: in an archive only with --include-secrets.
SECRET_TABLES = frozenset({"api_token", "user_session", "password_reset", "pending_signup"})
# Columns that are credentials, and what an import without them stores: a
# value no password or link can ever match ("!" is an account without a
# password; they set one through `goldfish reset-password`).
SECRET_COLUMNS: dict[tuple[str, str], Callable[[dict], str]] = {
    ("user", "password_hash"): lambda row: "!",
    ("invite", "token_hash"): lambda row: f"!withheld-{row['id']}",
    # A calendar link: withheld means no link (the person makes a new one).
    ("calendar_feed", "token_hash"): lambda row: None,
}

# Zip entries are dated 1980-01-01 (the earliest a zip can say): the same
# data always makes the same bytes.
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


class ArchiveError(Exception):
    """An archive that cannot be read or loaded, with one line saying why."""


def tables() -> list[sa.Table]:
    """Every table the app owns, parents before children."""
    return list(metadata.sorted_tables)


def table_file(table: sa.Table) -> str:
    return f"tables/{table.name}.jsonl"


def exported_columns(table: sa.Table, *, include_secrets: bool) -> list[sa.Column]:
    return [
        column
        for column in table.columns
        if include_secrets or (table.name, column.name) not in SECRET_COLUMNS
    ]


def included_tables(*, include_secrets: bool) -> list[sa.Table]:
    return [t for t in tables() if include_secrets or t.name not in SECRET_TABLES]


def row_order(table: sa.Table, dialect: str) -> list[sa.ColumnElement]:
    """Primary-key order, text compared bytewise (PostgreSQL's default
    collation sorts by locale; SQLite's compares bytes)."""
    order: list[sa.ColumnElement] = []
    for column in table.primary_key.columns:
        if dialect == "postgresql" and isinstance(column.type, sa.String):
            order.append(column.collate("C"))
        else:
            order.append(column)
    return order


# ------------------------------------------------------------------ values


def _encode(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes | memoryview):  # an uploaded file: base64 text
        return base64.b64encode(bytes(value)).decode("ascii")
    if hasattr(value, "value") and isinstance(value, str):  # a StrEnum
        return value.value
    return value


def encode_row(row: sa.RowMapping) -> bytes:
    data = {name: _encode(value) for name, value in row.items()}
    return (
        json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"
    ).encode()


def _base_type(column: sa.Column) -> sa.types.TypeEngine:
    kind = column.type
    return kind.impl if isinstance(kind, sa.types.TypeDecorator) else kind  # type: ignore[return-value]


def decoders(columns: Iterable[sa.Column]) -> dict[str, Callable[[Any], Any]]:
    """How to turn each column's JSON value back into what the column binds."""
    found: dict[str, Callable[[Any], Any]] = {}
    for column in columns:
        kind = _base_type(column)
        if isinstance(kind, sa.DateTime):
            found[column.name] = datetime.fromisoformat
        elif isinstance(kind, sa.Date):
            found[column.name] = date.fromisoformat
        elif isinstance(kind, sa.Numeric) and not isinstance(kind, sa.Float):
            found[column.name] = Decimal
        elif isinstance(kind, sa.LargeBinary):
            found[column.name] = base64.b64decode
    return found


# ------------------------------------------------------------------ writing


@dataclass
class TableEntry:
    name: str
    file: str
    columns: list[str]
    rows: int = 0
    bytes: int = 0
    sha256: str = ""

    def as_json(self) -> dict:
        return {
            "name": self.name,
            "file": self.file,
            "columns": self.columns,
            "rows": self.rows,
            "bytes": self.bytes,
            "sha256": self.sha256,
        }


@dataclass
class Manifest:
    schema_revision: str
    scope: str  # "instance", or "user" for one person's download
    include_secrets: bool
    exported_at: str
    tables: list[TableEntry] = field(default_factory=list)
    format_version: int = FORMAT_VERSION

    def as_json(self) -> dict:
        return {
            "format": FORMAT,
            "format_version": self.format_version,
            "schema_revision": self.schema_revision,
            "scope": self.scope,
            "include_secrets": self.include_secrets,
            "exported_at": self.exported_at,
            "tables": [t.as_json() for t in self.tables],
        }


class ArchiveWriter:
    """Writes table files one row at a time (each is compressed as it goes,
    so memory does not grow with a table), then the manifest."""

    def __init__(self, out: IO[bytes], manifest: Manifest) -> None:
        self.zip = zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6)
        self.manifest = manifest

    def _info(self, name: str) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(name, date_time=_ZIP_EPOCH)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o600 << 16
        return info

    def write_table(self, table: sa.Table, columns: list[str], rows: Iterator[bytes]) -> None:
        entry = TableEntry(table.name, table_file(table), columns)
        digest = hashlib.sha256()
        with self.zip.open(self._info(entry.file), "w", force_zip64=True) as out:
            for line in rows:
                out.write(line)
                digest.update(line)
                entry.rows += 1
                entry.bytes += len(line)
        entry.sha256 = digest.hexdigest()
        self.manifest.tables.append(entry)

    def close(self) -> None:
        text = json.dumps(self.manifest.as_json(), indent=2, ensure_ascii=False) + "\n"
        self.zip.writestr(self._info(MANIFEST), text.encode())
        self.zip.close()


# ------------------------------------------------------------------ reading


@dataclass(frozen=True)
class Limits:
    """What an archive may unpack to: a bound on the total, and on how much
    any file may grow (a zip bomb expands a little into a lot)."""

    max_bytes: int = 4 * 1024**3
    max_ratio: int = 200
    ratio_applies_above: int = 1024 * 1024


class ArchiveReader:
    """An archive opened for import, checked before a row is written: it is
    a zip, its sizes are within the limits, its manifest is of a format
    this Goldfish reads and lists exactly the files it holds, and every
    file matches its checksum and row count."""

    def __init__(self, file: IO[bytes] | str, limits: Limits = Limits()) -> None:
        try:
            self.zip = zipfile.ZipFile(file)
        except (zipfile.BadZipFile, OSError) as exc:
            raise ArchiveError(
                f"not a readable zip archive (truncated or damaged?): {exc}"
            ) from None
        self.limits = limits
        self._check_sizes()
        self.manifest = self._read_manifest()

    def close(self) -> None:
        self.zip.close()

    def _check_sizes(self) -> None:
        total = 0
        for info in self.zip.infolist():
            total += info.file_size
            if total > self.limits.max_bytes:
                raise ArchiveError(
                    f"refused: the archive unpacks to more than {self.limits.max_bytes:,} bytes"
                )
            ratio = info.file_size / max(info.compress_size, 1)
            if info.file_size > self.limits.ratio_applies_above and ratio > self.limits.max_ratio:
                raise ArchiveError(
                    f"refused: {info.filename} would grow {ratio:,.0f}-fold when unpacked"
                    f" (at most {self.limits.max_ratio}): a zip bomb?"
                )

    def _read_manifest(self) -> dict:
        try:
            info = self.zip.getinfo(MANIFEST)
        except KeyError:
            raise ArchiveError(f"not a Goldfish export: no {MANIFEST} in the archive") from None
        if info.file_size > MANIFEST_MAX_BYTES:
            raise ArchiveError(f"refused: {MANIFEST} is larger than {MANIFEST_MAX_BYTES:,} bytes")
        try:
            manifest = json.loads(self._read_all(MANIFEST))
        except (ValueError, UnicodeDecodeError) as exc:
            raise ArchiveError(f"{MANIFEST} is not valid JSON: {exc}") from None
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            raise ArchiveError(f"not a Goldfish export: {MANIFEST} does not say {FORMAT!r}")
        version = manifest.get("format_version")
        if not isinstance(version, int) or isinstance(version, bool):
            raise ArchiveError(f"{MANIFEST} has no format_version")
        if version > FORMAT_VERSION:
            raise ArchiveError(
                f"this archive is format version {version}, newer than this Goldfish reads"
                f" ({FORMAT_VERSION}): upgrade Goldfish, then import it"
            )
        if version < OLDEST_READABLE_VERSION:
            raise ArchiveError(
                f"this archive is format version {version}; this Goldfish reads versions"
                f" {OLDEST_READABLE_VERSION} to {FORMAT_VERSION}, and version {version}"
                " predates the first published format, so no upgrade step exists for it"
            )
        entries = manifest.get("tables")
        if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
            raise ArchiveError(f"{MANIFEST} has no list of tables")
        listed = {e.get("file") for e in entries} | {MANIFEST}
        present = set(self.zip.namelist())
        if missing := sorted(str(name) for name in listed - present):
            raise ArchiveError(f"the archive lacks {', '.join(missing)}, listed in {MANIFEST}")
        if extra := sorted(present - listed):
            raise ArchiveError(f"the archive holds {', '.join(extra)}, not listed in {MANIFEST}")
        return manifest

    def _read_all(self, name: str) -> bytes:
        try:
            return self.zip.read(name)
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            raise ArchiveError(f"{name} is damaged: {exc}") from None

    def lines(self, entry: dict) -> Iterator[tuple[int, bytes]]:
        """The file's lines, numbered from 1, read as they are unpacked."""
        try:
            with self.zip.open(entry["file"]) as stream:
                yield from enumerate(stream, start=1)
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            raise ArchiveError(f"{entry['file']} is damaged: {exc}") from None

    def verify(self, entry: dict) -> None:
        """The file's checksum and row count are those in the manifest."""
        digest = hashlib.sha256()
        rows = 0
        for _, line in self.lines(entry):
            digest.update(line)
            rows += 1
        if digest.hexdigest() != entry.get("sha256"):
            raise ArchiveError(
                f"{entry['file']} does not match its sha256 checksum in {MANIFEST}:"
                " the archive was changed or damaged"
            )
        if rows != entry.get("rows"):
            raise ArchiveError(
                f"{entry['file']} holds {rows} rows, {MANIFEST} says {entry.get('rows')}"
            )
