"""The team portfolio and the team's formula settings, as each role sees them."""

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from app.db import utcnow
from app.overview.team_portfolio_queries import quarter_start
from app.projects import service as project_service
from app.releases.models import LinkState
from app.teams.models import Team
from tests import factories
from tests.helpers import as_user, soup, words


def ranked_titles(response) -> list[str]:
    return [a.get_text(strip=True) for a in soup(response).select("#team-portfolio-table .title a")]


def priorities(response) -> dict[str, float]:
    return {
        row.select_one(".title a").get_text(strip=True): float(
            row.select_one(".priority-value").get_text()
        )
        for row in soup(response).select("#team-portfolio-table tbody tr")
    }


@pytest.fixture
def people(db):
    manager = factories.make_user(db, display_name="Maya Manager")
    researcher = factories.make_user(db, display_name="Rui Researcher")
    admin_researcher = factories.make_user(db, display_name="Ana Admin")
    other_manager = factories.make_user(db, display_name="Olga Other")
    outsider = factories.make_user(db, display_name="Otto Outsider")
    team = factories.make_team(db, manager, "Vision group")
    factories.add_member(db, team, researcher, "researcher")
    factories.add_member(db, team, admin_researcher, "researcher", is_admin=True)
    other_team = factories.make_team(db, other_manager, "Speech group")
    return {
        "manager": manager,
        "researcher": researcher,
        "admin": admin_researcher,
        "other_manager": other_manager,
        "outsider": outsider,
        "team": team,
        "other_team": other_team,
    }


# ---------------------------------------------------------------- who may see it


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("manager", 200),
        ("admin", 200),
        ("researcher", 403),
        ("other_manager", 404),
        ("outsider", 404),
    ],
)
def test_the_team_portfolio_is_for_the_teams_managers_and_admins(client, db, people, role, status):
    factories.make_project(db, people["researcher"], "Shared plan", team_id=people["team"].id)
    r = as_user(client, db, people[role]).get(f"/teams/{people['team'].id}/portfolio")
    assert r.status_code == status
    assert ("Shared plan" in r.text) == (status == 200)


def test_strangers_are_sent_to_log_in(client, people):
    r = client.get(f"/teams/{people['team'].id}/portfolio")
    assert r.status_code == 303 and r.headers["location"].startswith("/login")


def test_an_unknown_team_is_not_found(client, db, people):
    assert as_user(client, db, people["manager"]).get("/teams/999999/portfolio").status_code == 404


def test_a_member_demoted_loses_the_portfolio_on_the_next_request(client, db, people):
    other = factories.make_user(db, display_name="Kim")
    membership = factories.add_member(db, people["team"], other, "manager")
    url = f"/teams/{people['team'].id}/portfolio"
    assert as_user(client, db, other).get(url).status_code == 200
    membership.role = "researcher"
    db.add(membership)
    db.commit()
    assert client.get(url).status_code == 403


# ---------------------------------------------------------------- the ranking


def test_ranks_only_the_teams_live_projects_with_owner_and_arithmetic(client, db, people):
    team, researcher, manager = people["team"], people["researcher"], people["manager"]
    factories.make_project(
        db, researcher, "Low", team_id=team.id, impact=2, attainability=2, scoop_risk=4
    )
    factories.make_project(
        db, manager, "High", team_id=team.id, impact=5, attainability=4, scoop_risk=2
    )
    factories.make_project(db, researcher, "Private to Rui")
    archived = factories.make_project(db, researcher, "Archived one", team_id=team.id)
    project_service.project_archive(db, project=archived)
    db.commit()
    factories.make_project(
        db, people["other_manager"], "Other team's", team_id=people["other_team"].id
    )

    r = as_user(client, db, manager).get(f"/teams/{team.id}/portfolio")
    assert r.status_code == 200
    assert ranked_titles(r) == ["High", "Low"]
    page = soup(r)
    rows = page.select("#team-portfolio-table tbody tr")
    assert [row.select_one(".owner").get_text(strip=True) for row in rows] == [
        "Maya Manager",
        "Rui Researcher",
    ]
    assert [row.select_one(".rank").get_text(strip=True) for row in rows] == ["1", "2"]
    # impact 0.9 × attainability 0.7 × (1 − 0.3 × (1 − 0.6)) × 100 = 55.4
    assert rows[0].select_one(".priority-value").get_text() == "55.4"
    assert "× scoop factor 0.88" in rows[0].select_one(".explain").get_text()
    formula = words(page.select_one("#team-formula"))
    assert "priority = impact × attainability" in formula and "best 0.6" in formula
    assert (
        rows[0].select_one(".title a")["href"].endswith(f"/projects/{rows[0]['data-project-id']}")
    )
    for hidden in ("Private to Rui", "Archived one", "Other team's"):
        assert hidden not in r.text


