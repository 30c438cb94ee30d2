"""The header's search box in real Chromium against a real server: releases
logged through the form are found at once from any page (the triggers ran
in the request's committed transaction), accents and case aside, grouped by
kind with the words marked; the same with JavaScript off; and on a phone.
Screenshots (light and dark, 1280 and 390 px) go to /work/notes/shots/fts/
when that folder exists."""

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import LiveServer
from tests.browser.test_portfolio_flow import sign_up

pytestmark = pytest.mark.browser

SHOTS = Path("/work/notes/shots/fts")


def log_release(page: Page, title: str, summary: str) -> None:
    page.goto("/releases/new")
    page.get_by_label("Title", exact=True).fill(title)
    page.get_by_label("Release date", exact=True).fill("2026-11-20")
    page.get_by_label("Summary", exact=True).fill(summary)
    page.get_by_role("button", name="Log release").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)


def search_from_header(page: Page, typed: str) -> None:
    box = page.get_by_role("searchbox", name="Search projects, releases and journal")
    box.fill(typed)
    box.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Search")


def shoot(page: Page, name: str) -> None:
    if SHOTS.is_dir():
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_the_header_box_finds_what_was_just_logged(
    page: Page, browser: Browser, live_server: LiveServer
):
    sign_up(page, live_server)
    log_release(page, "Modèle ouvert d'évaluation", "An <b>open</b> evaluation suite for models")
    log_release(page, "Robotics dataset", "Grasping, nothing else")
    page.goto("/journal")
    search_from_header(page, "MODELE eval")
    hits = page.locator(".search-group", has_text="Releases").locator(".search-hit")
    expect(hits).to_have_count(1)
    expect(hits.first.locator("a")).to_have_text("Modèle ouvert d'évaluation")
    expect(hits.first.locator("a mark")).to_have_text(["Modèle", "évaluation"])
    expect(page.locator("#search-q")).to_have_value("MODELE eval")
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        for width, height in ((1280, 800), (390, 844)):
            page.set_viewport_size({"width": width, "height": height})
            shoot(page, f"search-{scheme}-{width}")
    page.emulate_media(color_scheme="light")
    page.set_viewport_size({"width": 1280, "height": 800})
    search_from_header(page, '"zebra* -')
    expect(page.locator("#search-results")).to_contain_text("Nothing you can see matches")

    # JavaScript off: the same plain GET form, in the same account.
    context = browser.new_context(
        base_url=live_server.url,
        java_script_enabled=False,
        storage_state=page.context.storage_state(),
    )
    try:
        nojs = context.new_page()
        nojs.goto("/releases")
        search_from_header(nojs, "robot")
        expect(nojs.locator(".search-hit a")).to_have_text(["Robotics dataset"])
    finally:
        context.close()
