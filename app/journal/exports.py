"""The journal as files a person keeps: Markdown (one file, or a zip by
week) and JSON. Archived entries are included and marked."""

import json
import zipfile
from collections.abc import Iterable, Iterator
from typing import IO

from app.auth.models import User
from app.journal.models import EntryPublic, JournalEntry, JournalSettings


def _week(entry: JournalEntry) -> str:
    year, week, _ = entry.day.isocalendar()
    return f"{year}-W{week:02}"


def _entry_markdown(entry: JournalEntry, titles: dict[int, str]) -> str:
    head = [entry.day.isoformat(), entry.kind.label]
    if entry.project_id:
        head.append(titles.get(entry.project_id, f"project {entry.project_id}"))
    lines = [f"### {' · '.join(head)}", ""]
    if entry.archived_at:
        lines += ["*(archived)*", ""]
    if entry.body:
        lines += [entry.body, ""]
    if entry.learned:
        lines += [f"**Learned:** {entry.learned}", ""]
    facts = []
    if entry.hours is not None:
        facts.append(f"{entry.hours} h")
    if entry.energy:
        facts.append(f"energy {entry.energy}/5")
    if entry.serves_purpose:
        facts.append("serves my purpose")
    if facts:
        lines += [f"*{', '.join(facts)}*", ""]
    return "\n".join(lines)


def _weeks(entries: Iterable[JournalEntry]) -> Iterator[tuple[str, list[JournalEntry]]]:
    """(week, its entries) as the entries come, oldest first: one week held
    at a time, however long the journal."""
    week, items = None, []
    for entry in entries:
        this = _week(entry)
        if this != week and items:
            yield week, items
            items = []
        week = this
        items.append(entry)
    if items:
        yield week, items


def write_markdown(
    out: IO[bytes], *, user: User, entries: Iterable[JournalEntry], titles: dict[int, str]
) -> None:
    out.write(f"# Journal of {user.display_name}\n".encode())
    for week, items in _weeks(entries):
        parts = ["", f"## {week}", "", *(_entry_markdown(e, titles) for e in items)]
        out.write("\n".join(parts).encode())


def write_zip(
    out: IO[bytes], *, user: User, entries: Iterable[JournalEntry], titles: dict[int, str]
) -> None:
    """A Markdown file a week. zipfile writes each member as it is added
    (compressed into `out`), so only the week in hand is in memory."""
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for week, items in _weeks(entries):
            text = "\n".join([f"# {week}", "", *(_entry_markdown(e, titles) for e in items)])
            archive.writestr(f"{week}.md", text)


def write_json(
    out: IO[bytes], *, user: User, entries: Iterable[JournalEntry], settings: JournalSettings
) -> None:
    """One JSON document, written entry by entry."""
    author = {"email": user.email, "display_name": user.display_name, "timezone": user.timezone}
    head = json.dumps({"author": author, "purpose": settings.purpose}, ensure_ascii=False)
    out.write(head[:-1].encode() + b', "entries": [')
    for n, entry in enumerate(entries):
        item = EntryPublic.model_validate(entry).model_dump(mode="json")
        out.write((", " if n else "\n").encode() + json.dumps(item, ensure_ascii=False).encode())
        out.write(b"\n")
    out.write(b"]}\n")