def test_the_map_shows_each_team_project(client, db, people):
    team = people["team"]
    projects = [
        factories.make_project(db, people["researcher"], f"P{i}", team_id=team.id, impact=i)
        for i in range(1, 4)
    ]
    r = as_user(client, db, people["manager"]).get(f"/teams/{team.id}/portfolio")
    points = soup(r).select("figure.map a.point")
    assert sorted(int(a["data-project-id"]) for a in points) == sorted(p.id for p in projects)
    assert soup(r).select_one("#map-caption") is not None


def test_no_projects_yet_says_how_to_share_one(client, db, people):
    r = as_user(client, db, people["manager"]).get(f"/teams/{people['team'].id}/portfolio")
    assert soup(r).select_one("#team-empty") is not None
    assert soup(r).select_one("figure.map") is None


def test_titles_and_names_are_escaped(client, db, people):
    team = people["team"]
    sneaky = factories.make_user(db, display_name="<b>Bold</b> Bob")
    factories.add_member(db, team, sneaky)
    factories.make_project(db, sneaky, "<script>alert(1)</script>", team_id=team.id)
    r = as_user(client, db, people["manager"]).get(f"/teams/{team.id}/portfolio")
    page = soup(r)
    row = page.select_one("#team-portfolio-table tbody tr")
    assert row.select_one(".title a").get_text() == "<script>alert(1)</script>"
    assert row.select_one(".owner").get_text() == "<b>Bold</b> Bob"
    assert row.select_one(".owner b") is None
    assert not [s for s in page.select("script") if "alert" in s.get_text()]


# ---------------------------------------------------------------- what happened around it


def test_releases_that_touched_team_projects_link_to_the_project(client, db, people):
    team, researcher = people["team"], people["researcher"]
    shared = factories.make_project(db, researcher, "Shared", team_id=team.id)
    private = factories.make_project(db, researcher, "Private")
    old = factories.make_release(db, researcher, "Old <paper>", released_on="2026-01-05")
    new = factories.make_release(
        db, researcher, "New model", released_on="2026-09-01", organisation="Big Lab"
    )
    hidden = factories.make_release(db, researcher, "Suggested only", released_on="2026-10-01")
    factories.make_link(db, researcher, old, shared, effect="partial_scoop")
    factories.make_link(db, researcher, new, shared, effect="reinforces")
    factories.make_link(db, researcher, new, private, effect="scoop")
    link = factories.make_link(db, researcher, hidden, shared, effect="related")
    link.state = LinkState.suggested
    db.add(link)
    db.commit()

    r = as_user(client, db, people["manager"]).get(f"/teams/{team.id}/portfolio")
    items = soup(r).select("#touched li")
    assert [li.select_one("strong").get_text() for li in items] == ["New model", "Old <paper>"]
    assert "reinforces the plan" in items[0].get_text() and "Big Lab" in items[0].get_text()
    assert "partial scoop" in items[1].get_text()
    for li in items:
        assert [a["href"] for a in li.select("a")] == [f"/projects/{shared.id}"]
    assert "/releases/" not in str(soup(r).select_one("#touched"))
    assert "Private" not in soup(r).select_one("#touched").get_text()


