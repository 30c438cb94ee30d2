"""Sharing journal entries with a team, opt-in, one entry at a time; team
counts only from members who opted in; anyone's pace stays their own."""

from datetime import date, timedelta

import pytest
from sqlmodel import select

from app.journal import service as journal_service
from app.journal.models import JournalEntry
from app.main import create_app
from app.teams import queries as team_queries
from app.teams import service as team_service
from app.teams.models import Membership
from tests import factories
from tests.helpers import api_for, as_user, count, soup, words


def shared_bodies(response) -> list[str]:
    return [
        words(a.select_one(".markdown")) for a in soup(response).select("#shared article.entry")
    ]


@pytest.fixture
def people(db, user):
    """`user` (Ada) is a researcher in the Vision group, run by Maya."""
    manager = factories.make_user(db, display_name="Maya Manager")
    colleague = factories.make_user(db, display_name="Rui Researcher")
    other_manager = factories.make_user(db, display_name="Olga Other")
    outsider = factories.make_user(db, display_name="Otto Outsider")
    team = factories.make_team(db, manager, "Vision group")
    factories.add_member(db, team, user, "researcher")
    factories.add_member(db, team, colleague, "researcher")
    other_team = factories.make_team(db, other_manager, "Speech group")
    return {
        "owner": user,
        "manager": manager,
        "researcher": colleague,
        "other_manager": other_manager,
        "outsider": outsider,
        "team": team,
        "other_team": other_team,
    }


# ---------------------------------------------------------------- the forms


def test_full_form_offers_my_teams_and_defaults_to_private(logged_in, db, people):
    factories.make_team(db, people["other_manager"], "Not mine")
    page = soup(logged_in.get("/journal/new"))
    select_ = page.select_one("select#f-shared_team_id")
    assert page.select_one("label[for=f-shared_team_id]").get_text() == "Share with team"
    options = [(o["value"], o.get_text()) for o in select_.select("option")]
    assert options == [("", "Private: only me"), (str(people["team"].id), "Vision group")]
    assert select_.select_one("option[selected]")["value"] == ""
    # The quick box stays private and simple.
    assert page.select_one("#quick-entry [name=shared_team_id]") is None


def test_no_team_no_share_field(client, db, people):
    page = soup(as_user(client, db, people["outsider"]).get("/journal/new"))
    assert page.select_one("[name=shared_team_id]") is None


def test_an_entry_is_shared_from_the_full_form(logged_in, db, people):
    team = people["team"]
    r = logged_in.submit(
        "/journal/entries",
        {"kind": "reading", "body": "Read the paper", "shared_team_id": str(team.id)},
    )
    assert r.status_code == 303
    entry = db.exec(select(JournalEntry)).one()
    assert entry.shared_team_id == team.id
    page = soup(logged_in.get(f"/journal/entries/{entry.id}"))
    assert words(page.select_one(".shared")) == "shared with Vision group"
    assert "shared with Vision group" in words(
        soup(logged_in.get("/journal")).select_one("#entries")
    )


def test_a_quick_entry_is_private(logged_in, db, people):
    r = logged_in.submit("/journal/entries", {"kind": "rest", "body": "A walk", "next": "/journal"})
    assert r.status_code == 303
    assert db.exec(select(JournalEntry.shared_team_id)).one() is None


@pytest.mark.parametrize("team_key", ["other_team", "missing", "text"])
def test_sharing_with_a_team_i_am_not_in_is_refused_beside_the_field(
    logged_in, db, people, team_key
):
    value = {
        "other_team": str(people["other_team"].id),
        "missing": "999999",
        "text": "Vision group",
    }[team_key]
    r = logged_in.submit(
        "/journal/entries", {"kind": "reading", "body": "Kept", "shared_team_id": value}
    )
    assert r.status_code == 422
    page = soup(r)
    assert page.select_one("#e-shared_team_id") is not None
    assert page.select_one("#f-body").get_text() == "Kept"
    assert count(db, JournalEntry) == 0


