"""The portfolio as a user meets it, in real Chromium against a real server:
sign up, score three projects, open a row's score editor and re-score it
inline, and watch the ranking change (with HTMX, and with JavaScript off),
preview a change with "What if?".

The scores are chosen so that the orders hold under any reading of the
formula that ranks high impact and attainability first and punishes scoop
risk for a project that aims to be first:

    Sparse attention kernels      first  attainability 5, scoop risk 3, impact 4
    Long-context eval harness     best   attainability 3, scoop risk 2, impact 3
    Tokenizer ablations           best   attainability 2, scoop risk 1, impact 2
"""

import re
import secrets
from dataclasses import dataclass

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.browser.conftest import LiveServer

pytestmark = pytest.mark.browser


@dataclass(frozen=True)
class NewProject:
    title: str
    summary: str
    keywords: str
    success_axis: str
    attainability: int
    scoop_risk: int
    impact: int
    goal: str


TOP = "Sparse attention kernels"
MIDDLE = "Long-context eval harness"
LOW = "Tokenizer ablations"

PROJECTS = [
    # Created in an order that is not the ranking, so the ranking is the app's.
    NewProject(
        title=MIDDLE,
        summary="Do long-context claims survive a careful evaluation?",
        keywords="evaluation, long context",
        success_axis="best",
        attainability=3,
        scoop_risk=2,
        impact=3,
        goal="A harness others can rerun.",
    ),
    NewProject(
        title=LOW,
        summary="Which tokenizer choices matter for code models?",
        keywords="tokenizers",
        success_axis="best",
        attainability=2,
        scoop_risk=1,
        impact=2,
        goal="A short note with the ablation tables.",
    ),
    NewProject(
        title=TOP,
        summary="Block-sparse attention kernels for long sequences.",
        keywords="kernels, attention",
        success_axis="first",
        attainability=5,
        scoop_risk=3,
        impact=4,
        goal="Ship the kernels before the next big release.",
    ),
]


# ---------------------------------------------------------------- steps


def sign_up(page: Page, server: LiveServer) -> str:
    """Arrive as a visitor and create an account; returns its email."""
    first_account = not server.has_accounts()
    page.goto("/")
    if first_account:
        # An empty instance sends its first visitor to set it up.
        expect(page).to_have_url(f"{server.url}/signup")
        expect(page.get_by_role("heading", level=1)).to_have_text("Welcome to Goldfish")
    else:
        expect(page).to_have_url(re.compile(re.escape(f"{server.url}/login")))
        page.get_by_role("link", name="Create an account").click()
        expect(page).to_have_url(f"{server.url}/signup")
        expect(page.get_by_role("heading", level=1)).to_have_text("Create an account")

    email = f"researcher-{secrets.token_hex(4)}@example.org"
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Your name", exact=True).fill("Ada Researcher")
    page.get_by_label("Password", exact=True).fill("correct horse battery")
    page.get_by_role("button", name="Create account").click()

    expect(page).to_have_url(f"{server.url}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Portfolio")
    expect(page.get_by_role("navigation", name="Main")).to_contain_text("Ada Researcher")
    return email


