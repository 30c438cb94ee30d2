"""Rough edges a week of use found (issue 16), as a person meets them in
real Chromium against a real server: radio buttons sit beside their labels
on a desktop and on a phone; a confirmation follows creating a project,
sharing it from its page and saving the time zone, said once; the
portfolio's column headers and keyword chips sort and filter with
JavaScript off; the journal's week box is a date picker."""

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import _CALL_FAILED, TIMEOUT_MS, LiveServer, _keep_evidence
from tests.browser.test_portfolio_flow import (
    PROJECTS,
    create_portfolio,
    create_project,
    portfolio_rows,
    sign_up,
)
from tests.browser.test_review_flow import create_team, nav

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}

# Where each visible radio sits against the first words of its label.
RADIO_GEOMETRY = """() => [...document.querySelectorAll('label > input[type=radio]')]
  .filter((radio) => radio.offsetParent !== null)
  .map((radio) => {
    let text = radio.nextSibling;
    while (text && !(text.textContent || '').trim()) text = text.nextSibling;
    const range = document.createRange();
    range.selectNodeContents(text);
    const words = range.getClientRects()[0];
    const box = radio.getBoundingClientRect();
    return {value: radio.value, right: box.right, top: box.top, bottom: box.bottom,
            textLeft: words.left, textTop: words.top, textBottom: words.bottom};
  })"""


def expect_radios_beside_their_labels(page: Page, at_least: int) -> None:
    radios = page.evaluate(RADIO_GEOMETRY)
    assert len(radios) >= at_least
    for radio in radios:
        assert radio["right"] <= radio["textLeft"], f"{radio['value']}: the label is left of it"
        overlap = min(radio["bottom"], radio["textBottom"]) - max(radio["top"], radio["textTop"])
        assert overlap > 0, f"{radio['value']}: not on the line of its label ({radio})"


@pytest.fixture
def phone_page(
    request: pytest.FixtureRequest, browser: Browser, live_server: LiveServer, tmp_path: Path
) -> Iterator[Page]:
    context = browser.new_context(
        base_url=live_server.url, viewport=PHONE, screen=PHONE, is_mobile=True, has_touch=True
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    try:
        yield page
        if request.node.stash.get(_CALL_FAILED, False):
            _keep_evidence(page, live_server, tmp_path)
    finally:
        context.close()


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_radio_buttons_sit_beside_their_labels(
    device: str, page: Page, phone_page: Page, live_server: LiveServer
):
    page = phone_page if device == "phone" else page
    sign_up(page, live_server)
    project_id = create_project(page, live_server, PROJECTS[0])
    page.get_by_role("link", name="I got scooped").click()
    expect(page).to_have_url(f"{live_server.url}/projects/{project_id}/replan")
    # The release choice sits inside a form field, whose inputs are full width.
    expect(page.get_by_label("Log it now")).to_be_visible()
    expect_radios_beside_their_labels(page, at_least=4)
    page.get_by_label("Log it now").check()
    expect(page.get_by_label("Log it now")).to_be_checked()

    nav(page).get_by_role("link", name="Feeds").click()
    expect(page.get_by_label("an RSS or Atom address")).to_be_visible()
    expect_radios_beside_their_labels(page, at_least=2)


def test_confirmations_are_said_once_after_creating_sharing_and_saving_the_zone(
    page: Page, live_server: LiveServer
):
    sign_up(page, live_server)
    create_team(page, live_server, "Alignment lab")
    project_id = create_project(page, live_server, PROJECTS[0])
    flash = page.get_by_role("status").filter(has_text="created")
    expect(flash).to_have_text(f"Project “{PROJECTS[0].title}” created.")

    # Sharing is on the project page itself, not in "Edit or re-score".
    sharing = page.locator("#sharing")
    expect(sharing).to_contain_text("Private: only you can see it.")
    sharing.get_by_label("Shared with").select_option(label="Alignment lab")
    sharing.get_by_role("button", name="Save sharing").click()
    expect(page).to_have_url(re.compile(rf"/projects/{project_id}$"))
    expect(page.get_by_role("status").filter(has_text="now shared")).to_have_text(
        f"“{PROJECTS[0].title}” is now shared with Alignment lab."
    )
    expect(sharing).to_contain_text("Shared with Alignment lab")
    page.reload()
    expect(page.locator("#flash")).to_have_count(0)

    nav(page).get_by_role("link", name="Ada Researcher").click()
    zone = page.locator("section[aria-labelledby=tz-h]")
    zone.get_by_label("Time zone").fill("Europe/Paris")
    zone.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status").filter(has_text="Time zone saved")).to_contain_text(
        "Time zone saved: Europe/Paris."
    )
    page.goto(f"/projects/{project_id}")
    expect(page.locator("#flash")).to_have_count(0)
    # Its score history now reads in Paris time, labelled.
    expect(page.locator(".history-list time").first).to_have_text(re.compile(r", \d\d:\d\d CET$"))


