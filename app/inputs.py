"""What every value from outside is held to, declared once for the models,
the paths and the queries of every feature.

- Integers fit the columns they are compared with. Every id and version is
  an INTEGER column, which PostgreSQL holds up to 2**31 - 1 (a bigger value
  is "integer out of range" there; SQLite overflows past 2**63 - 1): either
  way a 500, until now. JSON's integers are numbers: `3` and `3.0` are the
  same one (JSON Schema says so too), `"3"` and `true` are not numbers.
- Dates are ISO text (`2026-10-01`). Pydantic's lax mode would read `0` as
  1970-01-01; strict mode would refuse the ISO text itself, since FastAPI
  validates decoded JSON in Python mode, so only text and dates get through.
- Text holds no NUL character: PostgreSQL refuses one in text, and no form
  or client means one. `refuse_nul` checks the query, the path and the body
  of every request (JSON, urlencoded or multipart) before a handler runs.
- The API reads JSON bodies only: `json_bodies_only` answers 415 to any
  other media type, rather than a 422 about the fields it could not read.
"""

import math
import re
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from fastapi import Path, Query, Request
from pydantic import BeforeValidator, Field, StrictBool, WithJsonSchema
from pydantic_core import PydanticCustomError
from starlette.exceptions import HTTPException

INT_MAX = 2**31 - 1  # PostgreSQL's INTEGER

# For text that is stripped and then required: the schema's way of saying
# "not only white space", as Pydantic's strip counts it (Unicode White_Space;
# JSON Schema's \s leaves out U+0085, which it strips too).
NOT_BLANK = Field(json_schema_extra={"pattern": r"[^\s\x85]"})
INT_MIN = -(2**31)


def _json_integer(value: Any) -> Any:
    if isinstance(value, bool | str | bytes):
        raise PydanticCustomError("int_type", "Input should be a valid integer")
    return value  # int, or a float the int validator takes only if it is whole


def integer(*, ge: int = INT_MIN, le: int = INT_MAX, **field: Any) -> Any:
    """An integer type within [ge, le] (and always within a column's range).
    The bounds sit before the validator, so the JSON schema shows them as
    minimum and maximum."""
    return Annotated[
        int,
        Field(ge=max(ge, INT_MIN), le=min(le, INT_MAX), **field),
        BeforeValidator(_json_integer),
    ]


def decimal(*, ge: int, le: int, places: int, **field: Any) -> Any:
    """A decimal sent as a JSON number with at most `places` decimals. A float
    that binary rounding moved off such a number (3 * 0.1 is 0.30000000000000004)
    is read as that number."""

    def number_only(value: Any) -> Any:
        if isinstance(value, bool | str | bytes):
            raise PydanticCustomError("decimal_type", "Input should be a number")
        if isinstance(value, float) and math.isfinite(value):
            rounded = round(value, places)
            if abs(value - rounded) < 1e-9:
                return Decimal(repr(rounded))
        return value

    schema = {"type": "number", "minimum": ge, "maximum": le, "multipleOf": 10**-places}
    return Annotated[
        Decimal,
        Field(ge=ge, le=le, decimal_places=places, **field),
        BeforeValidator(number_only),
        WithJsonSchema(schema),
    ]


Int = integer()
# A row's id, or a version or plan number: counted from 1.
Id = integer(ge=1)
Bool = StrictBool  # JSON's true and false, not 1 or "yes"

IdPath = Annotated[int, Path(ge=1, le=INT_MAX)]
IdQuery = Annotated[int | None, Query(ge=1, le=INT_MAX)]

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_date(value: Any) -> Any:
    if isinstance(value, datetime) or not isinstance(value, date | str):
        raise PydanticCustomError("date_type", "Input should be a date as YYYY-MM-DD")
    if isinstance(value, str) and not _ISO_DATE.fullmatch(value):
        raise PydanticCustomError("date_parsing", "Input should be a date as YYYY-MM-DD")
    return value


IsoDate = Annotated[date, BeforeValidator(_iso_date)]


def as_id(value: str | None) -> int | None:
    """A form's or a query's id, or None when it is blank, not a number or
    out of range (pages treat an id that matches nothing as no filter)."""
    if value is None or not value.strip().isdecimal():
        return None
    number = int(value)
    return number if 1 <= number <= INT_MAX else None


# ---------------------------------------------------------------- request checks

_NO_BODY = ("GET", "HEAD", "OPTIONS")


def _media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


async def json_bodies_only(request: Request) -> None:
    """An app-wide dependency, for the API's routes."""
    if not request.url.path.startswith("/api/") or request.method in _NO_BODY:
        return
    media_type = _media_type(request)
    if media_type == "application/json" or (
        media_type.startswith("application/") and media_type.endswith("+json")
    ):
        return
    if await request.body():
        raise HTTPException(415, "Send the body as JSON, with Content-Type: application/json.")


class NulInText(HTTPException):
    """A 422 raised before the handler: the error handlers shape it for the
    API (the JSON error) and for the pages (the error page)."""

    def __init__(self, where: str) -> None:
        super().__init__(422, f"Text may not contain a NUL character (in the {where}).")


# A JSON \u0000 escape: after an even run of backslashes, so `\\u0000` (a
# backslash, then the text "u0000") is not one.
_JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


async def refuse_nul(request: Request) -> None:
    """An app-wide dependency: runs after FastAPI has read the body (so the
    body and the form are read once) and before the route's own."""
    if "\x00" in request.url.path:
        raise NulInText("path")
    if any("\x00" in k or "\x00" in v for k, v in request.query_params.multi_items()):
        raise NulInText("query")
    if request.method in _NO_BODY:
        return
    if _media_type(request) in _FORM_TYPES:
        form = await request.form()
        if any(
            "\x00" in key or (isinstance(value, str) and "\x00" in value)
            for key, value in form.multi_items()
        ):
            raise NulInText("form")
        return
    body = await request.body()
    if b"\x00" in body or (b"\\u0000" in body and _JSON_NUL.search(body)):
        raise NulInText("body")
