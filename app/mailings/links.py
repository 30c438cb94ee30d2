"""Absolute links in e-mail, built on GOLDFISH_BASE_URL. The worker has no
request to ask the router, so the paths the mails link to are listed here;
tests/mail/test_links.py checks each against the application's routes."""

from urllib.parse import quote

from app.config import Settings

PATHS = {
    "account": "/account",
    "digest": "/digest",
    "inbox": "/inbox",
    "notification_list": "/activity",
    "project_detail": "/projects/{project_id}",
    "review_detail": "/reviews/{request_id}",
    "round_detail": "/rounds/{round_id}",
    "journal_review": "/journal/review",
    "mail_unsubscribe": "/mail/unsubscribe/{token}",
}


def link_builder(settings: Settings):
    """`path_for(name, **params)` for mail templates, absolute."""
    base = settings.public_url

    def path_for(name: str, /, **params: object) -> str:
        path = PATHS[name]
        for param, value in params.items():
            path = path.replace(f"{{{param}}}", quote(str(value), safe=""))
        return base + path

    return path_for
