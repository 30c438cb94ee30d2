"""fetch_feed against a real HTTP server on loopback, and check_url on
addresses that are never connected to. No test leaves this machine."""

import gzip
import ipaddress
import socket
import ssl
import time
from collections.abc import Iterator

import pytest

from app.feeds import fetch
from app.feeds.fetch import (
    DEFAULT_MAX_BYTES,
    MAX_REDIRECTS,
    USER_AGENT,
    Fetched,
    FetchError,
    check_url,
    fetch_feed,
)
from bench.feedserver import FeedServer, Reply, Request
from tests.feeds.files import FIXTURES, fixture

MB = 1024 * 1024
RSS = fixture("rss2.xml")


def elapsed_since(start: float) -> float:
    return time.monotonic() - start


def no_lookups(host: str, port: int):
    raise AssertionError(f"looked up {host}: no test may ask DNS")


# -- a plain fetch -------------------------------------------------------------


def test_a_feed_is_fetched_with_its_validators_and_a_polite_user_agent(feed_server: FeedServer):
    url = feed_server.route(
        "/feed.xml",
        body=RSS,
        content_type="application/rss+xml; charset=utf-8",
        headers={"ETag": '"v1"', "Last-Modified": "Tue, 14 May 2024 09:00:00 GMT"},
    )

    fetched = fetch_feed(url, allow_private=True)

    assert fetched == Fetched(
        not_modified=False,
        body=RSS,
        etag='"v1"',
        last_modified="Tue, 14 May 2024 09:00:00 GMT",
        final_url=url,
        content_type="application/rss+xml; charset=utf-8",
    )
    (request,) = feed_server.requests
    assert request.method == "GET"
    assert request.headers["User-Agent"] == USER_AGENT
    assert "application/atom+xml" in request.headers["Accept"]
    assert request.headers["Host"] == feed_server.base_url.removeprefix("http://")
    assert "If-None-Match" not in request.headers
    assert "If-Modified-Since" not in request.headers


def test_the_user_agent_names_the_app_and_a_contact_url():
    assert USER_AGENT.startswith("Goldfish/")
    assert "+https://" in USER_AGENT


def test_a_gzip_encoded_body_is_decoded(feed_server: FeedServer):
    url = feed_server.route(
        "/feed.xml",
        body=gzip.compress(RSS),
        headers={"Content-Encoding": "gzip"},
        content_type="application/rss+xml",
    )

    assert fetch_feed(url, allow_private=True).body == RSS
    assert "gzip" in feed_server.requests[0].headers["Accept-Encoding"]


def test_a_body_that_claims_gzip_but_is_not_is_a_permanent_error(feed_server: FeedServer):
    url = feed_server.route(
        "/feed.xml", body=b"not gzip at all", headers={"Content-Encoding": "gzip"}
    )

    with pytest.raises(FetchError, match="could not be decoded") as caught:
        fetch_feed(url, allow_private=True)
    assert not caught.value.retryable


# -- conditional GET -----------------------------------------------------------


def test_a_304_returns_not_modified_with_the_validators_sent(feed_server: FeedServer):
    def conditional(request: Request) -> Reply:
        if request.headers["If-None-Match"] == '"v1"':
            return Reply(status=304)
        return Reply(body=RSS, headers={"ETag": '"v1"'})

    url = feed_server.route("/feed.xml", handler=conditional)

    fetched = fetch_feed(
        url, etag='"v1"', last_modified="Tue, 14 May 2024 09:00:00 GMT", allow_private=True
    )

    assert fetched.not_modified
    assert fetched.body == b""
    assert fetched.etag == '"v1"'
    assert fetched.last_modified == "Tue, 14 May 2024 09:00:00 GMT"
    (request,) = feed_server.requests
    assert request.headers["If-None-Match"] == '"v1"'
    assert request.headers["If-Modified-Since"] == "Tue, 14 May 2024 09:00:00 GMT"


def test_a_304_that_sends_a_new_etag_updates_it(feed_server: FeedServer):
    url = feed_server.route("/feed.xml", status=304, headers={"ETag": '"v2"'})

    fetched = fetch_feed(url, etag='"v1"', allow_private=True)

    assert fetched.not_modified
    assert fetched.etag == '"v2"'
    assert fetched.last_modified is None


