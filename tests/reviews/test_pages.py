"""Sharing a plan up and reviewing it, through the pages as a browser would."""

import pytest
from sqlmodel import select

from app.notifications.models import Notification
from app.projects.models import Project
from app.reviews.models import Review
from tests import factories
from tests.conftest import Client
from tests.helpers import soup


@pytest.fixture
def manager(db):
    return factories.make_user(db, email="grace@example.org", display_name="Grace")


@pytest.fixture
def team(db, user, manager):
    """Grace manages the team; Ada (the `user`) is a researcher in it."""
    team = factories.make_team(db, manager, "Vision group")
    factories.add_member(db, team, user)
    return team


@pytest.fixture
def as_manager(app, db, manager):
    with Client(app, base_url="https://testserver", follow_redirects=False) as c:
        factories.log_in(c, db, manager)
        yield c


@pytest.fixture
def shared(db, user, team):
    return factories.make_project(
        db,
        user,
        "Multilingual <b>eval</b>",
        team_id=team.id,
        scoop_risk=4,
        contingency="Publish the error analysis as a note",
        questions="- What if a big lab ships this next month?\n- Do we value first or open?",
    )


def _share(client, project, manager, questions="First?\nSecond?"):
    return client.submit(
        f"/projects/{project.id}/plans/1/share",
        {"reviewer_id": str(manager.id), "questions": questions},
    )


def test_the_share_form_is_prefilled_with_the_plans_questions(logged_in, shared, manager):
    page = soup(logged_in.get(f"/projects/{shared.id}/plans/1/share"))
    assert page.select_one("#f-questions").text == (
        "What if a big lab ships this next month?\nDo we value first or open?"
    )
    assert [o.text for o in page.select("#f-reviewer_id option")] == ["Grace"]


def test_a_private_project_must_be_shared_with_a_team_first(logged_in, db, user, team):
    private = factories.make_project(db, user, "Private")
    page = soup(logged_in.get(f"/projects/{private.id}/plans/1/share"))
    assert "Share it with one of your teams" in page.select_one("#not-shared").text


def test_the_manager_answers_and_the_researcher_sees_it(logged_in, as_manager, db, shared, manager):
    r = _share(logged_in, shared, manager)
    assert r.status_code == 303
    request_id = int(r.headers["location"].rsplit("/", 1)[1])

    queue = soup(as_manager.get("/reviews"))
    assert queue.select_one("#nav-reviews .count").text == "1"
    assert queue.select_one("#waiting a").text == "Multilingual <b>eval</b>"  # escaped, as text

    page = soup(as_manager.get(f"/reviews/{request_id}"))
    assert "Publish the error analysis as a note" in page.select_one("#risk").text
    form = page.select_one("#respond form")
    r = as_manager.submit(
        f"/reviews/{request_id}/answer",
        {
            "version": form.select_one("[name=version]")["value"],
            "plan_number": form.select_one("[name=plan_number]")["value"],
            "answer-1": "We pivot to the low-resource split.",
            "answer-2": "Open.",
            "decision": "acknowledged",
            "note": "Known risk; go ahead.",
        },
    )
    assert r.status_code == 303
    assert soup(as_manager.get("/reviews")).select_one("#nav-reviews .count") is None

    mine = soup(logged_in.get(f"/reviews/{request_id}"))
    assert mine.select_one("#review-state").text == "scoop risk acknowledged"
    answers = [dd.text for dd in mine.select("#answer dd")]
    assert answers == ["We pivot to the low-resource split.", "Open."]
    assert logged_in.get("/activity").status_code == 200
    assert soup(logged_in.get("/reviews")).select_one("#nav-activity .count").text == "1"


def test_answering_needs_a_decision_and_keeps_what_was_typed(
    logged_in, as_manager, db, shared, manager
):
    request = factories.make_request(db, shared, logged_in_user(db, shared), manager, ["Q?"])
    r = as_manager.submit(
        f"/reviews/{request.id}/answer",
        {"version": "1", "plan_number": "1", "answer-1": "kept answer", "decision": ""},
    )
    assert r.status_code == 422
    page = soup(r)
    assert page.select_one("#e-decision").text.startswith("Choose")
    assert page.select_one("#f-answer-1").text == "kept answer"
    assert db.exec(select(Review)).all() == []


def logged_in_user(db, project):
    from app.auth.models import User

    return db.get(User, project.owner_id)


def test_two_managers_answering_at_once_one_gets_a_conflict(app, db, user, shared, manager, team):
    second = factories.make_user(db, display_name="Katherine")
    factories.add_member(db, team, second, "manager")
    request = factories.make_request(db, shared, user, manager, ["Q?"])
    clients = []
    for person in (manager, second):
        c = Client(app, base_url="https://testserver", follow_redirects=False)
        factories.log_in(c, db, person)
        clients.append(c)
    # Both opened the page at version 1; Grace sends first.
    form = {"version": "1", "plan_number": "1", "answer-1": "A", "decision": "approved"}
    assert clients[0].submit(f"/reviews/{request.id}/answer", form).status_code == 303
    r = clients[1].submit(
        f"/reviews/{request.id}/answer",
        {**form, "decision": "changes_requested", "answer-1": "Katherine's view"},
    )
    assert r.status_code == 409
    assert "answered by another manager" in soup(r).select_one(".notice").text
    assert len(db.exec(select(Review)).all()) == 1
    db.expire_all()
    assert db.exec(select(Review.decision)).one() == "approved"