def test_release_list_is_capped(client, db, people):
    team, researcher = people["team"], people["researcher"]
    shared = factories.make_project(db, researcher, "Shared", team_id=team.id)
    for day in range(1, 26):
        release = factories.make_release(db, researcher, f"R{day}", released_on=f"2026-03-{day:02}")
        factories.make_link(db, researcher, release, shared, effect="related")
    r = as_user(client, db, people["manager"]).get(f"/teams/{team.id}/portfolio")
    titles = [li.select_one("strong").get_text() for li in soup(r).select("#touched li")]
    assert len(titles) == 20 and titles[0] == "R25" and titles[-1] == "R6"


def test_replans_this_quarter_and_resilience_counts(client, db, people):
    team, researcher = people["team"], people["researcher"]
    shared = factories.make_project(db, researcher, "Shared", team_id=team.id)
    release = factories.make_release(db, researcher, "Their benchmark")
    recent = factories.make_replan(db, shared, researcher, release)
    older_release = factories.make_release(db, researcher, "Last year's model")
    db.refresh(shared)
    older = factories.make_replan(db, shared, researcher, older_release)
    older.created_at = quarter_start(utcnow()) - timedelta(days=1)
    db.add(older)
    db.commit()
    private = factories.make_project(db, researcher, "Private")
    factories.make_replan(
        db, private, researcher, factories.make_release(db, researcher, "Elsewhere")
    )
    factories.make_link(
        db, researcher, factories.make_release(db, researcher, "Helpful"), shared, "reinforces"
    )

    r = as_user(client, db, people["manager"]).get(f"/teams/{team.id}/portfolio")
    items = soup(r).select("#replans li")
    assert len(items) == 1 and "Their benchmark" in items[0].get_text()
    assert "Differentiate" in items[0].get_text()
    assert items[0].select_one("a")["href"] == f"/projects/{shared.id}"
    assert recent.project_id == shared.id
    resilience = words(soup(r).select_one("#team-resilience"))
    assert "reinforced plans 1 time" in resilience and "2 re-plans were made" in resilience
    cell = words(soup(r).select_one(f"#row-{shared.id} .resilience-cell"))
    assert cell == "reinforced 1 re-planned 2"


def test_quarter_start():
    assert quarter_start(datetime(2026, 11, 23, 15, tzinfo=UTC)) == datetime(
        2026, 10, 1, tzinfo=UTC
    )
    assert quarter_start(datetime(2026, 3, 31, tzinfo=UTC)) == datetime(2026, 1, 1, tzinfo=UTC)
    assert quarter_start(datetime(2026, 4, 1, tzinfo=UTC)) == datetime(2026, 4, 1, tzinfo=UTC)


def test_plans_waiting_for_review_link_to_the_review(client, db, people):
    team, researcher, manager = people["team"], people["researcher"], people["manager"]
    project = factories.make_project(db, researcher, "Needs <review>", team_id=team.id, goal="g")
    request = factories.make_request(db, project, researcher, manager)
    answered = factories.make_project(db, researcher, "Done", team_id=team.id, goal="g")
    factories.make_review(db, factories.make_request(db, answered, researcher, manager), manager)

    r = as_user(client, db, manager).get(f"/teams/{team.id}/portfolio")
    items = soup(r).select("#waiting li")
    assert len(items) == 1
    link = items[0].select_one("a")
    assert link["href"] == f"/reviews/{request.id}"
    assert link.get_text() == "Needs <review>, plan v1"
    assert "Rui Researcher" in items[0].get_text()
    assert client.get(link["href"]).status_code == 200


