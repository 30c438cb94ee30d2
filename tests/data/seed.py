"""An instance with rows in every table the app owns, made through the
app's services where one exists (as tests/factories.py does), with the
values an archive must carry exactly: text beyond ASCII, keywords that sort
differently by locale than bytewise, decimals, JSON, nulls, floats."""

from datetime import timedelta
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Session

from app.auth import service as auth_service
from app.auth.models import LoginAttempt, ThrottleEvent, User
from app.calendar_feed import service as calendar_service
from app.db import utcnow
from app.feeds.models import FeedItem
from app.journal import service as journal_service
from app.journal.models import EntryUpdate, JournalSettings
from app.mail.models import MailKind, ScoopMail
from app.mail.outbox import mail_enqueue
from app.mail.preferences import preference_save
from app.models import metadata
from app.replans.models import ReplanDraft
from app.reviews import queries as review_queries
from app.reviews import service as review_service
from app.reviews.models import CommentCreate
from tests import factories


def seed_every_table(db: Session) -> dict[str, User]:
    ada = factories.make_user(db, email="ada@example.org", display_name="Ada Lovelace-Byröñ")
    grace = factories.make_user(db, email="grace@example.org", display_name="Grace 🐟")
    factories.make_token(db, ada, name="laptop")
    auth_service.session_create(db, user=ada)
    auth_service.reset_create(db, user=grace)
    auth_service.signup_pending(
        db, email="new@example.org", display_name="Newcomer", password_hash="!"
    )
    db.add(LoginAttempt(email="ada@example.org", client_ip="192.0.2.7"))
    db.add(ThrottleEvent(action="signup", key="192.0.2.7"))
    db.add(JournalSettings(user_id=ada.id, purpose="Understand *why* tuning works"))
    db.commit()

    team = factories.make_team(db, grace, "Vision — Zürich")
    factories.add_member(db, team, ada)
    factories.make_invite(db, team, grace, role="researcher")
    project = factories.make_project(
        db,
        ada,
        "Multilingual instruction tuning",
        team_id=team.id,
        # Bytewise "Zeta" < "a-b" < "ab" < "Äpfel"; a locale sorts them otherwise.
        keywords=["ab", "Äpfel", "a-b", "Zeta", "instruction tuning"],
        summary="Does a 7B model follow instructions in 40 languages?\nLine two.",
        goal="Ship the benchmark",
        contingency="Publish the analysis",
        questions="Do we value first, best or open?",
    )
    factories.make_project(db, ada, "Private side project")
    release = factories.make_release(
        db, ada, "Alpaca: a strong, replicable instruction-following model", kind="model"
    )
    factories.make_link(db, ada, release, project, effect="partial_scoop")
    factories.make_replan(db, project, ada, release)
    db.refresh(project)
    db.add(ReplanDraft(project_id=project.id, author_id=ada.id, step=3, data={"what": "ça"}))
    feed = factories.make_feed(db, ada, "arXiv cs.CL", team_id=team.id)
    db.add(FeedItem(feed_id=feed.id, release_id=release.id, guid="oai:arXiv.org:2303.1"))
    db.commit()
    factories.make_suggestion(db, release, project, score=0.8125, feed_id=feed.id)

    entry = factories.make_entry(
        db, ada, body="Ran the **eval**; 3 of 40 languages fail", hours="1.5", energy=4
    )
    journal_service.entry_update(
        db, entry=entry, data=EntryUpdate(version=entry.version, hours=Decimal("2.5"))
    )
    db.commit()
    factories.make_entry(db, ada, kind="rest", body="A walk", project_id=project.id)

    request = factories.make_request(db, project, ada, grace)
    view = review_queries.request_for(db, user=grace, request_id=request.id)
    review_service.comment_add(
        db, view=view, actor=grace, data=CommentCreate(body="What if Meta ships next week?")
    )
    db.commit()
    factories.make_review(db, request, grace, note="Risk known and accepted")
    scoring_round = factories.make_round(db, project, ada, [grace])
    factories.make_estimate(db, scoring_round, grace, (2, 5, 3), scoop_risk_rationale="Meta — sûr")
    factories.make_import(db, ada, "Title,Impact\nFrom a sheet,4\n")  # an upload, bytes and all
    calendar_service.link_create(db, user=ada)
    calendar_service.slot_save(db, user=grace, weekday=0, hour=9, minute=30, minutes=45)
    preference_save(
        db,
        user_id=ada.id,
        zone="Europe/Berlin",
        scoops=ScoopMail.hourly,
        reviews=True,
        digest=True,
        digest_weekday=0,
        digest_hour=8,
    )
    mail_enqueue(
        db,
        kind=MailKind.digest,
        to=ada.email,
        user_id=ada.id,
        dedupe_key=f"digest:{ada.id}:2026-11-30",
    )
    db.commit()
    # An old timestamp with no microseconds, and one far in the past.
    db.execute(
        sa.update(metadata.tables["release"]).values(
            created_at=utcnow().replace(microsecond=0) - timedelta(days=900)
        )
    )
    db.commit()
    return {"ada": ada, "grace": grace}


def row_counts(connection: sa.Connection) -> dict[str, int]:
    return {
        table.name: connection.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
        for table in metadata.sorted_tables
    }