def test_headers_and_keyword_chips_sort_and_filter_without_javascript(
    nojs_page: Page, live_server: LiveServer
):
    page = nojs_page
    sign_up(page, live_server)
    create_portfolio(page, live_server)
    nav(page).get_by_role("link", name="Portfolio").click()
    table = page.locator("#portfolio-table")
    by_priority = [p.title for p in sorted(PROJECTS, key=lambda p: -p.impact * p.attainability)]
    expect(portfolio_rows(page).locator("td.title > a")).to_have_text(by_priority)

    table.get_by_role("link", name="Project").click()
    expect(page).to_have_url(re.compile(r"/\?sort=title&order=asc$"))
    expect(table.get_by_role("columnheader", name="Project")).to_have_attribute(
        "aria-sort", "ascending"
    )
    expect(portfolio_rows(page).locator("td.title > a")).to_have_text(
        sorted(p.title for p in PROJECTS)
    )
    table.get_by_role("link", name="Project").click()
    expect(portfolio_rows(page).locator("td.title > a")).to_have_text(
        sorted((p.title for p in PROJECTS), reverse=True)
    )

    table.get_by_role("link", name="evaluation", exact=True).click()
    expect(page).to_have_url(re.compile(r"/\?keyword=evaluation$"))
    expect(portfolio_rows(page).locator("td.title > a")).to_have_text([PROJECTS[0].title])
    page.get_by_label("Keyword").fill("EVAL")  # part of a keyword, any case
    page.get_by_role("button", name="Apply").click()
    expect(portfolio_rows(page).locator("td.title > a")).to_have_text([PROJECTS[0].title])


def test_the_journal_week_box_is_a_date_picker(page: Page, live_server: LiveServer):
    sign_up(page, live_server)
    page.goto("/journal/new")
    form = page.locator("main form")
    form.get_by_label("Day", exact=True).fill("2026-11-18")
    form.get_by_label("What I did", exact=True).fill("Midweek ablation run")
    form.get_by_role("button", name="Save entry").click()
    nav(page).get_by_role("link", name="Journal").click()
    week = page.get_by_label("Week of")
    expect(week).to_have_attribute("type", "date")
    week.fill("2026-11-20")  # a Friday: its week runs from Monday the 16th
    week.dispatch_event("change")
    expect(page.locator("#entries")).to_contain_text("Midweek ablation run")
    expect(page).to_have_url(re.compile(r"week=2026-11-20"))
    page.reload()
    expect(page.get_by_label("Week of")).to_have_value("2026-11-16")
    page.goto("/journal?week=2026-W47")  # the links' form still works
    expect(page.get_by_label("Week of")).to_have_value("2026-11-16")
    expect(page.locator("#entries")).to_contain_text("Midweek ablation run")


def test_a_pasted_20000_character_title_is_refused_and_kept_whole(
    page: Page, live_server: LiveServer
):
    sign_up(page, live_server)
    nav(page).get_by_role("link", name="New project").click()
    title = "Reward model robustness. " + "x" * (20_000 - 25)
    page.get_by_label("Title", exact=True).fill(title)  # a browser with maxlength would cut it
    page.get_by_role("button", name="Create project").click()
    field = page.get_by_label("Title", exact=True)
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#e-title")).to_have_text(
        "Too long: at most 200 characters; this one has 20000."
    )
    assert len(field.input_value()) == 20_000
