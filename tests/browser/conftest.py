"""Fixtures for the end-to-end tests: a real uvicorn serving a migrated
database, and Debian's Chromium driven by Playwright (sync API).

One server per test module (its database is of the kind under test: SQLite,
or PostgreSQL with `pytest --postgres`); one browser per session; a fresh
browser context, so a fresh visitor with no cookies, per test.

Chromium is never downloaded: the tests use /usr/bin/chromium
(`apt-get install chromium`). Without it they are skipped, or fail when
GOLDFISH_REQUIRE_BROWSER=1 (CI sets it, so a missing browser cannot pass
silently).
"""

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from alembic import command
from playwright.sync_api import Browser, Page, sync_playwright
from playwright.sync_api import Error as PlaywrightError
from sqlmodel import Session

from app.auth.queries import any_user_exists
from app.cli import alembic_config
from app.db import make_engine
from bench import server

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
# Short waits: every page here answers in milliseconds, and a failing test
# should say so quickly rather than after Playwright's default 30 s.
TIMEOUT_MS = 5_000


@dataclass(frozen=True)
class LiveServer:
    url: str
    database_url: str
    log_path: Path

    def has_accounts(self) -> bool:
        """Whether anyone has signed up yet (it decides where / sends a visitor)."""
        engine = make_engine(self.database_url)
        try:
            with Session(engine) as session:
                return any_user_exists(session)
        finally:
            engine.dispose()

    def log_tail(self, lines: int = 40) -> str:
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


@pytest.fixture(scope="session")
def chromium_executable() -> Path:
    if CHROMIUM.exists():
        return CHROMIUM
    message = (
        f"browser tests need Chromium at {CHROMIUM} (apt-get install -y chromium); "
        "Playwright's own browser downloads are not used"
    )
    if os.environ.get("GOLDFISH_REQUIRE_BROWSER") == "1":
        pytest.fail(message + " [GOLDFISH_REQUIRE_BROWSER=1]")
    pytest.skip(message)


@pytest.fixture(scope="module")
def live_server(
    chromium_executable: Path,
    new_database_url,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[LiveServer]:
    """`goldfish serve` in a subprocess, on a free port, over a freshly migrated database."""
    database_url = new_database_url("e2e")
    command.upgrade(alembic_config(database_url), "head")
    with server.running(database_url, tmp_path_factory.mktemp("live-server")) as running:
        yield LiveServer(url=running.url, database_url=database_url, log_path=running.log_path)


@pytest.fixture(scope="session")
def browser(chromium_executable: Path) -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(chromium_executable), args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


_CALL_FAILED = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    report = yield
    if report.when == "call":
        item.stash[_CALL_FAILED] = report.failed
    return report


def _keep_evidence(page: Page, live_server: LiveServer, tmp_path: Path) -> None:
    """After a failed test: a screenshot, the page's HTML and the server log's
    tail, printed with the test's captured output."""
    print(f"page at failure: {page.url}")
    try:
        page.screenshot(path=str(tmp_path / "failure.png"), full_page=True)
        (tmp_path / "failure.html").write_text(page.content())
        print(f"screenshot and HTML in {tmp_path}")
    except PlaywrightError as exc:
        print(f"no screenshot: {exc}")
    print(f"server log ({live_server.log_path}), last lines:\n{live_server.log_tail()}")


def _open_page(
    request: pytest.FixtureRequest,
    browser: Browser,
    live_server: LiveServer,
    tmp_path: Path,
    *,
    javascript: bool,
) -> Iterator[Page]:
    context = browser.new_context(base_url=live_server.url, java_script_enabled=javascript)
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    page = context.new_page()
    try:
        yield page
        if request.node.stash.get(_CALL_FAILED, False):
            _keep_evidence(page, live_server, tmp_path)
    finally:
        context.close()


@pytest.fixture
def page(
    request: pytest.FixtureRequest, browser: Browser, live_server: LiveServer, tmp_path: Path
) -> Iterator[Page]:
    """A fresh visitor with JavaScript on (so HTMX runs)."""
    yield from _open_page(request, browser, live_server, tmp_path, javascript=True)


@pytest.fixture
def nojs_page(
    request: pytest.FixtureRequest, browser: Browser, live_server: LiveServer, tmp_path: Path
) -> Iterator[Page]:
    """A fresh visitor with JavaScript off: plain forms and links only."""
    yield from _open_page(request, browser, live_server, tmp_path, javascript=False)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Every test here drives Chromium: marked `browser` whether or not its
    module says so (`make test-fast` and the PostgreSQL pass leave them out)."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)