def test_an_acknowledged_risk_now_realised_reads_as_known_and_accepted(client, db, people):
    team, researcher, manager = people["team"], people["researcher"], people["manager"]
    project = factories.make_project(db, researcher, "Known risk", team_id=team.id, goal="g")
    review = factories.make_review(
        db, factories.make_request(db, project, researcher, manager), manager
    )
    release = factories.make_release(db, researcher, "Rival <model>")
    factories.make_link(db, researcher, release, project, effect="scoop")

    r = as_user(client, db, manager).get(f"/teams/{team.id}/portfolio")
    items = soup(r).select("#realised li")
    assert len(items) == 1
    text = words(items[0])
    day = review.created_at.strftime("%d %b %Y")  # in the reader's zone (UTC here)
    assert f"Known risk : scoop risk acknowledged by Maya Manager on {day}" in text
    assert "then Rival <model> (scoop," in text
    assert "accepted risk" in text
    assert items[0].select_one("a")["href"] == f"/projects/{project.id}"
    assert "fail" not in r.text.lower()


def test_an_approved_plan_then_a_partial_scoop_and_its_replan(client, db, people):
    team, researcher, manager = people["team"], people["researcher"], people["manager"]
    project = factories.make_project(db, researcher, "Approved", team_id=team.id, goal="g")
    request = factories.make_request(db, project, researcher, manager)
    factories.make_review(db, request, manager, decision="approved")
    release = factories.make_release(db, researcher, "Half of it")
    db.refresh(project)
    factories.make_replan(db, project, researcher, release, effect="partial_scoop")
    r = as_user(client, db, manager).get(f"/teams/{team.id}/portfolio")
    (item,) = soup(r).select("#realised li")
    assert "partial scoop" in item.get_text() and "Re-planned." in item.get_text()


@pytest.mark.parametrize("case", ["changes_requested", "scoop_before_review", "not_a_scoop"])
def test_what_is_not_a_realised_acknowledged_risk(client, db, people, case):
    team, researcher, manager = people["team"], people["researcher"], people["manager"]
    project = factories.make_project(db, researcher, "P", team_id=team.id, goal="g")
    release = factories.make_release(db, researcher, "Release")
    if case == "scoop_before_review":
        factories.make_link(db, researcher, release, project, effect="scoop")
    request = factories.make_request(db, project, researcher, manager)
    decision = "changes_requested" if case == "changes_requested" else "acknowledged"
    factories.make_review(db, request, manager, decision=decision)
    if case != "scoop_before_review":
        effect = "new_baseline" if case == "not_a_scoop" else "scoop"
        factories.make_link(db, researcher, release, project, effect=effect)
    r = as_user(client, db, manager).get(f"/teams/{team.id}/portfolio")
    assert soup(r).select("#realised li") == []


def test_two_reviews_before_one_scoop_show_the_latest(client, db, people):
    team, researcher, manager = people["team"], people["researcher"], people["manager"]
    second = factories.make_user(db, display_name="Second Manager")
    factories.add_member(db, team, second, "manager")
    project = factories.make_project(db, researcher, "P", team_id=team.id, goal="g")
    factories.make_review(db, factories.make_request(db, project, researcher, manager), manager)
    factories.make_review(db, factories.make_request(db, project, researcher, second), second)
    factories.make_link(
        db, researcher, factories.make_release(db, researcher, "R"), project, "scoop"
    )
    r = as_user(client, db, manager).get(f"/teams/{team.id}/portfolio")
    (item,) = soup(r).select("#realised li")
    assert "acknowledged by Second Manager" in item.get_text()


def test_the_page_costs_the_same_whatever_the_team_size(client, db, people, count_queries):
    team, researcher, manager = people["team"], people["researcher"], people["manager"]

    def grow(n: int) -> None:
        for _ in range(n):
            project = factories.make_project(db, researcher, team_id=team.id, goal="g")
            release = factories.make_release(db, researcher)
            factories.make_link(db, researcher, release, project, effect="reinforces")
            request = factories.make_request(db, project, researcher, manager)
            factories.make_review(db, request, manager)
            db.refresh(project)
            factories.make_replan(db, project, researcher, factories.make_release(db, researcher))
            factories.make_request(db, project, researcher, manager)

    as_user(client, db, manager)
    url = f"/teams/{team.id}/portfolio"
    grow(2)
    with count_queries() as small:
        assert client.get(url).status_code == 200
    grow(12)
    with count_queries() as large:
        r = client.get(url)
    assert r.status_code == 200 and len(soup(r).select("#team-portfolio-table tbody tr")) == 14
    assert len(soup(r).select("#realised li")) == 14
    assert large.n == small.n