def test_a_manager_whose_form_predates_the_researchers_edit_is_told(
    logged_in, as_manager, db, user, shared, manager
):
    request = factories.make_request(db, shared, user, manager, ["Old question?"])
    # The researcher rewrites the questions while the manager has the page open.
    r = logged_in.submit(
        f"/reviews/{request.id}/questions", {"version": "1", "questions": "New question?"}
    )
    assert r.status_code == 303
    r = as_manager.submit(
        f"/reviews/{request.id}/answer",
        {"version": "1", "plan_number": "1", "answer-1": "my answer", "decision": "approved"},
    )
    assert r.status_code == 409
    page = soup(r)
    assert "changed the questions" in page.select_one(".notice").text
    assert page.select_one("label[for=f-answer-1]").text == "New question?"
    assert page.select_one("#f-answer-1").text == "my answer"  # kept, not lost
    assert db.exec(select(Review)).all() == []


def test_a_new_plan_version_while_reviewing_is_a_conflict_until_confirmed(
    logged_in, as_manager, db, user, shared, manager
):
    request = factories.make_request(db, shared, user, manager, ["Q?"])
    r = logged_in.submit(
        f"/projects/{shared.id}/plan",
        {"based_on": "1", "version": str(shared.version), "goal": "A sharper goal"},
    )
    assert r.status_code == 303, r.text
    form = {"version": "1", "plan_number": "1", "answer-1": "A", "decision": "approved"}
    r = as_manager.submit(f"/reviews/{request.id}/answer", form)
    assert r.status_code == 409
    page = soup(r)
    assert "saved plan version 2" in page.select_one(".notice").text
    assert page.select_one("#newer-plan a")["href"].endswith("a=1&b=2")
    # Having seen it, the manager answers anyway.
    again = {**form, "plan_number": page.select_one("[name=plan_number]")["value"]}
    assert as_manager.submit(f"/reviews/{request.id}/answer", again).status_code == 303


def test_both_sides_comment_and_the_other_is_notified(
    logged_in, as_manager, db, user, shared, manager
):
    request = factories.make_request(db, shared, user, manager, ["Q?"])
    r = as_manager.submit(f"/reviews/{request.id}/comments", {"comment": "What about **Hindi**?"})
    assert r.status_code == 303
    r = logged_in.htmx(f"/reviews/{request.id}/comments", {"comment": "<script>x</script>Added."})
    assert r.status_code == 200
    thread = soup(r)
    assert thread.select_one("#thread strong").text == "Grace"
    assert [c.select_one(".markdown").text.strip() for c in thread.select(".comments li")] == [
        "What about Hindi?",
        "<script>x</script>Added.",  # shown as text, never run
    ]
    assert thread.select("script") == []
    kinds = db.exec(select(Notification.user_id, Notification.kind)).all()
    assert (user.id, "comment_added") in kinds and (manager.id, "comment_added") in kinds


def test_the_thread_shows_the_html_stored_with_each_comment(
    logged_in, as_manager, db, user, shared, manager, markdown_rendering_stopped
):
    request = factories.make_request(db, shared, user, manager, ["Q?"])
    as_manager.submit(f"/reviews/{request.id}/comments", {"comment": "What about **Hindi**?"})
    logged_in.submit(f"/reviews/{request.id}/comments", {"comment": "- added\n- *tested*"})
    markdown_rendering_stopped()
    for client in (logged_in, as_manager):
        r = client.get(f"/reviews/{request.id}")
        assert r.status_code == 200
        first, second = soup(r).select("#thread .comments .markdown")
        assert first.select_one("strong").text == "Hindi"
        assert [li.text for li in second.select("li")] == ["added", "tested"]
        assert second.select_one("em").text == "tested"


def test_an_empty_comment_is_refused_beside_the_field(logged_in, db, user, shared, manager):
    request = factories.make_request(db, shared, user, manager, ["Q?"])
    r = logged_in.submit(f"/reviews/{request.id}/comments", {"comment": "   "})
    assert r.status_code == 422
    assert soup(r).select_one("#e-comment").text == "This is required."


def test_teammates_read_the_project_but_cannot_change_it(as_manager, db, shared, team):
    page = soup(as_manager.get(f"/projects/{shared.id}"))
    assert "Ada's project, shared with" in page.select_one("#sharing").text
    assert page.select_one("#scooped") is None
    assert as_manager.get(f"/projects/{shared.id}/edit").status_code == 403
    r = as_manager.submit(f"/projects/{shared.id}/archive")
    assert r.status_code == 403
    db.refresh(shared)
    assert shared.archived_at is None


