"""Writes to the journal. Never commits."""

from datetime import date
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlmodel import Session

from app.auth.models import User
from app.db import utcnow
from app.errors import Refused
from app.journal.models import (
    EntryIn,
    EntryKind,
    EntryUpdate,
    JournalEntry,
    JournalRevision,
    JournalSettings,
    SettingsIn,
)
from app.markdown import render_markdown
from app.teams.events import member_leaving
from app.teams.queries import membership_of
from app.versions import claim_version

_REQUIRED = {"day", "kind", "body", "learned", "serves_purpose"}
_REVISED = (
    "day",
    "kind",
    "project_id",
    "body",
    "body_html",
    "learned",
    "hours",
    "energy",
    "serves_purpose",
)


def today_for(user: User) -> date:
    """Today where the user is, not where the server is."""
    return utcnow().astimezone(ZoneInfo(user.timezone)).date()


def _check_team(session: Session, *, author_id: int, team_id: int | None) -> None:
    """An entry is shared only with a team its author is in; another team is
    one they cannot see (not found, as a project would be)."""
    if team_id is not None and membership_of(session, user_id=author_id, team_id=team_id) is None:
        raise Refused(
            404,
            "not_a_member",
            "You can share an entry only with a team you are a member of.",
            field="shared_team_id",
        )


def entry_create(
    session: Session, *, author: User, data: EntryIn, replan_id: int | None = None
) -> JournalEntry:
    """`data.project_id`, if any, must already be checked as visible to the author."""
    _check_said_something(data.body, data.learned)
    _check_team(session, author_id=author.id, team_id=data.shared_team_id)
    entry = JournalEntry(
        author_id=author.id,
        replan_id=replan_id,
        **data.model_dump(exclude={"day"}),
        body_html=render_markdown(data.body),
        day=data.day or today_for(author),
    )
    session.add(entry)
    session.flush()
    return entry


def _check_said_something(body: str, learned: str) -> None:
    """An entry with no words would count in pace and the weekly review as
    work that nobody can read back: refused."""
    if not body.strip() and not learned.strip():
        raise Refused(
            422,
            "validation_error",
            "Write what you did, or what you learned: an empty entry is not saved.",
            field="body",
        )


def entry_update(session: Session, *, entry: JournalEntry, data: EntryUpdate) -> JournalEntry:
    """Keep the entry as it was, then apply the change made against `data.version`."""
    _check_said_something(
        entry.body if data.body is None else data.body,
        entry.learned if data.learned is None else data.learned,
    )
    if "shared_team_id" in data.model_fields_set:
        _check_team(session, author_id=entry.author_id, team_id=data.shared_team_id)
    claim_version(session, entry, expected=data.version, what="entry", updated_at=utcnow())
    session.add(
        JournalRevision(
            entry_id=entry.id, version=data.version, **{k: getattr(entry, k) for k in _REVISED}
        )
    )
    body = entry.body
    for name, value in data.model_dump(exclude_unset=True, exclude={"version"}).items():
        if value is None and name in _REQUIRED:
            continue  # an entry always keeps a day, a kind and its texts
        setattr(entry, name, value)
    if entry.body != body:
        entry.body_html = render_markdown(entry.body)
    session.flush()
    session.refresh(entry, ["version", "updated_at"])
    return entry


def entry_archive(session: Session, *, entry: JournalEntry) -> JournalEntry:
    if entry.archived_at is None:
        entry.archived_at = utcnow()
        session.flush()
    return entry


def entry_restore(session: Session, *, entry: JournalEntry) -> JournalEntry:
    if entry.archived_at is not None:
        entry.archived_at = None
        session.flush()
    return entry


def replan_entry_create(
    session: Session, *, author: User, project_id: int, replan_id: int, summary: str, learned: str
) -> JournalEntry:
    """The journal's record of a finished re-plan: process, not outcome."""
    return entry_create(
        session,
        author=author,
        data=EntryIn(kind=EntryKind.replan, project_id=project_id, body=summary, learned=learned),
        replan_id=replan_id,
    )


def settings_save(session: Session, *, user: User, data: SettingsIn) -> JournalSettings:
    settings = session.get(JournalSettings, user.id)
    if settings is None:
        settings = JournalSettings(user_id=user.id)
        session.add(settings)
    for name, value in data.model_dump().items():
        setattr(settings, name, value)
    session.flush()
    return settings


@member_leaving.connect
def _unshare_entries_of(_sender, *, session: Session, team_id: int, user_id: int) -> None:
    """A member leaving a team takes their shared entries back: private again."""
    session.execute(
        sa.update(JournalEntry)
        .where(JournalEntry.author_id == user_id, JournalEntry.shared_team_id == team_id)
        .values(shared_team_id=None)
    )
