"""One error shape for the API, friendly pages for the browser.

API errors always look like:
    {"error": {"status": 422, "code": "validation_error", "message": "...",
               "fields": [{"field": "impact", "message": "..."}]}}
"""

import logging
from collections.abc import Callable
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qsl

import sqlalchemy as sa
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.db import is_busy
from app.versions import Conflict
from app.web import render

# Where the body-limit middleware keeps a request's body (app.security).
BODY_SCOPE_KEY = "goldfish.body"

log = logging.getLogger(__name__)

_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "too_many_requests",
    500: "internal_error",
    503: "busy",
}
# Seconds a client is asked to wait after a 503: SQLite's write lock is
# held for milliseconds at a time, so a short wait is enough.
RETRY_AFTER_SECONDS = 2
BUSY_MESSAGE = "The database is busy with other changes; nothing was saved. Retry in a moment."


class NotFound(LookupError):
    """Unknown, or not the caller's: the two look the same from outside."""

    what = "item"


class Forbidden(PermissionError):
    """Seen but not allowed: a team member may read a project but not change it."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Refused(Exception):
    """A rule of the domain says no (an expired invite, a review already
    answered). Carries the status, a stable code and a message for people."""

    def __init__(self, status: int, code: str, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.field = field


class ApiError(Exception):
    def __init__(
        self,
        status: int,
        message: str,
        *,
        code: str | None = None,
        fields: list[dict] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code or _CODES.get(status, "error")
        self.message = message
        self.fields = fields or []


def error_body(
    status: int, message: str, *, code: str | None = None, fields: list | None = None
) -> dict:
    return {
        "error": {
            "status": status,
            "code": code or _CODES.get(status, "error"),
            "message": message,
            "fields": fields or [],
        }
    }


_LOCATIONS = frozenset({"body", "query", "path", "header", "cookie"})


def field_errors(errors: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Pydantic errors as [{"field": "impact", "message": "..."}]."""
    out = []
    for err in errors:
        loc = [str(part) for part in err.get("loc", ())]
        if loc and loc[0] in _LOCATIONS:  # where it was sent, not a field's name
            loc = loc[1:]
        out.append({"field": ".".join(loc) or "body", "message": err.get("msg", "invalid")})
    return out


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _page(request: Request, status: int, message: str) -> Response:
    return render(
        request,
        "errors/error.html",
        {"status": status, "title": HTTPStatus(status).phrase, "message": message},
        status_code=status,
    )


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> Response:
        return JSONResponse(
            error_body(exc.status, exc.message, code=exc.code, fields=exc.fields),
            status_code=exc.status,
        )

    @app.exception_handler(Forbidden)
    async def _forbidden(request: Request, exc: Forbidden) -> Response:
        if _wants_json(request):
            return JSONResponse(error_body(403, exc.message), status_code=403)
        return _page(request, 403, exc.message)

    @app.exception_handler(Refused)
    async def _refused(request: Request, exc: Refused) -> Response:
        if _wants_json(request):
            fields = [{"field": exc.field, "message": exc.message}] if exc.field else []
            return JSONResponse(
                error_body(exc.status, exc.message, code=exc.code, fields=fields),
                status_code=exc.status,
            )
        return _page(request, exc.status, exc.message)

    @app.exception_handler(Conflict)
    async def _conflict(request: Request, exc: Conflict) -> Response:
        # The request's transaction is rolled back as the handler fails
        # (app.routing.Route); a form that keeps what was typed catches it.
        if _wants_json(request):
            return JSONResponse(error_body(409, exc.message, code=exc.code), status_code=409)
        return _page(request, 409, exc.message)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        errors = list(exc.errors())
        if any(err.get("type") == "json_invalid" for err in errors):
            status, message, code = 400, "The request body is not valid JSON.", "malformed_json"
        else:
            status, message, code = 422, "Some fields are not valid.", "validation_error"
        if _wants_json(request):
            return JSONResponse(
                error_body(status, message, code=code, fields=field_errors(errors)),
                status_code=status,
            )
        # Browser routes parse their own forms; this is a mangled URL or query.
        return _page(
            request, 404 if status == 422 else status, "That address does not lead anywhere."
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        message = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).phrase
        if _wants_json(request):
            return JSONResponse(
                error_body(exc.status_code, message),
                status_code=exc.status_code,
                headers=exc.headers,
            )
        return _page(request, exc.status_code, message)

    @app.exception_handler(sa.exc.DBAPIError)
    @app.exception_handler(sa.exc.TimeoutError)
    async def _database(request: Request, exc: Exception) -> Response:
        if is_busy(exc):
            log.warning("busy database on %s %s", request.method, request.url.path, exc_info=exc)
            return busy_response(request)
        return unexpected_response(request, exc)


def _forget_user(request: Request) -> None:
    # The failed transaction's rollback expired what the session had loaded
    # (the signed-in user among it): these pages render without it.
    request.state.user = None


def unexpected_response(request: Request, exc: BaseException) -> Response:
    _forget_user(request)
    log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    if _wants_json(request):
        return JSONResponse(error_body(500, "Something went wrong on our side."), status_code=500)
    return _page(request, 500, "Something went wrong on our side. Nothing was saved.")


def busy_response(request: Request) -> Response:
    """503 with Retry-After. A browser's form comes back with everything that
    was typed, ready to send again; the API says the same in its error shape."""
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    _forget_user(request)
    if _wants_json(request):
        return JSONResponse(error_body(503, BUSY_MESSAGE), status_code=503, headers=headers)
    fields = _submitted_fields(request) if request.method == "POST" else []
    return render(
        request,
        "errors/busy.html",
        {"fields": fields, "action": request.url.path, "method": request.method},
        status_code=503,
        headers=headers,
    )


def _submitted_fields(request: Request) -> list[tuple[str, str]]:
    """The form as it was posted (kept by the body-limit middleware), minus
    its CSRF token: the page sends a fresh one."""
    body: bytes | None = request.scope.get(BODY_SCOPE_KEY)
    content_type = request.headers.get("content-type", "")
    if not body or not content_type.startswith("application/x-www-form-urlencoded"):
        return []
    pairs = parse_qsl(body.decode("utf-8", errors="replace"), keep_blank_values=True)
    return [(name, value) for name, value in pairs if name != "csrftoken"]


def unexpected_errors(app: Callable) -> Callable:
    """Answer an unhandled exception with a 500 and keep the connection open.

    Starlette's own last-resort handler re-raises after answering, which makes
    uvicorn close the client's keep-alive connection: its next request then
    fails with a reset. This one logs and answers without re-raising."""

    async def guarded(scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: dict) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await app(scope, receive, tracking_send)
        except Exception as exc:
            if started:  # too late for an answer: let the server close the connection
                raise
            request = Request(scope, receive)
            response = busy_response(request) if is_busy(exc) else unexpected_response(request, exc)
            await response(scope, receive, send)

    return guarded


class FieldError(BaseModel):
    field: str
    message: str


class ErrorDetail(BaseModel):
    status: int
    code: str
    message: str
    fields: list[FieldError]


class ErrorBody(BaseModel):
    """The shape of every API error."""

    error: ErrorDetail


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=` entries documenting the error shape."""
    return {
        status: {"model": ErrorBody, "description": HTTPStatus(status).phrase}
        for status in statuses
    }
