"""One error shape for the API, friendly pages for the browser.

API errors always look like:
    {"error": {"status": 422, "code": "validation_error", "message": "...",
               "fields": [{"field": "impact", "message": "..."}]}}
"""

import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger(__name__)

_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "too_many_requests",
    500: "internal_error",
}


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


def field_errors(errors: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Pydantic errors as [{"field": "impact", "message": "..."}]."""
    out = []
    for err in errors:
        loc = [str(part) for part in err.get("loc", ()) if part not in ("body", "query", "path")]
        out.append({"field": ".".join(loc) or "body", "message": err.get("msg", "invalid")})
    return out


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _page(request: Request, status: int, message: str) -> Response:
    from app.web import render  # the web layer imports this module at start-up

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

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        if _wants_json(request):
            return JSONResponse(
                error_body(500, "Something went wrong on our side."), status_code=500
            )
        return _page(request, 500, "Something went wrong on our side. Nothing was saved.")


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
