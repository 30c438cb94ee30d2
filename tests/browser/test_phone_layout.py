"""Every page on a phone (390 × 844, real Chromium, a real server with the
demo portfolio): nothing scrolls sideways, and the main content offers at
most one primary button. The pages are read from the app's GET routes, so a
new page is measured the day it is added (or this test names it).

Set GOLDFISH_SHOTS=DIR to also save each page light and dark at 1280 and
390 px (GOLDFISH_SHOTS_PAGES: which, by path; how /work/notes/shots/look-c/
was made)."""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlmodel import Session, select

from app.auth.models import User
from app.db import make_engine
from app.demo.service import RESEARCHER_EMAIL
from app.feeds.models import Feed
from app.inbox.models import Suggestion
from app.journal.models import JournalEntry
from app.projects.models import Project
from app.releases.models import Release
from app.reviews.models import ReviewRequest
from app.teams.models import Team
from tests.browser.conftest import TIMEOUT_MS, LiveServer
from tests.browser.test_import_flow import SHEET
from tests.test_authorization import ROUTES

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
# GET routes that are not pages a person reads.
NOT_PAGES = {
    "/account/export": "a JSON download",
    "/journal/export.{fmt}": "a Markdown or JSON download",
    "/healthz": "a health probe",
}
_PARAM = re.compile(r"\{([a-z_]+)\}")
OVERFLOW = """() => ({
  scroll: document.documentElement.scrollWidth,
  inner: window.innerWidth,
  wide: [...document.querySelectorAll('body *')]
    .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 1
                    && el.parentElement.getBoundingClientRect().right <= window.innerWidth + 1
                    && !el.closest('header.top > nav'))
    .slice(0, 5).map((el) => el.tagName + '.' + el.className + ' ' + el.textContent.slice(0, 40))
})"""


def _ids(database_url: str, import_id: str) -> dict[str, object]:
    engine = make_engine(database_url)
    try:
        with Session(engine) as db:
            researcher = db.exec(select(User).where(User.email == RESEARCHER_EMAIL)).one()
            mine = db.exec(select(Project).where(Project.owner_id == researcher.id)).first()
            return {
                "project_id": mine.id,
                "number": 1,
                "release_id": db.exec(select(Release.id)).first(),
                "feed_id": db.exec(select(Feed.id).where(Feed.owner_id == researcher.id)).first(),
                "suggestion_id": db.exec(
                    select(Suggestion.id).where(Suggestion.owner_id == researcher.id)
                ).first(),
                "entry_id": db.exec(
                    select(JournalEntry.id).where(JournalEntry.author_id == researcher.id)
                ).first(),
                "request_id": db.exec(select(ReviewRequest.id)).first(),
                "team_id": db.exec(select(Team.id)).first(),
                "round_id": _a_round(db, researcher),
                "import_id": import_id,
                "token": "not-a-real-token",
            }
    finally:
        engine.dispose()


def _a_round(db: Session, researcher: User) -> int:
    """The demo has no scoring round: the researcher asks a teammate for
    estimates on a shared project, as on its page."""
    from app.rounds import service as round_service
    from app.rounds.models import RoundCreate
    from app.teams.models import Membership

    shared = db.exec(
        select(Project).where(Project.owner_id == researcher.id, Project.team_id.is_not(None))
    ).first()
    mate = db.exec(
        select(Membership.user_id).where(
            Membership.team_id == shared.team_id, Membership.user_id != researcher.id
        )
    ).first()
    started = round_service.round_start(
        db, project=shared, actor=researcher, data=RoundCreate(estimator_ids=[mate])
    )
    db.commit()
    return started.id


def _pages(ids: dict[str, object]) -> list[str]:
    pages, unknown = [], []
    for method, path in ROUTES:
        if method != "GET" or path.startswith("/api/") or path in NOT_PAGES:
            continue
        names = _PARAM.findall(path)
        if missing := [n for n in names if ids.get(n) is None]:
            unknown.append(f"{path}: {missing}")
            continue
        pages.append(_PARAM.sub(lambda m: str(ids[m.group(1)]), path))
    assert unknown == [], "give these pages an id in _ids()"
    return pages