def test_a_researcher_teammate_cannot_open_the_review(app, db, user, shared, manager, team):
    peer = factories.make_user(db, display_name="Peer")
    factories.add_member(db, team, peer)
    request = factories.make_request(db, shared, user, manager, ["Q?"])
    with Client(app, base_url="https://testserver", follow_redirects=False) as c:
        factories.log_in(c, db, peer)
        assert c.get(f"/projects/{shared.id}").status_code == 200
        assert c.get(f"/reviews/{request.id}").status_code == 404


def test_the_timeline_shows_the_acknowledgment_next_to_the_replan(
    logged_in, db, user, shared, manager
):
    request = factories.make_request(db, shared, user, manager, ["Q?"])
    factories.make_review(db, request, manager, "acknowledged")
    release = factories.make_release(db, user, "BigLab multilingual eval")
    db.refresh(shared)
    factories.make_replan(db, shared, user, release)
    page = soup(logged_in.get(f"/projects/{shared.id}"))
    replan = page.select_one("#timeline li[data-kind=replan]")
    assert "Re-planned after BigLab multilingual eval" in replan.text
    assert replan.select_one(".acknowledged").text.startswith(
        "scoop risk acknowledged by Grace on "
    )
    assert "fail" not in page.text.lower()


def test_sharing_plan_two_shows_what_changed_since_the_reviewed_one(
    logged_in, as_manager, db, user, shared, manager
):
    first = factories.make_request(db, shared, user, manager, ["Q?"])
    factories.make_review(db, first, manager, "changes_requested")
    r = logged_in.submit(
        f"/projects/{shared.id}/plan",
        {
            "based_on": "1",
            "version": str(shared.version),
            "goal": "A narrower goal",
            "contingency": "Publish the error analysis as a note",
        },
    )
    assert r.status_code == 303, r.text
    r = logged_in.submit(
        f"/projects/{shared.id}/plans/2/share",
        {"reviewer_id": str(manager.id), "questions": "Now?"},
    )
    request_id = int(r.headers["location"].rsplit("/", 1)[1])
    changes = soup(as_manager.get(f"/reviews/{request_id}")).select_one("#changes")
    assert "since version 1" in changes.h2.text
    assert changes.select_one("ins").text.strip().startswith("A narrower goal")


def test_leaving_the_team_takes_effect_on_the_next_request(
    logged_in, as_manager, db, user, shared, team, manager
):
    assert as_manager.get(f"/projects/{shared.id}").status_code == 200
    r = logged_in.submit(f"/teams/{team.id}/members/{user.id}/remove")
    assert r.status_code == 303
    assert as_manager.get(f"/projects/{shared.id}").status_code == 404
    db.expire_all()
    assert db.get(Project, shared.id).team_id is None


def test_a_teammate_sees_the_project_ranked_by_the_teams_formula(
    as_manager, api, db, shared, team, manager
):
    team.residual_best = 1.0  # in this team, a "best" project keeps all its value if scooped
    db.add(team)
    db.commit()
    page = soup(as_manager.get(f"/projects/{shared.id}"))
    assert page.select_one("#priority-value").text == "25.0"  # 0.5 × 0.5 × 1 × 100
    assert "in Vision group" in page.select_one(".rank").text
    token = factories.make_token(db, manager)
    r = api.get(f"/api/v1/projects/{shared.id}", headers={"Authorization": f"Bearer {token}"})
    priority = r.json()["priority"]
    assert (priority["value"], priority["rank"]) == (25.0, 1)
    assert "residual 1" in priority["explanation"]


def test_withdrawing_from_a_stale_page_after_the_answer_is_refused(
    logged_in, db, user, shared, manager
):
    request = factories.make_request(db, shared, user, manager, ["Q?"])
    factories.make_review(db, request, manager, "approved")
    r = logged_in.submit(f"/reviews/{request.id}/withdraw", {"version": "1"})
    assert r.status_code == 409
    page = soup(r)
    assert "not withdrawn" in page.select_one(".notice").text
    assert page.select_one("#review-state").text == "approved (scoop risk acknowledged)"


def test_the_review_page_shows_each_part_of_the_plan_once(
    logged_in, as_manager, db, shared, manager
):
    """Scoop risk, contingency, what stands and the questions, once each: the
    questions are the review's own (edited while sharing up), not the plan's."""
    r = _share(logged_in, shared, manager, questions="Edited while sharing?\nSecond?")
    assert r.status_code == 303
    for client in (logged_in, as_manager):
        page = soup(client.get(r.headers["location"]))
        for editor in page.select("textarea"):  # what can be edited is not shown twice
            editor.decompose()
        text = page.select_one("main").get_text(" ")
        assert text.count("Publish the error analysis as a note") == 1
        assert text.count("What still stands if someone ships first") == 1
        assert len(page.find_all("dt", string="Scoop risk")) == 1
        assert "What if a big lab ships this next month?" not in text  # the plan's wording
        assert text.count("Edited while sharing?") == 1
