"""The header's search box and the page it opens, and GET /api/v1/search."""

from tests import factories
from tests.helpers import soup, words


def test_every_page_has_the_search_box_and_it_works_without_javascript(logged_in, db, user):
    factories.make_project(db, user, "Evaluation harness")
    factories.make_release(db, user, "Evals at scale", organisation="")
    factories.make_entry(db, user, body="Ran the evaluation suite")
    for path in ("/", "/releases", "/journal"):
        form = soup(logged_in.get(path)).select_one("header form.header-search")
        assert form["method"] == "get" and form["action"].endswith("/search")
        assert form.select_one("input[type=search]")["name"] == "q"
    page = soup(logged_in.get("/search?q=eval"))
    groups = [words(h) for h in page.select(".search-group h2")]
    assert groups == ["Projects", "Releases", "Journal"]
    hits = {hit["data-kind"]: words(hit.select_one("a")) for hit in page.select(".search-hit")}
    assert hits["project"] == "Evaluation harness" and hits["release"] == "Evals at scale"
    assert (
        page.select_one(".search-hit[data-kind=journal] .snippet mark").get_text() == "evaluation"
    )
    assert page.select_one("#search-q")["value"] == "eval"


def test_nothing_found_says_so(logged_in, db, user):
    page = soup(logged_in.get("/search?q=zebra"))
    assert "Nothing you can see matches" in words(page.select_one("#search-results"))
    assert soup(logged_in.get("/search")).select(".search-hit") == []


def test_content_is_escaped_and_only_the_marks_are_html(logged_in, db, user):
    factories.make_release(db, user, '<script>alert("x")</script> Evil eval', organisation="")
    response = logged_in.get("/search?q=evil")
    assert "<script>alert" not in response.text
    [link] = soup(response).select(".search-hit[data-kind=release] a")
    assert [m.get_text() for m in link.select("mark")] == ["Evil"]
    assert link.select("script") == []


def test_another_users_things_never_appear(client, db, user, other_user):
    factories.make_entry(db, other_user, body="Grace's secret diary about widgets")
    factories.make_release(db, other_user, "Grace widgets release", organisation="")
    factories.make_project(db, other_user, "Grace widgets project")
    factories.log_in(client, db, user)
    page = soup(client.get("/search?q=widgets"))
    assert page.select(".search-hit") == []
    assert "secret diary" not in page.get_text()


def test_a_query_too_long_is_refused_beside_the_box_and_kept(logged_in):
    typed = "x" * 201
    response = logged_in.get(f"/search?q={typed}")
    assert response.status_code == 422
    page = soup(response)
    assert page.select_one("#search-q")["value"] == typed
    assert "at most 200 characters" in words(page.select_one("#search-q-error"))


def test_hostile_input_is_just_words(logged_in, db, user):
    factories.make_release(db, user, "Evaluation harness", organisation="")
    for typed in ('"', "*", "-", "eval*", '"eval', "NOT eval", "eval AND", "(", ":*", "&|!"):
        response = logged_in.get("/search", params={"q": typed})
        assert response.status_code == 200, typed
    assert len(soup(logged_in.get("/search", params={"q": '"eval*'})).select(".search-hit")) == 1


def test_the_api_answers_grouped_hits_and_the_usual_errors(api, db, user):
    factories.make_project(db, user, "Modèle de langue")
    factories.make_release(db, user, "Modele release", organisation="", summary="un modèle ouvert")
    body = api.get("/api/v1/search", params={"q": "MODELE"}).json()
    assert [h["title"] for h in body["projects"]] == ["Modèle de langue"]
    [release] = body["releases"]
    assert release["title"] == "Modele release" and "<mark>modèle</mark>" in release["snippet_html"]
    assert body["journal"] == []
    assert api.get("/api/v1/search", params={"q": ""}).json() == {
        "projects": [],
        "releases": [],
        "journal": [],
    }
    refused = api.get("/api/v1/search", params={"q": "y" * 201})
    assert refused.status_code == 422
    assert refused.json()["error"]["fields"][0]["field"].endswith("q")
