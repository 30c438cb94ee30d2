"""What every path and every API operation promises (app/contract.py): a 405
names all the methods of its path, and the OpenAPI document lists the
statuses any operation can answer."""

from collections import defaultdict

import pytest
from fastapi.routing import APIRoute, iter_route_contexts

from app.main import create_app

_APP = create_app()
_SCHEMA = _APP.openapi()
_VERBS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def _methods_by_path() -> dict[str, set[str]]:
    found: dict[str, set[str]] = defaultdict(set)
    for route in iter_route_contexts(_APP.routes):
        if isinstance(route.original_route, APIRoute):
            found[route.path] |= route.methods
    return found


METHODS = _methods_by_path()
# /api/docs is the API's documentation page, not an operation of the API.
API_PATHS = sorted(p for p in METHODS if p.startswith("/api/") and p != "/api/docs")
PAGE_PATHS = sorted(p for p in METHODS if not p.startswith("/api/"))
OPERATIONS = [
    (method.upper(), path, operation)
    for path, operations in _SCHEMA["paths"].items()
    for method, operation in operations.items()
]


def _url(path: str) -> str:
    return path.replace("{token}", "t").format_map(defaultdict(lambda: "1"))


def test_paths_with_several_methods_are_tested():
    assert sum(len(METHODS[p]) > 1 for p in API_PATHS) >= 10
    assert sum(len(METHODS[p]) > 1 for p in PAGE_PATHS) >= 5


@pytest.mark.parametrize("path", API_PATHS)
def test_a_405_from_the_api_allows_every_method_of_its_path(api, path):
    documented = {m.upper() for m in _SCHEMA["paths"][path]}
    assert documented == METHODS[path]
    for method in ["OPTIONS", next(v for v in _VERBS if v not in documented)]:
        response = api.request(method, _url(path))
        assert response.status_code == 405
        assert response.headers["allow"] == ", ".join(sorted(documented))
        error = response.json()["error"]
        assert (error["status"], error["code"]) == (405, "method_not_allowed")


@pytest.mark.parametrize("path", PAGE_PATHS)
def test_a_405_page_allows_every_method_of_its_path(logged_in, path):
    # OPTIONS: an unsafe method would meet the CSRF check first.
    response = logged_in.options(_url(path))
    assert response.status_code == 405
    assert response.headers["allow"] == ", ".join(sorted(METHODS[path]))
    assert "text/html" in response.headers["content-type"]


def test_the_schema_has_every_api_operation():
    assert len(OPERATIONS) == 63


@pytest.mark.parametrize(
    ("method", "path", "operation"), OPERATIONS, ids=[f"{m} {p}" for m, p, _ in OPERATIONS]
)
def test_every_operation_documents_the_errors_any_call_can_meet(method, path, operation):
    responses = operation["responses"]
    expected = {"401", "422", "503"}
    if "requestBody" in operation:
        expected |= {"400", "413", "415"}
    assert expected <= set(responses)
    for status, response in responses.items():
        if status.startswith(("4", "5")):
            schema = response["content"]["application/json"]["schema"]
            assert schema == {"$ref": "#/components/schemas/ErrorBody"}, status
    assert responses["503"]["headers"]["Retry-After"]["required"] is True
