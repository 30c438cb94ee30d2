"""Fetching a feed's bytes: politely, within a deadline and a size cap, and
only from public addresses. No database, no parsing (see parse.py).

Server-side request forgery: a feed URL is typed by a user and fetched by the
server, so it must not reach this machine or its private network (a database
port, a cloud metadata service at 169.254.169.254). Every hop, the first and
each redirect, is checked by `check_url`: http(s) only, and every address the
host resolves to must be public.

DNS rebinding (a name that resolves to a public address when checked and to
a private one when connected to) is closed by resolving once and connecting
only to what was checked: the HTTP client's network backend (`_PinnedBackend`)
is handed the checked addresses per host and port, and refuses any host it
was not handed. The URL keeps its host name, so the Host header, TLS SNI and
the certificate check all use the name, as a browser would. What remains:

- a DNS lookup cannot be cancelled; at the deadline we stop waiting for it,
  and its thread ends when the system resolver gives up;
- proxies from the environment are not used (`trust_env=False`): a deployment
  behind a forward proxy would need a different design, since the proxy,
  not us, would resolve the name.
"""

import functools
import http
import ipaddress
import re
import socket
import ssl
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import httpcore2 as httpcore
import httpx2 as httpx

USER_AGENT = "Goldfish/0.1 (+https://github.com/goldfish-planner; research feed reader)"
DEFAULT_TIMEOUT_SECONDS = 15.0  # the whole fetch: lookups, connects, redirects, the body
DEFAULT_MAX_BYTES = 5 * 1024 * 1024
MAX_REDIRECTS = 5

_REDIRECT_STATUSES = {301, 302, 303, 307, 308}
_RETRYABLE_STATUSES = {408, 425, 429}
_ACCEPT = (
    "application/atom+xml, application/rss+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.8"
)
_STATUS_HINTS = {
    401: "the feed needs a login",
    403: "the server refuses to share it",
    404: "there is no feed at this address",
    410: "the feed has been removed",
    429: "it asks to be read less often",
}
# What a host name may hold once httpx has IDNA-encoded it (underscores occur).
_HOST_NAME = re.compile(r"[A-Za-z0-9_.-]+")
# Routed only through a NAT64 gateway; the low 32 bits are the IPv4 address reached.
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class FetchError(Exception):
    """A fetch that failed, said in words a researcher understands.

    `retryable` is True when the same fetch may well work later (a timeout, a
    5xx, 429, a broken connection); False when it will not until someone
    changes something (a 4xx, too large, a forbidden address, a bad scheme).
    `status` is the HTTP status when the server answered one."""

    def __init__(self, message: str, *, retryable: bool = False, status: int | None = None):
        super().__init__(message)
        self.retryable = retryable
        self.status = status


@dataclass(frozen=True)
class Fetched:
    not_modified: bool  # a 304: body is empty, the validators are the ones to keep
    body: bytes
    etag: str | None
    last_modified: str | None
    final_url: str
    content_type: str


def check_url(url: str, *, allow_private: bool) -> None:
    """Raise FetchError unless `url` is http(s) with a host and, unless
    `allow_private`, every address its host resolves to is public."""
    target = _web_address(url)
    if not allow_private:
        _checked_addresses(target, allow_private=False, deadline=_Deadline(DEFAULT_TIMEOUT_SECONDS))