def _start_demo_and_import(page: Page, tmp_path: Path) -> str:
    page.goto("/signup")
    # Loading the demo hashes two passwords and writes a portfolio: not quick.
    with page.expect_navigation(timeout=60_000):
        page.get_by_role("button", name="Explore with demo data").click(no_wait_after=True)
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    sheet = tmp_path / "projects.csv"
    sheet.write_text(SHEET, encoding="utf-8")
    page.goto("/imports/projects")
    page.get_by_label("Spreadsheet").set_input_files(str(sheet))
    page.get_by_role("button", name="Upload and map the columns").click()
    expect(page).to_have_url(re.compile(r"/imports/\d+/mapping"))
    return re.search(r"/imports/(\d+)/", page.url).group(1)


def _shoot(browser: Browser, page: Page, live_server: LiveServer, urls: list[str], folder: Path):
    state = page.context.storage_state()
    for scheme in ("light", "dark"):
        for name, size in (("1280", DESKTOP), ("390", PHONE)):
            context = browser.new_context(
                base_url=live_server.url,
                storage_state=state,
                viewport=size,
                color_scheme=scheme,
            )
            context.set_default_timeout(TIMEOUT_MS)
            shot = context.new_page()
            for url in urls:
                shot.goto(url)
                slug = re.sub(r"[^a-z0-9]+", "-", url.lower()).strip("-") or "portfolio"
                shot.screenshot(path=str(folder / f"{slug}-{name}-{scheme}.png"), full_page=True)
            context.close()


def test_no_page_scrolls_sideways_on_a_phone(
    browser: Browser, page: Page, live_server: LiveServer, tmp_path: Path
):
    page.set_viewport_size(PHONE)
    import_id = _start_demo_and_import(page, tmp_path)
    pages = _pages(_ids(live_server.database_url, import_id))
    assert len(pages) >= 40  # every page of the app, not a handful

    too_wide, too_many_primaries, broken = {}, {}, {}
    for url in pages:
        response = page.goto(url)
        if response is None or response.status >= 500:
            broken[url] = response.status if response else None
            continue
        measured = page.evaluate(OVERFLOW)
        if measured["scroll"] > measured["inner"]:
            too_wide[url] = measured
        primaries = page.locator("main .primary:visible").count()
        if primaries > 1:
            too_many_primaries[url] = primaries
    assert broken == {}
    assert too_wide == {}
    assert too_many_primaries == {}

    # The navigation is one row that marks where you are, so the page starts
    # on the first screen; the quick entry and the inbox's actions fit a thumb.
    page.goto("/inbox")
    main_nav = page.get_by_role("navigation", name="Main")
    expect(main_nav.get_by_role("link", name=re.compile("^Inbox"))).to_have_attribute(
        "aria-current", "page"
    )
    assert main_nav.locator("[aria-current]").count() == 1
    assert page.locator("main h1").bounding_box()["y"] < PHONE["height"] / 3
    confirm = page.locator("main form.decide button").first
    assert confirm.bounding_box()["height"] >= 44
    quick = page.locator("#quick-entry > summary")
    assert quick.bounding_box()["height"] >= 44
    quick.click()
    for field in ("#q-kind", "#q-hours", "#q-body"):
        box = page.locator(field).bounding_box()
        assert box["height"] >= 44 and box["width"] >= PHONE["width"] * 0.4, field
    save = page.locator("#quick-entry button[type=submit]").bounding_box()
    assert save["height"] >= 44 and save["width"] >= PHONE["width"] * 0.8

    if folder := os.environ.get("GOLDFISH_SHOTS"):
        wanted = os.environ.get("GOLDFISH_SHOTS_PAGES", "").split()
        _shoot(
            browser,
            page,
            live_server,
            [u for u in pages if not wanted or u in wanted],
            Path(folder),
        )
