"""`url_for` looks a route up by name instead of asking every route in turn,
and builds the very URL Starlette's scan builds."""

import pytest
from starlette.requests import Request
from starlette.routing import Mount, NoMatchFound, Router

from app.web import templates


def _leaves(routes):
    for route in routes:
        included = getattr(route, "original_router", None)  # FastAPI's include_router
        yield from _leaves(included.routes) if included is not None else [route]


def _named_routes(app):
    for route in _leaves(app.routes):
        if getattr(route, "name", None) and not isinstance(route, Mount):
            params = {p: f"v{i}" for i, p in enumerate(route.param_convertors)}
            yield route.name, params


def test_every_route_name_builds_the_same_url_as_the_scan(app):
    checked = 0
    for name, params in _named_routes(app):
        for attempt in range(2):  # the second is answered from the index
            assert app.url_path_for(name, **params) == Router.url_path_for(
                app.router, name, **params
            ), (name, attempt)
        checked += 1
    assert checked > 100


def test_the_same_name_with_other_values_gives_other_urls(app):
    assert app.url_path_for("project_detail", project_id=3) == "/projects/3"
    assert app.url_path_for("project_detail", project_id=41) == "/projects/41"
    assert app.url_path_for("static", path="app.css") == "/static/app.css"
    assert app.url_path_for("static", path="/icons/x.png") == "/static/icons/x.png"


def test_an_unknown_name_or_wrong_parameters_still_fail(app):
    with pytest.raises(NoMatchFound):
        app.url_path_for("no_such_route")
    with pytest.raises(NoMatchFound):
        app.url_path_for("project_detail")
    with pytest.raises(NoMatchFound):
        app.url_path_for("project_detail", project_id=1, extra=2)


def test_a_name_found_once_is_not_looked_for_among_the_other_routes(app, monkeypatch):
    asked: list[object] = []
    for route in app.router.routes:
        monkeypatch.setattr(
            route,
            "url_path_for",
            lambda name, /, _route=route, _ask=route.url_path_for, **p: (
                asked.append(_route) or _ask(name, **p)
            ),
        )
    app.url_path_for("notification_list")
    first = len(asked)
    asked.clear()
    app.url_path_for("notification_list")
    assert first > 1
    assert len(asked) == 1


@pytest.mark.parametrize(
    ("base", "root_path"),
    [("https://testserver", ""), ("http://example.org:8080", "/goldfish")],
)
def test_templates_url_for_writes_what_starlettes_writes(app, base, root_path):
    """The pages' url_for (app.web) gives Starlette's absolute URL, scheme,
    host, port and root path included, for every route and a static file."""
    scheme, _, hostport = base.partition("://")
    host, _, port = hostport.partition(":")
    scope = {
        "type": "http",
        "scheme": scheme,
        "server": (host, int(port or (443 if scheme == "https" else 80))),
        "headers": [(b"host", hostport.encode())],
        "path": root_path + "/",
        "root_path": root_path,
        "query_string": b"",
        "app": app,
    }
    ours = templates.env.globals["url_for"]
    cases = [*_named_routes(app), ("static", {"path": "icons/goldfish.svg"})]
    for name, params in cases:
        request = Request(dict(scope))
        context = templates.env.from_string("").new_context({"request": request})
        assert ours(context, name, **params) == str(request.url_for(name, **params)), name
    assert len(cases) > 100
