"""Every list of the API comes a page at a time: `limit` (50 by default, at
most 200) and `cursor` (the `next` of the page before, null on the last).
Walking the pages gives every row once, in the list's order."""

from urllib.parse import parse_qsl

import pytest

from app.notifications.models import NoticeKind
from app.notifications.service import notify
from tests import factories
from tests.helpers import field_error, token_of


def walk(api, path: str, *, limit: int, headers: dict | None = None) -> list[list[dict]]:
    """Every page of a list, following `next` until it is null."""
    path, _, query = path.partition("?")
    asked = dict(parse_qsl(query))
    pages, cursor = [], None
    while True:
        params = {**asked, "limit": limit, **({"cursor": cursor} if cursor else {})}
        response = api.get(path, params=params, headers=headers or {})
        assert response.status_code == 200, response.text
        body = response.json()
        pages.append(body["items"])
        cursor = body["next"]
        if cursor is None:
            return pages
        assert len(pages) < 100, "the walk never ends"


def ids(pages: list[list[dict]], key: str = "id") -> list[int]:
    return [item[key] for page in pages for item in page]


@pytest.fixture
def portfolio(db, user) -> list[int]:
    """23 projects of Ada's with scores all over (and ties), by id."""
    made = []
    for i in range(23):
        project = factories.make_project(
            db,
            user,
            f"Project {i:02}",
            impact=1 + i % 5,
            attainability=1 + (i * 3) % 5,
            scoop_risk=1 + (i * 2) % 5,
        )
        made.append(project.id)
    return made


def ranked_ids(api) -> list[int]:
    items = api.get("/api/v1/projects", params={"limit": 200}).json()["items"]
    return [p["id"] for p in sorted(items, key=lambda p: p["priority"]["rank"])]


def test_walking_the_project_pages_gives_every_project_once_in_rank_order(api, portfolio):
    ranking = ranked_ids(api)
    assert sorted(ranking) == sorted(portfolio)
    pages = walk(api, "/api/v1/projects", limit=5)
    assert [len(page) for page in pages] == [5, 5, 5, 5, 3]
    assert ids(pages) == ranking
    ranks = [p["priority"]["rank"] for page in pages for p in page]
    assert ranks == list(range(1, 24))  # the rank is the portfolio's, not the page's


def test_a_walk_ranks_by_the_scores_of_its_first_page_however_they_change(api, portfolio):
    """The guarantee: a walk is a snapshot of the scores at its first page.
    A project re-scored meanwhile (up past the cursor, or down below it) is
    neither skipped nor listed twice; the next walk shows the new scores."""
    ranking = ranked_ids(api)
    first = api.get("/api/v1/projects", params={"limit": 8}).json()
    assert [p["id"] for p in first["items"]] == ranking[:8]
    # The last project climbs to the top; the first sinks to the bottom.
    top, bottom = ranking[-1], ranking[0]
    for project_id, score in ((top, 5), (bottom, 1)):
        version = api.get(f"/api/v1/projects/{project_id}").json()["version"]
        scores = {"impact": score, "attainability": score, "scoop_risk": 6 - score}
        changed = api.patch(
            f"/api/v1/projects/{project_id}", json={"version": version, "assessment": scores}
        )
        assert changed.status_code == 200, changed.text
    pages, cursor = [first["items"]], first["next"]
    while cursor:
        body = api.get("/api/v1/projects", params={"limit": 8, "cursor": cursor}).json()
        pages.append(body["items"])
        cursor = body["next"]
    assert ids(pages) == ranking
    climbed = next(p for p in pages[-1] if p["id"] == top)
    assert climbed["assessment"]["impact"] != 5  # as it was scored when the walk began
    again = ranked_ids(api)
    assert again[0] == top and again[-1] == bottom


def test_a_project_made_during_a_walk_waits_for_the_next_walk(api, db, user, portfolio):
    first = api.get("/api/v1/projects", params={"limit": 10}).json()
    late = factories.make_project(db, user, "Late", impact=5, attainability=5, scoop_risk=1)
    pages, cursor = [first["items"]], first["next"]
    while cursor:
        body = api.get("/api/v1/projects", params={"limit": 10, "cursor": cursor}).json()
        pages.append(body["items"])
        cursor = body["next"]
    assert late.id not in ids(pages) and len(ids(pages)) == 23
    assert ranked_ids(api)[0] == late.id


