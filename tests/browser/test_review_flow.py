"""Managing up, as two people live it, in real Chromium against a real server.

A researcher makes a team and invites a manager by link; the manager (a second
browser context: another person, other cookies) joins. The researcher shares
a project with the team and shares its plan up with two questions; the manager
sees it waiting in the navigation, answers both questions and acknowledges the
scoop risk; the researcher reads the answer, and both write in the comment
thread. Later the project is scooped: after the re-plan its timeline says
the risk was acknowledged, by whom and when, beside the re-plan.
"""

import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import LiveServer, _open_page
from tests.browser.test_portfolio_flow import is_post_to, sign_up
from tests.browser.test_replan_flow import (
    PROJECT,
    a_release,
    expect_replanned,
    expect_review,
    expect_step,
    fill_step_1_existing,
    fill_step_2,
    fill_step_3,
    fill_step_4,
    fill_step_5,
    log_release,
    press_htmx,
    scooped_button,
    wizard,
)

pytestmark = pytest.mark.browser


RESEARCHER = "Ada Researcher"  # the name sign_up gives
MANAGER = "Grace Manager"
CONTINGENCY = "Pivot to the most careful evaluation: rerun every model across providers."
QUESTIONS = [
    "Do we value being first or being best here?",
    "Can we spend two more GPU-weeks if a rival benchmark lands?",
]
ANSWERS = [
    "Best. A careful benchmark outlives a fast one.",
    "Yes, two GPU-weeks are approved if that happens.",
]
MANAGER_COMMENT = "Send me the **task list** when it is ready."
RESEARCHER_COMMENT = "Will do, by Friday."


@dataclass(frozen=True)
class SharedUp:
    team: str
    project_id: int
    review_url: str


# ---------------------------------------------------------------- fixtures


@pytest.fixture
def manager_page(
    request: pytest.FixtureRequest, browser: Browser, live_server: LiveServer, tmp_path: Path
) -> Iterator[Page]:
    """A second person, in a browser context of their own, JavaScript on."""
    evidence = tmp_path / "manager"
    evidence.mkdir()
    yield from _open_page(request, browser, live_server, evidence, javascript=True)


@pytest.fixture
def nojs_manager_page(
    request: pytest.FixtureRequest, browser: Browser, live_server: LiveServer, tmp_path: Path
) -> Iterator[Page]:
    """A second person whose browser runs no JavaScript."""
    evidence = tmp_path / "manager"
    evidence.mkdir()
    yield from _open_page(request, browser, live_server, evidence, javascript=False)


# ---------------------------------------------------------------- steps


def sign_up_as(page: Page, server: LiveServer, name: str) -> None:
    """Someone else joins the instance (it has accounts already)."""
    assert server.has_accounts()
    page.goto("/")
    expect(page).to_have_url(re.compile(re.escape(f"{server.url}/login")))
    page.get_by_role("link", name="Create an account").click()
    expect(page).to_have_url(f"{server.url}/signup")
    page.get_by_label("Email", exact=True).fill(f"manager-{secrets.token_hex(4)}@example.org")
    page.get_by_label("Your name", exact=True).fill(name)
    page.get_by_label("Password", exact=True).fill("correct horse battery")
    page.get_by_role("button", name="Create account").click()
    expect(page).to_have_url(f"{server.url}/")
    expect(page.get_by_role("navigation", name="Main")).to_contain_text(name)


def nav(page: Page):
    return page.get_by_role("navigation", name="Main")


