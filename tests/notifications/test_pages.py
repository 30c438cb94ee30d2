"""Activity in the browser: the notification list, marking read, the weekly digest."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import select

from app.db import utcnow
from app.journal.service import today_for
from app.notifications import queries
from app.notifications.models import Notification
from app.reviews import queries as review_queries
from app.reviews import service as review_service
from app.reviews.models import CommentCreate
from tests import factories
from tests.helpers import as_user, soup


def items(response) -> list:
    return soup(response).select("#notices li.activity-item")


def sentence(item) -> str:
    return item.select_one(".sentence").get_text(" ", strip=True)


def nav_activity(response) -> str:
    return soup(response).select_one("#nav-activity").get_text(" ", strip=True)


def notifications_of(db, user) -> list[Notification]:
    db.expire_all()
    return list(
        db.exec(
            select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)
        )
    )


def comment(db, request, author, body="A thought"):
    view = review_queries.request_for(db, user=author, request_id=request.id)
    review_service.comment_add(db, view=view, actor=author, data=CommentCreate(body=body))
    db.commit()


def stamp(db, notification_id: int, when: datetime) -> None:
    """Move a notification made by a real flow to a chosen instant."""
    db.execute(
        sa.update(Notification).where(Notification.id == notification_id).values(created_at=when)
    )
    db.commit()


@pytest.fixture
def manager(db):
    return factories.make_user(db, email="maud@example.org", display_name="Maud")


@pytest.fixture
def team(db, user, manager):
    """Maud manages (and created) the team; Ada is a researcher in it."""
    team = factories.make_team(db, manager)
    factories.add_member(db, team, user, "researcher")
    return team


@pytest.fixture
def shared(db, user, team):
    return factories.make_project(db, user, "Vision", team_id=team.id)


# ---------------------------------------------------------------- the list


def test_a_review_round_reads_as_sentences_linked_to_the_review(client, db, user, manager, shared):
    request = factories.make_request(db, shared, user, manager)
    review_url = client.app.url_path_for("review_detail", request_id=request.id)

    page = as_user(client, db, manager).get("/activity")
    assert page.status_code == 200
    [item] = items(page)
    assert sentence(item) == "Ada asked you to review Vision, plan version 1"
    assert item.select_one(".sentence a")["href"] == review_url
    assert "unread" in item["class"]
    assert item.select_one(".visually-hidden").get_text(strip=True) == "Unread:"

    # The one who asked is not told of their own request.
    assert items(as_user(client, db, user).get("/activity")) == []

    factories.make_review(db, request, manager, "acknowledged")
    comment(db, request, manager, "Go ahead")
    comment(db, request, user, "Thanks")
    [commented, answered] = items(as_user(client, db, user).get("/activity"))
    assert sentence(answered) == (
        "Maud answered your review request: Vision, plan version 1: scoop risk acknowledged"
    )
    assert sentence(commented) == "Maud commented on the review of Vision, plan version 1"
    assert {a.select_one("a")["href"] for a in (commented, answered)} == {review_url}

    newest = items(as_user(client, db, manager).get("/activity"))[0]
    assert sentence(newest) == "Ada commented on the review of Vision, plan version 1"


def test_a_release_linked_to_a_shared_project_tells_the_team_managers_only(
    client, db, user, manager, team, shared
):
    second = factories.make_user(db, email="sam@example.org", display_name="Sam")
    factories.add_member(db, team, second, "manager")
    bystander = factories.make_user(db, email="rae@example.org", display_name="Rae")
    factories.add_member(db, team, bystander, "researcher")
    release = factories.make_release(db, user, "Big Open Model")
    factories.make_link(db, user, release, shared, effect="scoop")
    private = factories.make_project(db, user, "Private idea")
    factories.make_link(db, user, release, private, effect="related")

    project_url = client.app.url_path_for("project_detail", project_id=shared.id)
    for who in (manager, second):
        [item] = items(as_user(client, db, who).get("/activity"))
        assert sentence(item).startswith("Ada linked Big Open Model → Vision")
        assert item.select_one("a")["href"] == project_url
    for who in (user, bystander):
        assert items(as_user(client, db, who).get("/activity")) == []

    # A manager linking it is not told; the other manager is.
    other_release = factories.make_release(db, manager, "A benchmark")
    factories.make_link(db, manager, other_release, shared, effect="new_baseline")
    assert len(notifications_of(db, manager)) == 1
    assert sentence(items(as_user(client, db, second).get("/activity"))[0]).startswith(
        "Maud linked A benchmark → Vision"
    )


def test_the_list_shows_only_the_users_own_notifications(
    client, db, user, other_user, manager, shared
):
    # Grace manages another team, whose researcher asks her for a review.
    their_team = factories.make_team(db, other_user, "Their team")
    theirs_by = factories.make_user(db, email="zed@example.org", display_name="Zed")
    factories.add_member(db, their_team, theirs_by, "researcher")
    their_project = factories.make_project(
        db, theirs_by, "Their secret plan", team_id=their_team.id
    )
    factories.make_request(db, their_project, theirs_by, other_user)
    mine = factories.make_request(db, shared, user, manager)
    factories.make_review(db, mine, manager)

    page = as_user(client, db, user).get("/activity")
    [item] = items(page)
    assert "Vision" in sentence(item)
    assert "Their secret plan" not in page.text and "Zed" not in page.text
    their_ids = {n.id for n in notifications_of(db, other_user)}
    assert their_ids and not {f"notice-{i}" for i in their_ids} & {li["id"] for li in items(page)}


def test_times_are_shown_in_the_users_time_zone(client, db, user, manager, shared):
    manager.timezone = "America/New_York"
    db.add(manager)
    db.commit()
    factories.make_request(db, shared, user, manager)
    [notification] = notifications_of(db, manager)
    stamp(db, notification.id, datetime(2026, 11, 16, 4, 30, tzinfo=UTC))
    time = items(as_user(client, db, manager).get("/activity"))[0].select_one("time")
    assert time.get_text(strip=True) == "Sun 15 Nov 2026, 23:30 EST"
    assert time["datetime"].startswith("2026-11-16T04:30:00")


def test_the_list_pages_newest_first_with_a_cursor(client, db, user, manager, shared, monkeypatch):
    monkeypatch.setattr(queries, "PAGE", 3)
    request = factories.make_request(db, shared, user, manager)
    for n in range(6):
        comment(db, request, user, f"Comment {n}")
    ids = [n.id for n in reversed(notifications_of(db, manager))]
    # Minutes apart, newest first, except the third and fourth, which share an
    # instant across the page boundary: the id breaks the tie.
    base = utcnow() - timedelta(hours=1)
    for i, nid in enumerate(ids):
        stamp(db, nid, base - timedelta(minutes=3 if i == 3 else i))
    stamp(db, ids[2], base - timedelta(minutes=3))
    as_user(client, db, manager)

    seen, url = [], "/activity"
    while url:
        page = client.get(url)
        assert page.status_code == 200
        seen += [li["id"] for li in items(page)]
        older = soup(page).select_one("#notices a[rel=next]")
        url = older["href"] if older else None
    assert seen == [f"notice-{i}" for i in ids]

    assert items(client.get("/activity?before=not-a-cursor"))  # read as the first page


def test_the_page_costs_the_same_queries_whatever_the_number_shown(
    client, db, user, manager, shared, count_queries
):
    request = factories.make_request(db, shared, user, manager)
    as_user(client, db, manager)
    with count_queries() as few:
        client.get("/activity")
    for n in range(5):
        comment(db, request, user, f"Comment {n}")
    with count_queries() as many:
        page = client.get("/activity")
    assert len(items(page)) == 6
    assert many.n == few.n


# ---------------------------------------------------------------- marking read


def test_mark_all_read_leaves_what_arrived_since_unread(client, db, user, manager, shared):
    request = factories.make_request(db, shared, user, manager)
    comment(db, request, user, "First")
    as_user(client, db, manager)
    page = client.get("/activity")
    assert nav_activity(page) == "Activity 2"
    form = soup(page).select_one("form#mark-read")
    assert form["action"] == "/activity/read"
    up_to_id = form.select_one("input[name=up_to_id]")["value"]
    assert int(up_to_id) == max(n.id for n in notifications_of(db, manager))

    comment(db, request, user, "Arrived while the page was open")
    r = client.submit("/activity/read", {"up_to_id": up_to_id})
    assert r.status_code == 303 and r.headers["location"] == "/activity"

    after = client.get("/activity")
    newest, *older = items(after)
    assert "unread" in newest["class"] and newest.select_one(".visually-hidden")
    assert all("unread" not in li["class"] for li in older) and len(older) == 2
    assert not any(li.select_one(".visually-hidden") for li in older)
    assert nav_activity(after) == "Activity 1"
    [unread] = [n for n in notifications_of(db, manager) if n.read_at is None]
    assert f"notice-{unread.id}" == newest["id"]


def test_mark_all_read_with_htmx_swaps_the_list_and_the_count(client, db, user, manager, shared):
    factories.make_request(db, shared, user, manager)
    as_user(client, db, manager)
    form = soup(client.get("/activity")).select_one("form#mark-read")
    assert form["hx-post"] == "/activity/read" and form["hx-target"] == "#notices"

    r = client.htmx("/activity/read", {"up_to_id": form.select_one("[name=up_to_id]")["value"]})
    assert r.status_code == 200
    fragment = soup(r)
    assert fragment.select_one("html") is None
    assert fragment.select_one("#read-status").get_text(strip=True) == (
        "Marked 1 notification as read."
    )
    assert fragment.select_one("form#mark-read") is None
    assert all("unread" not in li["class"] for li in fragment.select("li.activity-item"))
    nav = fragment.select_one("#nav-activity")
    assert nav["hx-swap-oob"] == "true" and nav.get_text(strip=True) == "Activity"
    assert nav_activity(client.get("/activity")) == "Activity"


def test_marking_read_touches_only_the_users_own(client, db, user, other_user, manager, shared):
    factories.make_request(db, shared, user, manager)
    their_team = factories.make_team(db, other_user, "Theirs")
    factories.add_member(db, their_team, user, "researcher")
    theirs = factories.make_project(db, user, "Theirs P", team_id=their_team.id)
    factories.make_request(db, theirs, user, other_user)
    grace_id = notifications_of(db, other_user)[0].id

    as_user(client, db, manager)
    r = client.submit("/activity/read", {"up_to_id": str(grace_id + 10)})
    assert r.status_code == 303
    assert all(n.read_at for n in notifications_of(db, manager))
    assert all(n.read_at is None for n in notifications_of(db, other_user))


def test_a_garbled_mark_read_changes_nothing(client, db, user, manager, shared):
    factories.make_request(db, shared, user, manager)
    as_user(client, db, manager)
    r = client.submit("/activity/read", {"up_to_id": "lots"})
    assert r.status_code == 422
    assert "Nothing was marked" in soup(r).select_one("#read-status").get_text()
    assert all(n.read_at is None for n in notifications_of(db, manager))


# ---------------------------------------------------------------- the digest


def test_digest_weeks_follow_the_users_time_zone(client, db, user, manager, shared):
    manager.timezone = "America/New_York"  # UTC-5 in November
    db.add(manager)
    db.commit()
    request = factories.make_request(db, shared, user, manager)
    for n in range(3):
        comment(db, request, user, f"Comment {n}")
    first, *rest = notifications_of(db, manager)
    # Week 2026-W47 runs Mon 16 Nov 00:00 to Mon 23 Nov 00:00 in New York.
    moments = [
        datetime(2026, 11, 16, 4, 59, 59, tzinfo=UTC),  # Sun 15 Nov 23:59:59 there: W46
        datetime(2026, 11, 16, 5, 0, tzinfo=UTC),  # Mon 00:00 there: W47
        datetime(2026, 11, 23, 4, 59, 59, tzinfo=UTC),  # Sun 22 Nov 23:59:59: W47
        datetime(2026, 11, 23, 5, 0, tzinfo=UTC),  # Mon 23 Nov 00:00: W48
    ]
    notes = [first, *rest]
    for notification, when in zip(notes, moments, strict=True):
        stamp(db, notification.id, when)
    as_user(client, db, manager)

    def shown(week):
        page = soup(client.get(f"/digest?week={week}"))
        return page, {li["id"] for li in page.select("#digest-notifications li.activity-item")}

    page, ids = shown("2026-W47")
    assert ids == {f"notice-{notes[1].id}", f"notice-{notes[2].id}"}
    assert page.select_one("h1").get_text(strip=True) == "Weekly digest: 16 Nov – 22 Nov 2026"
    assert page.select_one("[data-count=comment_added]").get_text() == "2"
    assert page.select_one("[data-count=review_requested]").get_text() == "0"
    assert shown("2026-W46")[1] == {f"notice-{notes[0].id}"}
    assert shown("2026-w48")[1] == {f"notice-{notes[3].id}"}

    # The same instants read in UTC fall into other weeks.
    manager.timezone = "UTC"
    db.add(manager)
    db.commit()
    assert shown("2026-W47")[1] == {f"notice-{n.id}" for n in notes[:2]}


def test_digest_groups_by_kind_and_counts_the_users_own_week(client, db, user, manager, shared):
    request = factories.make_request(db, shared, user, manager)
    factories.make_review(db, request, manager)
    comment(db, request, manager, "Noted")
    comment(db, request, manager, "One more")
    today = today_for(user)
    factories.make_entry(db, user, body="Ran the ablation", day=today.isoformat())
    factories.make_entry(db, user, kind="rest", body="A walk", day=today.isoformat())
    release = factories.make_release(db, user, "Rival model")
    factories.make_replan(db, shared, user, release)

    page = soup(as_user(client, db, user).get("/digest"))
    counts = {s["data-count"]: s.get_text() for s in page.select("[data-count]")}
    assert counts == {
        "review_requested": "0",
        "review_answered": "1",
        "comment_added": "2",
        "release_linked": "0",
        "scoop_suggested": "0",
        "round_requested": "0",
        # The re-plan writes a journal entry of its own.
        "entries": "3",
        "replans": "1",
    }
    groups = {ol["aria-labelledby"]: len(ol.select("li")) for ol in page.select("ol.activity-list")}
    assert groups == {"group-review_answered": 1, "group-comment_added": 2}
    assert page.select_one("#digest-replans a").get_text() == "Vision"
    assert page.select_one("#digest-waiting") is None  # researchers have no queue
    text = page.get_text(" ").lower()
    assert "fail" not in text


def test_managers_see_the_requests_waiting_for_them_now(client, db, user, manager, team, shared):
    other = factories.make_project(db, user, "Second", team_id=team.id)
    waiting = factories.make_request(db, shared, user, manager)
    answered = factories.make_request(db, other, user, manager)
    factories.make_review(db, answered, manager)

    page = soup(as_user(client, db, manager).get("/digest?week=2020-W10"))
    links = page.select("#digest-waiting li a")
    assert [(a.get_text(), a["href"]) for a in links] == [
        (
            "Vision, plan version 1",
            client.app.url_path_for("review_detail", request_id=waiting.id),
        )
    ]


def test_digest_links_to_the_weeks_around_it(client, db, user):
    as_user(client, db, user)
    this_week = today_for(user)
    page = soup(client.get("/digest"))
    prev = (this_week - timedelta(weeks=1)).isocalendar()
    assert page.select_one("#prev-week")["href"] == f"/digest?week={prev[0]}-W{prev[1]:02}"
    assert page.select_one("#next-week") is None  # nothing to read in the future

    past = soup(client.get("/digest?week=2026-W01"))
    assert past.select_one("#prev-week")["href"] == "/digest?week=2025-W52"
    assert past.select_one("#next-week")["href"] == "/digest?week=2026-W02"
    assert past.select_one("#this-week")["href"] == "/digest"
    assert past.select_one("h1").get_text(strip=True) == "Weekly digest: 29 Dec – 04 Jan 2026"


@pytest.mark.parametrize(
    "week", ["banana", "2026-W60", "2025-W53", "2026-47", "0001-W01", "<b>2026-W47</b>"]
)
def test_a_bad_week_gets_the_current_digest_and_a_message(client, db, user, week):
    r = as_user(client, db, user).get("/digest", params={"week": week})
    assert r.status_code == 422
    page = soup(r)
    assert "2026-W47" in page.select_one("#e-week").get_text()
    field = page.select_one("#f-week")
    assert field["value"] == week and field["aria-invalid"] == "true"
    assert page.select_one("#f-week b") is None
    monday = today_for(user) - timedelta(days=today_for(user).weekday())
    assert (
        page.select_one("h1")
        .get_text(strip=True)
        .startswith(f"Weekly digest: {monday.strftime('%d %b')}")
    )


# ---------------------------------------------------------------- escaping


def test_titles_and_names_are_escaped(client, db, manager, team):
    mallory = factories.make_user(db, email="m@example.org", display_name="<i>Mallory</i>")
    factories.add_member(db, team, mallory, "researcher")
    project = factories.make_project(
        db, mallory, '<script>alert(1)</script> & "Co"', team_id=team.id
    )
    factories.make_request(db, project, mallory, manager)
    as_user(client, db, manager)

    for url in ("/activity", "/digest"):
        page = soup(client.get(url))
        item = page.select_one("li.activity-item")
        assert sentence(item) == (
            '<i>Mallory</i> asked you to review <script>alert(1)</script> & "Co", plan version 1'
        )
        assert item.select_one("i") is None and item.select_one("script") is None
        if url == "/digest":
            waiting = page.select_one("#digest-waiting li a")
            assert (
                waiting.get_text().startswith("<script>") and waiting.select_one("script") is None
            )
