"""Request-level protections: CSRF tokens, a same-origin check, response headers."""

import hashlib
import hmac
import io
import json
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import quote, urlsplit

import python_multipart
from asgi_csrf import DEFAULT_SIGNING_NAMESPACE, asgi_csrf
from itsdangerous.url_safe import URLSafeSerializer
from starlette.requests import cookie_parser

from app.errors import BODY_SCOPE_KEY, error_body

ASGIApp = Callable[[dict, Callable, Callable], Awaitable[None]]

CSRF_COOKIE = "goldfish_csrf"
CSRF_FIELD = "csrftoken"  # asgi-csrf reads the form field of this name
CSRF_HEADER = "x-csrftoken"
_UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; "
    "object-src 'none'"
)


def _is_api(scope: dict) -> bool:
    # API calls carry a bearer token; one-click unsubscribe (RFC 8058) is
    # POSTed by mail clients without cookies, its signed token the only credential.
    return scope["path"].startswith(("/api/", "/mail/unsubscribe/"))


def _page(title: str, message: str) -> bytes:
    return (
        f"<!doctype html><meta charset=utf-8><title>{title}</title>"
        "<link rel=stylesheet href=/static/app.css><main class=narrow>"
        f"<h1>{title}</h1><p>{message}</p>"
        "<p><a href=/>Back to Goldfish</a></p></main>"
    ).encode()


async def _send(
    send: Callable, status: int, content_type: bytes, body: bytes, headers: tuple = ()
) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", content_type), *headers],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def _send_page(send: Callable, status: int, title: str, message: str) -> None:
    await _send(send, status, b"text/html; charset=utf-8", _page(title, message))


async def _csrf_failed(scope: dict, send: Callable, message_id: Any) -> None:
    await _send_page(
        send,
        403,
        "This form has expired",
        "The page was open too long or came from another site, so nothing was saved. "
        "Go back, reload the page and submit again.",
    )


def same_origin_guard(app: ASGIApp) -> ASGIApp:
    """Refuse cross-site state changes before they reach a handler, whatever the
    cookie says: a second wall beside the CSRF token (and the only one for the
    login form of a visitor who has no cookie yet)."""

    async def guarded(scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] == "http" and scope["method"] in _UNSAFE and not _is_api(scope):
            headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
            site = headers.get("sec-fetch-site")
            origin = headers.get("origin")
            host = headers.get("host", "")
            # "null": a sandboxed frame, a data: URL or a privacy redirect;
            # none of them is one of our own pages.
            cross = (
                site == "cross-site"
                or origin == "null"
                or (origin is not None and urlsplit(origin).netloc != host)
            )
            if cross:
                await _send_page(send, 403, "Refused", "This request came from another site.")
                return
        await app(scope, receive, send)

    return guarded


