"""Polling feeds end to end through the app: a real parser reading documents
served over a socket by a local server, the entries landing in the release
log through the same dedupe as manual releases, matched to projects, and
every failure recorded on the feed in words with nothing lost."""

from datetime import timedelta
from email.utils import format_datetime
from xml.sax.saxutils import escape

import pytest
import sqlalchemy as sa
from sqlmodel import select

from app.db import utcnow
from app.feeds import service as feed_service
from app.feeds.models import Feed, FeedItem
from app.inbox.models import Suggestion
from app.main import create_app
from app.releases.models import Release, ReleaseSource
from app.teams.models import Membership
from bench.feedserver import Reply
from tests import factories
from tests.conftest import Client, RolledBackDatabase
from tests.helpers import api_for, count, soup

LIMA = (
    "2305.11206",
    "LIMA: Less Is More for Alignment",
    "We fine-tune a 65B LLaMA language model on only 1,000 carefully curated instruction "
    "examples, without reinforcement learning, and find strong alignment: data quality "
    "matters far more than quantity for instruction tuning.",
    "Meta AI",
)
SAM = (
    "2304.02643",
    "Segment Anything",
    "A promptable image segmentation model trained on a dataset of one billion masks.",
    "Meta AI",
)
TULU = (
    "2306.04751",
    "How Far Can Camels Go? Exploring the State of Instruction Tuning on Open Resources",
    "A study of instruction tuning language models on a range of open instruction datasets, "
    "finding that no single dataset is best and that curated mixtures help.",
    "Allen Institute for AI",
)
ATOM = "application/atom+xml"


