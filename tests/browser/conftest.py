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
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
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
from app.config import ROOT
from app.db import make_engine

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
STARTUP_SECONDS = 30


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


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _server_env(database_url: str) -> dict[str, str]:
    # Drop the caller's Goldfish settings (a developer's shell may close
    # sign-up or point at another database): the server sees only ours.
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("GOLDFISH_") and k not in ("DATABASE_URL", "HOST", "PORT")
    }
    env |= {
        "DATABASE_URL": database_url,
        "GOLDFISH_ENV": "test",
        "GOLDFISH_SECRET_KEY": secrets.token_urlsafe(36),  # 48 characters
    }
    return env


def _wait_until_healthy(url: str, process: subprocess.Popen, log_path: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=1) as response:  # noqa: S310
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.05)
    log = log_path.read_text(errors="replace")
    state = f"exited with {process.returncode}" if process.poll() is not None else "not healthy"
    pytest.fail(f"uvicorn {state} after start ({url}); its log:\n{log}")


@pytest.fixture(scope="module")
def live_server(
    chromium_executable: Path,
    new_database_url,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[LiveServer]:
    """uvicorn in a subprocess, on a free port, over a freshly migrated database."""
    database_url = new_database_url("e2e")
    command.upgrade(alembic_config(database_url), "head")

    workdir = tmp_path_factory.mktemp("live-server")  # no stray .env is read from here
    log_path = workdir / "uvicorn.log"
    url = f"http://127.0.0.1:{_free_port()}"
    port = url.rsplit(":", 1)[1]
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "app.main:create_app",
                "--factory",
                "--app-dir",
                str(ROOT),
                "--host",
                "127.0.0.1",
                "--port",
                port,
            ],
            cwd=workdir,
            env=_server_env(database_url),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_until_healthy(url, process, log_path)
            yield LiveServer(url=url, database_url=database_url, log_path=log_path)
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


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