def body_limit(app: ASGIApp, *, max_bytes: int, uploads: dict[str, int] | None = None) -> ASGIApp:
    """Refuse bodies over `max_bytes` with 413 before anything parses them
    (CSRF's form parsing, FastAPI's validation): a 13 MB body once kept every
    route busy for minutes. A declared length is refused without reading a
    byte; a chunked body is read only up to the limit. The body read is kept
    in the scope, so that a 503 page can give back a form as it was typed.

    Not FastAPI's `max_body_size`: it answers a declared oversize body in
    plain text, whatever the app's handlers say, and the API promises its
    JSON error shape.

    `uploads`: upload forms' paths with their own, larger limit; a body over
    it is answered, unread, with a redirect to the form (`?too_large=1`),
    which says so beside its file field."""
    uploads = uploads or {}

    async def limited(scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        declared = headers.get(b"content-length")
        if declared is None and b"transfer-encoding" not in headers:
            await app(scope, receive, send)  # no body
            return
        upload_limit = uploads.get(scope["path"]) if scope["method"] == "POST" else None
        limit = upload_limit or max_bytes
        too_large = _upload_too_large if upload_limit else _too_large
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await too_large(scope, send, limit)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                await too_large(scope, send, limit)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        replayed = False

        async def replay() -> dict:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()  # after the body: wait for the disconnect

        await app({**scope, BODY_SCOPE_KEY: body}, replay, send)

    return limited


async def _too_large(scope: dict, send: Callable, max_bytes: int) -> None:
    message = f"The request body is larger than {max_bytes:,} bytes, the most Goldfish accepts."
    # The unread rest of the body makes the connection unusable.
    close = ((b"connection", b"close"),)
    if _is_api(scope):
        body = json.dumps(error_body(413, message)).encode()
        await _send(send, 413, b"application/json", body, close)
    else:
        page = _page("Too much to send", f"{message} Nothing was saved.")
        await _send(send, 413, b"text/html; charset=utf-8", page, close)


async def _upload_too_large(scope: dict, send: Callable, _max_bytes: int) -> None:
    """Back to the upload form, which says why beside its field."""
    location = (scope["path"] + "?too_large=1").encode()
    close = ((b"connection", b"close"), (b"location", location))
    await _send(send, 303, b"text/plain; charset=utf-8", b"", close)


HSTS = b"max-age=31536000; includeSubDomains"
# Pages whose answers hold secrets or personal data in bulk: never stored
# by a browser or a proxy cache (besides every API response and download).
_NO_STORE_PATHS = ("/account", "/api/")


def security_headers(app: ASGIApp) -> ASGIApp:
    """Headers on every answer, error pages and middleware refusals
    included (this is the outermost layer): the CSP and its friends; HSTS
    when the request came over HTTPS; `Cache-Control: no-store` on the
    account page, the API and every download."""
    extra = [
        (b"x-content-type-options", b"nosniff"),
        (b"x-frame-options", b"DENY"),
        (b"referrer-policy", b"same-origin"),
        (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    ]

    async def with_headers(scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        https = scope.get("scheme") == "https"
        private = scope["path"].startswith(_NO_STORE_PATHS)

        async def send_with_headers(message: dict) -> None:
            if message["type"] == "http.response.start":
                headers = [*message.get("headers", []), *extra]
                if https:
                    headers.append((b"strict-transport-security", HSTS))
                download = any(
                    k.lower() == b"content-disposition" and v.startswith(b"attachment")
                    for k, v in headers
                )
                if private or download:
                    headers = [(k, v) for k, v in headers if k.lower() != b"cache-control"]
                    headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        await app(scope, receive, send_with_headers)

    return with_headers


def multipart_csrf(app: ASGIApp, *, paths: set[str]) -> ASGIApp:
    """In front of asgi-csrf, for the upload forms at `paths`: asgi-csrf's
    own multipart reading fails on python-multipart 0.0.34 (a 500), so the
    form's `csrftoken` field is read here from the body the body limit
    buffered (python-multipart parses it) and handed on as the CSRF header,
    which asgi-csrf then checks against the cookie as for any HTMX post."""

    async def lifted(scope: dict, receive: Callable, send: Callable) -> None:
        body = scope.get(BODY_SCOPE_KEY)
        content_type = dict(scope.get("headers", ())).get(b"content-type", b"")
        if (
            scope["type"] != "http"
            or scope["path"] not in paths
            or body is None
            or not content_type.startswith(b"multipart/form-data")
        ):
            await app(scope, receive, send)
            return
        found: list[bytes] = []

        def on_field(field: object) -> None:
            if getattr(field, "field_name", None) == b"csrftoken" and not found:
                found.append(field.value or b"")

        try:
            python_multipart.parse_form(
                {"Content-Type": content_type},
                io.BytesIO(body),
                on_field,
                lambda file: file.close(),
            )
        except (python_multipart.exceptions.FormParserError, ValueError):
            found.clear()
        headers = [(k, v) for k, v in scope["headers"] if k != CSRF_HEADER.encode()]
        if found:
            headers.append((CSRF_HEADER.encode(), found[0]))
        await app({**scope, "headers": headers}, receive, send)

    return lifted


def csrf_middleware(app: ASGIApp, *, secret: str) -> ASGIApp:
    return asgi_csrf(
        app,
        cookie_name=CSRF_COOKIE,
        http_header=CSRF_HEADER,
        signing_secret=secret,
        # API calls carry a bearer token, never the session cookie.
        skip_if_scope=_is_api,
        # Log-in CSRF: these must carry a token even from a cookie-less visitor.
        always_protect={"/login", "/signup"},
        # Any first response hands out the token, redirects included.
        always_set_cookie=True,
        cookie_secure=True,
        cookie_samesite="Lax",
        send_csrf_failed=_csrf_failed,
    )


def canonical_origin(app: ASGIApp, *, base_url: str) -> ASGIApp:
    """Every request is taken as made to GOLDFISH_BASE_URL: the URLs Goldfish
    builds (redirects, invite links) use its scheme and host, never the
    Host header a client chose."""
    parts = urlsplit(base_url)
    host = parts.netloc.encode("latin-1")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    server = (parts.hostname, port)

    async def canonical(scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] in ("http", "websocket"):
            headers = [(k, v) for k, v in scope["headers"] if k != b"host"]
            headers.append((b"host", host))
            scope = {**scope, "scheme": parts.scheme, "server": server, "headers": headers}
        await app(scope, receive, send)

    return canonical


def bound_csrf_token(secret: str, session_token: str) -> str:
    """The CSRF cookie for a logged-in browser: derived from its session, so
    a token planted before the login, or taken from another session, does
    not pass. Signed as asgi-csrf signs the tokens it makes."""
    binding = hmac.new(secret.encode(), session_token.encode(), hashlib.sha256).hexdigest()
    return URLSafeSerializer(secret).dumps(binding[:32], DEFAULT_SIGNING_NAMESPACE)


def csrf_session_binding(
    app: ASGIApp, *, secret: str, session_cookie: str, session_token: Callable[[str], str | None]
) -> ASGIApp:
    """Around asgi-csrf: a browser with a session must carry the CSRF cookie
    made for that session (see `bound_csrf_token`). A read that comes with
    another one (an old cookie, from before sessions were bound) is served
    with the right one instead, so its forms work; a write is refused.

    And `Authorization: Bearer` lets a request skip the CSRF check on /api/
    only: pages never read that header, so it is dropped from their requests
    before asgi-csrf sees it."""

    async def bound(scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        headers = [(k, v) for k, v in scope["headers"] if _is_api(scope) or k != b"authorization"]
        # Parsed as Starlette parses them for the handlers.
        cookies = cookie_parser(
            b"; ".join(v for k, v in headers if k == b"cookie").decode("latin-1")
        )
        raw = cookies.get(session_cookie)
        token = session_token(raw) if raw else None
        expected = bound_csrf_token(secret, token) if token else None
        if expected is None or cookies.get(CSRF_COOKIE) == expected:
            await app({**scope, "headers": headers}, receive, send)
            return
        if scope["method"] in _UNSAFE and not _is_api(scope):
            await _csrf_failed(scope, _setting_csrf(send, expected), None)
            return
        cookies[CSRF_COOKIE] = expected
        cookie_header = "; ".join(f"{name}={value}" for name, value in cookies.items())
        headers = [(k, v) for k, v in headers if k != b"cookie"]
        headers.append((b"cookie", cookie_header.encode("latin-1")))
        await app({**scope, "headers": headers}, receive, _setting_csrf(send, expected))

    return bound


def csrf_cookie_header(value: str) -> bytes:
    """The CSRF cookie as asgi-csrf sets it (readable by the page's script,
    which sends it back as a header)."""
    return f"{CSRF_COOKIE}={value}; Path=/; SameSite=Lax; Secure".encode()


def _setting_csrf(send: Callable, value: str) -> Callable:
    async def sending(message: dict) -> None:
        if message["type"] == "http.response.start":
            cookie = (b"set-cookie", csrf_cookie_header(value))
            message = {**message, "headers": [*message.get("headers", []), cookie]}
        await send(message)

    return sending


def login_url(next_path: str) -> str:
    return "/login?next=" + quote(next_path, safe="/")
