"""What each e-mail says, composed when it is sent: from the templates of
the activity list and the digest page, for the reader as they are now.
A reader who lost access (left the team, the project went private, the
account was closed) or turned that kind off meanwhile is sent nothing, and
the outbox records why."""

from datetime import timedelta

from sqlmodel import Session

from app.auth.models import User
from app.config import Settings
from app.journal.queries import iso_week
from app.mail.models import MailKind, MailOutbox
from app.mail.preferences import preference_get, wants
from app.mail.smtp import Letter
from app.mail.tokens import unsubscribe_token
from app.mailings.digests import digest_week
from app.mailings.links import link_builder
from app.notifications.mailing import REVIEW_KINDS
from app.notifications.models import NoticeKind
from app.notifications.queries import notice_for, notifications_between
from app.overview.week_page import KIND_HEADINGS, digest_for
from app.web import templates

GONE = "The reader's account is closed."
UNSUBSCRIBED = "The reader turned this kind of e-mail off before it was sent."
HIDDEN = "The reader can no longer see what it was about."

SUBJECTS = {
    NoticeKind.review_requested: "Review requested: {summary}",
    NoticeKind.review_answered: "Your review request was answered: {summary}",
    NoticeKind.scoop_suggested: "Likely scoop: {summary}",
}


def _reader(session: Session, row: MailOutbox) -> User | None:
    user = session.get(User, row.user_id) if row.user_id else None
    return user if user is not None and user.is_active else None


def _render(settings: Settings, user: User, name: str, kind: str, **context) -> Letter:
    path_for = link_builder(settings)
    unsubscribe = path_for(
        "mail_unsubscribe", token=unsubscribe_token(settings, user_id=user.id, kind=kind)
    )
    context |= {
        "path_for": path_for,
        "current_user": user,
        "unsubscribe_url": unsubscribe,
        "kind": kind,
        "base_url": settings.public_url,
    }
    html = templates.env.get_template(f"mail/{name}.html").render(context)
    text = templates.env.get_template(f"mail/{name}.txt").render(context)
    return Letter(
        to=user.email,
        subject=context["subject"],
        text=text,
        html=html,
        unsubscribe_url=unsubscribe,
    )


def compose_notice(session: Session, row: MailOutbox, settings: Settings) -> Letter | str:
    user = _reader(session, row)
    if user is None:
        return GONE
    n = notice_for(session, user=user, notification_id=row.notification_id or 0)
    if n is None or n.hidden:
        return HIDDEN
    kind = "reviews" if n.kind in REVIEW_KINDS else "scoops"
    if not wants(preference_get(session, user_id=user.id), kind):
        return UNSUBSCRIBED
    subject = SUBJECTS[n.kind].format(summary=n.summary)[:200]
    return _render(settings, user, "notice", kind, n=n, subject=subject)


def compose_scoops(session: Session, row: MailOutbox, settings: Settings) -> Letter | str:
    """The likely scoops found in the hour before the message fell due."""
    user = _reader(session, row)
    if user is None:
        return GONE
    if not wants(preference_get(session, user_id=user.id), "scoops"):
        return UNSUBSCRIBED
    found = notifications_between(
        session, user=user, since=row.due_at - timedelta(hours=1), until=row.due_at
    )
    notices = [n for n in found if n.kind is NoticeKind.scoop_suggested and not n.hidden]
    if not notices:
        return HIDDEN
    count = len(notices)
    subject = f"{count} likely scoop{'s' if count > 1 else ''} of your projects"
    return _render(settings, user, "scoops", "scoops", notices=notices, subject=subject)


def compose_digest(session: Session, row: MailOutbox, settings: Settings) -> Letter | str:
    """The weekly digest, as the digest page shows that week to the reader now."""
    user = _reader(session, row)
    if user is None:
        return GONE
    if not wants(preference_get(session, user_id=user.id), "digest"):
        return UNSUBSCRIBED
    start = digest_week(row.due_at, user.timezone)
    digest = digest_for(session, user=user, start=start)
    subject = f"Your Goldfish week: {start:%d %b} – {digest.end:%d %b %Y}"
    return _render(
        settings,
        user,
        "digest",
        "digest",
        digest=digest,
        headings=KIND_HEADINGS,
        week=iso_week(start),
        subject=subject,
    )


COMPOSERS = {
    MailKind.notice: compose_notice,
    MailKind.scoops: compose_scoops,
    MailKind.digest: compose_digest,
}