def test_edit_in_place_shares_and_unshares(logged_in, db, user, people):
    team = people["team"]
    entry = factories.make_entry(db, user, body="Private at first", hours="2")
    form = soup(logged_in.get(f"/journal/entries/{entry.id}/edit", headers={"HX-Request": "true"}))
    assert form.select_one("#f-shared_team_id option[selected]")["value"] == ""
    r = logged_in.htmx(
        f"/journal/entries/{entry.id}",
        {
            "version": "1",
            "kind": "experiment",
            "body": "Now shared",
            "shared_team_id": str(team.id),
        },
    )
    assert r.status_code == 200
    assert "shared with Vision group" in words(soup(r).select_one("article.entry header"))
    db.refresh(entry)
    assert entry.shared_team_id == team.id
    form = soup(logged_in.get(f"/journal/entries/{entry.id}/edit"))
    assert form.select_one("#f-shared_team_id option[selected]")["value"] == str(team.id)

    r = logged_in.submit(
        f"/journal/entries/{entry.id}",
        {"version": "2", "kind": "experiment", "body": "Private again", "shared_team_id": ""},
    )
    assert r.status_code == 303
    db.refresh(entry)
    assert (entry.shared_team_id, entry.body) == (None, "Private again")


def test_editing_to_share_with_another_team_is_refused(logged_in, db, user, people):
    entry = factories.make_entry(db, user, body="Mine")
    r = logged_in.htmx(
        f"/journal/entries/{entry.id}",
        {
            "version": "1",
            "kind": "experiment",
            "body": "Changed",
            "shared_team_id": str(people["other_team"].id),
        },
    )
    assert r.status_code == 422
    assert soup(r).select_one("#e-shared_team_id") is not None
    db.refresh(entry)
    assert (entry.body, entry.version, entry.shared_team_id) == ("Mine", 1, None)


# ---------------------------------------------------------------- the team's journal


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("owner", 200),
        ("researcher", 200),
        ("manager", 200),
        ("other_manager", 404),
        ("outsider", 404),
    ],
)
def test_any_member_reads_the_team_journal(client, db, people, role, status):
    factories.make_entry(db, people["owner"], body="Shared note", shared_team_id=people["team"].id)
    r = as_user(client, db, people[role]).get(f"/teams/{people['team'].id}/journal")
    assert r.status_code == status
    assert ("Shared note" in r.text) == (status == 200)


def test_strangers_are_sent_to_log_in(client, people):
    r = client.get(f"/teams/{people['team'].id}/journal")
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    r = client.submit(f"/teams/{people['team'].id}/journal/aggregates", {"share": "on"})
    assert r.status_code == 303 and r.headers["location"].startswith("/login")


def test_managers_never_see_private_entries(app, client, db, people):
    owner, team, manager = people["owner"], people["team"], people["manager"]
    private = factories.make_entry(db, owner, body="Private worries", learned="private lesson")
    shared = factories.make_entry(
        db, owner, body="Team update", learned="shared lesson", shared_team_id=team.id
    )
    archived = factories.make_entry(db, owner, body="Archived share", shared_team_id=team.id)
    journal_service.entry_archive(db, entry=archived)
    db.commit()

    r = as_user(client, db, manager).get(f"/teams/{team.id}/journal")
    assert shared_bodies(r) == ["Team update"]
    for secret in ("Private worries", "private lesson", "Archived share"):
        assert secret not in r.text
    assert "Private worries" not in client.get("/journal").text
    assert client.get(f"/journal/entries/{private.id}").status_code == 404
    assert client.get(f"/journal/entries/{shared.id}").status_code == 404

    with api_for(app, db, manager) as api:
        listing = api.get("/api/v1/journal/entries").json()["items"]
        assert listing == []
        for entry in (private, shared):
            r = api.get(f"/api/v1/journal/entries/{entry.id}")
            assert r.status_code == 404 and "worries" not in r.text
            assert (
                api.patch(
                    f"/api/v1/journal/entries/{entry.id}", json={"version": 1, "body": "x"}
                ).status_code
                == 404
            )


