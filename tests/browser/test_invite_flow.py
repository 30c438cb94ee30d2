"""An invite to someone with no account, in real Chromium against a real
server: the admin makes a link, the newcomer opens it signed out, is told who
invites them to which team, creates an account, and lands back on the join
page with the token nowhere in the address bar."""

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import LiveServer
from tests.browser.test_portfolio_flow import sign_up

pytestmark = pytest.mark.browser


def make_invite_link(page: Page, team: str) -> str:
    page.goto("/teams")
    page.get_by_label("Team name", exact=True).fill(team)
    page.get_by_role("button", name="Create team").click()
    page.get_by_role("button", name="Make an invite link").click()
    link = page.locator("#invite-link").input_value()
    assert "/join/gfi_" in link
    return link


def test_the_invite_link_has_a_copy_button(browser: Browser, live_server: LiveServer):
    context = browser.new_context(
        base_url=live_server.url, permissions=["clipboard-read", "clipboard-write"]
    )
    page = context.new_page()
    try:
        sign_up(page, live_server)
        link = make_invite_link(page, "Copy group")
        page.get_by_role("button", name="Copy link").click()
        expect(page.get_by_role("button", name="Copied")).to_be_visible()
        assert page.evaluate("() => navigator.clipboard.readText()") == link
        leave = page.get_by_role("button", name="Leave Copy group")
        expect(leave).to_have_class("secondary danger")  # not dressed as the main action
    finally:
        context.close()


def test_a_newcomer_signs_up_from_an_invite_and_joins(
    page: Page, browser: Browser, live_server: LiveServer
):
    sign_up(page, live_server)
    link = make_invite_link(page, "Vision group")
    token = link.rsplit("/", 1)[1]

    context = browser.new_context(base_url=live_server.url)
    newcomer = context.new_page()
    try:
        newcomer.goto(link)
        expect(newcomer).to_have_url(re.compile(r"/teams/\d+/join$"))  # the token is gone
        expect(newcomer.locator("main")).to_contain_text("invites you to join Vision group")
        newcomer.get_by_role("link", name="Create an account").click()
        assert token not in newcomer.url
        newcomer.get_by_label("Email", exact=True).fill("newcomer@example.org")
        newcomer.get_by_label("Your name", exact=True).fill("Newcomer")
        newcomer.get_by_label("Password", exact=True).fill("correct horse battery")
        newcomer.get_by_role("button", name="Create account").click()

        expect(newcomer).to_have_url(re.compile(r"/teams/\d+/join$"))
        newcomer.get_by_role("button", name="Join Vision group").click()
        expect(newcomer).to_have_url(re.compile(r"/teams/\d+$"))
        expect(newcomer.locator("main")).to_contain_text("Newcomer")
        history = newcomer.evaluate("() => performance.getEntriesByType('navigation')[0].name")
        assert token not in history
    finally:
        context.close()
