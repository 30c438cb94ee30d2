"""Seeding a database for the page bench: realistic data for each feature,
written through the app's own services where a service exists (projects,
re-scores, links, re-plans, reviews), bulk-inserted where only volume
matters (releases, journal entries, old notifications).

Every seed function takes the `Seeder`: the database, the random source (a
fixed seed, so a run seeds the same data as the last) and the users made so
far, which `delete_seeded()` removes from a database the bench was pointed at.
One module per feature; a feature's seeding may use a lower one's (teams use
projects and releases), never the other way round.
"""

import random
import secrets
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlmodel import Session, SQLModel

from app.auth.models import ApiToken, User, UserSession
from app.db import Database
from app.journal.models import JournalEntry, JournalRevision, JournalSettings
from app.notifications.models import Notification
from app.projects.models import Assessment, PlanVersion, Project, ProjectKeyword
from app.releases.models import Release, ReleaseLink
from app.replans.models import Replan, ReplanDraft
from app.reviews.models import Review, ReviewComment, ReviewQuestion, ReviewRequest
from app.teams.models import Invite, Membership, Team

# The server under test runs with this key, so the seeded users' session
# cookies (signed with it) let the bench in as them.
SECRET_KEY = "bench-" + "x" * 42
PASSWORD = "bench password, not a secret"  # noqa: S105
SEED = 20261122


def insert_rows(s: Session, model: type[SQLModel], rows: list[dict], *, chunk: int = 2000) -> None:
    """Rows bulk-inserted past the services (where only volume matters), a
    chunk a statement so that no statement grows with the data."""
    for start in range(0, len(rows), chunk):
        s.execute(sa.insert(model.__table__), rows[start : start + chunk])


@dataclass
class Seeder:
    """Where seeding writes, with what randomness, and whom it has made."""

    db: Database
    database_url: str
    rng: random.Random = field(default_factory=lambda: random.Random(SEED))  # noqa: S311 (data, not secrets)
    tag: str = field(default_factory=lambda: secrets.token_hex(3))  # in every seeded email
    user_ids: list[int] = field(default_factory=list)

    def delete_seeded(self) -> None:
        """Remove what the bench wrote to a database it was pointed at."""
        user_ids = self.user_ids
        if not user_ids:
            return
        with self.db.session(write=True) as s:
            owned = sa.select(Project.id).where(Project.owner_id.in_(user_ids))
            releases = sa.select(Release.id).where(Release.owner_id.in_(user_ids))
            teams = sa.select(Team.id).where(Team.created_by_id.in_(user_ids))
            s.execute(
                sa.delete(Notification).where(
                    Notification.user_id.in_(user_ids) | Notification.actor_id.in_(user_ids)
                )
            )
            requests = sa.select(ReviewRequest.id).where(
                ReviewRequest.requested_by_id.in_(user_ids) | ReviewRequest.project_id.in_(owned)
            )
            for model in (ReviewComment, ReviewQuestion, Review):
                s.execute(sa.delete(model).where(model.request_id.in_(requests)))
            s.execute(sa.delete(ReviewRequest).where(ReviewRequest.id.in_(requests)))
            entries = sa.select(JournalEntry.id).where(JournalEntry.author_id.in_(user_ids))
            s.execute(sa.delete(JournalRevision).where(JournalRevision.entry_id.in_(entries)))
            s.execute(sa.delete(JournalEntry).where(JournalEntry.author_id.in_(user_ids)))
            s.execute(sa.delete(JournalSettings).where(JournalSettings.user_id.in_(user_ids)))
            s.execute(sa.delete(ReplanDraft).where(ReplanDraft.author_id.in_(user_ids)))
            s.execute(sa.delete(Replan).where(Replan.project_id.in_(owned)))
            s.execute(
                sa.delete(ReleaseLink).where(
                    ReleaseLink.release_id.in_(releases) | ReleaseLink.project_id.in_(owned)
                )
            )
            s.execute(sa.delete(Release).where(Release.owner_id.in_(user_ids)))
            for model in (ProjectKeyword, Assessment, PlanVersion):
                s.execute(sa.delete(model).where(model.project_id.in_(owned)))
            s.execute(sa.delete(Project).where(Project.owner_id.in_(user_ids)))
            s.execute(sa.delete(Invite).where(Invite.team_id.in_(teams)))
            s.execute(
                sa.delete(Membership).where(
                    Membership.user_id.in_(user_ids) | Membership.team_id.in_(teams)
                )
            )
            s.execute(sa.delete(Team).where(Team.created_by_id.in_(user_ids)))
            for model in (UserSession, ApiToken):
                s.execute(sa.delete(model).where(model.user_id.in_(user_ids)))
            s.execute(sa.delete(User).where(User.id.in_(user_ids)))
            s.commit()
