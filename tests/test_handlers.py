"""Route handlers stay short (issue 14): parse, call, render or redirect."""

from pathlib import Path

from bench.handlers import LIMIT, handlers

APP = Path(__file__).resolve().parent.parent / "app"


def test_the_report_finds_every_route_handler(app):
    """Every route the application serves (but the static files and the
    framework's docs) has a handler the report measures."""
    found = {h.name for h in handlers(APP)}
    served = {
        route.endpoint.__name__
        for route in app.routes
        if hasattr(route, "endpoint") and route.endpoint.__module__.startswith("app.")
    }
    assert served and served <= found


def test_no_handler_body_is_longer_than_the_limit():
    long = [
        f"{h.name} ({h.path}:{h.line}) {h.length} lines" for h in handlers(APP) if h.length > LIMIT
    ]
    assert long == []