# ---------------------------------------------------------------- formula settings


def _settings_form(team: Team, **overrides) -> dict:
    data = {
        "version": str(team.version),
        "name": team.name,
        **{f"mapping_{i}": str(v) for i, v in enumerate(team.score_mapping, start=1)},
        "residual_first": str(team.residual_first),
        "residual_best": str(team.residual_best),
        "residual_open": str(team.residual_open),
    }
    return {**data, **overrides}


@pytest.mark.parametrize(
    ("role", "status"),
    [("admin", 200), ("manager", 200), ("researcher", 403), ("other_manager", 404)],
)
def test_settings_are_for_team_admins(client, db, people, role, status):
    team = people["team"]
    as_user(client, db, people[role])
    assert client.get(f"/teams/{team.id}/settings").status_code == status
    r = client.submit(f"/teams/{team.id}/settings", _settings_form(team, name="Taken over"))
    assert r.status_code == (303 if status == 200 else status)
    db.refresh(team)
    assert (team.name == "Taken over") == (status == 200)


def test_settings_page_shows_the_current_formula(client, db, people):
    team = people["team"]
    r = as_user(client, db, people["admin"]).get(f"/teams/{team.id}/settings")
    page = soup(r)
    assert page.select_one("#f-name")["value"] == "Vision group"
    assert [page.select_one(f"#f-mapping_{i}")["value"] for i in range(1, 6)] == [
        "0.1",
        "0.3",
        "0.5",
        "0.7",
        "0.9",
    ]
    assert page.select_one("#f-residual_best")["value"] == "0.6"
    assert page.select_one("input[name=version]")["value"] == "1"


def test_saving_the_formula_reranks_the_team_portfolio(client, db, people):
    team, researcher = people["team"], people["researcher"]
    factories.make_project(
        db,
        researcher,
        "Race",
        team_id=team.id,
        impact=5,
        attainability=5,
        scoop_risk=5,
        success_axis="first",
    )
    factories.make_project(
        db, researcher, "Careful", team_id=team.id, impact=4, attainability=4, scoop_risk=1
    )
    as_user(client, db, people["manager"])
    before = client.get(f"/teams/{team.id}/portfolio")
    assert priorities(before) == {"Careful": 47.0, "Race": 15.4}

    r = client.submit(
        f"/teams/{team.id}/settings",
        _settings_form(team, residual_first="1", name="  Vision & co  "),
    )
    assert r.status_code == 303 and r.headers["location"] == f"/teams/{team.id}/portfolio"
    after = client.get(r.headers["location"])
    assert ranked_titles(after) == ["Race", "Careful"]
    assert priorities(after) == {"Race": 81.0, "Careful": 47.0}
    assert "first 1" in soup(after).select_one("#team-formula").get_text()
    db.refresh(team)
    assert (team.name, team.residual_first, team.version) == ("Vision & co", 1.0, 2)
    # Each member's own portfolio keeps the instance formula.
    assert "first 0.1" in as_user(client, db, researcher).get("/").text


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"mapping_3": "lots"}, "mapping_3", "number from 0 to 1"),
        ({"mapping_5": "1.5"}, "mapping_5", "at most 1"),
        ({"residual_open": "-0.1"}, "residual_open", "at least 0"),
        ({"residual_best": ""}, "residual_best", "required"),
        ({"residual_first": "nan"}, "residual_first", "number from 0 to 1"),
        ({"mapping_2": "0.05"}, "score_mapping", "must rise"),
        ({"name": "   "}, "name", "required"),
        ({"name": "x" * 121}, "name", "at most 120"),
    ],
)
def test_bad_settings_are_explained_beside_the_field(client, db, people, overrides, field, message):
    team = people["team"]
    as_user(client, db, people["manager"])
    r = client.submit(f"/teams/{team.id}/settings", _settings_form(team, **overrides))
    assert r.status_code == 422
    error = soup(r).select_one(f"#e-{field}")
    assert error is not None and message in error.get_text().lower()
    assert soup(r).select_one("[role=alert]") is not None
    db.refresh(team)
    assert (team.version, team.name, team.residual_first) == (1, "Vision group", 0.1)


