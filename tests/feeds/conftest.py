from collections.abc import Iterator

import pytest

from bench.feedserver import FeedServer


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    """A local HTTP server serving the routes a test registers (see feedserver.py)."""
    with FeedServer() as server:
        yield server
    if server.errors:
        raise server.errors[0]
