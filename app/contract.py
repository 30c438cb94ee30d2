"""What the HTTP interface promises beyond any one route, set up once.

- A 405 lists in `Allow` every method its path takes. The router stops at the
  first route whose path matches, and each route knows only its own method,
  so GET /api/v1/projects alone would answer `Allow: GET` to a DELETE.
- The OpenAPI document lists the statuses any API operation can answer,
  whatever its handler raises: a malformed or oversized body, a refused
  media type, a missing token, invalid input, a busy database.
"""

from collections.abc import Callable
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import Response
from fastapi.routing import iter_route_contexts
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

API_PREFIX = "/api/v1/"

_ERROR_SCHEMA = {"$ref": "#/components/schemas/ErrorBody"}
_RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before trying again",
        "required": True,
        "schema": {"type": "integer", "minimum": 0},
    }
}
# Every operation: a missing or revoked token, invalid parameters (a NUL in
# any query text included), a database too busy to answer in time.
COMMON = {
    401: "A personal API token is missing, unknown or revoked",
    422: "Some input is not valid; `fields` names each problem",
    503: "The database is busy; try again after `Retry-After` seconds",
}
# Operations that read a body.
WITH_BODY = {
    400: "The body is not valid JSON",
    413: "The body is larger than the server accepts",
    415: "The body is not JSON (send `Content-Type: application/json`)",
}


def allowed_methods(app: FastAPI, path: str) -> list[str]:
    """Every method some route takes at `path`."""
    probe = {"type": "http", "path": path, "root_path": "", "method": "", "headers": []}
    methods: set[str] = set()
    for route in iter_route_contexts(app.routes):
        match, _ = route.matches(dict(probe))
        if match is not Match.NONE and route.methods:
            methods |= route.methods
    return sorted(methods)


def _error(description: str, headers: dict | None = None) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": description,
        "content": {"application/json": {"schema": _ERROR_SCHEMA}},
    }
    if headers:
        response["headers"] = headers
    return response


def document_common_errors(schema: dict[str, Any]) -> dict[str, Any]:
    """Add the statuses every API operation can answer (idempotent)."""
    for path, operations in schema.get("paths", {}).items():
        if not path.startswith(API_PREFIX):
            continue
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            statuses = dict(COMMON)
            if "requestBody" in operation:
                statuses |= WITH_BODY
            for status, description in statuses.items():
                headers = _RETRY_AFTER if status == HTTPStatus.SERVICE_UNAVAILABLE else None
                responses.setdefault(str(status), _error(description, headers))
    return schema


def install_contract(app: FastAPI) -> None:
    """Call after the error handlers are installed: a 405 is answered by the
    same handler as any HTTP error, then given the full `Allow`."""
    answer_http_error = app.exception_handlers[StarletteHTTPException]

    async def method_not_allowed(request: Request, exc: Exception) -> Response:
        response = await answer_http_error(request, exc)
        response.headers["Allow"] = ", ".join(allowed_methods(request.app, request.url.path))
        return response

    app.add_exception_handler(405, method_not_allowed)

    openapi: Callable[[], dict[str, Any]] = app.openapi
    app.openapi = lambda: document_common_errors(openapi())  # type: ignore[method-assign]