def test_a_bad_version_is_refused_without_saving(client, db, people):
    team = people["team"]
    as_user(client, db, people["manager"])
    r = client.submit(f"/teams/{team.id}/settings", _settings_form(team, version="x"))
    assert r.status_code == 422
    db.refresh(team)
    assert team.version == 1


def test_a_stale_settings_form_gets_a_conflict_and_keeps_the_typed_values(client, db, people):
    team = people["team"]
    stale = _settings_form(team, residual_open="0.9")
    as_user(client, db, people["admin"])
    assert (
        client.submit(
            f"/teams/{team.id}/settings", _settings_form(team, residual_open="0.2")
        ).status_code
        == 303
    )

    as_user(client, db, people["manager"])
    r = client.submit(f"/teams/{team.id}/settings", stale)
    assert r.status_code == 409
    page = soup(r)
    assert "changed these settings" in page.select_one("[role=alert]").get_text()
    assert "open 0.2" in page.select_one("[role=alert]").get_text()
    assert page.select_one("#f-residual_open")["value"] == "0.9"
    assert page.select_one("input[name=version]")["value"] == "2"
    db.refresh(team)
    assert (team.residual_open, team.version) == (0.2, 2)
    # Saving again, knowingly, replaces it.
    resend = {**stale, "version": "2"}
    assert client.submit(f"/teams/{team.id}/settings", resend).status_code == 303
    db.refresh(team)
    assert (team.residual_open, team.version) == (0.9, 3)


def test_team_name_is_escaped_on_settings(client, db, people):
    team = people["team"]
    team.name = "<i>Team</i>"
    db.add(team)
    db.commit()
    r = as_user(client, db, people["manager"]).get(f"/teams/{team.id}/settings")
    assert soup(r).select_one("h1").get_text() == "<i>Team</i>: settings"
    assert soup(r).select_one("h1 i") is None


def test_team_pages_have_unique_ids_and_labelled_fields(client, db, people):
    team, researcher, manager = people["team"], people["researcher"], people["manager"]
    project = factories.make_project(db, researcher, "P", team_id=team.id, goal="g")
    factories.make_review(db, factories.make_request(db, project, researcher, manager), manager)
    factories.make_link(db, researcher, factories.make_release(db, researcher), project, "scoop")
    factories.make_request(db, project, researcher, manager)
    factories.make_entry(db, researcher, body="b", shared_team_id=team.id)
    as_user(client, db, manager)
    pages = [
        client.get(f"/teams/{team.id}/portfolio"),
        client.get(f"/teams/{team.id}/settings"),
        client.get(f"/teams/{team.id}/journal"),
        client.submit(f"/teams/{team.id}/settings", _settings_form(team, mapping_1="x", name="")),
    ]
    for r in pages:
        page = soup(r)
        ids = Counter(tag["id"] for tag in page.select("[id]"))
        assert [i for i, n in ids.items() if n > 1] == [], r.url
        for field in page.select("input:not([type=hidden]), select, textarea"):
            labelled = field.get("id") and page.select_one(f'label[for="{field["id"]}"]')
            assert labelled or field.find_parent("label") or field.get("aria-label"), str(field)
        assert "fail" not in r.text.lower()
