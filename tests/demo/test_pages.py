"""The demo portfolio fills every page: the researcher's and the manager's
main pages each show demo content, not an empty state, their inboxes
included (the team feed's last poll brought papers that matching suggested
for the manager's harness and the researcher's curated-set project)."""

import pytest
from sqlmodel import select

from app.auth.models import User
from app.demo import content
from app.demo.service import MANAGER_EMAIL, RESEARCHER_EMAIL, demo_load
from app.projects.models import Project
from app.releases.models import Release
from app.reviews.models import ReviewRequest
from app.teams.models import Team
from tests import factories
from tests.helpers import soup


@pytest.fixture
def demo(db, settings, app):
    demo_load(db, secret_key=settings.secret_key, scoring=app.state.scoring)
    db.commit()
    ids = {
        "team": db.exec(select(Team.id)).one(),
        "curated": db.exec(select(Project.id).where(Project.title.startswith("Small"))).one(),
        "lima": db.exec(select(Release.id).where(Release.title.startswith("LIMA"))).one(),
        "request": db.exec(select(ReviewRequest.id).order_by(ReviewRequest.id)).first(),
    }
    return ids


def _as(client, db, email: str):
    user = db.exec(select(User).where(User.email == email)).one()
    factories.log_in(client, db, user)
    return client


def _main_text(client, url: str) -> str:
    r = client.get(url)
    assert r.status_code == 200, (url, r.status_code)
    main = soup(r).select_one("main")
    assert main is not None, url
    return " ".join(main.get_text(" ").split())


# (page, what must be on it), {team}, {curated}, {lima} and {request} filled in.
RESEARCHER_PAGES = [
    ("/", "Small curated instruction sets"),
    ("/", "Which instruction datasets to mix"),
    ("/projects/{curated}", "LIMA: Less Is More for Alignment"),
    ("/projects/{curated}", "scoop risk acknowledged"),
    ("/releases", "Vicuna"),
    ("/releases", "Self-Instruct"),
    ("/releases/{lima}", "Small curated instruction sets"),
    ("/journal", "Human ratings came back"),
    ("/journal/pace", "Rest days"),
    ("/journal/review", "People agree with our skill labels"),
    ("/teams", content.TEAM_NAME),
    ("/teams/{team}", "Sam Whitfield"),
    ("/teams/{team}/journal", "Noor Haddad"),
    ("/reviews?box=sent", "What imitation models really learn"),
    ("/reviews/{request}", "High scoop risk, understood and accepted"),
    ("/inbox", "Unnatural Instructions"),
    ("/inbox", "INSTRUCTEVAL"),
    ("/activity", "Sam Whitfield"),
    ("/digest", "answered your review request"),
    ("/feeds", "Instruction tuning on arXiv"),
]
MANAGER_PAGES = [
    ("/teams/{team}/portfolio", "Small curated instruction sets"),
    ("/teams/{team}/portfolio", "When do model judges agree with people?"),
    ("/reviews", "What imitation models really learn"),
    ("/digest", "asked you to review"),
    ("/", "A shared evaluation harness for the lab"),
    ("/releases", "Chatbot Arena"),
    ("/journal", "Checked harness results against published numbers"),
    ("/journal/pace", "Rest days"),
    ("/feeds", "Holistic evaluation on arXiv (team)"),
    ("/inbox", "Holistic Evaluation of Language Models"),
    ("/reviews/{request}", "Best matters more to us than first here"),
    ("/projects/{curated}", "LIMA: Less Is More for Alignment"),
    ("/teams/{team}", "Noor Haddad"),
    ("/teams/{team}/journal", "Human ratings came back"),
    ("/activity", "Noor Haddad"),
    ("/teams", content.TEAM_NAME),
]


def test_every_main_page_shows_the_demo_to_its_researcher(client, db, demo):
    _as(client, db, RESEARCHER_EMAIL)
    missing = [
        (page, expected)
        for page, expected in RESEARCHER_PAGES
        if expected not in _main_text(client, page.format(**demo))
    ]
    assert missing == []


def test_every_main_page_shows_the_demo_to_its_manager(client, db, demo):
    _as(client, db, MANAGER_EMAIL)
    missing = [
        (page, expected)
        for page, expected in MANAGER_PAGES
        if expected not in _main_text(client, page.format(**demo))
    ]
    assert missing == []


def test_the_portfolio_ranks_all_ten_projects_with_their_arithmetic(client, db, demo):
    _as(client, db, RESEARCHER_EMAIL)
    page = soup(client.get("/"))
    titles = {p.title for p in content.PROJECTS}
    shown = {a.get_text(strip=True) for a in page.select("main table a")}
    assert titles <= shown


@pytest.mark.parametrize(
    ("email", "expected"),
    [
        (
            MANAGER_EMAIL,
            {
                (
                    "Holistic Evaluation of Language Models",
                    "A shared evaluation harness for the lab",
                ),
            },
        ),
        (
            RESEARCHER_EMAIL,
            {
                (
                    "INSTRUCTEVAL: Towards Holistic Evaluation of Instruction-Tuned Large "
                    "Language Models",
                    "Small curated instruction sets",
                ),
                (
                    "Unnatural Instructions: Tuning Language Models with (Almost) No Human Labor",
                    "Small curated instruction sets",
                ),
            },
        ),
    ],
)
def test_both_demo_accounts_find_open_suggestions_from_real_matching(
    client, db, demo, email, expected
):
    _as(client, db, email)
    page = soup(client.get("/inbox"))
    shown = set()
    for group in page.select("main section.inbox-group"):
        heading = group.select_one("h2 a")
        for item in group.select("li.suggestion.state-open"):
            shown.add(
                (
                    item.select_one(".release-title").get_text(strip=True),
                    heading.get_text(strip=True),
                )
            )
    assert expected <= shown
    # Each came from the matcher, with the words it matched on.
    assert page.select("li.suggestion.state-open .why mark.term")
