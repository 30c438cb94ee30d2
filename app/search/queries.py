"""The search page's one read: the best matches of each kind, each scoped as
its own list is (readable projects, own releases, own live journal)."""

from dataclasses import dataclass, field
from datetime import date

from markupsafe import Markup
from sqlmodel import Session

from app import fulltext
from app.auth.models import User
from app.journal.models import JournalEntry
from app.projects.models import Project
from app.projects.queries import readable_ids
from app.releases.models import Release

PER_KIND = 10


@dataclass(frozen=True)
class Hit:
    id: int
    title: str  # as written
    title_html: Markup  # escaped, the matched words in <mark>
    snippet_html: Markup
    day: date | None = None
    label: str = ""  # the release's kind, the entry's kind, a project's status


@dataclass
class Found:
    projects: list[Hit] = field(default_factory=list)
    releases: list[Hit] = field(default_factory=list)
    journal: list[Hit] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.projects) + len(self.releases) + len(self.journal)


def _hit(ident: int, title: str, snippet: str, day: date | None = None, label: str = "") -> Hit:
    marked = fulltext.marked(title)
    return Hit(ident, fulltext.unmarked(title), marked, fulltext.marked(snippet), day, label)


def search_everything(
    session: Session, *, user: User, text: str, per_kind: int = PER_KIND
) -> Found:
    """Up to `per_kind` hits of each kind, best first; nothing for a query
    without words."""
    dialect = session.get_bind().dialect.name
    found = Found()
    words = fulltext.terms(text)
    if not words:
        return found
    projects, releases, journal = (
        fulltext.Match(index, words, dialect)
        for index in (fulltext.PROJECTS, fulltext.RELEASES, fulltext.JOURNAL)
    )
    found.projects = [
        _hit(ident, title, snippet, label=status)
        for ident, status, title, snippet in session.execute(
            projects.ranked(
                Project,
                Project.id,
                Project.status,
                scope=Project.id.in_(readable_ids(user)),
                limit=per_kind,
            )
        )
    ]
    found.releases = [
        _hit(ident, title, snippet, day, kind)
        for ident, day, kind, title, snippet in session.execute(
            releases.ranked(
                Release,
                Release.id,
                Release.released_on,
                Release.kind,
                scope=Release.owner_id == user.id,
                limit=per_kind,
            )
        )
    ]
    own_live = (JournalEntry.author_id == user.id) & JournalEntry.archived_at.is_(None)
    found.journal = [
        _hit(ident, snippet, snippet, day, kind)
        for ident, day, kind, _, snippet in session.execute(
            journal.ranked(
                JournalEntry,
                JournalEntry.id,
                JournalEntry.day,
                JournalEntry.kind,
                scope=own_live,
                limit=per_kind,
            )
        )
    ]
    return found