# -- size ----------------------------------------------------------------------


def test_a_50_mb_body_is_cut_off_quickly_without_reading_it_all(feed_server: FeedServer):
    chunk = b"x" * 65536
    url = feed_server.route(
        "/huge.xml", body=(chunk for _ in range(50 * MB // len(chunk))), content_type="text/xml"
    )

    start = time.monotonic()
    with pytest.raises(FetchError, match="larger than 5 MB") as caught:
        fetch_feed(url, allow_private=True)

    assert elapsed_since(start) < 5
    assert not caught.value.retryable
    (request,) = feed_server.requests
    assert request.done.wait(10)
    assert not request.finished
    assert request.sent < 50 * MB


def test_a_content_length_over_the_cap_fails_before_the_body_is_read(feed_server: FeedServer):
    # The body never ends: reading any of it would wait for the deadline.
    url = feed_server.route(
        "/huge.xml", headers={"Content-Length": str(60 * MB)}, body=feed_server.drip()
    )

    start = time.monotonic()
    with pytest.raises(FetchError, match="larger than 5 MB"):
        fetch_feed(url, allow_private=True, timeout=10)
    assert elapsed_since(start) < 3


@pytest.mark.parametrize(("size", "fits"), [(1000, True), (1001, False)])
def test_the_cap_is_inclusive(feed_server: FeedServer, size: int, fits: bool):
    # Streamed without a Content-Length: the count is of bytes read.
    url = feed_server.route("/feed.xml", body=iter([b"y" * size]))

    if fits:
        assert len(fetch_feed(url, allow_private=True, max_bytes=1000).body) == 1000
    else:
        with pytest.raises(FetchError, match="larger than 1000 bytes"):
            fetch_feed(url, allow_private=True, max_bytes=1000)


def test_the_default_cap_is_5_mb():
    assert DEFAULT_MAX_BYTES == 5 * MB


# -- time ----------------------------------------------------------------------


def test_a_server_that_does_not_answer_in_time_is_a_retryable_timeout(feed_server: FeedServer):
    url = feed_server.route("/slow.xml", body=RSS, delay=10)

    start = time.monotonic()
    with pytest.raises(FetchError, match=r"No answer within 0\.5 s") as caught:
        fetch_feed(url, allow_private=True, timeout=0.5)

    assert 0.4 < elapsed_since(start) < 3
    assert caught.value.retryable


def test_a_body_that_drips_forever_stops_at_the_overall_deadline(feed_server: FeedServer):
    # Each read gets bytes well within any per-read timeout; only a deadline
    # over the whole fetch ends it.
    url = feed_server.route("/drip.xml", body=feed_server.drip(b"<", every=0.05))

    start = time.monotonic()
    with pytest.raises(FetchError, match=r"did not finish downloading within 1 s") as caught:
        fetch_feed(url, allow_private=True, timeout=1)

    assert 0.9 < elapsed_since(start) < 3
    assert caught.value.retryable


def test_redirect_hops_share_one_deadline(feed_server: FeedServer):
    for hop in range(3):
        feed_server.route(f"/r{hop}", status=302, headers={"Location": f"/r{hop + 1}"}, delay=0.4)
    url = feed_server.url("/r0")

    start = time.monotonic()
    with pytest.raises(FetchError, match=r"No answer within 1 s"):
        fetch_feed(url, allow_private=True, timeout=1)
    assert elapsed_since(start) < 2.5


# -- redirects -----------------------------------------------------------------


def test_a_chain_of_redirects_within_the_limit_is_followed(feed_server: FeedServer):
    assert MAX_REDIRECTS == 5
    feed_server.route("/feed.xml", body=RSS)
    feed_server.redirect("/r1", "/r2", status=301)
    feed_server.redirect("/r2", feed_server.url("/r3"), status=302)  # absolute
    feed_server.redirect("/r3", "r4", status=303)  # relative to /r3
    feed_server.redirect("/r4", "/r5?x=1", status=307)
    feed_server.redirect("/r5", "/feed.xml", status=308)

    fetched = fetch_feed(feed_server.url("/r1"), etag='"v0"', allow_private=True)

    assert fetched.body == RSS
    assert fetched.final_url == feed_server.url("/feed.xml")
    assert [r.path for r in feed_server.requests] == [
        "/r1",
        "/r2",
        "/r3",
        "/r4",
        "/r5?x=1",
        "/feed.xml",
    ]
    for request in feed_server.requests:
        assert request.headers["User-Agent"] == USER_AGENT
        assert request.headers["If-None-Match"] == '"v0"'


def test_more_than_five_redirects_is_an_error(feed_server: FeedServer):
    for hop in range(6):
        feed_server.redirect(f"/r{hop}", f"/r{hop + 1}")
    feed_server.route("/r6", body=RSS)

    with pytest.raises(FetchError, match="Too many redirects") as caught:
        fetch_feed(feed_server.url("/r0"), allow_private=True)

    assert not caught.value.retryable
    assert len(feed_server.requests) == MAX_REDIRECTS + 1


def test_a_redirect_loop_is_an_error(feed_server: FeedServer):
    feed_server.redirect("/a", "/b")
    feed_server.redirect("/b", "/a")

    with pytest.raises(FetchError, match="redirects in a loop"):
        fetch_feed(feed_server.url("/a"), allow_private=True)
    assert [r.path for r in feed_server.requests] == ["/a", "/b"]


def test_a_redirect_to_another_scheme_is_refused(feed_server: FeedServer):
    url = feed_server.redirect("/feed.xml", "file:///etc/passwd")

    with pytest.raises(FetchError, match=r"Only http:// and https://"):
        fetch_feed(url, allow_private=True)


def test_a_redirect_without_a_location_is_an_error(feed_server: FeedServer):
    url = feed_server.route("/feed.xml", status=302)

    with pytest.raises(FetchError, match="302 Found without saying where to"):
        fetch_feed(url, allow_private=True)


def test_each_redirect_hop_is_checked_like_the_first(
    feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch
):
    # Pretend the test server's own address is public, so the first hop
    # passes with allow_private=False; the hop to another loopback address
    # must then be refused before any connection to it.
    classify = fetch._private_kind
    served_from = ipaddress.ip_address("127.0.0.1")
    monkeypatch.setattr(
        fetch,
        "_private_kind",
        lambda address: None if address == served_from else classify(address),
    )
    port = feed_server.base_url.rsplit(":", 1)[1]
    url = feed_server.redirect("/feed.xml", f"http://127.0.0.2:{port}/internal")

    with pytest.raises(FetchError, match=r"private network are not allowed: 127\.0\.0\.2"):
        fetch_feed(url)
    assert [r.path for r in feed_server.requests] == ["/feed.xml"]


# -- addresses -----------------------------------------------------------------


def test_the_local_server_is_refused_unless_private_addresses_are_allowed(
    feed_server: FeedServer,
):
    url = feed_server.route("/feed.xml", body=RSS)

    with pytest.raises(FetchError, match="private network are not allowed") as caught:
        fetch_feed(url)

    assert not caught.value.retryable
    assert feed_server.requests == []


def test_the_connection_goes_to_the_address_checked_not_a_second_lookup(
    feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch
):
    """DNS rebinding: a name that answers one address when checked and
    another when connected to. The name is looked up once per hop; the
    connection uses that answer, and the Host header keeps the name."""
    port = int(feed_server.base_url.rsplit(":", 1)[1])
    real_getaddrinfo = socket.getaddrinfo
    lookups: list[str] = []

    def getaddrinfo(host, *args, **kwargs):
        try:
            ipaddress.ip_address(host)
        except ValueError:
            if host != "feeds.test":
                raise socket.gaierror(socket.EAI_NONAME, "not in this test's DNS") from None
            lookups.append(host)
            # The second answer is an address where nothing listens.
            host = "127.0.0.1" if len(lookups) == 1 else "127.0.0.3"
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    feed_server.route("/feed.xml", body=RSS)

    fetched = fetch_feed(f"http://feeds.test:{port}/feed.xml", allow_private=True)

    assert fetched.body == RSS
    assert fetched.final_url == f"http://feeds.test:{port}/feed.xml"
    assert lookups == ["feeds.test"]
    assert feed_server.requests[0].headers["Host"] == f"feeds.test:{port}"


def test_when_one_checked_address_refuses_the_next_is_tried(
    feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch
):
    answers = [ipaddress.ip_address("127.0.0.3"), ipaddress.ip_address("127.0.0.1")]
    monkeypatch.setattr(
        fetch, "_lookup", lambda host, port: answers if host == "feeds.test" else []
    )
    feed_server.route("/feed.xml", body=RSS)

    fetched = fetch_feed(f"http://feeds.test:{feed_server.port}/feed.xml", allow_private=True)

    assert fetched.body == RSS


def test_a_name_that_does_not_resolve_is_an_error_in_words(monkeypatch: pytest.MonkeyPatch):
    def no_such_name(host, port):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(fetch, "_lookup", no_such_name)

    with pytest.raises(FetchError, match=r"feeds\.invalid could not be found") as caught:
        fetch_feed("https://feeds.invalid/rss")
    assert not caught.value.retryable


def test_a_lookup_that_hangs_is_bounded_by_the_deadline(monkeypatch: pytest.MonkeyPatch):
    def hang(host, port):
        time.sleep(3)
        return []

    monkeypatch.setattr(fetch, "_lookup", hang)

    start = time.monotonic()
    with pytest.raises(FetchError, match=r"No answer within 0\.3 s") as caught:
        fetch_feed("https://slow-dns.test/rss", timeout=0.3)
    assert elapsed_since(start) < 2
    assert caught.value.retryable


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/feed",
        "http://127.1.2.3:8080/feed",
        "http://10.0.0.1/feed",
        "http://172.16.0.1/feed",
        "http://192.168.1.1/feed",
        "http://169.254.169.254/latest/meta-data/",
        "http://100.64.0.1/feed",
        "http://0.0.0.0/feed",
        "http://224.0.0.1/feed",
        "http://240.0.0.1/feed",
        "http://[::1]/feed",
        "http://[::]/feed",
        "http://[fe80::1]/feed",
        "http://[fc00::1]/feed",
        "http://[fd12:3456::1]/feed",
        "http://[ff02::1]/feed",
        "http://[::ffff:127.0.0.1]/feed",
        "http://[::ffff:10.0.0.1]/feed",
        "http://[::ffff:169.254.169.254]/feed",
        "http://[2002:7f00:1::]/feed",  # 6to4 wrapping 127.0.0.1
        "http://[64:ff9b::a00:1]/feed",  # NAT64 wrapping 10.0.0.1
        "http://localhost/feed",  # a name: resolved from /etc/hosts
        "http://LOCALHOST/feed",
        "http://2130706433/feed",  # 127.0.0.1 spelled as one number
    ],
)
def test_check_url_refuses_addresses_on_this_machine_or_its_private_network(url: str):
    with pytest.raises(FetchError, match="private network are not allowed") as caught:
        check_url(url, allow_private=False)
    assert not caught.value.retryable


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.org/feed.xml",
        "file:///etc/passwd",
        "javascript:alert(1)",
        "gopher://example.org/",
        "data:text/xml,<rss/>",
        "example.org/feed.xml",
    ],
)
def test_check_url_refuses_other_schemes(url: str):
    with pytest.raises(FetchError, match=r"Only http:// and https:// feeds can be read") as caught:
        check_url(url, allow_private=True)
    assert not caught.value.retryable