def create_project(page: Page, server: LiveServer, project: NewProject) -> int:
    """Fill the new-project form as a user would; returns the new project's id."""
    page.get_by_role("navigation", name="Main").get_by_role("link", name="New project").click()
    expect(page).to_have_url(f"{server.url}/projects/new")

    page.get_by_label("Title", exact=True).fill(project.title)
    # Beyond the title and scores, the form's fields wait under "More details".
    page.get_by_text("More details").click()
    page.get_by_label("Question / summary", exact=True).fill(project.summary)
    page.get_by_label("Keywords", exact=True).fill(project.keywords)
    page.get_by_label("What success means", exact=True).select_option(project.success_axis)
    page.get_by_label("Attainability", exact=True).select_option(str(project.attainability))
    page.get_by_label("Scoop risk", exact=True).select_option(str(project.scoop_risk))
    page.get_by_label("Impact", exact=True).select_option(str(project.impact))
    page.get_by_label("Goal", exact=True).fill(project.goal)
    page.get_by_role("button", name="Create project").click()

    expect(page).to_have_url(re.compile(re.escape(server.url) + r"/projects/\d+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(project.title)
    return int(page.url.rsplit("/", 1)[1])


def create_portfolio(page: Page, server: LiveServer) -> dict[str, int]:
    return {p.title: create_project(page, server, p) for p in PROJECTS}


def open_portfolio(page: Page, server: LiveServer) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Portfolio").click()
    expect(page).to_have_url(f"{server.url}/")
    page.wait_for_load_state("load")  # deferred scripts (HTMX) have run


def portfolio_rows(page: Page) -> Locator:
    return page.locator("#portfolio-table tbody tr[data-project-id]")


def portfolio_row(page: Page, title: str) -> Locator:
    return portfolio_rows(page).filter(has=page.get_by_role("link", name=title, exact=True))


def expect_ranking(page: Page, titles: list[str]) -> None:
    """The portfolio lists exactly these titles, ranked 1, 2, 3… in this order."""
    rows = portfolio_rows(page)
    expect(rows.locator("td.title > a")).to_have_text(titles)  # not the keyword chips
    expect(rows.locator("td.rank")).to_have_text([str(n) for n in range(1, len(titles) + 1)])


def score_select(page: Page, score: str, title: str) -> Locator:
    """A row's inline score control, by its accessible name ("impact of …")."""
    return page.get_by_label(f"{score} of {title}", exact=True)


def score_cell(page: Page, score: str, title: str) -> Locator:
    """A row's score as shown while its editor is closed."""
    return portfolio_row(page, title).locator(f"td[data-score={score}]")


def open_editor(page: Page, title: str) -> None:
    """Press the row's "Edit scores": its editor is fetched and swapped in place."""
    row = portfolio_row(page, title)
    expect(row.locator("select")).to_have_count(0)  # no editor until asked for
    page.evaluate("window.__before_edit = 1")
    row.get_by_role("link", name=f"Edit scores of {title}").click()
    expect(score_select(page, "attainability", title)).to_be_focused()
    assert page.evaluate("window.__before_edit") == 1  # the same document: in place


def is_post_to(url: str):
    return lambda response: response.request.method == "POST" and response.url == url


# ---------------------------------------------------------------- flows


def test_inline_rescore_reranks_the_portfolio_in_place(page: Page, live_server: LiveServer):
    sign_up(page, live_server)
    ids = create_portfolio(page, live_server)
    open_portfolio(page, live_server)
    expect_ranking(page, [TOP, MIDDLE, LOW])
    posts: list[str] = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    open_editor(page, TOP)

    # A competitor is about to ship: the project that aims to be first now has
    # scoop risk 5, and should fall below the thorough evaluation project.
    # Tabbing onto the score and pressing arrow keys only changes the control.
    risk = score_select(page, "scoop risk", TOP)
    risk.focus()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    expect(risk).to_have_value("5")
    expect(risk).to_be_focused()
    save = portfolio_row(page, TOP).get_by_role("button", name=f"Save the scores of {TOP}")
    expect(save).to_be_visible()
    page.wait_for_timeout(300)
    assert posts == []  # nothing saved by accident
    expect_ranking(page, [TOP, MIDDLE, LOW])

    page.evaluate("window.__marker = 1")
    table_before = page.locator("#portfolio").element_handle()
    scores_url = f"{live_server.url}/projects/{ids[TOP]}/scores"
    with page.expect_response(is_post_to(scores_url)) as posted:
        save.click()
    response = posted.value
    assert response.status == 200
    assert response.request.headers.get("hx-request") == "true"

    expect_ranking(page, [MIDDLE, TOP, LOW])
    expect(page.locator("#scores-saved")).to_have_text(
        f"Saved. {TOP}: scoop risk 3→5, now #2 (was #1)."
    )
    expect(score_cell(page, "scoop_risk", TOP)).to_have_text("5")
    # Focus stays on the row the person was in: its Edit link, to change it again.
    edit_link = portfolio_row(page, TOP).get_by_role("link", name=f"Edit scores of {TOP}")
    expect(edit_link).to_be_focused()
    # Same document, new table: an HTMX swap, not a navigation.
    assert page.evaluate("window.__marker") == 1
    assert table_before.evaluate("el => el.isConnected") is False
    expect(page).to_have_url(f"{live_server.url}/")

    page.reload()
    assert page.evaluate("window.__marker") is None  # a real reload this time
    expect_ranking(page, [MIDDLE, TOP, LOW])
    expect(score_cell(page, "scoop_risk", TOP)).to_have_text("5")


def test_a_changed_score_can_be_put_back_without_saving(page: Page, live_server: LiveServer):
    sign_up(page, live_server)
    create_portfolio(page, live_server)
    open_portfolio(page, live_server)
    open_editor(page, LOW)
    impact = score_select(page, "impact", LOW)
    impact.select_option("5")
    row = portfolio_row(page, LOW)
    row.get_by_role("button", name=f"Put back the scores of {LOW}").click()
    expect(impact).to_have_value("2")
    expect(row.get_by_role("button", name=f"Save the scores of {LOW}")).to_be_hidden()
    page.reload()
    expect(score_cell(page, "impact", LOW)).to_have_text("2")


def test_rescore_without_javascript_saves_with_the_button(nojs_page: Page, live_server: LiveServer):
    page = nojs_page
    sign_up(page, live_server)
    ids = create_portfolio(page, live_server)
    open_portfolio(page, live_server)
    expect_ranking(page, [TOP, MIDDLE, LOW])

    # Without JavaScript, "Edit scores" is a plain link to a page with the row's form.
    portfolio_row(page, LOW).get_by_role("link", name=f"Edit scores of {LOW}").click()
    expect(page).to_have_url(f"{live_server.url}/projects/{ids[LOW]}/scores/edit")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Edit the scores of {LOW}")
    # The tokenizer work turns out to matter a lot more than expected.
    score_select(page, "impact", LOW).select_option("5")
    save = page.locator("#score-editor").get_by_role("button", name="Save scores")
    expect(save).to_be_visible()  # the <noscript> button shows only without JavaScript
    scores_url = f"{live_server.url}/projects/{ids[LOW]}/scores"
    with page.expect_response(is_post_to(scores_url)) as posted:
        save.click()
    assert posted.value.status == 303  # a plain form post, redirected back
    assert posted.value.request.headers.get("hx-request") is None

    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.locator("#flash")).to_have_text(f"Saved. {LOW}: impact 2→5, now #2 (was #3).")
    expect_ranking(page, [TOP, LOW, MIDDLE])
    expect(score_cell(page, "impact", LOW)).to_have_text("5")

    page.reload()
    expect_ranking(page, [TOP, LOW, MIDDLE])
    expect(score_cell(page, "impact", LOW)).to_have_text("5")


def test_what_if_previews_a_new_ranking_without_saving(page: Page, live_server: LiveServer):
    sign_up(page, live_server)
    ids = create_portfolio(page, live_server)
    open_portfolio(page, live_server)
    expect_ranking(page, [TOP, MIDDLE, LOW])

    portfolio_row(page, TOP).get_by_role("link", name=TOP, exact=True).click()
    expect(page).to_have_url(f"{live_server.url}/projects/{ids[TOP]}")
    page.wait_for_load_state("load")
    expect(page.locator("#rank")).to_have_text("1")

    page.evaluate("window.__marker = 1")
    what_if = page.get_by_role("region", name="What if?")
    what_if.locator("select[name=score]").select_option(label="scoop risk")
    what_if.locator("select[name=value]").select_option("5")
    with page.expect_response(re.compile(re.escape(f"/projects/{ids[TOP]}/what-if?"))) as got:
        what_if.get_by_role("button", name="Preview ranking").click()
    assert got.value.status == 200

    result = page.locator("#what-if")
    expect(result).to_contain_text("If scoop risk were 5 (now 3)")
    moves = result.locator("table tbody tr")
    # Columns: New rank, Project, Was, Priority.
    expect(moves.locator("td:nth-child(1)")).to_have_text(["1", "2", "3"])
    expect(moves.locator("td:nth-child(2)")).to_have_text([MIDDLE, TOP, LOW])
    expect(moves.locator("td:nth-child(3)")).to_have_text(["▲ from 2", "▼ from 1", "—"])
    assert page.evaluate("window.__marker") == 1  # shown in place
    expect(page.locator("#rank")).to_have_text("1")  # the saved rank is untouched

    # Nothing was saved: the portfolio and the project keep their scores.
    open_portfolio(page, live_server)
    expect_ranking(page, [TOP, MIDDLE, LOW])
    expect(score_cell(page, "scoop_risk", TOP)).to_have_text("3")
