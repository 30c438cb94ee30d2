import pytest

from app.mailings.worker import deliver
from tests.support.smtp import SmtpServer

BASE = "https://gf.example.org"


@pytest.fixture
def smtp(app):
    """A local SMTP server the app's settings point at; `smtp.deliver()` runs
    the worker's delivery once, as `goldfish worker` would."""
    with SmtpServer() as server:
        app.state.settings.smtp_url = server.url
        app.state.settings.base_url = BASE
        app.state.settings.smtp_timeout_seconds = 2
        server.deliver = lambda: deliver(app.state.database, app.state.settings)
        yield server
