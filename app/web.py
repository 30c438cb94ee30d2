"""The one Jinja environment, rendering, and the HTMX helpers."""

import tempfile
from collections.abc import Callable
from datetime import UTC, date, datetime, tzinfo
from typing import IO, Any
from urllib.parse import quote, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import Request
from fastapi.responses import RedirectResponse, Response, StreamingResponse
from itsdangerous import BadSignature, URLSafeTimedSerializer
from jinja2 import pass_context
from jinja2.runtime import Context
from jinja2_fragments.fastapi import Jinja2Blocks
from markupsafe import Markup
from starlette.background import BackgroundTask

from app.config import ROOT
from app.markdown import stored_html

templates = Jinja2Blocks(directory=str(ROOT / "templates"))
templates.env.trim_blocks = True
templates.env.lstrip_blocks = True
templates.env.globals["HTMX_SRC"] = "vendor/htmx-2.0.11.min.js"
templates.env.globals["SWAGGER_UI"] = "vendor/swagger-ui-5.35.0"


_path_templates: dict[tuple[str, tuple[str, ...]], str] = {}


@pass_context
def path_for(context: Context, name: str, /, **params: object) -> str:
    """A site-relative URL from a route's name, like url_for, for pages that
    print one per row: the route is looked up once per process and then
    filled in (url_for costs ~60 µs a call, most of a 500-row page)."""
    key = (name, tuple(sorted(params)))
    template = _path_templates.get(key)
    if template is None:
        placeholders = {p: f"__{p}__" for p in params}
        template = str(context["request"].app.url_path_for(name, **placeholders))
        _path_templates[key] = template
    for param, value in params.items():
        template = template.replace(f"__{param}__", quote(str(value), safe=""))
    return template


templates.env.globals["path_for"] = path_for

_BASE = "goldfish.base_url"


@pass_context
def url_for(context: Context, name: str, /, **params: Any) -> str:
    """Starlette's url_for, the same absolute URL, with the request's base
    URL written out once per request rather than parsed and rebuilt on each
    of a page's ~30 calls."""
    request: Request = context["request"]
    path = (request.scope.get("router") or request.scope["app"]).url_path_for(name, **params)
    if path.host or path.protocol != "http":
        return str(path.make_absolute_url(request.base_url))
    base = request.scope.get(_BASE)
    if base is None:
        url = request.base_url
        base = request.scope[_BASE] = f"{url.scheme}://{url.netloc}{url.path.rstrip('/')}"
    return base + path


templates.env.globals["url_for"] = url_for


def _reader_zone(context: Context) -> tzinfo:
    user = context.get("current_user")
    try:
        return ZoneInfo(user.timezone) if user is not None else UTC
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


# Every moment on a page is shown in the reader's time zone (set on the
# account page), labelled with it: "Tue 01 Dec 2026, 14:05 CET". Dates that
# are days (a release's date, a journal day) are not moments and stay as they are.
LOCAL_TIME = "%a %d %b %Y, %H:%M %Z"
LOCAL_DATE = "%d %b %Y"


@pass_context
def local_time(context: Context, moment: datetime | None, fmt: str = LOCAL_TIME) -> str:
    if moment is None:
        return ""
    if moment.tzinfo is None:  # stored as UTC (app.db), naive only before a reload
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(_reader_zone(context)).strftime(fmt)


@pass_context
def local_date(context: Context, moment: datetime | None) -> str:
    """The day a moment fell on, in the reader's zone."""
    return local_time(context, moment, LOCAL_DATE)


templates.env.filters["local_time"] = local_time
templates.env.filters["local_date"] = local_date
# Bodies' HTML as stored when they were written: `{{ entry.body_html|stored_html }}`.
templates.env.filters["stored_html"] = stored_html

# The <option>s of a 1–5 score select, one string per selected value: the
# portfolio prints three selects a row, and looping over options in Jinja
# was a third of a 500-row page.
templates.env.globals["SCORE_OPTIONS"] = {
    selected: Markup(  # noqa: S704 - built from integers only, no user input
        "".join(
            f'<option value="{v}"{" selected" if v == selected else ""}>{v}</option>'
            for v in range(1, 6)
        )
    )
    for selected in range(1, 6)
}


# ---------------------------------------------------------------- flash

# A confirmation said once on the page a form's redirect lands on ("Project
# created", "Time zone saved"): a signed cookie that lives a minute, read and
# cleared by the next full page rendered for the same person.
FLASH_COOKIE = "__Host-goldfish_flash"
FLASH_SECONDS = 60
FLASH_MAX = 500
_FLASH_COOKIE = {"path": "/", "secure": True, "httponly": True, "samesite": "lax"}


