"""The route class every router uses: a sync handler's transaction ends
when the handler returns.

FastAPI validates a sync handler's response in another thread of the shared
pool. Until the session closed after that, a request waiting for such a
thread still held its connection, and with enough requests in flight every
connection was held by requests waiting for a thread while every thread
waited for a connection: a pool deadlock, only broken by the pool timeout.
Ending the transaction as the handler returns (the handler's own commit is
the one that saves; what it left uncommitted is rolled back, as it would be
at the end of the request anyway) hands the connection back in time.
"""

import functools
import inspect
from collections.abc import Callable
from typing import Any

from fastapi.routing import APIRoute
from sqlmodel import Session
from starlette.datastructures import URLPath
from starlette.routing import BaseRoute, NoMatchFound, Router

from app.db import end_transaction


def _ending_transactions(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    if inspect.iscoroutinefunction(endpoint):
        return endpoint  # validated on the event loop: no hop to wait for

    @functools.wraps(endpoint)
    def handler(*args: Any, **kwargs: Any) -> Any:
        failed = True
        try:
            response = endpoint(*args, **kwargs)
            failed = False
            return response
        finally:
            for value in kwargs.values():
                if isinstance(value, Session):
                    end_transaction(value, failed=failed)

    return handler


class Route(APIRoute):
    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        super().__init__(path, _ending_transactions(endpoint), **kwargs)


def index_route_names(router: Router) -> None:
    """Make `url_for` a lookup rather than a scan.

    Starlette finds a route by name by asking every route in turn, each
    refusal an exception: with ~300 routes that is 50–350 µs a call, and a
    page's header alone makes 20 (about a third of a small page). A route is
    found by its name and the names of its parameters, never their values,
    so the route that answered is remembered for that pair and asked
    directly next time; it builds the URL exactly as before.
    """
    found: dict[tuple[str, frozenset[str]], BaseRoute] = {}

    def url_path_for(name: str, /, **path_params: Any) -> URLPath:
        key = (name, frozenset(path_params))
        route = found.get(key)
        if route is not None:
            return route.url_path_for(name, **path_params)
        for candidate in router.routes:
            try:
                url = candidate.url_path_for(name, **path_params)
            except NoMatchFound:
                continue
            found[key] = candidate
            return url
        raise NoMatchFound(name, path_params)

    router.url_path_for = url_path_for  # type: ignore[method-assign]
