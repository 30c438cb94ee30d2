"""Turning posted forms into validated input, and errors into per-field messages."""

from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import BaseModel, ValidationError

# Friendlier words than Pydantic's for the mistakes people make in forms.
_MESSAGES = {
    "string_too_long": "Too long: at most {max_length} characters.",
    "string_too_short": "Too short: at least {min_length} characters.",
    "missing": "This is required.",
    "int_type": "Enter a whole number.",
    "int_parsing": "Enter a whole number.",
    "greater_than_equal": "Must be at least {ge}.",
    "less_than_equal": "Must be at most {le}.",
    "decimal_parsing": "Enter a number, e.g. 2.5.",
    "decimal_type": "Enter a number, e.g. 2.5.",
    "decimal_max_places": "Use at most one decimal, e.g. 2.5.",
    "decimal_max_digits": "Enter a number, e.g. 2.5.",
    "enum": "Choose one of the options.",
    "literal_error": "Choose one of the options.",
    "date_from_datetime_parsing": "Enter a date as YYYY-MM-DD.",
    "date_parsing": "Enter a date as YYYY-MM-DD.",
    "date_type": "Enter a date as YYYY-MM-DD.",
    "value_error": "{msg}",
}


# Fields on a 1–5 scale, whose range errors read better as the scale itself.
SCALE_FIELDS = {"attainability", "scoop_risk", "impact", "energy"}
_SCALE_ERRORS = {"int_type", "int_parsing", "greater_than_equal", "less_than_equal"}


def message_for(err: Any) -> str:
    """One Pydantic error in the words a form shows beside its field."""
    if err["loc"] and str(err["loc"][-1]) in SCALE_FIELDS and err["type"] in _SCALE_ERRORS:
        return "Choose a value from 1 to 5."
    template = _MESSAGES.get(err["type"])
    if err["type"] == "string_too_short" and (err.get("ctx") or {}).get("min_length") == 1:
        template = _MESSAGES["missing"]
    if template is None:
        return err["msg"]
    context = {**(err.get("ctx") or {}), "msg": err["msg"].removeprefix("Value error, ")}
    if err["type"] == "string_too_long" and isinstance(err.get("input"), str):
        # Say how much was typed: the form keeps it all, nothing is cut.
        return f"{template.format(**context)[:-1]}; this one has {len(err['input'])}."
    return template.format(**context)


def messages_by_field(exc: ValidationError) -> dict[str, str]:
    """{"impact": "Choose a value from 1 to 5.", ...}, keyed by the last part of the location."""
    out: dict[str, str] = {}
    for err in exc.errors():
        name = str(err["loc"][-1]) if err["loc"] else "form"
        out.setdefault(name, message_for(err))
    return out


def as_int(value: str | None) -> Any:
    """Form numbers arrive as text; strict int fields (scores, versions, ids)
    want an int. Blank is None; anything else not a number stays text, for
    the validator to refuse in its own words."""
    if value is None or value == "":
        return None
    return int(value) if value.strip().isdecimal() else value


def as_decimal(value: str) -> Any:
    """A form's decimal ("2,5" or "2.5"), for fields that take JSON numbers
    only. Blank is None; text that is no number stays text, to be refused."""
    text = value.strip().replace(",", ".")
    if not text:
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        return text


def validate(model: type[BaseModel], data: dict[str, Any]) -> tuple[Any, dict[str, str]]:
    try:
        return model.model_validate(data), {}
    except ValidationError as exc:
        return None, messages_by_field(exc)
