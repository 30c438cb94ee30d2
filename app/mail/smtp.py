"""Talking to the SMTP server GOLDFISH_SMTP_URL names, with smtplib (the
standard library's client) and a timeout on every step. Only the worker
calls this, never a web request and never inside a transaction."""

import smtplib
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import format_datetime
from urllib.parse import unquote, urlsplit

from app.config import Settings
from app.db import utcnow


def mail_configured(settings: Settings) -> bool:
    return bool(settings.smtp_url)


@dataclass(frozen=True)
class Letter:
    """A message as composed: both parts, and how to stop getting its kind."""

    to: str
    subject: str
    text: str
    html: str = ""
    message_id: str = ""
    unsubscribe_url: str = ""
    headers: dict[str, str] = field(default_factory=dict)


def as_message(settings: Settings, letter: Letter) -> EmailMessage:
    """Plain text first, HTML as the alternative mail clients prefer."""
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = letter.to
    message["Subject"] = letter.subject
    message["Date"] = format_datetime(utcnow())
    if letter.message_id:
        message["Message-ID"] = letter.message_id
    if letter.unsubscribe_url:
        # RFC 8058: the mail client POSTs "List-Unsubscribe=One-Click" to the URL.
        message["List-Unsubscribe"] = f"<{letter.unsubscribe_url}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    for name, value in letter.headers.items():
        message[name] = value
    message.set_content(letter.text)
    if letter.html:
        message.add_alternative(letter.html, subtype="html")
    return message


def connect(settings: Settings) -> smtplib.SMTP:
    """A logged-in connection (STARTTLS when offered on smtp://, TLS from the
    start on smtps://); raises smtplib/OSError errors as they come."""
    url = urlsplit(settings.smtp_url)
    host = url.hostname or "localhost"
    timeout = settings.smtp_timeout_seconds
    if url.scheme == "smtps":
        client: smtplib.SMTP = smtplib.SMTP_SSL(
            host, url.port or 465, timeout=timeout, context=ssl.create_default_context()
        )
    else:
        client = smtplib.SMTP(host, url.port or 25, timeout=timeout)
    try:
        if url.scheme == "smtp":
            client.ehlo()
            if client.has_extn("starttls"):
                client.starttls(context=ssl.create_default_context())
                client.ehlo()
        if url.username:
            client.login(unquote(url.username), unquote(url.password or ""))
    except BaseException:
        client.close()
        raise
    return client


def error_in_words(exc: BaseException) -> str:
    """What went wrong, for the outbox's record and the command line."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        refused = "; ".join(
            f"{to}: {code} {reply.decode(errors='replace')}"
            for to, (code, reply) in exc.recipients.items()
        )
        return f"The server refused the recipient ({refused})"
    if isinstance(exc, smtplib.SMTPResponseException):
        reply = (
            exc.smtp_error.decode(errors="replace")
            if isinstance(exc.smtp_error, bytes)
            else exc.smtp_error
        )
        return f"The server answered {exc.smtp_code}: {reply}"
    # smtplib reports a reply that never came as a hang-up "timed out".
    if isinstance(exc, TimeoutError) or "timed out" in str(exc):
        return "The mail server did not answer in time"
    if isinstance(exc, ConnectionRefusedError):
        return "The mail server refused the connection"
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return f"The mail server hung up ({exc or 'no reason given'})"
    return f"{type(exc).__name__}: {exc}"
