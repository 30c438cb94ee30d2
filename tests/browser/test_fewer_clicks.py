"""The core flows in as few clicks as they need, counted as a person makes
them (a click on a link or button, a choice in a select or a radio; typing
is not counted), in real Chromium against a real server:

- adding a project: its title and three scores, the rest under "More details";
- logging a release and linking it to two projects: one form, one submit;
- the What-if's "Apply this change": a re-score with its reason, then back to
  the project's page;
- "I got scooped" end to end, from logging the release to the new plan.

Each test asserts its count, so a flow that grows a click fails here.
"""

import re
import secrets

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.browser.conftest import LiveServer
from tests.browser.test_portfolio_flow import open_portfolio, score_cell, sign_up

pytestmark = pytest.mark.browser


class Clicks:
    """Makes the clicks and choices of a flow, counting them."""

    def __init__(self) -> None:
        self.count = 0

    def click(self, target: Locator) -> None:
        self.count += 1
        target.click()

    def choose(self, target: Locator, value: str | None = None, *, label: str | None = None):
        self.count += 1
        if label is not None:
            target.select_option(label=label)
        else:
            target.select_option(value)

    def check(self, target: Locator) -> None:
        self.count += 1
        target.check()


def nav(page: Page) -> Locator:
    return page.get_by_role("navigation", name="Main")


def add_project(page: Page, clicks: Clicks, title: str, scores: tuple[int, int, int]) -> int:
    clicks.click(nav(page).get_by_role("link", name="New project"))
    page.get_by_label("Title", exact=True).fill(title)
    for label, value in zip(("Attainability", "Scoop risk", "Impact"), scores, strict=True):
        clicks.choose(page.get_by_label(label, exact=True), str(value))
    clicks.click(page.get_by_role("button", name="Create project"))
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    return int(page.url.rsplit("/", 1)[1])


def test_adding_a_project_takes_a_title_and_three_scores(page: Page, live_server: LiveServer):
    sign_up(page, live_server)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/projects/new")
    form = page.locator("main form")
    details = page.locator("details#more-details")
    expect(details).not_to_have_attribute("open", "")
    expect(page.get_by_label("Question / summary", exact=True)).to_be_hidden()
    short = form.bounding_box()["height"]
    details.locator("summary").click()
    expect(page.get_by_label("Question / summary", exact=True)).to_be_visible()
    full = form.bounding_box()["height"]
    print(f"new-project form at 1280 px: {short:.0f} px closed, {full:.0f} px with details")
    assert short < 600 < full  # the whole form fits a laptop screen until details are wanted

    clicks = Clicks()
    project_id = add_project(page, clicks, "Sparse attention kernels", (4, 2, 5))
    print(f"clicks to add a project: {clicks.count}")
    assert clicks.count == 5  # the nav link, three scores, Create project
    expect(page.locator("#rank")).to_have_text("1")
    assert page.url.endswith(f"/projects/{project_id}")


def test_what_is_typed_in_the_details_survives_an_error(nojs_page: Page, live_server: LiveServer):
    page = nojs_page
    sign_up(page, live_server)
    page.goto("/projects/new")
    page.locator("details#more-details summary").click()
    page.get_by_label("Question / summary", exact=True).fill("Block-sparse kernels.")
    page.get_by_label("Goal", exact=True).fill("Ship before the next release.")
    page.get_by_role("button", name="Create project").click()  # no title
    expect(page.locator("#e-title")).to_have_text("This is required.")
    expect(page.locator("details#more-details")).to_have_attribute("open", "")
    expect(page.get_by_label("Question / summary", exact=True)).to_have_value(
        "Block-sparse kernels."
    )
    expect(page.get_by_label("Goal", exact=True)).to_have_value("Ship before the next release.")
    page.get_by_label("Title", exact=True).fill("Sparse kernels")
    page.get_by_role("button", name="Create project").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sparse kernels")
    expect(page.locator("p.summary")).to_have_text("Block-sparse kernels.")


def log_and_link(page: Page, clicks: Clicks, title: str, url: str, effects: dict[str, str]) -> int:
    """Log a release from the nav and link it in the same form."""
    clicks.click(nav(page).get_by_role("link", name="Releases"))
    clicks.click(page.get_by_role("link", name="Log a release"))
    page.get_by_label("Title", exact=True).fill(title)
    page.get_by_label("URL or arXiv id", exact=True).fill(url)
    for project, effect in effects.items():
        clicks.choose(page.get_by_label(f"Effect on {project}", exact=True), label=effect)
    clicks.click(page.get_by_role("button", name="Log release"))
    expect(page).to_have_url(re.compile(r"/releases/\d+$"))
    return int(page.url.rsplit("/", 1)[1])


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_log_a_release_and_link_it_to_two_projects_in_one_form(
    page: Page, nojs_page: Page, live_server: LiveServer, javascript: bool
):
    page = page if javascript else nojs_page
    sign_up(page, live_server)
    setup = Clicks()
    add_project(page, setup, "Instruction tuning data", (4, 3, 4))
    add_project(page, setup, "Alignment evals", (3, 2, 4))
    add_project(page, setup, "Tokenizer ablations", (2, 1, 2))

    clicks = Clicks()
    title = "LIMA: Less Is More for Alignment"
    effects = {"Instruction tuning data": "scoop", "Alignment evals": "new baseline"}
    log_and_link(page, clicks, title, f"2305.{secrets.randbelow(10**5):05d}", effects)
    print(f"clicks to log a release and link it to two projects: {clicks.count}")
    assert clicks.count == 5  # Releases, Log a release, two effects, Log release

    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    touched = page.locator("ul.links > li")
    expect(touched).to_have_count(2)
    expect(touched.filter(has_text="Instruction tuning data")).to_contain_text("scoop")
    expect(touched.filter(has_text="Alignment evals")).to_contain_text("new baseline")
    expect(page.get_by_role("link", name="I got scooped: re-plan")).to_be_visible()


