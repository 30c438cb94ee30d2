"""E-mail through the SMTP server GOLDFISH_SMTP_URL names (smtplib: the
standard library's client). Sending never happens inside a transaction:
callers send after their commit, from a background task."""

import smtplib
import ssl
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

from app.config import Settings

TIMEOUT_SECONDS = 15


def mail_configured(settings: Settings) -> bool:
    return bool(settings.smtp_url)


def send_mail(settings: Settings, *, to: str, subject: str, body: str) -> None:
    """Send one plain-text message; raises smtplib/OSError errors as they come."""
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    url = urlsplit(settings.smtp_url)
    host = url.hostname or "localhost"
    if url.scheme == "smtps":
        client = smtplib.SMTP_SSL(
            host, url.port or 465, timeout=TIMEOUT_SECONDS, context=ssl.create_default_context()
        )
    else:
        client = smtplib.SMTP(host, url.port or 25, timeout=TIMEOUT_SECONDS)
    with client:
        if url.scheme == "smtp":
            client.ehlo()
            if client.has_extn("starttls"):
                client.starttls(context=ssl.create_default_context())
                client.ehlo()
        if url.username:
            client.login(unquote(url.username), unquote(url.password or ""))
        client.send_message(message)
