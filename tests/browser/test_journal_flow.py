"""The process journal as a researcher keeps it, in real Chromium against a
real server: a quick entry written from any page (swapped in place with HTMX,
a plain post and redirect back without JavaScript) shows on the weekly view
with its Markdown rendered; an entry edited in place keeps its earlier text
as a revision; the quick entry works on a phone; the pace page counts the
week's hours.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.browser.conftest import (
    _CALL_FAILED,
    TIMEOUT_MS,
    LiveServer,
    _keep_evidence,
)
from tests.browser.test_portfolio_flow import is_post_to, sign_up

pytestmark = pytest.mark.browser


@dataclass(frozen=True)
class QuickEntry:
    kind: str
    hours: str
    body: str
    learned: str
    bold: str  # the **bold** words inside `body`


READING = QuickEntry(
    kind="reading",
    hours="2.5",
    body="Read the new sparse attention paper: **block size matters more than sparsity**.",
    learned="Check kernels at block sizes 64 and 128 before claiming a speed-up.",
    bold="block size matters more than sparsity",
)

PHONE = {"width": 390, "height": 844}


# ---------------------------------------------------------------- fixtures


@pytest.fixture
def phone_page(
    request: pytest.FixtureRequest, browser: Browser, live_server: LiveServer, tmp_path: Path
) -> Iterator[Page]:
    """A fresh visitor on a phone-sized touch screen, JavaScript on."""
    context = browser.new_context(
        base_url=live_server.url,
        viewport=PHONE,
        screen=PHONE,
        device_scale_factor=3,
        is_mobile=True,
        has_touch=True,
    )
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    page = context.new_page()
    try:
        yield page
        if request.node.stash.get(_CALL_FAILED, False):
            _keep_evidence(page, live_server, tmp_path)
    finally:
        context.close()


# ---------------------------------------------------------------- steps


def quick_box(page: Page) -> Locator:
    return page.locator("details#quick-entry")


def open_quick_entry(page: Page) -> Locator:
    """Unfold the quick-entry box at the top of the page; returns it."""
    box = quick_box(page)
    expect(box).to_have_count(1)
    summary = box.locator("summary")
    expect(summary).to_have_text("Quick journal entry")
    expect(box.get_by_role("button", name="Save entry")).to_be_hidden()  # folded
    summary.click()
    expect(box).to_have_attribute("open", "")
    expect(box.get_by_role("button", name="Save entry")).to_be_visible()
    return box


def quick_fields(box: Locator) -> dict[str, Locator]:
    """The quick-entry form's fields, by their labels (a label may carry a hint,
    "Hours optional", so the names are matched as prefixes)."""
    return {
        "kind": box.get_by_label("Kind"),
        "hours": box.get_by_label("Hours"),
        "body": box.get_by_label("What I did"),
        "learned": box.get_by_label("What I learned"),
    }


def fill_quick_entry(box: Locator, entry: QuickEntry) -> None:
    fields = quick_fields(box)
    fields["kind"].select_option(entry.kind)
    fields["hours"].fill(entry.hours)
    fields["body"].fill(entry.body)
    fields["learned"].fill(entry.learned)


def open_journal(page: Page, server: LiveServer) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Journal").click()
    expect(page).to_have_url(f"{server.url}/journal")
    expect(page.get_by_role("heading", level=1)).to_have_text("Journal")


def open_this_week(page: Page, server: LiveServer) -> str:
    """From the journal, follow "This week"; returns the ISO week ("2026-W07")."""
    page.get_by_role("link", name="This week", exact=True).click()
    expect(page).to_have_url(
        re.compile(re.escape(f"{server.url}/journal?week=") + r"\d{4}-W\d{2}$")
    )
    return page.url.rsplit("=", 1)[1]


def entry_card(page: Page, text: str) -> Locator:
    return page.locator("article.entry").filter(has_text=text)


def expect_reading_entry(card: Locator, entry: QuickEntry) -> None:
    """The entry as the journal shows it: kind, hours, Markdown rendered, learning."""
    expect(card).to_have_count(1)
    expect(card.locator("header .kind")).to_have_text(entry.kind)
    expect(card.locator("header .meta").filter(has_text=" h")).to_have_text(f"{entry.hours} h")
    body = card.locator(".markdown")
    expect(body.locator("strong")).to_have_text(entry.bold)
    expect(body).not_to_contain_text("**")
    expect(body).to_contain_text("Read the new sparse attention paper:")
    expect(card.locator(".learned")).to_contain_text(entry.learned)


def entry_day(card: Locator) -> date:
    return date.fromisoformat(card.locator("header time").get_attribute("datetime"))


def iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02}"


def save_quick_entry_in_place(page: Page, server: LiveServer, entry: QuickEntry) -> int:
    """Write a quick entry with JavaScript on, check the in-place confirmation
    (same document, same URL); returns the new entry's id."""
    start_url = page.url
    page.wait_for_load_state("load")  # deferred scripts (HTMX) have run
    page.evaluate("window.__marker = 1")
    box = quick_box(page)
    if box.get_attribute("open") is None:
        open_quick_entry(page)
    fill_quick_entry(box, entry)
    box_before = box.element_handle()
    with page.expect_response(is_post_to(f"{server.url}/journal/entries")) as posted:
        box.get_by_role("button", name="Save entry").click()
    assert posted.value.status == 200
    assert posted.value.request.headers.get("hx-request") == "true"

    saved = page.locator("#quick-saved")
    expect(saved).to_be_visible()
    expect(saved).to_contain_text("Saved to your journal:")
    link = saved.get_by_role("link")
    expect(link).to_contain_text(entry.kind)
    href = link.get_attribute("href")
    assert href is not None and re.fullmatch(r"/journal/entries/\d+", href), href

    # The box was swapped in place, not the page: the marker survives.
    assert page.evaluate("window.__marker") == 1
    assert box_before.evaluate("el => el.isConnected") is False
    expect(page).to_have_url(start_url)
    # The fresh form is empty again, ready for the next entry.
    expect(quick_fields(quick_box(page))["body"]).to_have_value("")
    return int(href.rsplit("/", 1)[1])