def test_shared_entries_show_no_pace_and_only_shared_project_titles(client, db, people):
    owner, team = people["owner"], people["team"]
    private_project = factories.make_project(db, owner, "Secret side project")
    team_project = factories.make_project(db, owner, "Team project", team_id=team.id)
    factories.make_entry(
        db,
        owner,
        body="About the side project",
        project_id=private_project.id,
        hours="11.5",
        energy=1,
        serves_purpose=True,
        shared_team_id=team.id,
        day="2026-11-21",
    )
    factories.make_entry(
        db,
        owner,
        body="About the team project",
        project_id=team_project.id,
        hours="3",
        shared_team_id=team.id,
        day="2026-11-20",
    )
    r = as_user(client, db, people["researcher"]).get(f"/teams/{team.id}/journal")
    articles = soup(r).select("#shared article.entry")
    assert [words(a.select_one(".author")) for a in articles] == ["Ada", "Ada"]
    assert articles[0].select_one("a.kw") is None
    assert "Secret side project" not in r.text
    assert articles[1].select_one("a.kw")["href"] == f"/projects/{team_project.id}"
    text = words(soup(r).select_one("#shared"))
    for pace in ("11.5", "3 h", " h ", "energy", "serves my purpose"):
        assert pace not in text, pace
    assert "11.5" not in r.text
    assert not soup(r).select("main time[datetime*=T]")  # a day, never a time of day


def test_markdown_and_names_are_rendered_safely(client, db, people):
    owner, team = people["owner"], people["team"]
    owner.display_name = "<b>Ada</b>"
    db.add(owner)
    db.commit()
    factories.make_entry(
        db,
        owner,
        body="**bold** <script>alert(1)</script> [x](javascript:alert(1))",
        learned="<i>not italic</i>",
        shared_team_id=team.id,
    )
    team.name = "<em>Vision</em>"
    db.add(team)
    db.commit()
    r = as_user(client, db, people["manager"]).get(f"/teams/{team.id}/journal")
    article = soup(r).select_one("#shared article.entry")
    assert article.select_one(".markdown strong").get_text() == "bold"
    assert not article.select("script, [href^=javascript], .author b, .learned i")
    assert article.select_one(".author").get_text() == "<b>Ada</b>"
    assert "<i>not italic</i>" in article.select_one(".learned").get_text()
    assert soup(r).select_one("h1").get_text() == "<em>Vision</em>: shared journal"


def test_newest_first_and_paged(client, db, people):
    owner, team = people["owner"], people["team"]
    first_day = date(2026, 9, 1)
    for i in range(55):
        day = (first_day + timedelta(days=i)).isoformat()
        factories.make_entry(db, owner, body=f"Note {i}", day=day, shared_team_id=team.id)
    as_user(client, db, people["researcher"])
    first = client.get(f"/teams/{team.id}/journal")
    assert shared_bodies(first)[:2] == ["Note 54", "Note 53"]
    assert len(shared_bodies(first)) == 50
    older = soup(first).select_one("a[rel=next]")["href"]
    second = client.get(older)
    assert shared_bodies(second) == [f"Note {i}" for i in range(4, -1, -1)]
    assert soup(second).select_one("a[rel=next]") is None
    assert client.get(f"/teams/{team.id}/journal?before=garbage").status_code == 200


def test_leaving_the_team_makes_shared_entries_private_again(client, db, people):
    owner, team = people["owner"], people["team"]
    entry = factories.make_entry(db, owner, body="While I was here", shared_team_id=team.id)
    view = team_queries.team_for(db, user=owner, team_id=team.id)
    team_service.membership_remove(db, view=view, actor=owner, user_id=owner.id)
    db.commit()
    db.refresh(entry)
    assert entry.shared_team_id is None
    r = as_user(client, db, people["manager"]).get(f"/teams/{team.id}/journal")
    assert "While I was here" not in r.text
    # And they can no longer share with it.
    r = as_user(client, db, owner).submit(
        "/journal/entries", {"kind": "reading", "shared_team_id": str(team.id)}
    )
    assert r.status_code == 422