def fetch_feed(
    url: str,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    allow_private: bool = False,
    timeout: float = DEFAULT_TIMEOUT_SECONDS,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Fetched:
    """GET a feed, conditionally when validators from the last fetch are
    given. Redirects are followed by hand, each hop checked like the first;
    the body is cut off past `max_bytes`; `timeout` bounds the whole fetch."""
    deadline = _Deadline(timeout)
    backend = _PinnedBackend(deadline)
    headers = {"User-Agent": USER_AGENT, "Accept": _ACCEPT, "Accept-Encoding": "gzip, deflate"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified

    target = _web_address(url)
    seen: set[str] = set()
    with httpx.Client(
        transport=_PinnedTransport(backend),
        headers=headers,
        timeout=timeout,
        follow_redirects=False,
        trust_env=False,
    ) as client:
        for _hop in range(MAX_REDIRECTS + 1):
            seen.add(str(target))
            addresses = _checked_addresses(target, allow_private=allow_private, deadline=deadline)
            backend.pin(target, addresses)
            with _transport_errors(target, deadline), client.stream("GET", target) as response:
                location = _redirect_location(response)
                if location is None:
                    return _answer(response, etag, last_modified, max_bytes, deadline)
            target = _web_address(location, base=target)
            if str(target) in seen:
                raise FetchError("The feed's address redirects in a loop")
    raise FetchError(f"Too many redirects (more than {MAX_REDIRECTS})")


# -- addresses ---------------------------------------------------------------


def _web_address(url: str | httpx.URL, *, base: httpx.URL | None = None) -> httpx.URL:
    try:
        target = base.join(url) if base is not None else httpx.URL(str(url).strip())
    except httpx.InvalidURL as exc:
        raise FetchError(f"This is not a valid web address ({exc})") from exc
    if target.scheme not in ("http", "https"):
        raise FetchError("Only http:// and https:// feeds can be read")
    if not target.host:
        raise FetchError("The feed's address has no host name")
    host = target.raw_host.decode("ascii")
    if not _HOST_NAME.fullmatch(host) and not _is_ip_literal(host):
        raise FetchError(f"This is not a valid web address ({host!r} is not a host name)")
    if target.port is not None and not 0 < target.port < 65536:
        raise FetchError(f"This is not a valid web address (there is no port {target.port})")
    return target


def _is_ip_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _checked_addresses(
    target: httpx.URL, *, allow_private: bool, deadline: "_Deadline"
) -> list[IPAddress]:
    host = target.raw_host.decode("ascii")
    if _is_ip_literal(host):
        addresses = [ipaddress.ip_address(host)]
        named = f"{host} is"
    else:
        addresses = _resolve(host, _port(target), deadline)
        named = ""
    if not allow_private:
        for address in addresses:
            kind = _private_kind(address)
            if kind:
                raise FetchError(
                    "Addresses on this machine's private network are not allowed: "
                    f"{named or f'{host} is {address},'} {kind}"
                )
    return addresses


def _private_kind(address: IPAddress) -> str | None:
    """What makes an address non-public, in words; None for a public one."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is None and address in _NAT64:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None:
            return _private_kind(embedded)
    if address.is_loopback:
        return "a loopback address (this machine)"
    if address.is_link_local:
        return "a link-local address (where cloud metadata services answer)"
    if address.is_unspecified:
        return "the unspecified address"
    if address.is_multicast:
        return "a multicast address"
    if address.is_reserved:
        return "a reserved address"
    if address.is_private:
        return "a private-network address"
    if not address.is_global:
        return "an address not routed on the public internet (e.g. carrier-grade NAT)"
    return None


def _port(target: httpx.URL) -> int:
    return target.port or (443 if target.scheme == "https" else 80)


def _lookup(host: str, port: int) -> list[IPAddress]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(ipaddress.ip_address(info[4][0]) for info in infos))


def _resolve(host: str, port: int, deadline: "_Deadline") -> list[IPAddress]:
    """`_lookup` within the deadline: getaddrinfo takes no timeout, so it runs
    in a thread we stop waiting for."""
    outcome: list[list[IPAddress] | Exception] = []

    def lookup() -> None:
        try:
            outcome.append(_lookup(host, port))
        except Exception as exc:  # handed to the caller's thread
            outcome.append(exc)

    worker = threading.Thread(target=lookup, name=f"resolve {host}", daemon=True)
    worker.start()
    worker.join(max(deadline.left(), 0))
    if not outcome:
        raise FetchError(f"No answer within {deadline.seconds:g} s", retryable=True)
    found = outcome[0]
    if isinstance(found, socket.gaierror):
        raise FetchError(
            f"The feed's address {host} could not be found",
            retryable=found.errno == socket.EAI_AGAIN,
        ) from found
    if isinstance(found, Exception):
        raise FetchError(f"The feed's address {host} could not be looked up ({found})") from found
    if not found:
        raise FetchError(f"The feed's address {host} could not be found")
    return found


# -- the answer --------------------------------------------------------------


def _redirect_location(response: httpx.Response) -> str | None:
    if response.status_code not in _REDIRECT_STATUSES:
        return None
    location = response.headers.get("location")
    if not location:
        raise FetchError(
            f"The feed's server answered {_status_words(response)} without saying where to",
            status=response.status_code,
        )
    return location


def _answer(
    response: httpx.Response,
    etag: str | None,
    last_modified: str | None,
    max_bytes: int,
    deadline: "_Deadline",
) -> Fetched:
    status = response.status_code
    final_url = str(response.url)
    if status == 304:
        # A 304 may refresh the validators; if it does not, the old ones stand.
        return Fetched(
            not_modified=True,
            body=b"",
            etag=response.headers.get("etag") or etag,
            last_modified=response.headers.get("last-modified") or last_modified,
            final_url=final_url,
            content_type="",
        )
    if not 200 <= status < 300:
        words = _status_words(response)
        hint = _STATUS_HINTS.get(status)
        raise FetchError(
            f"The feed's server answered {words}" + (f" ({hint})" if hint else ""),
            retryable=status >= 500 or status in _RETRYABLE_STATUSES,
            status=status,
        )
    announced = response.headers.get("content-length", "")
    if announced.isdigit() and int(announced) > max_bytes:
        raise FetchError(f"The feed is larger than {_size(max_bytes)}")
    body = bytearray()
    try:
        for chunk in response.iter_bytes():  # decoded: the cap holds for gzip bombs too
            body += chunk
            if len(body) > max_bytes:
                raise FetchError(f"The feed is larger than {_size(max_bytes)}")
    except (httpcore.TimeoutException, httpx.TimeoutException) as exc:
        raise FetchError(
            f"The feed did not finish downloading within {deadline.seconds:g} s", retryable=True
        ) from exc
    return Fetched(
        not_modified=False,
        body=bytes(body),
        etag=response.headers.get("etag"),
        last_modified=response.headers.get("last-modified"),
        final_url=final_url,
        content_type=response.headers.get("content-type", ""),
    )


def _status_words(response: httpx.Response) -> str:
    try:
        phrase = http.HTTPStatus(response.status_code).phrase
    except ValueError:
        phrase = response.reason_phrase
    return f"{response.status_code} {phrase}".strip()


def _size(n: int) -> str:
    for unit, scale in (("MB", 1024 * 1024), ("KB", 1024)):
        if n >= scale:
            return f"{n / scale:.3g} {unit}"
    return f"{n} bytes"


@contextmanager
def _transport_errors(target: httpx.URL, deadline: "_Deadline") -> Iterator[None]:
    """What the HTTP stack raises, as FetchErrors in words."""
    host = target.host
    try:
        yield
    except (httpcore.TimeoutException, httpx.TimeoutException) as exc:
        raise FetchError(f"No answer within {deadline.seconds:g} s", retryable=True) from exc
    except httpx.DecodingError as exc:
        raise FetchError(
            "The feed's server sent a compressed body that could not be decoded"
        ) from exc
    except (httpcore.ConnectError, httpx.ConnectError) as exc:
        cause = _underlying(exc)
        if isinstance(cause, ssl.SSLCertVerificationError):
            raise FetchError(
                f"The certificate of {host} could not be verified ({cause.verify_message})"
            ) from exc
        reason = getattr(cause, "strerror", None) or str(cause or exc) or "no reason given"
        raise FetchError(f"Could not connect to {host}: {reason.lower()}", retryable=True) from exc
    except (httpcore.NetworkError, httpcore.ProtocolError, httpx.TransportError) as exc:
        raise FetchError(
            f"The connection to {host} broke off ({exc or type(exc).__name__})", retryable=True
        ) from exc


def _underlying(exc: BaseException) -> BaseException | None:
    """The OSError an httpcore error wraps: httpcore passes it as the first
    argument (and its pool re-raises `from None`, losing __cause__)."""
    for candidate in (*exc.args[:1], exc.__cause__, exc.__context__):
        if isinstance(candidate, BaseException):
            return candidate
    return None


# -- the connection: pinned addresses, one deadline ---------------------------


class _Deadline:
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.at = time.monotonic() + seconds

    def left(self) -> float:
        return self.at - time.monotonic()

    def clamp(self, timeout: float | None, expired: type[Exception]) -> float:
        """The smaller of an operation's own timeout and the time left."""
        left = self.left()
        if left <= 0:
            raise expired("the fetch's deadline has passed")
        return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    """A socket stream whose every read and write ends by the deadline, so a
    server that drips a byte at a time cannot hold a fetch open."""

    def __init__(self, stream: httpcore.NetworkStream, deadline: _Deadline) -> None:
        self._stream = stream
        self._deadline = deadline

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, self._deadline.clamp(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, self._deadline.clamp(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        stream = self._stream.start_tls(
            ssl_context, server_hostname, self._deadline.clamp(timeout, httpcore.ConnectTimeout)
        )
        return _DeadlineStream(stream, self._deadline)

    def get_extra_info(self, info: str):
        return self._stream.get_extra_info(info)


class _PinnedBackend(httpcore.NetworkBackend):
    """Connects to a host only at the addresses fetch_feed checked for it."""

    def __init__(self, deadline: _Deadline) -> None:
        self._deadline = deadline
        self._sockets = httpcore.SyncBackend()
        self._pinned: dict[tuple[str, int], list[IPAddress]] = {}

    def pin(self, target: httpx.URL, addresses: list[IPAddress]) -> None:
        # The key is spelled as httpcore spells the origin it connects to.
        self._pinned[(target.raw_host.decode("ascii"), _port(target))] = addresses

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable | None = None,
    ) -> httpcore.NetworkStream:
        addresses = self._pinned.get((host, port))
        if not addresses:
            raise httpcore.ConnectError(f"{host}:{port} was not checked before connecting")
        failure: Exception | None = None
        for address in addresses:
            try:
                stream = self._sockets.connect_tcp(
                    str(address),
                    port,
                    timeout=self._deadline.clamp(timeout, httpcore.ConnectTimeout),
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except httpcore.ConnectError as exc:
                failure = exc
                continue
            return _DeadlineStream(stream, self._deadline)
        assert failure is not None
        raise failure

    def connect_unix_socket(self, path: str, timeout=None, socket_options=None):
        raise httpcore.ConnectError("feeds are never read from a Unix socket")

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


@functools.cache
def _ssl_context() -> ssl.SSLContext:
    # Loading the trust store takes tens of milliseconds; a context is safe to share.
    return httpx.create_ssl_context()


class _PinnedTransport(httpx.BaseTransport):
    """httpx's HTTP transport, over a connection pool with our backend."""

    def __init__(self, backend: _PinnedBackend) -> None:
        self._pool = httpcore.ConnectionPool(ssl_context=_ssl_context(), network_backend=backend)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        answer = self._pool.handle_request(
            httpcore.Request(
                method=request.method,
                url=httpcore.URL(
                    scheme=request.url.raw_scheme,
                    host=request.url.raw_host,
                    port=request.url.port,
                    target=request.url.raw_path,
                ),
                headers=request.headers.raw,
                content=request.stream,
                extensions=request.extensions,
            )
        )
        return httpx.Response(
            status_code=answer.status,
            headers=answer.headers,
            stream=_ResponseBody(answer.stream),
            extensions=answer.extensions,
        )

    def close(self) -> None:
        self._pool.close()


class _ResponseBody(httpx.SyncByteStream):
    def __init__(self, stream: Iterable[bytes]) -> None:
        self._stream = stream

    def __iter__(self) -> Iterator[bytes]:
        yield from self._stream

    def close(self) -> None:
        close = getattr(self._stream, "close", None)
        if close is not None:
            close()