def test_a_refused_link_keeps_the_whole_form(nojs_page: Page, live_server: LiveServer):
    page = nojs_page
    sign_up(page, live_server)
    add_project(page, Clicks(), "Instruction tuning data", (4, 3, 4))
    page.goto("/releases/new")
    page.get_by_label("Title", exact=True).fill("LIMA")
    page.get_by_label("What overlaps with Instruction tuning data", exact=True).fill("1k examples")
    page.get_by_role("button", name="Log release").click()  # a note but no effect
    expect(page.locator(".link-row .error")).to_have_text(
        "Choose its effect to link it, or clear the note."
    )
    expect(page.get_by_label("Title", exact=True)).to_have_value("LIMA")
    expect(page.get_by_label("What overlaps with Instruction tuning data")).to_have_value(
        "1k examples"
    )
    page.get_by_label("Effect on Instruction tuning data").select_option(label="partial scoop")
    page.get_by_role("button", name="Log release").click()
    expect(page.locator("ul.links > li")).to_contain_text("partial scoop — 1k examples")


def test_what_if_applies_the_change_as_a_rescore(page: Page, live_server: LiveServer):
    sign_up(page, live_server)
    setup = Clicks()
    kernels = add_project(page, setup, "Sparse attention kernels", (5, 3, 4))
    add_project(page, setup, "Long-context eval harness", (3, 2, 3))
    page.goto(f"/projects/{kernels}")
    page.wait_for_load_state("load")
    what_if = page.get_by_role("region", name="What if?")

    clicks = Clicks()
    clicks.choose(what_if.locator("select[name=score]"), label="scoop risk")
    clicks.choose(what_if.locator("select[name=value]"), "5")
    clicks.click(what_if.get_by_role("button", name="Preview ranking"))
    expect(page.locator("#what-if")).to_contain_text("If scoop risk were 5 (now 3)")
    clicks.click(what_if.get_by_role("button", name="Apply this change"))
    expect(what_if.locator("#e-rationale")).to_contain_text("Say why the score moves")
    expect(page.locator("#what-if")).to_contain_text("If scoop risk were 5 (now 3)")
    what_if.get_by_label("Why scoop risk is now 5 (was 3)").fill("Big Lab announced the same")
    clicks.click(what_if.get_by_role("button", name="Apply this change"))
    expect(page).to_have_url(f"{live_server.url}/projects/{kernels}")
    print(f"clicks to preview and apply a what-if (one refusal included): {clicks.count}")
    assert clicks.count == 5
    expect(page.locator("main")).to_contain_text("Big Lab announced the same")
    open_portfolio(page, live_server)
    expect(score_cell(page, "scoop_risk", "Sparse attention kernels")).to_have_text("5")


def test_i_got_scooped_end_to_end(page: Page, live_server: LiveServer):
    """From the release that scooped a project to its new plan: log it and
    link it as a scoop in one form, then the release's "I got scooped:
    re-plan", which opens the wizard on that release, and its six steps."""
    sign_up(page, live_server)
    project = "Tool-use agent benchmark"
    project_id = add_project(page, Clicks(), project, (4, 4, 4))

    clicks = Clicks()
    title = "ToolBench-X: a benchmark for tool-using agents"
    log_and_link(page, clicks, title, f"2410.{secrets.randbelow(10**5):05d}", {project: "scoop"})
    clicks.click(page.get_by_role("link", name="I got scooped: re-plan"))
    expect(page).to_have_url(re.compile(rf"/projects/{project_id}/replan\?release_id=\d+$"))
    page.wait_for_load_state("load")
    wizard = page.locator("#wizard")

    def next_step(number: int, button: str = "Next") -> None:
        clicks.click(wizard.get_by_role("button", name=button, exact=True))
        if number:
            expect(wizard.get_by_role("heading", level=2)).to_have_text(re.compile(rf"^{number}\."))

    # 1. Which release: the one just linked as a scoop, already chosen.
    expect(wizard.get_by_label("Release", exact=True)).to_be_visible()
    next_step(2)
    # 2. What happened.
    wizard.get_by_label("What did they do?", exact=True).fill("300 tasks, one model family.")
    wizard.get_by_label("What of our plan still stands?", exact=True).fill("Real APIs.")
    next_step(3)
    # 3. What we do now.
    clicks.check(wizard.get_by_role("radio", name=re.compile(r"^Evaluate more thoroughly")))
    next_step(4)
    # 4. Re-score: the scoop risk falls, and why.
    clicks.choose(wizard.get_by_label("Scoop risk", exact=True), "2")
    wizard.locator("textarea[name=scoop_risk_rationale]").fill("The obvious version is out.")
    next_step(5)
    # 5. The new plan, then 6. review and finish.
    next_step(6)
    next_step(0, "Finish re-plan")
    expect(page).to_have_url(re.compile(rf"/projects/{project_id}(#timeline)?$"))
    expect(page.locator("#timeline")).to_contain_text(title)
    print(f"clicks for 'I got scooped' end to end, from logging the release: {clicks.count}")
    assert clicks.count == 13