def test_a_former_member_s_leftover_share_is_not_shown(client, db, people):
    """Even if a row still names the team, only current members' entries show."""
    owner, team = people["owner"], people["team"]
    factories.make_entry(db, owner, body="Left behind", shared_team_id=team.id)
    membership = db.exec(
        select(Membership).where(Membership.user_id == owner.id, Membership.team_id == team.id)
    ).one()
    db.delete(membership)
    db.commit()
    r = as_user(client, db, people["manager"]).get(f"/teams/{team.id}/journal")
    assert "Left behind" not in r.text


# ---------------------------------------------------------------- the API


def test_api_shares_and_unshares(api, db, people):
    team = people["team"]
    r = api.post(
        "/api/v1/journal/entries",
        json={"kind": "reading", "body": "Shared by a bot", "shared_team_id": team.id},
    )
    assert r.status_code == 201, r.text
    entry = r.json()
    assert entry["shared_team_id"] == team.id
    r = api.patch(
        f"/api/v1/journal/entries/{entry['id']}", json={"version": 1, "body": "still shared"}
    )
    assert r.json()["shared_team_id"] == team.id
    r = api.patch(
        f"/api/v1/journal/entries/{entry['id']}", json={"version": 2, "shared_team_id": None}
    )
    assert r.status_code == 200 and r.json()["shared_team_id"] is None
    assert db.get(JournalEntry, entry["id"]).shared_team_id is None
    plain = api.post("/api/v1/journal/entries", json={"kind": "rest", "body": "A walk"}).json()
    assert plain["shared_team_id"] is None


@pytest.mark.parametrize("value", ["1", 1.5, True, 0, -3, 2**63])
def test_api_team_ids_are_strict(api, db, people, value):
    r = api.post("/api/v1/journal/entries", json={"kind": "reading", "shared_team_id": value})
    assert r.status_code == 422
    assert r.json()["error"]["fields"][0]["field"] == "shared_team_id"
    assert count(db, JournalEntry) == 0


def test_api_refuses_a_team_i_am_not_in(api, db, user, people):
    r = api.post(
        "/api/v1/journal/entries",
        json={"kind": "reading", "body": "Read", "shared_team_id": people["other_team"].id},
    )
    assert r.status_code == 404  # a team one is not in is not there, as a project would not be
    error = r.json()["error"]
    assert error["fields"] == [{"field": "shared_team_id", "message": error["message"]}]
    entry = factories.make_entry(db, user, body="unchanged")
    r = api.patch(
        f"/api/v1/journal/entries/{entry.id}",
        json={"version": 1, "body": "changed", "shared_team_id": people["other_team"].id},
    )
    assert r.status_code == 404
    db.refresh(entry)
    assert (entry.body, entry.version) == ("unchanged", 1)


# ---------------------------------------------------------------- counts, opt-in


def _opt_in(db, someone, team, on: bool = True):
    view = team_queries.team_for(db, user=someone, team_id=team.id)
    team_service.aggregates_share(db, view=view, on=on)
    db.commit()


def test_the_toggle_opts_me_in_and_out(logged_in, db, user, people):
    team = people["team"]
    page = soup(logged_in.get(f"/teams/{team.id}/journal"))
    assert page.select_one("#share-counts input[name=share]")["value"] == "on"
    r = logged_in.submit(f"/teams/{team.id}/journal/aggregates", {"share": "on"})
    assert r.status_code == 303 and r.headers["location"].startswith(f"/teams/{team.id}/journal")
    membership = db.exec(select(Membership).where(Membership.user_id == user.id)).one()
    assert membership.shares_aggregates is True
    page = soup(logged_in.get(f"/teams/{team.id}/journal"))
    assert page.select_one("#share-counts input[name=share]")["value"] == "off"
    logged_in.submit(f"/teams/{team.id}/journal/aggregates", {"share": "off"})
    db.refresh(membership)
    assert membership.shares_aggregates is False