# ---------------------------------------------------------------- flows


def test_quick_entry_from_any_page_shows_on_the_weekly_view(page: Page, live_server: LiveServer):
    sign_up(page, live_server)
    expect(page).to_have_url(f"{live_server.url}/")  # the portfolio, not the journal
    entry_id = save_quick_entry_in_place(page, live_server, READING)

    open_journal(page, live_server)
    week = open_this_week(page, live_server)
    card = entry_card(page, READING.learned)
    expect_reading_entry(card, READING)
    expect(card).to_have_attribute("data-entry-id", str(entry_id))
    assert iso_week(entry_day(card)) == week
    monday = date.fromisocalendar(*(int(part) for part in week.split("-W")), 1)
    expect(page.locator("#entries h2")).to_have_text(f"Week of {monday:%d %b %Y}")

    # The previous week does not have it.
    page.get_by_role("link", name="← Previous week").click()
    expect(page).to_have_url(f"{live_server.url}/journal?week={iso_week(monday - timedelta(7))}")
    expect(page.locator("article.entry")).to_have_count(0)


def test_quick_entry_without_javascript_posts_and_comes_back(
    nojs_page: Page, live_server: LiveServer
):
    page = nojs_page
    sign_up(page, live_server)
    # Start from a page other than the portfolio, to see where it comes back to.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Releases").click()
    expect(page).to_have_url(f"{live_server.url}/releases")

    box = open_quick_entry(page)  # <details> opens without any script
    fill_quick_entry(box, READING)
    with page.expect_response(is_post_to(f"{live_server.url}/journal/entries")) as posted:
        box.get_by_role("button", name="Save entry").click()
    assert posted.value.status == 303  # a plain form post, redirected back
    assert posted.value.request.headers.get("hx-request") is None
    expect(page).to_have_url(
        re.compile(re.escape(f"{live_server.url}/releases?saved_entry=") + r"\d+$")
    )
    # Back on the page it came from, the box says it was saved.
    saved = page.locator("#quick-saved")
    page.locator("#quick-entry summary").click()
    expect(saved).to_contain_text("Saved to your journal")

    open_journal(page, live_server)
    expect_reading_entry(entry_card(page, READING.learned), READING)
    open_this_week(page, live_server)
    expect_reading_entry(entry_card(page, READING.learned), READING)


