"""The "I got scooped" re-plan as a user walks it, in real Chromium against a
real server: log the release that scooped us, run the wizard step by step
(HTMX swaps each step in place; without JavaScript each step is a plain form
post), and read the result on the project page: a second plan version, the
new scores, the release and the re-plan in the timeline, the plan diff.
Leaving the wizard midway keeps a draft and writes nothing else.
"""

import re
import secrets
from dataclasses import dataclass

import pytest
from playwright.sync_api import Locator, Page, Response, expect

from tests.browser.conftest import LiveServer
from tests.browser.test_portfolio_flow import NewProject, create_project, open_portfolio, sign_up

pytestmark = pytest.mark.browser


PROJECT = NewProject(
    title="Tool-use agent benchmark",
    summary="Can agents use real tools reliably? A benchmark that says.",
    keywords="agents, evaluation",
    success_axis="first",
    attainability=4,
    scoop_risk=4,
    impact=4,
    goal="Be first with the benchmark.",
)
NEW_GOAL = "Publish the most careful evaluation of the benchmark."
# After the scoop: still attainable, little left to be scooped on, a bit less
# impact, and now aiming to be the best version rather than the first.
NEW_SCORES = {"attainability": "4", "scoop_risk": "2", "impact": "3", "success_axis": "best"}

WHAT_THEY_DID = "They released ToolBench-X: 300 tasks, one model family, no error analysis."
WHAT_STANDS = "Our harness reruns across providers, and our tasks use real APIs."
LEARNINGS = "Release the task list early; it is what others build on."

STEP_TITLES = [
    "Which release",
    "What happened",
    "What we do now",
    "Re-score",
    "The new plan",
    "Review and finish",
]


@dataclass(frozen=True)
class NewRelease:
    title: str
    kind: str
    released_on: str
    organisation: str
    url: str
    summary: str


def a_release(url: str) -> NewRelease:
    return NewRelease(
        title="ToolBench-X: a benchmark for tool-using agents",
        kind="paper",
        released_on="2024-10-02",
        organisation="Frontier Lab",
        url=url,
        summary="A benchmark of 300 tool-use tasks with a leaderboard.",
    )


# ---------------------------------------------------------------- steps


