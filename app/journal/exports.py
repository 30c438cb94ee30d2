"""The journal as files a person keeps: Markdown (one file, or a zip by
week) and JSON. Archived entries are included and marked."""

import io
import json
import zipfile
from collections.abc import Iterable

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


def _by_week(entries: Iterable[JournalEntry]) -> dict[str, list[JournalEntry]]:
    weeks: dict[str, list[JournalEntry]] = {}
    for entry in entries:
        weeks.setdefault(_week(entry), []).append(entry)
    return weeks


def as_markdown(*, user: User, entries: list[JournalEntry], titles: dict[int, str]) -> str:
    parts = [f"# Journal of {user.display_name}", ""]
    for week, items in _by_week(entries).items():
        parts += [f"## {week}", ""]
        parts += [_entry_markdown(e, titles) for e in items]
    return "\n".join(parts)


def as_zip(*, user: User, entries: list[JournalEntry], titles: dict[int, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for week, items in _by_week(entries).items():
            text = "\n".join([f"# {week}", "", *(_entry_markdown(e, titles) for e in items)])
            archive.writestr(f"{week}.md", text)
    return buffer.getvalue()


def as_json(*, user: User, entries: list[JournalEntry], settings: JournalSettings) -> str:
    return json.dumps(
        {
            "author": {
                "email": user.email,
                "display_name": user.display_name,
                "timezone": user.timezone,
            },
            "purpose": settings.purpose,
            "entries": [EntryPublic.model_validate(e).model_dump(mode="json") for e in entries],
        },
        ensure_ascii=False,
        indent=2,
    )
