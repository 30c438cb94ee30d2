"""E-mail delivery by one worker against a local aiosmtpd server, and the
outbox's claim with 10,000 messages queued.

Prints, in one run on a migrated SQLite file (or the DATABASE_URL given):
- messages/second delivered by the worker's loop (claim, compose, send,
  record each), against a baseline of the same messages sent by bare
  smtplib over one connection with no database at all;
- the time of one claim (a batch of 50) with 10,000 queued, against the
  same claim with 100 queued.

    python -m bench.mail [--messages 2000] [--queued 10000]
"""

import argparse
import smtplib
import sys
import tempfile
import time
from pathlib import Path
from statistics import median

import sqlalchemy as sa
from aiosmtpd.controller import Controller
from alembic import command

from app.cli import alembic_config
from app.config import Settings
from app.db import Database, make_engine, utcnow
from app.mail.delivery import deliver_due
from app.mail.models import MailKind, MailOutbox
from app.mail.outbox import mail_claim
from app.mail.smtp import Letter, as_message
from bench.server import free_port

TEXT = "A likely scoop of your project: https://gf.example.org/inbox#project-1\n" * 5
HTML = "<p>A likely scoop of your project: <a href='https://gf.example.org/inbox'>open</a></p>" * 5


class _Sink:
    def __init__(self) -> None:
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        return "250 OK"


def _queue(database: Database, n: int) -> None:
    rows = [
        {
            "kind": MailKind.test,
            "to_address": f"r{i}@example.org",
            "subject": f"Message {i}",
            "body_text": TEXT,
            "body_html": HTML,
            "status": "queued",
            "attempts": 0,
            "last_error": "",
        }
        for i in range(n)
    ]
    with database.session(write=True) as session:
        now = utcnow()
        for row in rows:
            row |= {"due_at": now, "created_at": now}
        session.execute(sa.insert(MailOutbox), rows)
        session.commit()


def _clear(database: Database) -> None:
    with database.session(write=True) as session:
        session.execute(sa.delete(MailOutbox))
        session.commit()


def _claim_ms(database: Database, tries: int = 30) -> float:
    times = []
    for _ in range(tries):
        with database.session(write=True) as session:
            start = time.perf_counter()
            mail_claim(session, limit=50)
            times.append((time.perf_counter() - start) * 1000)
            session.rollback()
    return median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--queued", type=int, default=10_000)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'mail.db'}"
        command.upgrade(alembic_config(url), "head")
        database = Database(make_engine(url))
        sink = _Sink()
        controller = Controller(sink, hostname="127.0.0.1", port=free_port())
        controller.start()
        try:
            settings = Settings(
                env="test",
                database_url=url,
                secret_key="b" * 48,
                smtp_url=f"smtp://127.0.0.1:{controller.port}",
                base_url="https://gf.example.org",
            )
            # Baseline: bare smtplib, one connection, nothing recorded.
            client = smtplib.SMTP("127.0.0.1", controller.port, timeout=15)
            start = time.perf_counter()
            for i in range(args.messages):
                letter = Letter(
                    to=f"r{i}@example.org", subject=f"Message {i}", text=TEXT, html=HTML
                )
                client.send_message(as_message(settings, letter))
            bare = args.messages / (time.perf_counter() - start)
            client.quit()

            _queue(database, args.messages)
            start = time.perf_counter()
            sent = 0
            while (done := deliver_due(database, settings)).handled:
                sent += done.sent
            worker = sent / (time.perf_counter() - start)
            assert sent == args.messages, f"sent {sent} of {args.messages}"

            _clear(database)
            _queue(database, 100)
            small = _claim_ms(database)
            _clear(database)
            _queue(database, args.queued)
            big = _claim_ms(database)
        finally:
            controller.stop()
            database.dispose()

    size = len(TEXT) + len(HTML)
    print(f"database: {database.engine.dialect.name}; {args.messages} messages of ~{size} B")
    print(f"bare smtplib (baseline)      {bare:8.0f} messages/s")
    print(f"one worker, via the outbox   {worker:8.0f} messages/s   ({worker / bare:.2f}x bare)")
    print(f"claim of 50, 100 queued      {small:8.2f} ms")
    ratio = f"({big / small:.2f}x the 100-queued claim)"
    print(f"claim of 50, {args.queued:,} queued   {big:8.2f} ms   {ratio}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
