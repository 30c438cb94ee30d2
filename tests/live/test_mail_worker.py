"""Mail delivery by `goldfish worker` and `goldfish mail test` in real
processes over a real database: two workers at once send each queued
message exactly once (FOR UPDATE SKIP LOCKED on PostgreSQL)."""

import subprocess
from collections import Counter
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import Session, select

from app.mail.models import MailKind, MailOutbox, MailStatus
from app.mail.outbox import mail_enqueue
from bench.server import GOLDFISH, server_env
from tests.support.smtp import SmtpServer

MESSAGES = 120


def _env(database_url: str, smtp_url: str) -> dict[str, str]:
    return server_env(
        database_url,
        {
            "GOLDFISH_SMTP_URL": smtp_url,
            "GOLDFISH_BASE_URL": "https://gf.example.org",
            "GOLDFISH_WORKER_IDLE_SECONDS": "0.2",
        },
    )


def test_two_workers_send_each_queued_message_once(database, database_url_live, tmp_path: Path):
    with Session(database.engine) as db:
        for n in range(MESSAGES):
            mail_enqueue(db, kind=MailKind.test, to=f"r{n}@example.org", subject=f"n{n}", text="x")
        db.commit()
    with SmtpServer() as smtp:
        env = _env(database_url_live, smtp.url)
        logs = [tmp_path / f"w{i}.log" for i in range(2)]
        workers = []
        for log in logs:
            with log.open("w") as out:
                workers.append(
                    subprocess.Popen(
                        [str(GOLDFISH), "worker", "--once"], env=env, stdout=out, stderr=out
                    )
                )
        codes = [w.wait(timeout=120) for w in workers]
        text = "\n".join(log.read_text() for log in logs)
        assert codes == [0, 0], text
        assert "Traceback" not in text
        received = Counter(m["Subject"] for m in smtp.inbox.received)
    assert received == Counter(f"n{n}" for n in range(MESSAGES)), "each one, once"
    assert len({m["Message-ID"] for m in smtp.inbox.received}) == MESSAGES
    with Session(database.engine) as db:
        statuses = db.exec(select(MailOutbox.status, sa.func.count()).group_by(MailOutbox.status))
        assert dict(statuses.all()) == {MailStatus.sent: MESSAGES}


def test_mail_test_sends_now_and_keeps_the_record(database, database_url_live):
    with SmtpServer() as smtp:
        run = subprocess.run(
            [str(GOLDFISH), "mail", "test", "ada@example.org"],
            env=_env(database_url_live, smtp.url),
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert run.returncode == 0, run.stderr
        assert "Sent to ada@example.org" in run.stdout
        [message] = smtp.inbox.received
    assert message["To"] == "ada@example.org"
    assert "https://gf.example.org" in message.get_body(("plain",)).get_content()
    assert 'href="https://gf.example.org"' in message.get_body(("html",)).get_content()
    with Session(database.engine) as db:
        [row] = db.exec(select(MailOutbox)).all()
        assert (row.kind, row.status) == (MailKind.test, MailStatus.sent)


def test_mail_test_says_why_it_was_not_sent(database, database_url_live):
    # Nothing listens on this port: the connection is refused.
    from bench.server import free_port

    run = subprocess.run(
        [str(GOLDFISH), "mail", "test", "ada@example.org"],
        env=_env(database_url_live, f"smtp://127.0.0.1:{free_port()}"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 1
    assert "Not sent: The mail server refused the connection" in run.stderr
    with Session(database.engine) as db:
        [row] = db.exec(select(MailOutbox)).all()
        assert row.status is MailStatus.queued and row.attempts == 1