def test_the_toggle_is_for_members_only(client, db, people):
    team = people["team"]
    for someone in (people["outsider"], people["other_manager"]):
        r = as_user(client, db, someone).submit(
            f"/teams/{team.id}/journal/aggregates", {"share": "on"}
        )
        assert r.status_code == 404
    assert db.exec(select(Membership.shares_aggregates)).all() == [False] * 4


def _crowd(db, team, n: int) -> list:
    """n more researchers in the team, each sharing their (empty) counts."""
    crowd = []
    for i in range(n):
        someone = factories.make_user(db, display_name=f"Crowd {i}")
        factories.add_member(db, team, someone, "researcher")
        _opt_in(db, someone, team)
        crowd.append(someone)
    return crowd


def test_counts_wait_for_three_members_besides_the_reader(client, db, people):
    owner, colleague, team = people["owner"], people["researcher"], people["team"]
    factories.make_entry(db, owner, body="one")
    factories.make_entry(db, colleague, body="two")
    _opt_in(db, owner, team)
    _opt_in(db, colleague, team)

    def counts_for(reader):
        page = soup(as_user(client, db, reader).get(f"/teams/{team.id}/journal"))
        return page.select_one("#team-counts"), page.select_one("#team-counts-hidden")

    # Two opted in: Ada, taking her own counts away, would read Rui's.
    shown, hidden = counts_for(owner)
    assert shown is None
    assert "at least 3 members besides you" in words(hidden) and "(1 do now)" in words(hidden)
    # The manager, who shares nothing, would read the two of them: no more safe.
    assert counts_for(people["manager"])[0] is None
    _crowd(db, team, 1)
    assert counts_for(people["manager"])[0] is not None  # three besides the manager
    assert counts_for(owner)[0] is None  # two besides Ada
    _crowd(db, team, 1)
    shown, _ = counts_for(owner)
    assert shown.select_one("[data-count=entries]").get_text() == "2"


def test_counts_sum_only_members_who_opted_in(client, db, people):
    owner, colleague, manager, team = (
        people["owner"],
        people["researcher"],
        people["manager"],
        people["team"],
    )
    today = journal_service.today_for(owner)
    recent = (today - timedelta(days=3)).isoformat()
    for kind, learned in (("experiment", "a"), ("experiment", ""), ("reading", "b")):
        factories.make_entry(db, owner, kind=kind, learned=learned, day=recent, hours="9")
    factories.make_entry(db, colleague, kind="replan", learned="c", day=recent)
    factories.make_entry(db, colleague, kind="rest", day=recent, energy=1)
    # Not counted: too old, archived, or from someone who did not opt in.
    factories.make_entry(
        db, colleague, kind="writing", day=(today - timedelta(days=40)).isoformat()
    )
    gone = factories.make_entry(db, colleague, kind="writing", day=recent)
    journal_service.entry_archive(db, entry=gone)
    db.commit()
    for _ in range(3):
        factories.make_entry(db, manager, kind="evaluation", learned="m", day=recent)
    _opt_in(db, owner, team)
    _opt_in(db, colleague, team)
    _crowd(db, team, 1)  # a third sharer, with nothing logged

    r = as_user(client, db, manager).get(f"/teams/{team.id}/journal")
    counts = {
        li.select_one("strong")["data-count"]: li.select_one("strong").get_text()
        for li in soup(r).select("#team-counts li")
    }
    assert counts == {"entries": "5", "learnings": "3", "replans": "1"}
    kinds = {s["data-kind"]: words(s) for s in soup(r).select("#team-kinds [data-kind]")}
    assert kinds == {
        "experiment": "experiment 2",
        "reading": "reading 1",
        "replan": "re-plan 1",
        "rest": "rest 1",
    }
    assert "evaluation" not in kinds
    figures = words(soup(r).select_one("#team-counts")) + words(soup(r).select_one("#team-kinds"))
    for pace in ("hour", "energy", "weekend", "late", "Ada", "Rui", "Maya"):
        assert pace.lower() not in figures.lower(), pace
    assert "9" not in figures  # the hours logged

    # Opting out takes effect on the next request (two sharers are too few).
    _opt_in(db, colleague, team, on=False)
    r = client.get(f"/teams/{team.id}/journal")
    assert soup(r).select_one("#team-counts") is None