def log_release(page: Page, server: LiveServer, release: NewRelease) -> int:
    """Log a release from the release log, as a user would; returns its id."""
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Releases").click()
    expect(page).to_have_url(f"{server.url}/releases")
    page.get_by_role("link", name="Log a release").click()
    expect(page).to_have_url(f"{server.url}/releases/new")

    page.get_by_label("Title", exact=True).fill(release.title)
    page.locator("main").get_by_label("Kind", exact=True).select_option(release.kind)
    page.get_by_label("Release date", exact=True).fill(release.released_on)
    page.get_by_label("Organisation", exact=True).fill(release.organisation)
    page.get_by_label("URL or arXiv id", exact=True).fill(release.url)
    page.get_by_label("Summary", exact=True).fill(release.summary)
    page.get_by_role("button", name="Log release").click()
    # Matching may first offer the projects it probably touches: these flows
    # link it their own way.
    page.wait_for_url(re.compile(re.escape(server.url) + r"/releases/\d+(/touches)?$"))
    if page.url.endswith("/touches"):
        page.get_by_role("link", name="Skip", exact=True).click()

    expect(page).to_have_url(re.compile(re.escape(server.url) + r"/releases/\d+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(release.title)
    return int(page.url.rsplit("/", 1)[1])


def open_project(page: Page, server: LiveServer, project_id: int, title: str) -> None:
    """From anywhere: the portfolio, then the project's title."""
    open_portfolio(page, server)
    page.locator("#portfolio-table").get_by_role("link", name=title, exact=True).click()
    expect(page).to_have_url(f"{server.url}/projects/{project_id}")
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    page.wait_for_load_state("load")  # deferred scripts (HTMX) have run


def scooped_button(page: Page) -> Locator:
    return page.locator("#scooped")


def wizard(page: Page) -> Locator:
    return page.locator("#wizard")


def expect_step(page: Page, number: int) -> None:
    """The wizard shows this step: its heading and the current step in the list."""
    title = STEP_TITLES[number - 1]
    expect(wizard(page).get_by_role("heading", level=2)).to_have_text(f"{number}. {title}")
    expect(wizard(page).locator("ol.steps li[aria-current=step]")).to_have_text(title)


def is_wizard_post(server: LiveServer, project_id: int):
    url = f"{server.url}/projects/{project_id}/replan"
    return lambda response: response.request.method == "POST" and response.url == url


def press(page: Page, server: LiveServer, project_id: int, button: str) -> Response:
    """Press a wizard button (Next, Back, Finish re-plan); returns the POST's response."""
    with page.expect_response(is_wizard_post(server, project_id)) as posted:
        wizard(page).get_by_role("button", name=button, exact=True).click()
    return posted.value


def press_htmx(page: Page, server: LiveServer, project_id: int, button: str) -> Response:
    response = press(page, server, project_id, button)
    assert response.request.headers.get("hx-request") == "true"
    return response


def press_plain(page: Page, server: LiveServer, project_id: int, button: str) -> Response:
    """Without JavaScript: a form post, redirected back to the wizard."""
    response = press(page, server, project_id, button)
    assert response.request.headers.get("hx-request") is None
    assert response.status == 303, response.status
    return response


def fill_step_1_existing(page: Page, release: NewRelease) -> None:
    w = wizard(page)
    w.get_by_role("radio", name="A release in my log").check()
    w.get_by_label("Release", exact=True).select_option(
        label=f"{release.title} ({release.released_on})"
    )
    w.get_by_role("radio", name=re.compile(r"\(scoop\)$")).check()


def fill_step_2(page: Page) -> None:
    wizard(page).get_by_label("What did they do?", exact=True).fill(WHAT_THEY_DID)
    wizard(page).get_by_label("What of our plan still stands?", exact=True).fill(WHAT_STANDS)


def fill_step_3(page: Page) -> None:
    wizard(page).get_by_role("radio", name=re.compile(r"^Evaluate more thoroughly")).check()
    wizard(page).get_by_label("What we learned", exact=True).fill(LEARNINGS)


def score_controls(page: Page) -> dict[str, Locator]:
    w = wizard(page)
    return {
        "attainability": w.get_by_label("Attainability", exact=True),
        "scoop_risk": w.get_by_label("Scoop risk", exact=True),
        "impact": w.get_by_label("Impact", exact=True),
        "success_axis": w.get_by_label("What success means now", exact=True),
    }


def expect_scores_prefilled(page: Page, project: NewProject) -> None:
    controls = score_controls(page)
    expect(controls["attainability"]).to_have_value(str(project.attainability))
    expect(controls["scoop_risk"]).to_have_value(str(project.scoop_risk))
    expect(controls["impact"]).to_have_value(str(project.impact))
    expect(controls["success_axis"]).to_have_value(project.success_axis)


def fill_step_4(page: Page) -> None:
    for name, control in score_controls(page).items():
        control.select_option(NEW_SCORES[name])
    # Three textareas are labelled "Why"; each sits beside its score.
    wizard(page).locator("textarea[name=scoop_risk_rationale]").fill(
        "The obvious version is out; what is left is the careful one."
    )
    wizard(page).locator("textarea[name=impact_rationale]").fill(
        "Second to the first release, still the careful evaluation."
    )


def fill_step_5(page: Page) -> None:
    goal = wizard(page).get_by_label("Goal", exact=True)
    expect(goal).to_have_value(PROJECT.goal)  # the new plan starts from the current one
    goal.fill(NEW_GOAL)


def expect_review(page: Page, release: NewRelease) -> None:
    review = wizard(page).locator("dl.review")
    expect(review).to_contain_text(f"{release.title} (scoop)")
    expect(review).to_contain_text(WHAT_THEY_DID)
    expect(review).to_contain_text(WHAT_STANDS)
    expect(review).to_contain_text("Evaluate more thoroughly")
    expect(review).to_contain_text(LEARNINGS)
    expect(review).to_contain_text("attainability 4, scoop risk 2, impact 3, aiming best")
    expect(review).to_contain_text(NEW_GOAL)


def plan_versions(page: Page) -> Locator:
    return page.get_by_role("region", name="Plan").locator("article.plan h3")


def expect_nothing_replanned(page: Page) -> None:
    expect(plan_versions(page)).to_have_count(1)
    expect(plan_versions(page)).to_contain_text(["Version 1"])
    expect(page.locator("#resilience")).to_contain_text("re-planned 0 times")
    expect(page.locator("#timeline li[data-kind=replan]")).to_have_count(0)


def expect_replanned(page: Page, server: LiveServer, project_id: int, release: NewRelease) -> None:
    """The project page after the re-plan, as the user reads it."""
    project_url = re.escape(f"{server.url}/projects/{project_id}")
    expect(page).to_have_url(re.compile(project_url + "(#.*)?$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(PROJECT.title)

    # The plan: a second version, made because of the release, on top.
    expect(plan_versions(page)).to_have_count(2)
    newest = page.locator("article.plan").first
    expect(newest.locator("h3")).to_contain_text("Version 2")
    expect(newest.locator("h3")).to_contain_text(f"re-plan after {release.title}")
    expect(newest.locator("dl.plan-fields dd").first).to_have_text(NEW_GOAL)
    expect(page.locator("#plan-1 h3")).to_contain_text("Version 1")

    # The current scores are the ones chosen in the wizard.
    scores = page.get_by_role("region", name=re.compile(r"^Current scores"))
    expect(scores.get_by_role("heading", level=2)).to_contain_text("aiming to be best")
    expect(scores.locator(".score-num")).to_have_text(["4", "2", "3"])
    expect(scores).to_contain_text("The obvious version is out")

    # The timeline tells the story: the release and the re-plan after it.
    timeline = page.locator("#timeline")
    release_item = timeline.locator("li[data-kind=release]")
    expect(release_item).to_have_count(1)
    expect(release_item).to_contain_text(release.title)
    expect(release_item).to_contain_text("scoop")
    replan_item = timeline.locator("li[data-kind=replan]")
    expect(replan_item).to_have_count(1)
    expect(replan_item).to_contain_text(f"Re-planned after {release.title}")
    expect(replan_item).to_contain_text("Evaluate more thoroughly")
    plan_item = timeline.locator("li[data-kind=plan]").filter(has_text="Plan version 2")
    expect(plan_item).to_have_count(1)

    expect(page.locator("#resilience")).to_contain_text("re-planned 1 time.")
    # Never counted as a failure, in any words.
    expect(page.locator("main")).not_to_contain_text(re.compile(r"fail", re.IGNORECASE))

    # No draft is left behind: the button starts a new re-plan again.
    expect(scooped_button(page)).to_have_text("I got scooped")


def expect_goal_diff(page: Page, server: LiveServer, project_id: int) -> None:
    page.get_by_role("link", name="What changed between versions").click()
    expect(page).to_have_url(re.compile(re.escape(f"{server.url}/projects/{project_id}/plan")))
    goal = page.locator(".field-diff").filter(
        has=page.locator("p.field-name", has_text=re.compile(r"^Goal$"))
    )
    expect(goal).to_have_class(re.compile(r"\bchanged\b"))
    expect(goal.locator("del").first).to_be_visible()
    expect(goal.locator("ins").first).to_be_visible()
    # Read back both sides as a reader of the diff would: the old goal is the
    # unchanged and removed lines, the new goal the unchanged and added ones.
    sides = goal.locator(".lines").evaluate(
        """lines => {
            const side = kinds => [...lines.querySelectorAll(kinds)]
                .map(line => line.querySelector(".text").textContent).join("\\n");
            return {old: side(".line-same, .line-del"), new: side(".line-same, .line-ins")};
        }"""
    )
    assert sides == {"old": PROJECT.goal, "new": NEW_GOAL}
    # Rewritten, with little in common: whole lines, no word marked.
    expect(goal.locator("del")).to_contain_text(["first"])
    expect(goal.locator(".word")).to_have_count(0)
    # On a phone the lines wrap: nothing scrolls sideways.
    size = page.viewport_size
    page.set_viewport_size({"width": 390, "height": 844})
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1]
    page.set_viewport_size(size)
    expect(page.locator("p.meta")).to_contain_text("version 2 (re-plan after")


# ---------------------------------------------------------------- flows


def test_scooped_replan_with_htmx_creates_a_new_plan_version(page: Page, live_server: LiveServer):
    sign_up(page, live_server)
    project_id = create_project(page, live_server, PROJECT)
    project_url = page.url
    release = a_release(f"2410.{secrets.randbelow(10**5):05d}")
    log_release(page, live_server, release)

    page.goto(project_url)
    page.wait_for_load_state("load")
    expect_nothing_replanned(page)
    expect(scooped_button(page)).to_have_text("I got scooped")
    scooped_button(page).click()
    expect(page).to_have_url(f"{live_server.url}/projects/{project_id}/replan")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Re-plan “{PROJECT.title}”")
    page.wait_for_load_state("load")
    page.evaluate("window.__marker = 1")
    expect_step(page, 1)
    expect(wizard(page).get_by_role("button", name="Back")).to_have_count(0)

    # 1. Which release: the one just logged.
    fill_step_1_existing(page, release)
    assert press_htmx(page, live_server, project_id, "Next").status == 200
    expect_step(page, 2)
    expect(wizard(page).locator("#step-heading")).to_be_focused()  # not lost to the body

    # 2. What happened. Pressing Next with nothing written is refused in place.
    response = press_htmx(page, live_server, project_id, "Next")
    assert response.status == 422
    expect_step(page, 2)
    expect(wizard(page).locator("#e-what_they_did")).to_be_visible()
    expect(wizard(page).get_by_label("What did they do?", exact=True)).to_have_attribute(
        "aria-invalid", "true"
    )
    fill_step_2(page)
    press_htmx(page, live_server, project_id, "Next")
    expect_step(page, 3)
    expect(wizard(page).locator(".error")).to_have_count(0)

    # 3. What we do now.
    fill_step_3(page)
    press_htmx(page, live_server, project_id, "Next")
    expect_step(page, 4)

    # 4. Re-score: starts from the current scores; the rank preview follows
    # each change by itself (its button is for pages without JavaScript).
    expect_scores_prefilled(page, PROJECT)
    expect(wizard(page).get_by_role("button", name="Update the rank preview")).to_have_count(0)
    preview = wizard(page).locator("#rank-preview")
    before = preview.inner_text()
    with page.expect_response(is_wizard_post(live_server, project_id)):
        score_controls(page)["scoop_risk"].select_option("1")
    expect(preview).not_to_have_text(before)
    expect(score_controls(page)["scoop_risk"]).to_have_value("1")
    fill_step_4(page)
    press_htmx(page, live_server, project_id, "Next")
    expect_step(page, 5)

    # Back keeps what was chosen on step 4, then forward again.
    press_htmx(page, live_server, project_id, "Back")
    expect_step(page, 4)
    for name, control in score_controls(page).items():
        expect(control).to_have_value(NEW_SCORES[name])
    press_htmx(page, live_server, project_id, "Next")
    expect_step(page, 5)

    # 5. The new plan: starts from the current one.
    fill_step_5(page)
    press_htmx(page, live_server, project_id, "Next")
    expect_step(page, 6)

    # 6. Review and finish.
    expect_review(page, release)
    expect(wizard(page).get_by_role("button", name="Next")).to_have_count(0)
    # Every step so far was swapped into the same document.
    assert page.evaluate("window.__marker") == 1
    expect(page).to_have_url(f"{live_server.url}/projects/{project_id}/replan")

    with page.expect_navigation():
        response = press_htmx(page, live_server, project_id, "Finish re-plan")
    assert response.status == 204
    assert response.headers.get("hx-redirect") == f"/projects/{project_id}#timeline"
    assert page.evaluate("window.__marker") is None  # a real navigation this time

    expect_replanned(page, live_server, project_id, release)
    expect_goal_diff(page, live_server, project_id)


def test_leaving_the_wizard_midway_keeps_a_draft(page: Page, live_server: LiveServer):
    sign_up(page, live_server)
    project_id = create_project(page, live_server, PROJECT)
    release = a_release(f"https://lab.example.org/toolbench-{secrets.token_hex(3)}")
    log_release(page, live_server, release)
    open_project(page, live_server, project_id, PROJECT.title)

    scooped_button(page).click()
    expect(page).to_have_url(f"{live_server.url}/projects/{project_id}/replan")
    page.wait_for_load_state("load")
    expect_step(page, 1)
    fill_step_1_existing(page, release)
    press_htmx(page, live_server, project_id, "Next")
    expect_step(page, 2)
    fill_step_2(page)
    press_htmx(page, live_server, project_id, "Next")
    expect_step(page, 3)

    # Called away: off to the portfolio, then back to the project.
    open_project(page, live_server, project_id, PROJECT.title)
    # Nothing is recorded until the re-plan is finished.
    expect_nothing_replanned(page)
    scores = page.get_by_role("region", name=re.compile(r"^Current scores"))
    expect(scores.locator(".score-num")).to_have_text(["4", "4", "4"])
    expect(scooped_button(page)).to_have_text("Continue the re-plan (draft)")

    scooped_button(page).click()
    expect(page).to_have_url(f"{live_server.url}/projects/{project_id}/replan")
    page.wait_for_load_state("load")
    expect_step(page, 3)  # where we left off
    expect(wizard(page).locator("ol.steps li.done")).to_have_text(STEP_TITLES[:2])

    press_htmx(page, live_server, project_id, "Back")
    expect_step(page, 2)
    expect(wizard(page).get_by_label("What did they do?", exact=True)).to_have_value(WHAT_THEY_DID)
    expect(wizard(page).get_by_label("What of our plan still stands?", exact=True)).to_have_value(
        WHAT_STANDS
    )
    press_htmx(page, live_server, project_id, "Back")
    expect_step(page, 1)
    expect(wizard(page).get_by_role("radio", name="A release in my log")).to_be_checked()
    expect(wizard(page).get_by_label("Release", exact=True)).to_have_value(
        re.compile(r"^\d+$")  # the release chosen before leaving
    )
    selected = wizard(page).get_by_label("Release", exact=True).locator("option:checked")
    expect(selected).to_have_text(f"{release.title} ({release.released_on})")

    # "Leave for now" keeps the step as typed, unsent text included.
    press_htmx(page, live_server, project_id, "Next")
    expect_step(page, 2)
    wizard(page).get_by_label("What did they do?", exact=True).fill("Typed, then called away")
    with page.expect_navigation():
        wizard(page).get_by_role("button", name="Leave for now").click()
    expect(page).to_have_url(f"{live_server.url}/projects/{project_id}")
    expect_nothing_replanned(page)
    expect(scooped_button(page)).to_have_text("Continue the re-plan (draft)")
    scooped_button(page).click()
    expect_step(page, 2)
    expect(wizard(page).get_by_label("What did they do?", exact=True)).to_have_value(
        "Typed, then called away"
    )


def test_replan_without_javascript_logs_a_new_release(nojs_page: Page, live_server: LiveServer):
    """With JavaScript off every step is a form post redirected back to the
    wizard; the release is typed into the wizard (the log is empty)."""
    page = nojs_page
    sign_up(page, live_server)
    project_id = create_project(page, live_server, PROJECT)
    release = a_release(f"https://lab.example.org/toolbench-{secrets.token_hex(3)}")
    wizard_url = f"{live_server.url}/projects/{project_id}/replan"

    scooped_button(page).click()
    expect(page).to_have_url(wizard_url)
    expect_step(page, 1)
    w = wizard(page)
    expect(w).to_contain_text("Your log is empty: log the release below.")
    expect(w.locator("details.new-release")).to_have_attribute("open", "")
    w.get_by_role("radio", name="Log it now").check()
    w.get_by_label("Title", exact=True).fill(release.title)
    w.get_by_label("Kind", exact=True).select_option(release.kind)
    w.get_by_label("Release date", exact=True).fill(release.released_on)
    w.get_by_label("Organisation", exact=True).fill(release.organisation)
    w.get_by_label("URL or arXiv id", exact=True).fill(release.url)
    w.get_by_label("Summary", exact=True).fill(release.summary)
    w.get_by_role("radio", name=re.compile(r"\(scoop\)$")).check()
    press_plain(page, live_server, project_id, "Next")
    expect(page).to_have_url(wizard_url)
    expect_step(page, 2)

    fill_step_2(page)
    press_plain(page, live_server, project_id, "Next")
    expect_step(page, 3)

    fill_step_3(page)
    press_plain(page, live_server, project_id, "Next")
    expect_step(page, 4)

    expect_scores_prefilled(page, PROJECT)
    fill_step_4(page)
    press_plain(page, live_server, project_id, "Next")
    expect_step(page, 5)

    fill_step_5(page)
    press_plain(page, live_server, project_id, "Next")
    expect_step(page, 6)
    review = wizard(page).locator("dl.review")
    expect(review).to_contain_text(f"{release.title} (logged when you finish)")
    expect(review).to_contain_text(NEW_GOAL)

    response = press_plain(page, live_server, project_id, "Finish re-plan")
    assert response.headers["location"] == f"/projects/{project_id}#timeline"
    expect_replanned(page, live_server, project_id, release)

    # The release typed into the wizard is in the log now, linked as a scoop.
    page.locator("#timeline li[data-kind=release]").get_by_role("link").click()
    expect(page).to_have_url(re.compile(re.escape(live_server.url) + r"/releases/\d+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(release.title)
    touched = page.get_by_role("region", name="Projects it touches")
    expect(touched.get_by_role("link", name=PROJECT.title)).to_be_visible()
    expect(touched.locator(".effect")).to_have_text("scoop")

    page.go_back()
    expect_goal_diff(page, live_server, project_id)


def test_log_it_now_opens_the_release_fields_dated_today(page: Page, live_server: LiveServer):
    sign_up(page, live_server)
    project_id = create_project(page, live_server, PROJECT)
    release = a_release(f"2411.{secrets.randbelow(10**5):05d}")
    log_release(page, live_server, release)
    page.goto(f"/projects/{project_id}/replan")
    page.wait_for_load_state("load")
    fields = wizard(page).locator("details.new-release")
    expect(fields).not_to_have_attribute("open", "")
    wizard(page).get_by_role("radio", name="Log it now").check()
    expect(fields).to_have_attribute("open", "")
    released = fields.locator("input[name=r_released_on]")
    expect(released).to_have_value(re.compile(r"^\d{4}-\d{2}-\d{2}$"))
