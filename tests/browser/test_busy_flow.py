"""When the database stays busy (another program holds its write lock), a
person loses nothing: with JavaScript the quick entry stays as typed and a
message says to retry; without it the page comes back with the text and a
button that sends it again."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer
from tests.browser.test_journal_flow import (
    READING,
    fill_quick_entry,
    open_quick_entry,
    quick_box,
    quick_fields,
)
from tests.browser.test_portfolio_flow import is_post_to, sign_up
from tests.support.locks import write_lock_held_elsewhere

pytestmark = pytest.mark.browser

# The server waits 5 s for the lock before it answers 503.
BUSY_WAIT_MS = 20_000


def test_a_quick_entry_saved_while_the_database_is_busy_is_kept_to_retry(
    page: Page, live_server: LiveServer
):
    sign_up(page, live_server)
    page.wait_for_load_state("load")
    box = open_quick_entry(page)
    fill_quick_entry(box, READING)

    with write_lock_held_elsewhere(live_server.database_url):
        with page.expect_response(
            is_post_to(f"{live_server.url}/journal/entries"), timeout=BUSY_WAIT_MS
        ) as posted:
            box.get_by_role("button", name="Save entry").click(timeout=BUSY_WAIT_MS)
        assert posted.value.status == 503

    notice = page.locator("#request-notice")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("Not saved yet")
    expect(notice).to_contain_text("try again")
    fields = quick_fields(quick_box(page))
    expect(fields["body"]).to_have_value(READING.body)
    expect(fields["learned"]).to_have_value(READING.learned)

    # The lock is gone: the same click saves it, and the message goes away.
    with page.expect_response(is_post_to(f"{live_server.url}/journal/entries")) as posted:
        quick_box(page).get_by_role("button", name="Save entry").click()
    assert posted.value.status == 200
    expect(page.locator("#quick-saved")).to_contain_text("Saved to your journal:")
    expect(notice).to_be_hidden()


def test_without_javascript_the_busy_page_gives_the_text_back_to_send_again(
    nojs_page: Page, live_server: LiveServer
):
    page = nojs_page
    sign_up(page, live_server)
    page.goto("/journal")
    box = open_quick_entry(page)
    fill_quick_entry(box, READING)

    with (
        write_lock_held_elsewhere(live_server.database_url),
        page.expect_navigation(timeout=BUSY_WAIT_MS),
    ):
        box.get_by_role("button", name="Save entry").click(timeout=BUSY_WAIT_MS)

    expect(page.get_by_role("heading", level=1)).to_have_text("Not saved yet: Goldfish is busy")
    typed = page.locator("dl.typed")
    expect(typed).to_contain_text(READING.body)
    expect(typed).to_contain_text(READING.learned)

    page.get_by_role("button", name="Save again").click()
    expect(page).to_have_url(re.compile(re.escape(f"{live_server.url}/journal?saved_entry=")))
    expect(page.locator("#quick-saved")).to_contain_text("Saved to your journal:")
    expect(page.locator("article.entry").filter(has_text=READING.learned)).to_have_count(1)
