"""Reading releases from a file (CSV, JSON Lines, BibTeX) into the release
log. Every record is validated as a release typed into the form would be,
all of them before anything is written, and they go in through
`releases_ingest`, the dedupe that feeds use: one already in the log (by
address, arXiv id or DOI), or twice in the file, is skipped. Never commits.

A fourth kind of file, a list of arXiv ids or URLs, is only read here
(`read_arxiv_ids`): what the ids are is asked of arXiv by app.feeds.lookup,
which then hands the releases to `releases_import` like any other file's."""

import csv
import io
import json
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import bibtexparser
from bibtexparser.middlewares import LatexDecodingMiddleware
from pydantic import ValidationError
from sqlmodel import Session

from app.auth.models import User
from app.releases.models import ReleaseCreate, ReleaseKind, ReleaseSource
from app.releases.service import ReleaseDraft, releases_ingest
from app.releases.urls import arxiv_id

MAX_BYTES = 20 * 1024 * 1024
MAX_RECORDS = 50_000
# Each id is one record of an API answer, fetched 100 at a time, 3 s apart.
MAX_ARXIV_IDS = 2_000
FORMATS = ("csv", "jsonl", "bibtex", "arxiv")
_BY_SUFFIX = {
    ".csv": "csv",
    ".tsv": "csv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".bib": "bibtex",
    ".txt": "arxiv",
}
_FIELDS = {"title", "kind", "organisation", "released_on", "url", "summary"}
# Spellings a spreadsheet may use for our columns.
_ALIASES = {
    "organization": "organisation",
    "org": "organisation",
    "date": "released_on",
    "released": "released_on",
    "link": "url",
    "abstract": "summary",
    "description": "summary",
}
_MONTHS = {
    m: i
    for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1
    )
}


class BadImportFile(ValueError):
    """The file cannot be imported; the message is one line saying where and why."""


@dataclass(frozen=True)
class Imported:
    created: int
    skipped: int


def format_of(path: Path, given: str | None = None) -> str:
    if given:
        return given
    found = _BY_SUFFIX.get(path.suffix.lower())
    if found is None:
        raise BadImportFile(
            f"cannot tell the format from the name; pass --format ({', '.join(FORMATS)})"
        )
    return found


def read_release_file(path: Path, *, fmt: str | None = None) -> list[ReleaseCreate]:
    """Every release the file describes, validated; BadImportFile otherwise.
    Not for a list of arXiv ids (see `read_arxiv_ids`)."""
    fmt = format_of(path, fmt)
    if fmt == "arxiv":
        raise BadImportFile("a list of arXiv ids is looked up on arXiv, not read as releases")
    records = {"csv": _csv, "jsonl": _jsonl, "bibtex": _bibtex}[fmt](_text_of(path))
    return validated_releases(records, limit=MAX_RECORDS)


def validated_releases(records, *, limit: int = MAX_RECORDS) -> list[ReleaseCreate]:
    """(where, record) pairs as ReleaseCreate, the first bad one a BadImportFile."""
    out = []
    for where, record in records:
        if len(out) == limit:
            raise BadImportFile(f"more than {limit} releases in one file; split it")
        out.append(_validated(where, record))
    if not out:
        raise BadImportFile("no releases in the file")
    return out


