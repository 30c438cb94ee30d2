"""The e-mail jobs `goldfish worker` runs between feed polls: queue the
digests that fell due, then deliver what is due in the outbox."""

import logging
from collections.abc import Callable

from app.config import Settings
from app.db import Database
from app.mail.delivery import Delivered, deliver_due
from app.mailings.compose import COMPOSERS

log = logging.getLogger(__name__)


def mail_job(settings: Settings) -> Callable[[Database], int]:
    def deliver_mail(database: Database) -> int:
        done = deliver(database, settings)
        return done.handled

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


def composers() -> dict:
    return COMPOSERS