def create_team(page: Page, server: LiveServer, name: str) -> None:
    nav(page).get_by_role("link", name="Teams").click()
    expect(page).to_have_url(f"{server.url}/teams")
    page.get_by_label("Team name", exact=True).fill(name)
    page.get_by_role("button", name="Create team").click()
    expect(page).to_have_url(re.compile(re.escape(server.url) + r"/teams/\d+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(name)
    expect(page.locator("main")).to_contain_text("You are a manager and an admin of this team.")


def make_manager_invite(page: Page) -> str:
    """On the team's page: an invite link for a manager; returns the link."""
    page.get_by_label("Role", exact=True).select_option("manager")
    page.get_by_label("Note (who it is for)", exact=True).fill(MANAGER)
    page.get_by_role("button", name="Make an invite link").click()
    issued = page.locator("#issued-invite")
    expect(issued).to_contain_text("It lets one person in as a manager")
    link = page.get_by_label("Invite link", exact=True)
    expect(link).to_have_value(re.compile(r"/join/"))
    return link.input_value()


def join_team(page: Page, server: LiveServer, link: str, team: str) -> None:
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Join a team")
    expect(page.locator("main")).to_contain_text(f"invites you to join {team} as a manager.")
    page.get_by_role("button", name=f"Join {team}").click()
    expect(page).to_have_url(re.compile(re.escape(server.url) + r"/teams/\d+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(team)
    expect(page.locator("main")).to_contain_text("You are a manager of this team.")


def create_shared_project(page: Page, server: LiveServer, team: str) -> int:
    """The new-project form, shared with the team, with a contingency and
    the questions for leadership; returns the project's id."""
    project = PROJECT
    nav(page).get_by_role("link", name="New project").click()
    expect(page).to_have_url(f"{server.url}/projects/new")
    page.get_by_label("Title", exact=True).fill(project.title)
    # Beyond the title and scores, the form's fields wait under "More details".
    page.get_by_text("More details").click()
    page.get_by_label("Question / summary", exact=True).fill(project.summary)
    page.get_by_label("Keywords", exact=True).fill(project.keywords)
    page.get_by_label("Shared with", exact=True).select_option(label=team)
    page.get_by_label("What success means", exact=True).select_option(project.success_axis)
    page.get_by_label("Attainability", exact=True).select_option(str(project.attainability))
    page.get_by_label("Scoop risk", exact=True).select_option(str(project.scoop_risk))
    page.get_by_label("Impact", exact=True).select_option(str(project.impact))
    page.get_by_label("Goal", exact=True).fill(project.goal)
    page.get_by_label("If scooped, we will…", exact=True).fill(CONTINGENCY)
    page.get_by_label("Questions for leadership", exact=True).fill("\n".join(QUESTIONS))
    page.get_by_role("button", name="Create project").click()

    expect(page).to_have_url(re.compile(re.escape(server.url) + r"/projects/\d+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(project.title)
    expect(page.locator("#sharing")).to_contain_text(f"Shared with {team}")
    return int(page.url.rsplit("/", 1)[1])


def share_plan_up(page: Page, server: LiveServer, project_id: int) -> str:
    """From the project page: share plan version 1 up to the manager; returns
    the review's address."""
    reviews = page.locator("#reviews")
    reviews.get_by_role("link", name="Share plan version 1 up for review").click()
    expect(page).to_have_url(f"{server.url}/projects/{project_id}/plans/1/share")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Share plan version 1 up: {PROJECT.title}"
    )
    # The questions written with the plan are there already, one per line.
    questions = page.get_by_label("Questions for leadership, one per line", exact=True)
    expect(questions).to_have_value("\n".join(QUESTIONS))
    page.get_by_label("Ask this manager", exact=True).select_option(label=MANAGER)
    page.get_by_role("button", name="Ask for a review").click()

    expect(page).to_have_url(re.compile(re.escape(server.url) + r"/reviews/\d+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Review of {PROJECT.title}, plan version 1"
    )
    expect(page.locator("#review-state")).to_have_text("open")
    expect(page.locator("main")).to_contain_text(f"asked of {MANAGER}")
    expect(page.locator("#questions li")).to_have_text(QUESTIONS)
    return page.url


def set_up_shared_review(researcher: Page, manager: Page, server: LiveServer) -> SharedUp:
    """Both people in one team, and a plan shared up from one to the other."""
    team = f"Agents lab {secrets.token_hex(2)}"
    sign_up(researcher, server)
    create_team(researcher, server, team)
    link = make_manager_invite(researcher)

    sign_up_as(manager, server, MANAGER)
    join_team(manager, server, link, team)

    # The researcher's team page now lists the manager.
    researcher.reload()
    members = researcher.locator("table.members tbody tr")
    expect(members.locator("td:nth-child(1)")).to_have_text([f"{RESEARCHER} (you)", MANAGER])
    expect(members.locator("td:nth-child(2)")).to_have_text(["manager", "manager"])

    project_id = create_shared_project(researcher, server, team)
    review_url = share_plan_up(researcher, server, project_id)
    return SharedUp(team=team, project_id=project_id, review_url=review_url)


def open_waiting_review(page: Page, server: LiveServer, shared: SharedUp) -> None:
    """The manager: the count in the navigation, the queue, the review."""
    page.goto("/")
    reviews_link = page.locator("#nav-reviews")
    expect(reviews_link.locator(".count")).to_have_text("1")
    expect(reviews_link.locator(".count")).to_have_attribute("aria-label", "1 waiting for you")
    reviews_link.click()
    expect(page).to_have_url(f"{server.url}/reviews")
    waiting = page.locator("#waiting tbody tr")
    expect(waiting).to_have_count(1)
    expect(waiting.locator("td")).to_have_text(
        [
            PROJECT.title,
            "version 1",
            RESEARCHER,
            MANAGER,
            re.compile(r"^\d\d [A-Z][a-z]{2} \d{4}$"),  # "02 Dec 2026", in the reader's zone
            "open",
        ]
    )
    waiting.get_by_role("link", name=PROJECT.title).click()
    expect(page).to_have_url(shared.review_url)
    page.wait_for_load_state("load")  # deferred scripts (HTMX) have run


def comments(page: Page):
    return page.locator("#thread ol.comments > li")


# ---------------------------------------------------------------- flows


def test_manager_acknowledges_a_shared_plan_and_the_scoop_shows_it(
    page: Page, manager_page: Page, live_server: LiveServer
):
    researcher, manager = page, manager_page
    shared = set_up_shared_review(researcher, manager, live_server)

    # The manager finds the plan waiting, with its risk and contingency.
    open_waiting_review(manager, live_server, shared)
    expect(manager.locator("main")).to_contain_text(f"Shared up by {RESEARCHER}")
    risk = manager.locator("#risk")
    expect(risk.locator(".score-num")).to_have_text(str(PROJECT.scoop_risk))
    expect(risk).to_contain_text(CONTINGENCY)

    # Answers both questions and acknowledges the risk.
    respond = manager.locator("#respond")
    for question, answer in zip(QUESTIONS, ANSWERS, strict=True):
        respond.get_by_label(question, exact=True).fill(answer)
    respond.get_by_role("radio", name="Acknowledge the scoop risk").check()
    respond.get_by_role("button", name="Send the answer").click()

    expect(manager).to_have_url(shared.review_url)
    expect(manager.locator("#review-state")).to_have_text("scoop risk acknowledged")
    expect(manager.locator("#respond")).to_have_count(0)  # answered once, not twice
    expect(manager.locator("#nav-reviews .count")).to_have_count(0)  # nothing waits any more

    # The researcher reads the answer.
    researcher.reload()
    expect(researcher.locator("#review-state")).to_have_text("scoop risk acknowledged")
    answer = researcher.locator("#answer")
    expect(answer.get_by_role("heading", level=2)).to_have_text(
        f"{MANAGER}'s answer: scoop risk acknowledged"
    )
    expect(answer.locator("dt")).to_have_text(QUESTIONS)
    expect(answer.locator("dd")).to_have_text(ANSWERS)
    answered_on = answer.locator("p.meta time").inner_text()
    assert re.fullmatch(r"\d\d [A-Z][a-z]{2} \d{4}", answered_on), answered_on  # "02 Dec 2026"
    expect(researcher.locator("#questions")).to_have_count(0)  # no more editing the questions

    # The manager comments; the thread is swapped in place.
    expect(comments(manager)).to_have_count(0)
    expect(manager.locator("#thread")).to_contain_text("No comments yet.")
    manager.evaluate("window.__marker = 1")
    comment_url = f"{shared.review_url}/comments"
    with manager.expect_response(is_post_to(comment_url)) as posted:
        manager.get_by_label("Add a comment (Markdown)", exact=True).fill(MANAGER_COMMENT)
        manager.get_by_role("button", name="Comment", exact=True).click()
    assert posted.value.status == 200
    assert posted.value.request.headers.get("hx-request") == "true"
    expect(comments(manager)).to_have_count(1)
    expect(comments(manager).locator("strong").first).to_have_text(MANAGER)
    expect(comments(manager).locator(".markdown strong")).to_have_text("task list")
    expect(manager.get_by_label("Add a comment (Markdown)", exact=True)).to_have_value("")
    assert manager.evaluate("window.__marker") == 1

    # The researcher sees it and replies; the manager sees the reply.
    researcher.reload()
    expect(comments(researcher)).to_have_count(1)
    expect(comments(researcher).first).to_contain_text("Send me the task list when it is ready.")
    researcher.wait_for_load_state("load")
    researcher.get_by_label("Add a comment (Markdown)", exact=True).fill(RESEARCHER_COMMENT)
    researcher.get_by_role("button", name="Comment", exact=True).click()
    expect(comments(researcher)).to_have_count(2)
    manager.reload()
    expect(comments(manager).locator(".meta strong")).to_have_text([MANAGER, RESEARCHER])
    expect(comments(manager).nth(1)).to_contain_text(RESEARCHER_COMMENT)

    # Later: a rival benchmark ships. The researcher runs "I got scooped".
    release = a_release(f"2410.{secrets.randbelow(10**5):05d}")
    log_release(researcher, live_server, release)
    researcher.goto(f"/projects/{shared.project_id}")
    researcher.wait_for_load_state("load")
    reviews = researcher.locator("#reviews li")
    expect(reviews).to_have_count(1)
    expect(reviews).to_contain_text(f"of {MANAGER}: scoop risk acknowledged")
    expect(researcher.locator("#timeline li[data-kind=replan]")).to_have_count(0)

    scooped_button(researcher).click()
    expect(researcher).to_have_url(f"{live_server.url}/projects/{shared.project_id}/replan")
    researcher.wait_for_load_state("load")
    expect_step(researcher, 1)
    fill_step_1_existing(researcher, release)
    press_htmx(researcher, live_server, shared.project_id, "Next")
    for number, fill in enumerate([fill_step_2, fill_step_3, fill_step_4, fill_step_5], start=2):
        expect_step(researcher, number)
        fill(researcher)
        press_htmx(researcher, live_server, shared.project_id, "Next")
    expect_step(researcher, 6)
    expect_review(researcher, release)
    expect(wizard(researcher).locator("dl.review")).not_to_contain_text(
        re.compile(r"fail", re.IGNORECASE)
    )
    with researcher.expect_navigation():
        finished = press_htmx(researcher, live_server, shared.project_id, "Finish re-plan")
    assert finished.status == 204
    expect_replanned(researcher, live_server, shared.project_id, release)

    # The record stands: beside the re-plan, the acknowledgment, by whom and when.
    acknowledgment = (
        f"scoop risk acknowledged by {MANAGER} on {answered_on} (plan version 1): "
        "a known, accepted risk, now re-planned."
    )
    timeline = researcher.locator("#timeline")
    replan = timeline.locator("li[data-kind=replan]")
    expect(replan.locator("p.acknowledged")).to_have_text(acknowledgment)
    review_item = timeline.locator("li[data-kind=review]")
    expect(review_item).to_have_count(1)
    expect(review_item).to_contain_text(f"Plan version 1 reviewed by {MANAGER}")
    expect(review_item.get_by_role("link")).to_have_attribute(
        "href", shared.review_url.removeprefix(live_server.url)
    )
    # Only the re-plan carries it: the acknowledgment is about this scoop.
    expect(timeline.locator("p.acknowledged")).to_have_count(1)

    # The manager reads the same record on the shared project.
    manager.goto(f"/projects/{shared.project_id}")
    expect(manager.locator("#sharing")).to_contain_text(
        f"{RESEARCHER}'s project, shared with {shared.team}"
    )
    expect(scooped_button(manager)).to_have_count(0)  # reading, not changing
    expect(manager.locator("#timeline li[data-kind=replan] p.acknowledged")).to_have_text(
        acknowledgment
    )
    expect(manager.locator("main")).not_to_contain_text(re.compile(r"fail", re.IGNORECASE))


def test_review_comments_work_without_javascript(
    page: Page, nojs_manager_page: Page, live_server: LiveServer
):
    researcher, manager = page, nojs_manager_page
    shared = set_up_shared_review(researcher, manager, live_server)
    open_waiting_review(manager, live_server, shared)
    comment_url = f"{shared.review_url}/comments"
    field = manager.get_by_label("Add a comment (Markdown)", exact=True)

    # An empty comment is refused beside the field; the page stays usable.
    with manager.expect_response(is_post_to(comment_url)) as posted:
        manager.get_by_role("button", name="Comment", exact=True).click()
    assert posted.value.status == 422
    assert posted.value.request.headers.get("hx-request") is None
    expect(manager.locator("#e-comment")).to_be_visible()
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(comments(manager)).to_have_count(0)
    # A whole page came back, not a fragment: the navigation and the answer form are there.
    expect(nav(manager)).to_contain_text(MANAGER)
    expect(manager.locator("#respond")).to_be_visible()

    # A plain form post, redirected back to the comment.
    with manager.expect_response(is_post_to(comment_url)) as posted:
        field.fill(MANAGER_COMMENT)
        manager.get_by_role("button", name="Comment", exact=True).click()
    assert posted.value.status == 303
    expect(manager).to_have_url(re.compile(re.escape(shared.review_url) + r"#comment-\d+$"))
    expect(comments(manager)).to_have_count(1)
    expect(comments(manager).first).to_contain_text("Send me the task list when it is ready.")
    expect(manager.locator("#e-comment")).to_have_count(0)
    # Commenting is not answering: the plan still waits for the manager's answer.
    expect(manager.locator("#review-state")).to_have_text("open")
    expect(manager.locator("#nav-reviews .count")).to_have_text("1")

    researcher.reload()
    expect(comments(researcher)).to_have_count(1)
    expect(comments(researcher).locator(".meta strong")).to_have_text([MANAGER])
