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
