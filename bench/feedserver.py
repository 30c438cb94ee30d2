"""A real HTTP server on 127.0.0.1 (a random port) for tests and benches that
fetch feeds: no network, no mocks, the bytes go over a socket.

Use the `feed_server` fixture (tests/feeds/conftest.py), or `with FeedServer()
as server:` anywhere else (a browser test that points the app at a feed):

    def test_reads_a_feed(feed_server):
        url = feed_server.route("/feed.xml", body=b"<rss ...>", content_type="application/rss+xml")
        fetched = fetch_feed(url, allow_private=True)  # the server is on loopback
        assert feed_server.requests[0].headers["User-Agent"] == USER_AGENT

A route answers every request to its path (any method, any query string) with
a `Reply`, or with what a handler returns for the `Request` it got:

    feed_server.route("/feed.xml", status=304, headers={"ETag": '"v2"'})
    feed_server.route("/slow", body=b"late", delay=5)       # answers after 5 s
    feed_server.route("/drip", body=feed_server.drip())     # a body that never ends
    feed_server.route("/big", body=(b"x" * 65536 for _ in range(800)))  # streamed
    feed_server.redirect("/old", "/feed.xml", status=301)
    feed_server.route("/fixture", body=fixture("rss2.xml"), content_type="application/rss+xml")
    feed_server.route("/who", handler=lambda request: Reply(body=request.path.encode()))

A bytes body gets a Content-Length unless the route sets one (a test may set
a false one); an iterable body is streamed chunk by chunk, ended by closing
the connection. Every answer closes its connection.

`FeedServer(tls=context)` serves https instead (tests/feeds/fixtures/localhost.pem
is a certificate for "localhost"; see test_fetch.py's TLS tests).

`feed_server.requests` records every request (method, path with query,
headers, body) in order, with how many body bytes were written back and
whether the whole answer was written before the client went away
(`sent`, `finished`; `done` is set once the server is through with it).
An exception raised by a handler fails the test at teardown.
"""

import ssl
import sys
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit


@dataclass
class Reply:
    status: int = 200
    headers: Mapping[str, str] | Iterable[tuple[str, str]] = field(default_factory=dict)
    body: bytes | Iterable[bytes] = b""
    delay: float = 0.0  # seconds to wait before answering


@dataclass
class Request:
    method: str
    path: str  # with its query string
    headers: Message  # case-insensitive: request.headers["user-agent"]
    body: bytes
    sent: int = 0  # body bytes written back
    finished: bool = False  # the whole answer was written
    done: threading.Event = field(default_factory=threading.Event)


Handler = Callable[[Request], Reply]


class FeedServer:
    def __init__(self, host: str = "127.0.0.1", *, tls: ssl.SSLContext | None = None) -> None:
        self.requests: list[Request] = []
        self.errors: list[BaseException] = []
        self._routes: dict[str, Reply | Handler] = {}
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self._httpd = _Server((host, 0), _RequestHandler)
        self._httpd.owner = self
        if tls is not None:
            # The handshake happens on the handler's thread, at its first read,
            # so a client that never completes one cannot stall the server.
            self._httpd.socket = tls.wrap_socket(
                self._httpd.socket, server_side=True, do_handshake_on_connect=False
            )
        host, self.port = self._httpd.server_address[:2]
        self.base_url = f"{'https' if tls else 'http'}://{host}:{self.port}"
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    # -- lifecycle

    def start(self) -> "FeedServer":
        self._thread.start()
        return self

    def close(self) -> None:
        self._closing.set()  # wakes delayed answers and drips
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join()

    def __enter__(self) -> "FeedServer":
        return self.start()

    def __exit__(self, *_exc) -> None:
        self.close()

    # -- routes

    def url(self, path: str = "/") -> str:
        return self.base_url + path

    def route(
        self,
        path: str,
        *,
        status: int = 200,
        headers: Mapping[str, str] | None = None,
        body: bytes | Iterable[bytes] = b"",
        content_type: str | None = None,
        delay: float = 0.0,
        handler: Handler | None = None,
    ) -> str:
        """Register what `path` answers; returns its full URL."""
        if handler is None:
            all_headers = dict(headers or {})
            if content_type:
                all_headers["Content-Type"] = content_type
            self._routes[path] = Reply(status=status, headers=all_headers, body=body, delay=delay)
        else:
            self._routes[path] = handler
        return self.url(path)

    def redirect(self, path: str, to: str, *, status: int = 302) -> str:
        """`path` redirects to `to` (a path on this server or any URL)."""
        return self.route(path, status=status, headers={"Location": to})

    def requests_to(self, path: str) -> list[Request]:
        with self._lock:
            return [r for r in self.requests if urlsplit(r.path).path == path]

    # -- for streamed bodies

    def pause(self, seconds: float) -> bool:
        """Sleep, unless the server is closing; True if it is."""
        return self._closing.wait(seconds)

    def drip(self, chunk: bytes = b" ", every: float = 0.05) -> Iterator[bytes]:
        """A body that never ends: `chunk` every `every` seconds until closing."""
        while not self.pause(every):
            yield chunk

    # -- serving (on the server's threads)

    def _serve(self, handler: "_RequestHandler") -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        request = Request(
            method=handler.command,
            path=handler.path,
            headers=handler.headers,
            body=handler.rfile.read(length) if length else b"",
        )
        with self._lock:
            self.requests.append(request)
        try:
            route = self._routes.get(urlsplit(handler.path).path)
            if route is None:
                reply = Reply(404, {"Content-Type": "text/plain"}, b"No such route\n")
            elif callable(route):
                reply = route(request)
            else:
                reply = route
            if reply.delay and self.pause(reply.delay):
                return
            self._write(handler, request, reply)
        finally:
            request.done.set()

    def _write(self, handler: "_RequestHandler", request: Request, reply: Reply) -> None:
        headers = list(
            reply.headers.items() if isinstance(reply.headers, Mapping) else reply.headers
        )
        names = {name.lower() for name, _ in headers}
        if isinstance(reply.body, bytes) and "content-length" not in names:
            headers.append(("Content-Length", str(len(reply.body))))
        headers.append(("Connection", "close"))
        handler.close_connection = True
        try:
            handler.send_response(reply.status)
            for name, value in headers:
                handler.send_header(name, value)
            handler.end_headers()
            if request.method != "HEAD":
                chunks = [reply.body] if isinstance(reply.body, bytes) else reply.body
                for chunk in chunks:
                    handler.wfile.write(chunk)
                    request.sent += len(chunk)
            request.finished = True
        except ConnectionError:
            pass  # the client hung up: what several tests are about


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    owner: FeedServer

    def handle_error(self, request, client_address) -> None:
        error = sys.exc_info()[1]
        # A client that hangs up, or refuses our test certificate, is not a server bug.
        if error is not None and not isinstance(error, ConnectionError | ssl.SSLError):
            self.owner.errors.append(error)


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def do_GET(self) -> None:
        self.server.owner._serve(self)

    do_HEAD = do_POST = do_PUT = do_DELETE = do_GET

    def log_message(self, format: str, *args) -> None:
        pass  # quiet: tests assert on `requests` instead