def test_edit_an_entry_in_place_keeps_the_earlier_version(page: Page, live_server: LiveServer):
    sign_up(page, live_server)
    entry_id = save_quick_entry_in_place(page, live_server, READING)

    page.locator("#quick-saved").get_by_role("link").click()
    entry_url = f"{live_server.url}/journal/entries/{entry_id}"
    expect(page).to_have_url(entry_url)
    page.wait_for_load_state("load")
    view = page.locator("#entry-view")
    expect_reading_entry(view.locator("article.entry"), READING)
    expect(page.get_by_role("heading", name="Earlier versions")).to_have_count(0)

    page.evaluate("window.__marker = 1")
    with page.expect_response(f"{entry_url}/edit") as got:
        view.get_by_role("link", name="Edit", exact=True).click()
    assert got.value.request.headers.get("hx-request") == "true"
    form = page.locator("#entry-view form")
    body = form.get_by_label("What I did")
    expect(body).to_have_value(READING.body)
    expect(form.get_by_label("Hours")).to_have_value(READING.hours)
    expect(form.get_by_label("Kind")).to_have_value(READING.kind)

    new_body = "Re-read it: **block size 128** was their best; sparsity hardly mattered."
    body.fill(new_body)
    with page.expect_response(is_post_to(entry_url)) as posted:
        form.get_by_role("button", name="Save", exact=True).click()
    assert posted.value.status == 200
    assert posted.value.request.headers.get("hx-request") == "true"

    card = page.locator("#entry-view article.entry")
    expect(card.locator(".markdown strong")).to_have_text("block size 128")
    expect(card.locator(".markdown")).to_contain_text("sparsity hardly mattered")
    expect(card.locator(".markdown")).not_to_contain_text(READING.bold)
    expect(card.locator("header .meta").filter(has_text=" h")).to_have_text("2.5 h")
    expect(card.locator(".learned")).to_contain_text(READING.learned)
    assert page.evaluate("window.__marker") == 1  # no page load
    expect(page).to_have_url(entry_url)

    revisions = page.get_by_role("region", name="Earlier versions")
    expect(revisions.get_by_role("heading", name="Earlier versions")).to_be_visible()
    revision = revisions.locator("details.revision")
    expect(revision).to_have_count(1)
    expect(revision.locator("summary")).to_contain_text("Version 1, replaced")
    old_text = revision.locator(".markdown")
    expect(old_text).to_be_hidden()  # folded until asked for
    revision.locator("summary").click()
    expect(old_text).to_be_visible()
    expect(old_text.locator("strong")).to_have_text(READING.bold)

    # The edit is saved: a real reload shows the same.
    page.reload()
    assert page.evaluate("window.__marker") is None
    expect(page.locator("#entry-view article.entry .markdown strong")).to_have_text(
        "block size 128"
    )
    expect(page.locator("details.revision")).to_have_count(1)


