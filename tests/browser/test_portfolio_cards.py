"""A long portfolio in real Chromium against a real server: on a phone
(390 px) each row is a card with its title, priority and three scores and
nothing scrolls sideways, in light and dark; "Edit scores" opens a card's
editor in place and saving re-ranks; the pages go on from rank 51."""

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlmodel import Session, select

from app.auth.models import User
from app.db import make_engine
from app.projects import service as project_service
from app.projects.models import ProjectCreate
from tests import factories
from tests.browser.conftest import TIMEOUT_MS, LiveServer
from tests.browser.test_portfolio_flow import sign_up

pytestmark = pytest.mark.browser

N = 57


def seed_projects(server: LiveServer, email: str) -> None:
    """N projects for the user, written through the services on the server's database."""
    engine = make_engine(server.database_url)
    try:
        with Session(engine) as s:
            user = s.exec(select(User).where(User.email == email)).one()
            for i in range(N):
                data = factories.project_data(
                    f"A rather long project title about evaluation number {i:02d}",
                    attainability=1 + i % 5,
                    impact=1 + (i // 5) % 5,
                    scoop_risk=1 + (i // 25) % 5,
                    keywords=["long context", "evaluation", f"topic {i}"],
                )
                new = ProjectCreate.model_validate(data)
                project_service.project_create(s, owner=user, data=new)
            s.commit()
    finally:
        engine.dispose()


def no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    inner = page.evaluate("window.innerWidth")
    assert width <= inner, f"the page scrolls sideways: {width} > {inner}"


def check_cards(page: Page) -> None:
    """Every card shows its title, priority and three scores inside the screen."""
    no_sideways_scroll(page)
    cards = page.locator("#portfolio-table tbody tr[data-project-id]")
    expect(cards).to_have_count(50)
    expect(page.locator("#portfolio-table thead")).to_have_css("position", "absolute")
    inner = page.evaluate("window.innerWidth")
    first = cards.first
    for cell in ("td.title > a", "td.priority .priority-value", "td.score", "td.row-actions a"):
        for box in [el.bounding_box() for el in first.locator(cell).all()]:
            assert box and box["width"] > 0 and box["x"] >= 0 and box["x"] + box["width"] <= inner
    expect(first.locator("td.score")).to_have_count(3)
    labels = first.locator("td.score").evaluate_all(
        "tds => tds.map(td => getComputedStyle(td, '::before').content)"
    )
    assert labels == ['"Attain."', '"Scoop risk"', '"Impact"']
    # A card is short enough that several fit on the first screen.
    assert first.bounding_box()["height"] < 260


def test_phone_cards_editor_in_place_and_pages(browser: Browser, live_server: LiveServer):
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 390, "height": 844}, color_scheme="light"
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    try:
        email = sign_up(page, live_server)
        seed_projects(live_server, email)
        page.goto("/")
        page.wait_for_load_state("load")
        check_cards(page)
        page.emulate_media(color_scheme="dark")
        check_cards(page)
        page.emulate_media(color_scheme="light")

        # The priority's arithmetic opens on demand.
        first = page.locator("#portfolio-table tbody tr[data-project-id]").first
        expect(first.locator(".explain")).to_be_hidden()
        first.locator("td.priority summary").click()
        expect(first.locator(".explain")).to_be_visible()
        expect(first.locator(".explain")).to_contain_text("scoop factor")
        no_sideways_scroll(page)

        # The last card of page 1 moves to the top when its scores are raised.
        last = page.locator("#portfolio-table tbody tr[data-project-id]").nth(49)
        title = last.locator("td.title > a").inner_text()
        expect(last.locator("td.rank")).to_have_text("50")
        page.evaluate("window.__marker = 1")
        last.get_by_role("link", name=f"Edit scores of {title}").click()
        editor = page.locator("#portfolio-table tr.editing")
        expect(editor.locator("td.title > a")).to_have_text(title)
        expect(editor.get_by_label(f"attainability of {title}", exact=True)).to_be_focused()
        no_sideways_scroll(page)
        for score, value in (("attainability", "5"), ("scoop risk", "1"), ("impact", "5")):
            editor.get_by_label(f"{score} of {title}", exact=True).select_option(value)
        editor.get_by_role("button", name=f"Save the scores of {title}").click()
        expect(page.locator("#scores-saved")).to_contain_text("now #1 (was #50)")
        top = page.locator("#portfolio-table tbody tr[data-project-id]").first
        expect(top.locator("td.title > a")).to_have_text(title)
        expect(top.locator("td.rank")).to_have_text("1")
        assert page.evaluate("window.__marker") == 1  # re-ranked in place
        no_sideways_scroll(page)

        # Page 2 goes on from rank 51, and fits the phone too.
        page.locator("nav.pager").get_by_role("link", name="Next").click()
        ranks = page.locator("#portfolio-table tbody td.rank")
        expect(ranks).to_have_text([str(n) for n in range(51, N + 1)])
        no_sideways_scroll(page)
    finally:
        context.close()
