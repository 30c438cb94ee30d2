"""The release log's page and a release's page, each assembled in one place for
the routes that show it."""

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from app.auth.models import User
from app.forms import validate
from app.listing import parse_cursor
from app.projects import queries as project_queries
from app.projects.models import Project
from app.releases import queries
from app.releases.models import (
    LINKS_AT_ONCE_MAX,
    SCOOP_EFFECTS,
    LinkCreate,
    LinkEffect,
    Release,
    ReleaseKind,
)

EFFECT_OPTIONS = [(e.value, e.label) for e in LinkEffect]


def _date_or_none(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


@dataclass(frozen=True)
class LogQuery:
    """The release log's query string, as typed (echoed back into its links)."""

    kind: str = ""
    organisation: str = ""
    since: str = ""
    until: str = ""
    q: str = ""
    before: str = ""


def log_page(session: Session, *, user: User, query: LogQuery, fragment: bool) -> dict:
    """A page of the release log under the query's filters; the organisation
    picker, outside the results block, only for the whole page."""
    filters = queries.ReleaseFilter(
        kind=ReleaseKind(query.kind) if query.kind in ReleaseKind.__members__ else None,
        organisation=query.organisation.strip()[:200],
        since=_date_or_none(query.since),
        until=_date_or_none(query.until),
        text=query.q.strip()[:200],
    )
    cursor = parse_cursor(query.before) if query.before else None
    rows, next_before = queries.release_log(session, user=user, filters=filters, before=cursor)
    echoed = {
        "kind": query.kind,
        "organisation": query.organisation,
        "since": query.since,
        "until": query.until,
        "q": query.q,
    }
    return {
        "releases": rows,
        "filters": filters,
        "query": {k: v for k, v in echoed.items() if v},
        "next_before": next_before,
        "is_first_page": cursor is None,
        "kinds": list(ReleaseKind),
        "organisations": [] if fragment else queries.organisations(session, user=user),
        "bad_dates": {
            name: "Enter a date as YYYY-MM-DD."
            for name, value in (("since", query.since), ("until", query.until))
            if value and _date_or_none(value) is None
        },
    }


def release_page(
    session: Session, *, user: User, release: Release, errors: dict | None = None
) -> dict:
    """A release's page: the projects it touched, and the caller's other
    projects to link it to."""
    links = queries.links_of_release(session, user=user, release=release)
    linked = {project.id for _, project in links}
    rows = project_queries.portfolio_titles(session, user=user)
    return {
        "release": release,
        "links": links,
        "scoop_effects": SCOOP_EFFECTS,
        "effect_options": EFFECT_OPTIONS,
        "project_options": [(pid, title) for pid, title in rows if pid not in linked],
        "errors": errors or {},
    }


@dataclass(frozen=True)
class LinkRow:
    """One of the user's projects on the release form, as typed: its effect
    ("" is not linked) and note."""

    project_id: int
    title: str
    effect: str = ""
    note: str = ""


@dataclass(frozen=True)
class TypedLinks:
    """The release form's "projects it touches" as posted: one row per
    project the form listed, in its order."""

    project: list[str]
    effect: list[str]
    note: list[str]


def link_rows(session: Session, *, user: User, typed: TypedLinks | None = None) -> list[LinkRow]:
    """Each of the user's live projects for the release form, with what was
    typed for it kept."""
    given = {}
    if typed is not None:
        for pid, effect, note in zip(typed.project, typed.effect, typed.note, strict=False):
            given[pid] = (effect, note)
    rows = project_queries.portfolio_titles(session, user=user)
    return [LinkRow(pid, title, *given.get(str(pid), ("", ""))) for pid, title in rows]


def links_chosen(
    session: Session, *, user: User, typed: TypedLinks
) -> tuple[list[tuple[Project, LinkEffect, str]], dict[str, str]]:
    """The links the form asks for, their projects loaded as the user's own;
    or, per field, why not (keyed `link_effect-ID`, `link_note-ID`)."""
    errors: dict[str, str] = {}
    if not len(typed.project) == len(typed.effect) == len(typed.note):
        return [], {"links": "The list of projects was not sent whole: please try again."}
    if len(typed.project) > LINKS_AT_ONCE_MAX * 10:
        return [], {"links": "Too many projects at once."}
    live = dict(project_queries.portfolio_titles(session, user=user))
    wanted: list[tuple[int, LinkEffect, str]] = []
    seen: set[str] = set()
    for raw_id, effect, note in zip(typed.project, typed.effect, typed.note, strict=True):
        if raw_id in seen or (not effect and not note.strip()):
            continue  # not linked (or a row posted twice)
        seen.add(raw_id)
        key = raw_id if raw_id.isdecimal() and len(raw_id) <= 10 else ""
        if not key or int(key) not in live:
            # Archived meanwhile, or never the user's: the form no longer lists it.
            errors["links"] = "A project chosen is not one of your live projects: choose again."
            continue
        if not effect:
            errors[f"link_effect-{key}"] = "Choose its effect to link it, or clear the note."
            continue
        data, field_errors = validate(
            LinkCreate, {"project_id": int(key), "effect": effect, "note": note}
        )
        if data is None:
            for name, message in field_errors.items():
                errors[f"link_{'note' if name == 'note' else 'effect'}-{key}"] = message
            continue
        wanted.append((data.project_id, data.effect, data.note))
    if len(wanted) > LINKS_AT_ONCE_MAX:
        errors["links"] = f"Link at most {LINKS_AT_ONCE_MAX} projects at once."
    if errors:
        return [], errors
    links = [
        (project_queries.project_for(session, user=user, project_id=pid), effect, note)
        for pid, effect, note in wanted
    ]
    return links, {}
