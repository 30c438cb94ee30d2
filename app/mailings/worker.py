"""The e-mail jobs `goldfish worker` runs between feed polls: queue the
digests that fell due, then deliver what is due in the outbox."""

import logging
from collections.abc import Callable

from app.config import Settings
from app.db import Database
from app.mail.delivery import Delivered, deliver_due
from app.mail.smtp import mail_configured
from app.mailings.compose import COMPOSERS
from app.mailings.digests import digests_queue_due

log = logging.getLogger(__name__)


def mail_job(settings: Settings) -> Callable[[Database], int]:
    def deliver_mail(database: Database) -> int:
        queued = queue_digests(database, settings)
        done = deliver(database, settings)
        return queued + done.handled

    return deliver_mail


def deliver(database: Database, settings: Settings, **kwargs) -> Delivered:
    done = deliver_due(database, settings, composers=composers(), **kwargs)
    if done.handled:
        log.info(
            "mail: %s sent, %s to retry, %s failed, %s dropped%s",
            done.sent,
            done.retried,
            done.failed,
            done.dropped,
            f" ({done.last_error})" if done.last_error else "",
        )
    return done


def queue_digests(database: Database, settings: Settings) -> int:
    """Queue the weekly digests that fell due (none while no mail is sent:
    they would only pile up)."""
    if not mail_configured(settings):
        return 0
    with database.session(write=True) as session:
        due = digests_queue_due(session)
        session.commit()
    return due


def composers() -> dict:
    return COMPOSERS