@pytest.mark.parametrize("url", ["http:///feed.xml", "https://"])
def test_check_url_refuses_an_address_without_a_host(url: str):
    with pytest.raises(FetchError, match="no host name"):
        check_url(url, allow_private=True)


@pytest.mark.parametrize(
    "url",
    ["http://exa mple.org/feed", "http://ex%41mple.org/", "http://[::1/", "http://a.org:99999/"],
)
def test_check_url_refuses_what_is_not_a_web_address(url: str, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(fetch, "_lookup", no_lookups)

    with pytest.raises(FetchError, match="not a valid web address"):
        check_url(url, allow_private=False)


@pytest.mark.parametrize(
    "url",
    [
        "http://93.184.216.34/feed.xml",
        "https://93.184.216.34:8443/feed.xml",
        "https://[2606:2800:220:1:248:1893:25c8:1946]/feed.xml",
        "http://[::ffff:93.184.216.34]/feed.xml",
    ],
)
def test_check_url_accepts_a_public_address_without_any_lookup(
    url: str, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(fetch, "_lookup", no_lookups)

    check_url(url, allow_private=False)


def test_check_url_allows_this_machine_when_told_to():
    check_url("http://localhost:8000/feed.xml", allow_private=True)
    check_url("http://10.0.0.1/feed.xml", allow_private=True)


def test_a_bad_scheme_is_refused_before_any_request(feed_server: FeedServer):
    with pytest.raises(FetchError, match="Only http"):
        fetch_feed("ftp://" + feed_server.base_url.removeprefix("http://") + "/feed.xml")
    assert feed_server.requests == []


# -- answers that are errors ---------------------------------------------------


@pytest.mark.parametrize(
    ("status", "words", "retryable"),
    [
        (500, "500 Internal Server Error", True),
        (502, "502 Bad Gateway", True),
        (503, "503 Service Unavailable", True),
        (429, "429 Too Many Requests", True),
        (404, "404 Not Found", False),
        (403, "403 Forbidden", False),
        (410, "410 Gone", False),
        (400, "400 Bad Request", False),
    ],
)
def test_an_error_status_is_said_in_words(
    feed_server: FeedServer, status: int, words: str, retryable: bool
):
    url = feed_server.route("/feed.xml", status=status, body=b"oops")

    with pytest.raises(FetchError, match=f"The feed's server answered {words}") as caught:
        fetch_feed(url, allow_private=True)

    assert caught.value.retryable is retryable
    assert caught.value.status == status


def test_a_refused_connection_is_retryable():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # Nothing listens on the port once the probe is closed.

    with pytest.raises(FetchError, match=r"Could not connect to 127\.0\.0\.1") as caught:
        fetch_feed(f"http://127.0.0.1:{port}/feed.xml", allow_private=True)
    assert caught.value.retryable


def test_a_server_that_hangs_up_without_answering_is_retryable(feed_server: FeedServer):
    # The handler raises ConnectionError, which the server treats as the
    # client leaving: the connection closes with no answer written.
    def hang_up(_request: Request) -> Reply:
        raise ConnectionResetError

    url = feed_server.route("/feed.xml", handler=hang_up)

    with pytest.raises(FetchError, match="broke off") as caught:
        fetch_feed(url, allow_private=True)
    assert caught.value.retryable


# -- TLS -----------------------------------------------------------------------

CERTIFICATE = FIXTURES / "localhost.pem"  # self-signed, for DNS:localhost only


@pytest.fixture
def tls_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[FeedServer, list[str]]]:
    """An https server with a certificate for "localhost", which the fetcher
    is made to trust; and the server names (SNI) that clients asked for."""
    asked_for: list[str] = []
    server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_context.load_cert_chain(CERTIFICATE)
    server_context.sni_callback = lambda _socket, name, _context: asked_for.append(name)
    client_context = ssl.create_default_context(cafile=CERTIFICATE)
    monkeypatch.setattr(fetch, "_ssl_context", lambda: client_context)
    with FeedServer(tls=server_context) as server:
        yield server, asked_for
    if server.errors:
        raise server.errors[0]


def test_https_to_a_pinned_address_still_verifies_the_name_and_sends_it_as_sni(tls_server):
    server, asked_for = tls_server
    server.route("/feed.xml", body=RSS)

    fetched = fetch_feed(f"https://localhost:{server.port}/feed.xml", allow_private=True)

    assert fetched.body == RSS
    assert asked_for == ["localhost"]
    assert server.requests[0].headers["Host"] == f"localhost:{server.port}"


def test_a_certificate_for_another_name_is_a_permanent_error(tls_server):
    server, _asked_for = tls_server
    server.route("/feed.xml", body=RSS)

    with pytest.raises(FetchError, match=r"certificate of 127\.0\.0\.1 could not be verified") as e:
        fetch_feed(f"https://127.0.0.1:{server.port}/feed.xml", allow_private=True)

    assert not e.value.retryable
    assert server.requests == []
