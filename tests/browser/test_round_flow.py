"""A scoring round as three people live it, in real Chromium against a real
server, each in their own browser context (their own cookies): the owner
starts a round, two teammates estimate blind, the owner reveals, sees the
spread and adopts; the portfolio re-ranks.

Ada's two projects: Beta (private; impact 4, attainability 3, scoop risk 2)
ranks above Alpha (shared; 3, 3, 2) until the round adopts 5, 5, 2 for Alpha.
"""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlmodel import Session

from app.db import make_engine
from tests import factories
from tests.browser.conftest import TIMEOUT_MS, LiveServer

pytestmark = pytest.mark.browser

# Where to save screenshots of the round's pages, if anywhere (a reviewer's
# look at light and dark, wide and narrow); the test checks nothing with them.
SHOTS = os.environ.get("GOLDFISH_SHOTS_DIR")


def _seed(live_server: LiveServer) -> dict[str, str]:
    engine = make_engine(live_server.database_url)
    try:
        with Session(engine, expire_on_commit=False) as db:
            ada = factories.make_user(db, email="ada.rounds@example.org", display_name="Ada Owner")
            grace = factories.make_user(
                db, email="grace.rounds@example.org", display_name="Grace Manager"
            )
            rita = factories.make_user(
                db, email="rita.rounds@example.org", display_name="Rita Researcher"
            )
            team = factories.make_team(db, grace, "Vision rounds")
            factories.add_member(db, team, ada)
            factories.add_member(db, team, rita)
            factories.make_project(
                db, ada, "Alpha", team_id=team.id, attainability=3, scoop_risk=2, impact=3
            )
            factories.make_project(db, ada, "Beta", attainability=3, scoop_risk=2, impact=4)
    finally:
        engine.dispose()
    return {"ada": ada.email, "grace": grace.email, "rita": rita.email}


def _person(browser: Browser, live_server: LiveServer, email: str) -> Page:
    context = browser.new_context(base_url=live_server.url)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.goto("/login")
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(factories.PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("link", name="To score")).to_be_visible()
    return page


def _estimate(page: Page, scores: tuple[int, int, int], why: str) -> None:
    for label, value in zip(("Attainability", "Scoop risk", "Impact"), scores, strict=True):
        page.get_by_label(label, exact=True).select_option(str(value))
    page.get_by_label("Why, for scoop risk").fill(why)
    page.get_by_role("button", name="Give my estimate").click()
    expect(page.locator("#estimate-h")).to_contain_text("you may change it")


def _shots(page: Page, name: str) -> None:
    if not SHOTS:
        return
    folder = Path(SHOTS)
    folder.mkdir(parents=True, exist_ok=True)
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        for width in (1280, 390):
            page.set_viewport_size({"width": width, "height": 900})
            page.screenshot(path=str(folder / f"{name}-{scheme}-{width}.png"), full_page=True)
    page.emulate_media(color_scheme="light")
    page.set_viewport_size({"width": 1280, "height": 720})


def test_owner_starts_two_estimate_blind_owner_adopts_and_the_portfolio_reranks(
    browser: Browser, live_server: LiveServer
):
    emails = _seed(live_server)
    ada = _person(browser, live_server, emails["ada"])
    grace = _person(browser, live_server, emails["grace"])
    rita = _person(browser, live_server, emails["rita"])
    try:
        ranks = ada.locator("#portfolio-table tbody tr td.title a")
        ada.goto("/")
        expect(ranks).to_have_text(["Beta", "Alpha"])

        ada.get_by_role("link", name="Alpha", exact=True).click()
        ada.get_by_role("link", name="Ask the team for estimates").click()
        ada.get_by_label("Grace Manager").check()
        ada.get_by_label("Rita Researcher").check()
        _shots(ada, "start")
        ada.get_by_role("button", name="Ask for estimates").click()
        expect(ada).to_have_url(re.compile(r"/rounds/\d+$"))
        round_url = ada.url

        # Grace hears of it in the navigation, and estimates first.
        grace.reload()
        expect(grace.locator("#nav-to-score .count")).to_have_text("1")
        grace.get_by_role("link", name="To score").click()
        grace.get_by_role("link", name="Alpha", exact=True).click()
        _shots(grace, "blind-form")
        _estimate(grace, (5, 1, 5), "Nobody else has the data")
        expect(grace.locator("#nav-to-score .count")).to_have_count(0)

        # Rita, before giving hers, sees that Grace has, not what.
        rita.goto(round_url)
        expect(rita.locator(f"#person-{_id(rita, 'Grace Manager')}")).to_contain_text(
            "estimate given"
        )
        expect(rita.locator("#agreement")).to_have_count(0)
        expect(rita.get_by_text("Nobody else has the data")).to_have_count(0)
        _estimate(rita, (5, 4, 5), "Two labs are close")
        expect(rita.get_by_text("Nobody else has the data")).to_have_count(1)

        # The owner sees who, not what, until she reveals.
        ada.reload()
        expect(ada.locator("#agreement")).to_have_count(0)
        expect(ada.get_by_text("Two labs are close")).to_have_count(0)
        ada.get_by_role("button", name="Reveal the estimates").click()
        spread = ada.locator("#spread-scoop_risk .spread-text")
        expect(spread).to_have_text("wide disagreement on scoop risk: 1 to 4")
        expect(ada.locator("#spread-scoop_risk svg.distribution rect.bar")).to_have_count(5)
        expect(ada.get_by_label("Scoop risk to adopt")).to_have_value("3")  # median 2.5, up
        _shots(ada, "revealed")
        ada.get_by_label("Scoop risk to adopt").select_option("2")
        ada.get_by_label("Why (you may quote the estimates)").fill("Grace: nobody has the data")
        ada.get_by_role("button", name="Adopt and close the round").click()
        expect(ada.locator("#decided strong")).to_have_text(["5", "2", "5"])
        _shots(ada, "closed")

        ada.goto("/")
        expect(ranks).to_have_text(["Alpha", "Beta"])
        expect(ada.locator("#row-" + _row_id(ada, "Alpha") + " .flag-wide")).to_have_text(
            "wide disagreement in the last scoring round"
        )
        _shots(ada, "portfolio")
    finally:
        for person in (ada, grace, rita):
            person.context.close()


def _id(page: Page, name: str) -> str:
    item = page.locator("ul.people li", has_text=name)
    return item.get_attribute("id").removeprefix("person-")


def _row_id(page: Page, title: str) -> str:
    row = page.locator("#portfolio-table tbody tr", has_text=title)
    return row.get_attribute("data-project-id")
