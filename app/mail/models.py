"""The outbox, and what each user wants by e-mail.

An outbox row is a message to send: written in the transaction of the event
that causes it, delivered by `goldfish worker`, and kept afterwards as the
record of what was sent or why it failed. A message about a notification (a
review request, a likely scoop) or a digest is composed when it is sent,
so that what the reader can no longer see is never in it.
"""

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict
from pydantic import Field as PydanticField
from sqlmodel import Field, SQLModel

from app.db import EnumText, UTCDateTime, in_check, utcnow

SUBJECT_MAX = 300
ERROR_MAX = 500


class MailStatus(StrEnum):
    queued = "queued"  # waiting for its due time (the first try, or a retry)
    sending = "sending"  # claimed by a worker (its lease says until when)
    sent = "sent"  # the server accepted it
    failed = "failed"  # given up after the last attempt; last_error says why
    dropped = "dropped"  # nothing left to say (the reader lost access, unsubscribed)


class MailKind(StrEnum):
    account = "account"  # password reset, sign-up: composed when queued
    test = "test"  # `goldfish mail test`
    notice = "notice"  # one notification (a review request or answer, a scoop)
    scoops = "scoops"  # the likely scoops of an hour
    digest = "digest"  # the weekly digest


class MailOutbox(SQLModel, table=True):
    __tablename__ = "mail_outbox"
    __table_args__ = (
        sa.CheckConstraint(in_check("status", MailStatus), name="status"),
        sa.CheckConstraint(in_check("kind", MailKind), name="kind"),
        sa.Index("ix_mail_outbox_due", "status", "due_at"),
        sa.Index("ix_mail_outbox_user", "user_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: MailKind = Field(sa_type=EnumText(MailKind, 12))
    to_address: str = Field(max_length=254)
    # Whom it is for, when it is about their data (checked again when sent).
    user_id: int | None = Field(default=None, foreign_key="user.id", ondelete="CASCADE")
    # The notification a `notice` tells of (notifications sit above mail).
    notification_id: int | None = None
    # Scoops of an hour and digests are queued once per period: a second
    # event of the same hour finds the row there.
    dedupe_key: str | None = Field(default=None, max_length=100, unique=True)
    # Composed when queued (account mail) or when sent (the rest): either
    # way, what was sent.
    subject: str = Field(default="", max_length=SUBJECT_MAX)
    body_text: str = Field(default="", sa_type=sa.Text)
    body_html: str = Field(default="", sa_type=sa.Text)

    status: MailStatus = Field(default=MailStatus.queued, sa_type=EnumText(MailStatus, 8))
    attempts: int = 0
    last_error: str = Field(default="", max_length=ERROR_MAX)
    due_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    lease_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class ScoopMail(StrEnum):
    off = "off"
    each = "each"  # as each is found
    hourly = "hourly"  # those of an hour in one message


class MailPreference(SQLModel, table=True):
    """What a user wants by e-mail; no row means nothing at all."""

    __tablename__ = "mail_preference"
    __table_args__ = (
        sa.CheckConstraint(in_check("scoops", ScoopMail), name="scoops"),
        sa.CheckConstraint("digest_weekday BETWEEN 0 AND 6", name="digest_weekday"),
        sa.CheckConstraint("digest_hour BETWEEN 0 AND 23", name="digest_hour"),
        sa.Index("ix_mail_preference_digest_next", "digest_next_at"),
    )

    user_id: int = Field(primary_key=True, foreign_key="user.id", ondelete="CASCADE")
    scoops: ScoopMail = Field(default=ScoopMail.off, sa_type=EnumText(ScoopMail, 8))
    reviews: bool = False
    digest: bool = False
    digest_weekday: int = 0  # Monday, in the user's time zone
    digest_hour: int = 8
    # The next digest, in UTC, from the weekday and hour in the user's zone;
    # None while the digest is off.
    digest_next_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


class MailPreferenceForm(BaseModel):
    """The account page's e-mail form: unticked boxes are absent, so absent is off."""

    model_config = ConfigDict(extra="ignore")
    scoops: ScoopMail = ScoopMail.off
    reviews: bool = False
    digest: bool = False
    digest_weekday: int = PydanticField(default=0, ge=0, le=6)
    digest_hour: int = PydanticField(default=8, ge=0, le=23)
