"""The one Jinja environment, rendering, and the HTMX helpers."""

from typing import Any
from urllib.parse import urlsplit

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from jinja2_fragments.fastapi import Jinja2Blocks

from app.config import ROOT

templates = Jinja2Blocks(directory=str(ROOT / "templates"))
templates.env.globals["HTMX_SRC"] = "vendor/htmx-2.0.11.min.js"


def _pct(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".") if value % 1 else f"{value:.0f}"


templates.env.filters["num"] = _pct


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
        "csrf_token": csrf_token(request),
        **(context or {}),
    }
    kwargs: dict[str, Any] = {}
    if block is not None and is_htmx(request):
        kwargs["block_name"] = block
    response = templates.TemplateResponse(
        request, template, ctx, status_code=status_code, headers=headers, **kwargs
    )
    response.headers.append("Vary", "HX-Request")
    return response


def redirect(request: Request, url: str) -> Response:
    """303 for a form post; HX-Redirect when HTMX made the request."""
    if is_htmx(request):
        return Response(status_code=204, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


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
