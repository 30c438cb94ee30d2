"""Every feature's table models, imported so SQLModel.metadata knows them all
(Alembic's autogenerate and the drift check read it)."""

from sqlmodel import SQLModel

from app.auth.models import ApiToken, LoginAttempt, User, UserSession
from app.calendar_feed.models import CalendarFeed
from app.feeds.models import Feed, FeedItem
from app.inbox.models import Suggestion
from app.journal.models import JournalEntry, JournalRevision, JournalSettings
from app.mail.models import MailOutbox, MailPreference
from app.notifications.models import Notification
from app.projects.models import Assessment, PlanVersion, Project, ProjectKeyword
from app.releases.models import Release, ReleaseLink
from app.replans.models import Replan, ReplanDraft
from app.reviews.models import Review, ReviewComment, ReviewQuestion, ReviewRequest
from app.rounds.models import Estimate, RoundEstimator, ScoringRound
from app.spreadsheets.models import ProjectImport
from app.teams.models import Invite, Membership, Team

metadata = SQLModel.metadata

__all__ = [
    "ApiToken",
    "Assessment",
    "CalendarFeed",
    "Estimate",
    "Feed",
    "FeedItem",
    "Invite",
    "JournalEntry",
    "JournalRevision",
    "JournalSettings",
    "LoginAttempt",
    "MailOutbox",
    "MailPreference",
    "Membership",
    "Notification",
    "PlanVersion",
    "Project",
    "ProjectImport",
    "ProjectKeyword",
    "Release",
    "ReleaseLink",
    "Replan",
    "ReplanDraft",
    "Review",
    "ReviewComment",
    "ReviewQuestion",
    "ReviewRequest",
    "RoundEstimator",
    "ScoringRound",
    "Suggestion",
    "Team",
    "User",
    "UserSession",
    "metadata",
]