def test_leaving_removes_a_member_from_the_counts(client, db, people):
    owner, colleague, team = people["owner"], people["researcher"], people["team"]
    manager = people["manager"]
    recent = journal_service.today_for(owner).isoformat()
    for someone in (owner, colleague, manager, *_crowd(db, team, 2)):
        factories.make_entry(db, someone, kind="reading", day=recent)
        _opt_in(db, someone, team)
    as_user(client, db, manager)
    entries = lambda: soup(client.get(f"/teams/{team.id}/journal")).select_one(  # noqa: E731
        "#team-counts [data-count=entries]"
    )
    assert entries().get_text() == "5"
    view = team_queries.team_for(db, user=colleague, team_id=team.id)
    team_service.membership_remove(db, view=view, actor=colleague, user_id=colleague.id)
    db.commit()
    assert entries().get_text() == "4"


# ---------------------------------------------------------------- pace stays private


def _paths(routes):
    for route in routes:
        if hasattr(route, "original_router"):  # an included router
            yield from _paths(route.original_router.routes)
        elif hasattr(route, "path"):
            yield route.path


def test_a_researchers_pace_is_never_reachable_by_others(client, db, people):
    owner, team = people["owner"], people["team"]
    factories.make_entry(db, owner, hours="13.5", energy=1, body="Long day", shared_team_id=team.id)
    _opt_in(db, owner, team)
    _opt_in(db, people["researcher"], team)
    # No route names a person's pace: /journal/pace is always the reader's own.
    pace_paths = [path for path in _paths(create_app().routes) if "pace" in path]
    assert pace_paths and all("{" not in path for path in pace_paths)
    for role in ("manager", "researcher", "other_manager"):
        as_user(client, db, people[role])
        for url in ("/journal/pace", f"/journal/pace?user_id={owner.id}", "/journal"):
            r = client.get(url)
            assert r.status_code == 200
            assert "13.5" not in r.text and "Long day" not in r.text, (role, url)
        team_page = client.get(f"/teams/{team.id}/journal")
        assert "13.5" not in team_page.text
    as_user(client, db, owner)
    assert "13.5" in client.get("/journal/pace").text


def test_the_team_journal_costs_the_same_deep_down(client, db, people, count_queries):
    owner, colleague, team = people["owner"], people["researcher"], people["team"]
    project = factories.make_project(db, owner, "Team project", team_id=team.id)
    _opt_in(db, owner, team)
    _opt_in(db, colleague, team)
    as_user(client, db, people["manager"])

    def grow(n: int, start: int) -> None:
        for i in range(start, start + n):
            author = owner if i % 2 else colleague
            factories.make_entry(
                db,
                author,
                body=f"n{i}",
                day=f"2026-{1 + i // 28:02}-{1 + i % 28:02}",
                shared_team_id=team.id,
                project_id=project.id if author is owner else None,
            )

    grow(3, 0)
    with count_queries() as small:
        assert client.get(f"/teams/{team.id}/journal").status_code == 200
    grow(80, 3)
    with count_queries() as large:
        r = client.get(f"/teams/{team.id}/journal")
    assert len(shared_bodies(r)) == 50
    assert large.n == small.n