def arxiv_atom(*papers: tuple[str, str, str, str]) -> bytes:
    """An arXiv API answer, as export.arxiv.org writes it."""
    entries = "".join(
        f"""
  <entry>
    <id>http://arxiv.org/abs/{pid}v1</id>
    <updated>2023-05-18T17:59:59Z</updated>
    <published>2023-05-18T17:59:59Z</published>
    <title>{escape(title)}</title>
    <summary>{escape(summary)}</summary>
    <author><name>A. Author</name><arxiv:affiliation>{escape(org)}</arxiv:affiliation></author>
    <link href="http://arxiv.org/abs/{pid}v1" rel="alternate" type="text/html"/>
    <link title="pdf" href="http://arxiv.org/pdf/{pid}v1" rel="related" type="application/pdf"/>
    <arxiv:primary_category term="cs.CL" scheme="http://arxiv.org/schemas/atom"/>
    <category term="cs.CL" scheme="http://arxiv.org/schemas/atom"/>
  </entry>"""
        for pid, title, summary, org in papers
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/"
      xmlns:arxiv="http://arxiv.org/schemas/atom">
  <link href="http://arxiv.org/api/query" rel="self" type="application/atom+xml"/>
  <title type="html">ArXiv Query: instruction tuning</title>
  <id>http://arxiv.org/api/instruction</id>
  <updated>2023-05-19T00:00:00-04:00</updated>
  <opensearch:totalResults>{len(papers)}</opensearch:totalResults>
  <opensearch:startIndex>0</opensearch:startIndex>
  <opensearch:itemsPerPage>{len(papers)}</opensearch:itemsPerPage>{entries}
</feed>""".encode()


def rss(*papers: tuple[str, str, str, str]) -> bytes:
    """A lab blog's RSS 2.0 pointing at the same papers another way (pdf, v2)."""
    when = format_datetime(utcnow() - timedelta(days=1))
    items = "".join(
        f"""<item><title>{escape(title)}</title><link>https://arxiv.org/pdf/{pid}v2</link>
<guid isPermaLink="false">blog-{pid}</guid><pubDate>{when}</pubDate>
<description>&lt;p&gt;{escape(summary)}&lt;/p&gt;</description></item>"""
        for pid, title, summary, _ in papers
    )
    return f"""<?xml version="1.0"?><rss version="2.0"><channel><title>Lab blog</title>
<link>https://lab.example.org/</link><description>News</description>{items}</channel></rss>""".encode()


@pytest.fixture
def app(settings, connection):
    """The app allowed to poll the test's own server on 127.0.0.1, with a
    short deadline so a stalled feed fails fast."""
    settings = settings.model_copy(
        update={
            "feeds_allow_private": True,
            "feeds_timeout_seconds": 2.0,
            "feeds_max_bytes": 1 << 20,
        }
    )
    return create_app(settings, database=RolledBackDatabase(connection))


@pytest.fixture
def instruction(db, user):
    return factories.make_project(
        db,
        user,
        "Instruction tuning from a thousand curated examples",
        summary="Can a small, carefully curated instruction dataset align a pretrained "
        "language model as well as a large noisy one?",
        keywords=["instruction tuning", "data quality", "alignment"],
    )


def add_feed(api, url: str, **extra) -> dict:
    r = api.post("/api/v1/feeds", json={"kind": "arxiv", "url": url, **extra})
    assert r.status_code == 201, r.text
    return r.json()


def poll(api, feed_id: int) -> dict:
    r = api.post(f"/api/v1/feeds/{feed_id}/poll")
    assert r.status_code == 200, r.text
    return r.json()


def test_a_poll_brings_releases_in_and_suggests_them(api, db, user, instruction, feed_server):
    # Logged by hand first, under another spelling of its arXiv id.
    by_hand = factories.make_release(db, user, "Tulu (by hand)", url="arXiv:2306.04751v2")
    url = feed_server.route("/query", body=arxiv_atom(LIMA, SAM, TULU), content_type=ATOM)
    feed = add_feed(api, url)
    assert feed["last_status"] == "never"

    result = poll(api, feed["id"])

    counts = (result["status"], result["seen"], result["new"], result["releases_created"])
    assert counts == ("ok", 3, 3, 2)
    assert result["feed"]["last_polled_at"] and result["feed"]["items_total"] == 3
    releases = {r.external_id: r for r in db.exec(select(Release))}
    assert set(releases) == {"arxiv:2305.11206", "arxiv:2304.02643", "arxiv:2306.04751"}
    assert releases["arxiv:2306.04751"].id == by_hand.id  # one release, not two
    lima = releases["arxiv:2305.11206"]
    assert (lima.source, lima.kind, lima.organisation, lima.released_on.isoformat()) == (
        ReleaseSource.feed,
        "paper",
        "Meta AI",
        "2023-05-18",
    )
    assert feed_server.requests[0].headers["User-Agent"].startswith("Goldfish")

    found = api.get("/api/v1/suggestions", params={"project_id": instruction.id, "state": "open"})
    items = found.json()["items"]
    assert result["suggestions"] == len(items) >= 1
    first = items[0]
    assert {"id", "release_id", "project_id", "score", "effect", "explanation"} <= set(first)
    assert first["release_id"] == lima.id and first["project_id"] == instruction.id
    assert first["explanation"]["terms"]
    # The image model touches nothing.
    assert releases["arxiv:2304.02643"].id not in {i["release_id"] for i in items}


def test_a_second_poll_is_conditional_and_a_304_costs_nothing(api, db, user, feed_server):
    body = arxiv_atom(LIMA)

    def answer(request):
        if request.headers.get("If-None-Match") == '"v1"':
            return Reply(status=304, headers={"ETag": '"v1"'})
        return Reply(body=body, headers={"ETag": '"v1"', "Content-Type": ATOM})

    feed = add_feed(api, feed_server.route("/query", handler=answer))
    poll(api, feed["id"])
    releases = count(db, Release)
    again = poll(api, feed["id"])
    assert (again["status"], again["seen"], again["new"], again["error"]) == (
        "not_modified",
        0,
        0,
        "",
    )
    assert feed_server.requests[1].headers["If-None-Match"] == '"v1"'
    assert count(db, Release) == releases
    assert again["feed"]["last_status"] == "not_modified"


def test_the_same_paper_in_two_feeds_is_one_release(api, db, user, feed_server):
    atom = add_feed(api, feed_server.route("/atom", body=arxiv_atom(LIMA, TULU), content_type=ATOM))
    blog = add_feed(
        api,
        feed_server.route("/rss", body=rss(LIMA, TULU), content_type="application/rss+xml"),
        kind="rss",
    )
    poll(api, atom["id"])
    second = poll(api, blog["id"])
    assert (second["new"], second["releases_created"]) == (2, 0)
    assert count(db, Release) == 2
    assert count(db, FeedItem) == 4
    # Polling the same document again adds nothing.
    third = poll(api, blog["id"])
    assert (third["seen"], third["new"]) == (2, 0)
    assert count(db, FeedItem) == 4


def big_body():
    chunk = b"<rss>" + b" " * 65531
    for _ in range(800):  # 50 MB, streamed: never all in memory
        yield chunk


FAILURES = {
    "malformed": (
        {"body": b"<?xml version='1.0'?><feed><entry><title>Broken"},
        ATOM,
        "malformed",
    ),
    "html": ({"body": b"<!doctype html><html><body>Not a feed</body></html>"}, "text/html", "HTML"),
    "server error": ({"status": 500, "body": b"oops"}, "text/plain", "500"),
    "huge": ({"body": big_body()}, "application/rss+xml", "larger than"),
    "timeout": ({"body": arxiv_atom(LIMA), "delay": 4}, ATOM, "within"),
}


@pytest.mark.parametrize("case", list(FAILURES))
def test_a_failing_feed_says_why_in_words_and_loses_nothing(api, db, user, feed_server, case):
    reply, content_type, words = FAILURES[case]
    answers = iter([Reply(body=arxiv_atom(TULU), headers={"Content-Type": ATOM})])

    def answer(request):
        return next(answers, None) or Reply(**reply, headers={"Content-Type": content_type})

    feed = add_feed(api, feed_server.route("/feed", handler=answer))
    assert poll(api, feed["id"])["new"] == 1
    failed = poll(api, feed["id"])
    assert failed["status"] == "error"
    assert words.lower() in failed["error"].lower(), failed["error"]
    shown = failed["feed"]
    assert (shown["last_status"], shown["last_error"]) == ("error", failed["error"])
    stored = db.get(Feed, feed["id"])
    db.refresh(stored)
    # Backed off: the next try waits at least the interval; the lease is free.
    assert stored.failures == 1 and stored.lease_until is None
    assert stored.next_poll_at >= utcnow() + timedelta(minutes=stored.interval_minutes - 1)
    # What the feed brought before is all there.
    assert [r.external_id for r in db.exec(select(Release))] == ["arxiv:2306.04751"]


def test_a_redirect_loop_is_an_error_on_the_feed(api, feed_server):
    feed_server.redirect("/a", "/b")
    feed_server.redirect("/b", "/a")
    feed = add_feed(api, feed_server.url("/a"))
    result = poll(api, feed["id"])
    assert result["status"] == "error" and "redirect" in result["error"].lower()


def test_feeds_on_private_addresses_are_refused_by_default(db, user, settings, connection):
    app = create_app(settings, database=RolledBackDatabase(connection))
    with api_for(app, db, user) as api:
        for url in (
            "http://127.0.0.1:8000/feed",
            "http://10.0.0.7/feed",
            "http://169.254.169.254/latest",
            "http://[::1]/feed",
        ):
            r = api.post("/api/v1/feeds", json={"kind": "rss", "url": url})
            assert r.status_code == 422, (url, r.text)
            assert r.json()["error"]["fields"][0]["field"] == "url"
        r = api.post("/api/v1/feeds", json={"kind": "rss", "url": "ftp://example.org/feed"})
        assert r.status_code == 422
    assert count(db, Feed) == 0


def test_a_feed_being_polled_elsewhere_answers_409(api, db, user, feed_server):
    feed = add_feed(api, feed_server.route("/q", body=arxiv_atom(LIMA)))
    db.execute(sa.update(Feed).values(lease_until=utcnow() + timedelta(minutes=5)))
    db.commit()
    r = api.post(f"/api/v1/feeds/{feed['id']}/poll")
    assert r.status_code == 409 and r.json()["error"]["code"] == "poll_running"
    assert feed_server.requests == []


def test_a_team_feed_suggests_for_the_members_shared_projects(
    db, user, other_user, app, feed_server
):
    team = factories.make_team(db, other_user, "Alignment")
    factories.add_member(db, team, user)
    shared = factories.make_project(
        db,
        user,
        "Curated instruction tuning data",
        team_id=team.id,
        summary="How few curated instruction examples align a language model?",
        keywords=["instruction tuning", "data quality"],
    )
    factories.make_project(db, user, "Private instruction tuning", keywords=["instruction tuning"])
    with api_for(app, db, other_user) as grace:
        url = feed_server.route("/q", body=arxiv_atom(LIMA, SAM), content_type=ATOM)
        feed = add_feed(grace, url, team_id=team.id)
        result = poll(grace, feed["id"])
        # Every member sees the team's feed; only Grace may change it.
        with api_for(app, db, user) as ada:
            assert ada.get(f"/api/v1/feeds/{feed['id']}").status_code == 200
            assert ada.patch(f"/api/v1/feeds/{feed['id']}", json={"title": "x"}).status_code == 403
    suggestions = db.exec(select(Suggestion)).all()
    assert result["suggestions"] == len(suggestions) >= 1
    # Only the shared project, in Ada's inbox, from a release in Ada's log.
    assert {(s.project_id, s.owner_id) for s in suggestions} == {(shared.id, user.id)}
    release = db.get(Release, suggestions[0].release_id)
    assert (release.owner_id, release.external_id) == (user.id, "arxiv:2305.11206")
    assert count(db, Release) == 3  # Grace's two, and Ada's copy


def test_the_feed_pages_add_poll_and_show_the_result(client, db, user, instruction, feed_server):
    factories.log_in(client, db, user)
    url = feed_server.route("/q", body=arxiv_atom(LIMA, SAM), content_type=ATOM)
    # A mistake first: the typed values come back with the message.
    r = client.submit("/feeds", {"kind": "rss", "url": "not a url", "title": "Mine"})
    assert r.status_code == 422
    page = soup(r)
    assert page.select_one("#f-url")["value"] == "not a url"
    assert page.select_one("#e-url")
    form = {"kind": "rss", "url": url, "title": "Mine", "interval_minutes": "60"}
    r = client.submit("/feeds", form)
    assert r.status_code == 303
    detail = r.headers["location"]
    feed_id = int(detail.rsplit("/", 1)[1])
    assert "Not polled yet" in client.get(detail).text
    r = client.htmx(f"/feeds/{feed_id}/poll")
    assert r.status_code == 200
    status = soup(r)
    assert status.select_one("#feed-status")
    assert "LIMA" in status.select_one("ol.releases").get_text()  # what it brought, too
    assert "2 new" in status.select_one("#poll-result").get_text()
    assert "2 items seen, 2 new" in client.get(detail).text
    listing = soup(client.get("/feeds"))
    assert "Mine" in listing.select_one(f"#feed-{feed_id}").get_text()
    # Without JavaScript, the same button gives the whole page back.
    r = client.submit(f"/feeds/{feed_id}/poll")
    assert r.status_code == 200 and "<html" in r.text.lower()


def test_an_arxiv_query_feed_is_added_with_its_api_address(api, db):
    r = api.post(
        "/api/v1/feeds",
        json={"kind": "arxiv", "query": 'cat:cs.CL AND abs:"instruction tuning"'},
    )
    assert r.status_code == 201, r.text
    feed = r.json()
    assert feed["query"] == 'cat:cs.CL AND abs:"instruction tuning"'
    assert feed["url"].startswith("https://export.arxiv.org/api/query?search_query=cat%3Acs.CL")
    assert feed["title"] == feed["query"]
    # The same again is refused; a query arXiv cannot read is refused with why.
    again = api.post("/api/v1/feeds", json={"kind": "arxiv", "query": feed["query"]})
    assert again.status_code == 409
    bad = api.post("/api/v1/feeds", json={"kind": "arxiv", "query": 'abs:"unclosed'})
    assert bad.status_code == 422
    assert bad.json()["error"]["fields"][0]["field"] == "query"
    assert count(db, Feed) == 1


def test_a_team_feed_whose_adder_left_the_team_pauses_and_its_managers_can_stop_it(
    db, user, other_user, app, feed_server
):
    team = factories.make_team(db, other_user, "Alignment")  # Grace manages it
    factories.add_member(db, team, user)
    url = feed_server.route("/q", body=arxiv_atom(LIMA), content_type=ATOM)
    with api_for(app, db, user) as ada:
        feed = add_feed(ada, url, team_id=team.id)
    membership = db.exec(
        select(Membership).where(Membership.team_id == team.id, Membership.user_id == user.id)
    ).one()
    db.delete(membership)
    db.commit()
    with api_for(app, db, other_user) as grace:
        result = poll(grace, feed["id"])
        assert result["status"] == "error" and "left the team" in result["error"]
        assert result["feed"]["paused"] is True
        assert feed_server.requests == []  # nothing was fetched into Ada's log
        assert grace.delete(f"/api/v1/feeds/{feed['id']}").status_code == 204
    assert count(db, Feed) == 0


def test_a_failure_while_saving_is_an_error_on_the_feed_and_frees_it(
    api, db, user, feed_server, monkeypatch
):
    feed = add_feed(api, feed_server.route("/q", body=arxiv_atom(LIMA), content_type=ATOM))

    def broken(*_args, **_kwargs):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(feed_service, "feed_ingest", broken)
    result = poll(api, feed["id"])
    assert result["status"] == "error" and "could not be saved" in result["error"]
    stored = db.get(Feed, feed["id"])
    db.refresh(stored)
    assert (stored.lease_until, stored.failures, stored.last_status) == (None, 1, "error")
    assert count(db, Release) == 0
    monkeypatch.undo()
    assert poll(api, feed["id"])["new"] == 1  # free to poll again at once


def test_a_team_feed_suggests_a_paper_its_adder_had_logged_already(
    db, user, other_user, app, feed_server
):
    team = factories.make_team(db, other_user, "Alignment")
    factories.add_member(db, team, user)
    shared = factories.make_project(
        db,
        user,
        "Curated instruction tuning data",
        team_id=team.id,
        summary="How few curated instruction examples align a language model?",
        keywords=["instruction tuning", "data quality"],
    )
    factories.make_release(
        db, other_user, LIMA[1], summary=LIMA[2], url="https://arxiv.org/abs/2305.11206"
    )
    with api_for(app, db, other_user) as grace:
        url = feed_server.route("/q", body=arxiv_atom(LIMA), content_type=ATOM)
        result = poll(grace, add_feed(grace, url, team_id=team.id)["id"])
    assert result["releases_created"] == 0
    assert [s.project_id for s in db.exec(select(Suggestion))] == [shared.id]


def test_an_address_given_with_the_arxiv_choice_left_on_is_read_as_rss(client, db, user):
    factories.log_in(client, db, user)
    r = client.submit(
        "/feeds", {"kind": "arxiv", "query": "", "url": "https://lab.example.org/feed.xml"}
    )
    assert r.status_code == 303
    feed = db.exec(select(Feed)).one()
    assert (feed.kind, feed.url, feed.query) == ("rss", "https://lab.example.org/feed.xml", None)


def test_a_refused_address_typed_with_the_arxiv_choice_on_is_shown_beside_the_address(
    db, user, settings, connection
):
    app = create_app(settings, database=RolledBackDatabase(connection))  # no private addresses
    with Client(app, base_url="https://testserver", follow_redirects=False) as client:
        factories.log_in(client, db, user)
        typed = {"kind": "arxiv", "query": "", "url": "http://10.0.0.7/feed.xml"}
        r = client.submit("/feeds", typed)
    assert r.status_code == 422
    page = soup(r)
    assert "private" in page.select_one("#e-url").get_text().lower()
    assert page.select_one("#e-query") is None
    assert page.select_one("#f-url")["value"] == typed["url"]
    assert count(db, Feed) == 0