def read_arxiv_ids(path: Path) -> list[tuple[int, str]]:
    """(line number, 'arxiv:2305.11206') for each line of a list of arXiv
    ids or abs/pdf URLs, in any spelling arXiv uses (a version, 'arXiv:').
    Blank lines and lines starting with # are skipped; anything else that
    is not an arXiv id is a BadImportFile naming its line."""
    found = []
    for number, line in enumerate(_text_of(path).splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        arxiv = arxiv_id(line)
        if arxiv is None:
            raise BadImportFile(f"line {number}: '{line[:60]}' is not an arXiv id or arXiv URL")
        if len(found) == MAX_ARXIV_IDS:
            raise BadImportFile(f"more than {MAX_ARXIV_IDS} arXiv ids in one file; split it")
        found.append((number, arxiv))
    if not found:
        raise BadImportFile("no arXiv ids in the file")
    return found


def _text_of(path: Path) -> str:
    try:
        if path.stat().st_size > MAX_BYTES:
            raise BadImportFile(f"over {MAX_BYTES // 2**20} MB; split the file")
        raw = path.read_bytes()
    except OSError as exc:
        raise BadImportFile(exc.strerror or "cannot be read") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BadImportFile(
            f"not UTF-8 text (byte {exc.start}); save it as UTF-8 and try again"
        ) from None


def _validated(where: str, record: dict) -> ReleaseCreate:
    record.setdefault("kind", "paper")
    try:
        return ReleaseCreate.model_validate(record)
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(map(str, err["loc"])) or "record"
        message = err["msg"].removeprefix("Value error, ")
        raise BadImportFile(f"{where}: {field}: {message}") from None


def _csv(text: str):
    sample = text[: 64 * 1024]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text, newline=""), dialect=dialect)
    if not reader.fieldnames:
        raise BadImportFile("the CSV file has no header row")
    columns = [_ALIASES.get(c.strip().lower(), c.strip().lower()) for c in reader.fieldnames]
    unknown = [c for c in columns if c not in _FIELDS]
    if unknown:
        raise BadImportFile(
            f"line 1: unknown column '{unknown[0][:40]}'; known: {', '.join(sorted(_FIELDS))}"
        )
    if "title" not in columns or "released_on" not in columns:
        raise BadImportFile("line 1: the header needs at least 'title' and 'released_on'")
    try:
        for row in reader:
            if None in row:
                raise BadImportFile(f"line {reader.line_num}: more cells than columns")
            values = dict(zip(columns, row.values(), strict=True))
            if any(v and v.strip() for v in values.values()):
                # Cells are text, formulas included ("=HYPERLINK(…)" stays as typed).
                yield f"line {reader.line_num}", {k: v for k, v in values.items() if v is not None}
    except csv.Error as exc:
        raise BadImportFile(f"line {reader.line_num}: {exc}") from None


def _jsonl(text: str):
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise BadImportFile(f"line {number}: not JSON ({exc.msg})") from None
        if not isinstance(record, dict):
            raise BadImportFile(f"line {number}: each line must be one JSON object")
        yield f"line {number}", record


def _bibtex(text: str):
    library = bibtexparser.parse_string(text, append_middleware=[LatexDecodingMiddleware()])
    if library.failed_blocks:
        block = library.failed_blocks[0]
        raise BadImportFile(f"line {block.start_line + 1}: not valid BibTeX")
    for entry in library.entries:
        fields = {k.lower(): str(v).strip() for k, v in entry.items()}
        yield (
            f"line {entry.start_line + 1} (@{entry.entry_type}{{{entry.key})",
            {
                "title": _unbraced(fields.get("title", "")),
                "kind": "dataset" if entry.entry_type.lower() == "dataset" else "paper",
                "organisation": fields.get("institution") or fields.get("organization") or "",
                "released_on": _bib_date(fields),
                "url": _bib_url(fields),
                "summary": fields.get("abstract", ""),
            },
        )


def _unbraced(text: str) -> str:
    return " ".join(text.replace("{", "").replace("}", "").split())


def _bib_date(fields: dict) -> str | None:
    """BibTeX gives a year and maybe a month: the first day of what is known."""
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", fields.get("date", "")):
        return fields["date"]
    if not re.fullmatch(r"\d{4}", fields.get("year", "")):
        return None
    month_text = fields.get("month", "").lower()[:3]
    month = _MONTHS.get(month_text) or (int(month_text) if month_text.isdigit() else 1)
    return date(int(fields["year"]), min(max(month, 1), 12), 1).isoformat()


def _bib_url(fields: dict) -> str:
    if fields.get("url"):
        return fields["url"]
    if fields.get("eprint") and fields.get("archiveprefix", "arxiv").lower() == "arxiv":
        return fields["eprint"]  # a bare arXiv id becomes its abs page
    if fields.get("doi"):
        return f"https://doi.org/{fields['doi']}"
    return ""


def releases_import(session: Session, *, owner: User, releases: list[ReleaseCreate]) -> Imported:
    drafts = [
        ReleaseDraft(
            title=r.title,
            kind=ReleaseKind(r.kind),
            released_on=r.released_on,
            organisation=r.organisation,
            url=r.url or None,
            summary=r.summary,
        )
        for r in releases
    ]
    ingested = releases_ingest(
        session, owner_id=owner.id, drafts=drafts, source=ReleaseSource.manual
    )
    created = sum(1 for _, new in ingested if new)
    return Imported(created=created, skipped=len(ingested) - created)
