"""A researcher adds a feed served on this machine, polls it, sees in the
inbox a release matched to their project with the reasons, confirms it as a
scoop and goes on to re-plan: the heart of Goldfish, clicked through in
Chromium. Without JavaScript the same triage works with plain forms."""

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from playwright.sync_api import Page, expect

from app.cli import alembic_config
from bench import server
from bench.feedserver import FeedServer
from tests.browser.conftest import LiveServer
from tests.browser.test_portfolio_flow import NewProject, create_project, sign_up
from tests.feeds.test_polling import LIMA, SAM, arxiv_atom

pytestmark = pytest.mark.browser

PROJECT = NewProject(
    title="Instruction tuning from a thousand curated examples",
    summary="Can a small, carefully curated instruction dataset align a pretrained language "
    "model as well as a large noisy one?",
    keywords="instruction tuning, data quality, alignment",
    success_axis="first",
    attainability=4,
    scoop_risk=4,
    impact=4,
    goal="Show that 1,000 curated examples are enough to align a 7B model.",
)


@pytest.fixture(scope="module")
def feeds() -> Iterator[FeedServer]:
    with FeedServer() as feed_server:
        yield feed_server


@pytest.fixture(scope="module")
def live_server(
    chromium_executable: Path, new_database_url, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    """This module's server may poll the feeds served on 127.0.0.1."""
    database_url = new_database_url("e2e-feeds")
    command.upgrade(alembic_config(database_url), "head")
    with server.running(
        database_url,
        tmp_path_factory.mktemp("live-server"),
        settings={"GOLDFISH_FEEDS_ALLOW_PRIVATE": "true"},
    ) as running:
        yield LiveServer(url=running.url, database_url=database_url, log_path=running.log_path)


def add_and_poll_feed(page: Page, live_server: LiveServer, url: str, name: str) -> None:
    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_role("link", name="Feeds").click()
    expect(page).to_have_url(f"{live_server.url}/feeds")
    page.get_by_label("an RSS or Atom address").check()
    page.get_by_label("Feed address (RSS or Atom)").fill(url)
    page.get_by_label("Name (optional)").fill(name)
    page.get_by_role("button", name="Add feed").click()
    expect(page).to_have_url(re.compile(re.escape(live_server.url) + r"/feeds/\d+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(name)
    expect(page.locator("#feed-status")).to_contain_text("Not polled yet")
    page.get_by_role("button", name="Poll now").click()
    expect(page.locator("#poll-result")).to_contain_text("2 new")
    expect(page.locator("#poll-result")).to_contain_text("1 suggestion for your projects")


def test_a_feed_finds_a_scoop_that_is_confirmed_and_re_planned(
    page: Page, live_server: LiveServer, feeds: FeedServer
):
    url = feeds.route("/lab.atom", body=arxiv_atom(LIMA, SAM), content_type="application/atom+xml")
    sign_up(page, live_server)
    project_id = create_project(page, live_server, PROJECT)
    add_and_poll_feed(page, live_server, url, "Instruction tuning on arXiv")

    page.locator("#poll-result").get_by_role("link", name="open the inbox").click()
    expect(page).to_have_url(f"{live_server.url}/inbox")
    inbox_link = page.get_by_role("navigation", name="Main").get_by_role("link", name="Inbox")
    expect(inbox_link).to_contain_text("1")
    group = page.locator(f"#project-{project_id}")
    expect(group.get_by_role("heading", level=2)).to_contain_text(PROJECT.title)
    item = group.locator("li.suggestion")
    expect(item).to_have_count(1)
    expect(item.locator(".release-title")).to_have_text(LIMA[1])
    # The reasons: the words it matched on.
    expect(item.locator("mark.term").first).to_be_visible()
    assert "Segment Anything" not in page.content()

    item.get_by_label("Effect").select_option("scoop")
    item.get_by_placeholder("What overlaps (optional)").fill("Same bet: a thousand examples")
    item.get_by_role("button", name="Confirm").click()
    decided = page.locator("li.suggestion.state-confirmed")
    expect(decided).to_contain_text("Linked to " + PROJECT.title)

    decided.get_by_role("link", name="I got scooped: re-plan").click()
    expect(page).to_have_url(
        re.compile(re.escape(f"{live_server.url}/projects/{project_id}/replan"))
    )
    expect(page.get_by_role("heading", level=1)).to_contain_text(PROJECT.title)

    # The project's page lists the release, with its effect.
    page.goto(f"/projects/{project_id}")
    expect(page.get_by_role("region", name="Releases that touch it")).to_contain_text(LIMA[1])


def test_without_javascript_triage_is_plain_forms(
    nojs_page: Page, live_server: LiveServer, feeds: FeedServer
):
    page = nojs_page
    url = feeds.route(
        "/other.atom", body=arxiv_atom(LIMA, SAM), content_type="application/atom+xml"
    )
    sign_up(page, live_server)
    project_id = create_project(page, live_server, PROJECT)
    add_and_poll_feed(page, live_server, url, "The same papers, elsewhere")
    page.get_by_role("link", name="open the inbox").click()
    item = page.locator(f"#project-{project_id} li.suggestion")
    item.get_by_role("button", name="Not relevant").click()
    expect(page).to_have_url(f"{live_server.url}/inbox")
    expect(page.locator("li.suggestion")).to_have_count(0)
    expect(page.locator("main")).to_contain_text("Nothing to triage")