def _flash_serializer(request: Request) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(request.app.state.settings.secret_key, salt="goldfish.flash")


def _user_id(request: Request) -> int | None:
    user = getattr(request.state, "user", None)
    return getattr(user, "id", None)


def flash(request: Request, response: Response, message: str) -> Response:
    """Say `message` on the next page this person sees (role=status)."""
    value = _flash_serializer(request).dumps([_user_id(request), message[:FLASH_MAX]])
    response.set_cookie(FLASH_COOKIE, value, max_age=FLASH_SECONDS, **_FLASH_COOKIE)
    return response


def _take_flash(request: Request) -> str | None:
    value = request.cookies.get(FLASH_COOKIE)
    if not value:
        return None
    try:
        user_id, message = _flash_serializer(request).loads(value, max_age=FLASH_SECONDS)
    except (BadSignature, ValueError, TypeError):
        return None
    return message if user_id == _user_id(request) and isinstance(message, str) else None


def is_htmx(request: Request) -> bool:
    # A history restore asks for the full page even though htmx sends it.
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


def csrf_token(request: Request) -> str:
    get_token = request.scope.get("csrftoken")
    return get_token() if get_token else ""


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    block: str | None = None,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    """Render a page, or only its named block when HTMX asked for a fragment."""
    ctx = {
        "current_user": getattr(request.state, "user", None),
        "nav": getattr(request.state, "nav", None) or {"reviews": 0, "unread": 0, "inbox": 0},
        "csrf_token": csrf_token(request),
        **(context or {}),
    }
    kwargs: dict[str, Any] = {}
    whole_page = block is None or not is_htmx(request)
    if not whole_page:
        kwargs["block_name"] = block
    elif FLASH_COOKIE in request.cookies:
        ctx.setdefault("flash", _take_flash(request))
    response = templates.TemplateResponse(
        request, template, ctx, status_code=status_code, headers=headers, **kwargs
    )
    response.headers.append("Vary", "HX-Request")
    if whole_page and FLASH_COOKIE in request.cookies:
        response.delete_cookie(FLASH_COOKIE, **_FLASH_COOKIE)  # said once
    return response


def redirect(request: Request, url: str, *, message: str | None = None) -> Response:
    """303 for a form post; HX-Redirect when HTMX made the request. A
    `message` is flashed on the page it lands on."""
    if is_htmx(request):
        response: Response = Response(status_code=204, headers={"HX-Redirect": url})
    else:
        response = RedirectResponse(url, status_code=303)
    return flash(request, response, message) if message else response


def safe_next(url: str | None, default: str = "/") -> str:
    """Only same-site paths are followed after login or a form post."""
    if not url:
        return default
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or not url.startswith("/") or url.startswith("//"):
        return default
    if "\\" in url:
        return default
    return url


def client_ip(request: Request) -> str:
    """The address the request came from: the connecting one, or the one a
    trusted proxy (GOLDFISH_TRUSTED_PROXIES) forwarded for, as uvicorn
    resolved it."""
    return request.client.host if request.client else "unknown"


def past_horizon_warning(horizon: date | None, user) -> str:
    """A horizon already past is kept (a plan may be recorded late), and said."""
    today = datetime.now(ZoneInfo(user.timezone)).date()
    if horizon is None or horizon >= today:
        return ""
    return (
        f" Its horizon, {horizon.strftime('%d %b %Y')}, is already past: "
        "revise the plan to set a later one."
    )


# A download larger than this is spooled to a temporary file, not memory.
SPOOL_IN_MEMORY_BYTES = 8 * 1024 * 1024
_SPOOL_CHUNK = 64 * 1024


def spooled_download(
    write: Callable[[IO[bytes]], object], *, media_type: str, filename: str
) -> StreamingResponse:
    """A file download written by `write` while the request's transaction is
    open (the session ends as the handler returns), into a spool that stays
    in memory up to SPOOL_IN_MEMORY_BYTES and goes to a temporary file past
    that, then streamed out in chunks: memory stays flat however large the
    file."""
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY_BYTES)  # noqa: SIM115 (closed after sending)
    try:
        write(spool)
    except BaseException:
        spool.close()
        raise
    spool.seek(0)
    return StreamingResponse(
        iter(lambda: spool.read(_SPOOL_CHUNK), b""),
        media_type=media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
        background=BackgroundTask(spool.close),
    )