def test_quick_entry_on_a_phone(phone_page: Page, live_server: LiveServer):
    page = phone_page
    sign_up(page, live_server)
    page.wait_for_load_state("load")
    assert page.evaluate("window.innerWidth") == PHONE["width"]

    box = open_quick_entry(page)
    for field in [*quick_fields(box).values(), box.get_by_role("button", name="Save entry")]:
        field.scroll_into_view_if_needed()
        expect(field).to_be_visible()
        expect(field).to_be_enabled()
        rect = field.bounding_box()
        assert rect is not None
        assert rect["x"] >= 0 and rect["x"] + rect["width"] <= PHONE["width"], (field, rect)
    assert no_horizontal_scroll(page)

    entry_id = save_quick_entry_in_place(page, live_server, READING)
    assert no_horizontal_scroll(page)

    open_journal(page, live_server)
    card = entry_card(page, READING.learned)
    expect_reading_entry(card, READING)
    expect(card).to_have_attribute("data-entry-id", str(entry_id))
    assert no_horizontal_scroll(page)


def no_horizontal_scroll(page: Page) -> bool:
    """The page is no wider than the phone. A mobile browser widens its layout
    viewport (window.innerWidth) to fit content that overflows, so the width
    is also compared with the screen's."""
    widths = page.evaluate(
        "({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})"
    )
    return widths["scroll"] <= widths["inner"] == PHONE["width"]


def test_pace_page_fits_a_phone(phone_page: Page, live_server: LiveServer):
    page = phone_page
    sign_up(page, live_server)
    save_quick_entry_in_place(page, live_server, READING)
    open_journal(page, live_server)
    assert no_horizontal_scroll(page)
    page.get_by_role("link", name="Pace", exact=True).click()
    expect(page).to_have_url(f"{live_server.url}/journal/pace")
    expect(page.locator("#pace-table tbody tr").first.locator("td").nth(1)).to_have_text("2.5")
    assert no_horizontal_scroll(page)


def test_pace_counts_the_hours_of_the_week(page: Page, live_server: LiveServer):
    sign_up(page, live_server)
    open_journal(page, live_server)
    page.get_by_role("link", name="New entry").click()
    expect(page).to_have_url(f"{live_server.url}/journal/new")
    expect(page.get_by_role("heading", level=1)).to_have_text("New journal entry")

    # The full form: its labels name its own fields, not the quick box's.
    form = page.locator("main form")
    form.get_by_label("Kind").select_option("experiment")
    form.get_by_label("What I did").fill("Ran the block-size sweep on 4 GPUs.")
    form.get_by_label("What I learned").fill("128 is the sweet spot on this hardware.")
    form.get_by_label("Hours").fill("3.5")
    form.get_by_label("Energy").select_option("4")
    form.get_by_role("button", name="Save entry").click()
    expect(page).to_have_url(f"{live_server.url}/journal")
    card = entry_card(page, "Ran the block-size sweep")
    expect(card.locator("header .meta")).to_have_text(["3.5 h", "energy 4/5"])
    monday = entry_day(card) - timedelta(days=entry_day(card).weekday())

    page.get_by_role("link", name="Pace", exact=True).click()
    expect(page).to_have_url(f"{live_server.url}/journal/pace")
    expect(page.get_by_role("heading", level=1)).to_have_text("Pace, last 12 weeks")
    rows = page.locator("#pace-table tbody tr")
    expect(rows).to_have_count(12)
    this_week = page.locator(f'#pace-table tbody tr[data-week="{monday.isoformat()}"]')
    expect(rows.first).to_have_attribute("data-week", monday.isoformat())  # newest first
    # Columns: Week of, Hours, Entries, Weekend, Late, Rest days, Energy.
    cells = this_week.locator("td")
    expect(cells.nth(1)).to_have_text("3.5")
    expect(cells.nth(2)).to_have_text("1")
    expect(cells.nth(6)).to_have_text(re.compile(r"^4(\.0+)?$"))
    # The charts draw it: the week's bar has a height and says its hours.
    bar = page.locator("svg#hours-chart rect.bar-hours").last
    expect(bar.locator("title")).to_contain_text("3.5 h")
    assert float(bar.get_attribute("height")) > 0
    expect(page.locator("svg#energy-chart circle.dot-energy")).to_have_count(1)