def test_fifty_projects_a_page_unless_asked_and_never_more_than_200(api, db, user):
    for i in range(55):
        factories.make_project(db, user, f"P{i}")
    first = api.get("/api/v1/projects").json()
    assert len(first["items"]) == 50 and first["next"]
    rest = api.get("/api/v1/projects", params={"cursor": first["next"]}).json()
    assert len(rest["items"]) == 5 and rest["next"] is None
    assert len(api.get("/api/v1/projects", params={"limit": 200}).json()["items"]) == 55
    field_error(api.get("/api/v1/projects", params={"limit": 201}), "limit")
    field_error(api.get("/api/v1/projects", params={"limit": 0}), "limit")


@pytest.mark.parametrize(
    "path",
    ["/api/v1/projects", "/api/v1/teams", "/api/v1/reviews", "/api/v1/notifications"],
)
@pytest.mark.parametrize(
    "cursor",
    [
        "not base64 at all!",  # refused by the pattern
        "bm9wZQ",  # base64 of "nope": not JSON
        "WzEsMl0",  # [1,2]: JSON, but not this list's key
        "x" * 1201,  # too long
    ],
)
def test_a_cursor_the_list_did_not_hand_out_is_a_422_naming_it(api, path, cursor):
    field_error(api.get(path, params={"cursor": cursor}), "cursor")


def test_a_cursor_of_one_list_is_refused_by_another(api, db, user, other_user, portfolio):
    for summary in ("a", "b"):
        notify(
            db, user_ids=[user.id], kind=NoticeKind.comment_added, actor=other_user, summary=summary
        )
    db.commit()
    cursor = api.get("/api/v1/notifications", params={"limit": 1}).json()["next"]
    assert cursor
    field_error(api.get("/api/v1/projects", params={"cursor": cursor}), "cursor")


def test_notifications_page_newest_first_each_once(api, db, user, other_user):
    for i in range(7):
        notify(
            db, user_ids=[user.id], kind=NoticeKind.comment_added, actor=other_user, summary=f"{i}"
        )
    db.commit()
    pages = walk(api, "/api/v1/notifications", limit=3)
    assert [len(p) for p in pages] == [3, 3, 1]
    assert [n["summary"] for p in pages for n in p] == [str(i) for i in reversed(range(7))]
    first = api.get("/api/v1/notifications", params={"limit": 3}).json()["items"]
    marked = api.post("/api/v1/notifications/read", json={"up_to_id": first[-1]["id"]})
    assert marked.status_code == 200, marked.text
    unread = walk(api, "/api/v1/notifications?unread=true", limit=3)
    assert [n["summary"] for p in unread for n in p] == ["6", "5"]


def test_teams_and_members_page_by_name(api, db, user):
    teams = [factories.make_team(db, user, name) for name in ("Delta", "Alpha", "Echo", "Bravo")]
    assert [t["name"] for p in walk(api, "/api/v1/teams", limit=3) for t in p] == [
        "Alpha",
        "Bravo",
        "Delta",
        "Echo",
    ]
    team = teams[0]
    for name in ("Zoe", "Ann", "Max", "Bea"):
        factories.add_member(db, team, factories.make_user(db, display_name=name))
    members = walk(api, f"/api/v1/teams/{team.id}/members", limit=2)
    assert [len(p) for p in members] == [2, 2, 1]
    names = [m["display_name"] for p in members for m in p]
    assert names == [user.display_name, "Ann", "Bea", "Max", "Zoe"]  # the manager first


def test_review_requests_page_newest_first(api, db, user, other_user):
    team = factories.make_team(db, other_user, "Reviewers")
    factories.add_member(db, team, user)
    made = []
    for i in range(5):
        project = factories.make_project(db, user, f"Reviewed {i}", team_id=team.id)
        made.append(factories.make_request(db, project, user, other_user).id)
    sent = walk(api, "/api/v1/reviews?box=sent", limit=2)
    assert [len(p) for p in sent] == [2, 2, 1]
    assert ids(sent) == list(reversed(made))
    waiting = walk(api, "/api/v1/reviews", limit=2, headers=token_of(db, other_user))
    assert sorted(ids(waiting)) == sorted(made)
