"""Browser pages of feeds: the list with "add a feed", a feed's page with its
last poll, "Poll now", its settings and what it brought in."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from pydantic import BaseModel

from app.auth.deps import CurrentUser
from app.db import SessionDep
from app.errors import Refused
from app.feeds import queries, service
from app.feeds.models import DEFAULT_INTERVAL, Feed, FeedCreate, FeedKind, FeedUpdate
from app.feeds.polling import PollRunning, poll_now
from app.forms import as_int, validate
from app.inputs import IdPath
from app.routing import Route
from app.teams.queries import team_choices
from app.web import redirect, render

router = APIRouter(route_class=Route, include_in_schema=False)

INTERVAL_OPTIONS = [
    ("60", "every hour"),
    ("360", "every 6 hours"),
    ("720", "twice a day"),
    ("1440", "once a day"),
    ("10080", "once a week"),
]


class FeedForm(BaseModel):
    kind: str = "arxiv"
    url: str = ""
    query: str = ""
    title: str = ""
    team_id: str = ""
    interval_minutes: str = str(DEFAULT_INTERVAL)
    paused: str = ""

    def kind_given(self) -> str:
        """The arXiv choice left on with only an address typed: an RSS/Atom feed."""
        if self.kind == FeedKind.arxiv and not self.query.strip() and self.url.strip():
            return FeedKind.rss
        return self.kind

    def create_data(self) -> dict:
        """A new feed: an arXiv one is made from its query, any other from its address."""
        kind = self.kind_given()
        source = (
            {"query": self.query or None} if kind == FeedKind.arxiv else {"url": self.url or None}
        )
        return {
            "kind": kind or None,
            "title": self.title,
            "interval_minutes": as_int(self.interval_minutes),
            "team_id": as_int(self.team_id),
            **source,
        }

    def update_data(self, feed: Feed) -> dict:
        """An edit: a feed made from an arXiv query is re-queried, any other re-addressed."""
        source = {"query": self.query or None} if _by_query(feed) else {"url": self.url or None}
        return {
            "title": self.title,
            "interval_minutes": as_int(self.interval_minutes),
            **source,
            "paused": self.paused == "on",
        }


def _by_query(feed: Feed) -> bool:
    return feed.kind == FeedKind.arxiv and feed.query is not None


def _list_context(session: SessionDep, user: CurrentUser, values: dict, errors: dict) -> dict:
    return {
        "feeds": queries.feeds_of(session, user=user),
        "values": values,
        "errors": errors,
        "team_options": [("", "Only me"), *team_choices(session, user=user)],
        "interval_options": INTERVAL_OPTIONS,
    }


@router.get("/feeds", name="feed_list")
def feed_list(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    values = {"kind": "arxiv", "interval_minutes": str(DEFAULT_INTERVAL)}
    return render(request, "feeds/list.html", _list_context(session, user, values, {}))


def _source_field(by_query: bool, field: str | None) -> str:
    """The field a message about a feed's source goes beside: an arXiv
    feed's address is made from its query."""
    if field in (None, "form", "url"):
        return "query" if by_query else "url"
    return field


def _list_refused_page(request: Request, session, user, form: FeedForm, errors: dict) -> Response:
    """The list again with the add form as posted (422); a message about the
    whole form or the address goes beside the field the source was typed in."""
    if "form" in errors or "url" in errors:
        message = errors.pop("form", None) or errors.pop("url")
        errors.setdefault(_source_field(form.kind_given() == FeedKind.arxiv, "form"), message)
    context = _list_context(session, user, form.model_dump(), errors)
    return render(request, "feeds/list.html", context, status_code=422)


@router.post("/feeds", name="feed_create")
def feed_create(
    request: Request, session: SessionDep, user: CurrentUser, form: Annotated[FeedForm, Form()]
) -> Response:
    data, errors = validate(FeedCreate, form.create_data())
    if data is None:
        return _list_refused_page(request, session, user, form, errors)
    allow_private = request.app.state.settings.feeds_allow_private
    try:
        feed = service.feed_create(session, owner=user, data=data, allow_private=allow_private)
    except Refused as refused:
        session.rollback()
        errors = {refused.field or "form": refused.message}
        return _list_refused_page(request, session, user, form, errors)
    session.commit()
    return redirect(request, request.url_for("feed_detail", feed_id=feed.id).path)


def _detail_context(session: SessionDep, user: CurrentUser, view, errors=None, values=None):
    feed = view.feed
    return {
        "view": view,
        "feed": feed,
        "items": queries.items_of(session, feed=feed),
        "errors": errors or {},
        "values": values
        or {
            "title": feed.title,
            "query": feed.query or "",
            "url": feed.url,
            "interval_minutes": str(feed.interval_minutes),
        },
        "interval_options": _intervals(feed.interval_minutes),
        "owned_by_me": feed.owner_id == user.id,
    }


def _intervals(current: int) -> list[tuple[str, str]]:
    if any(value == str(current) for value, _ in INTERVAL_OPTIONS):
        return INTERVAL_OPTIONS
    return [(str(current), f"every {current} minutes"), *INTERVAL_OPTIONS]


@router.get("/feeds/{feed_id}", name="feed_detail")
def feed_detail(request: Request, session: SessionDep, user: CurrentUser, feed_id: IdPath):
    view = queries.feed_viewable(session, user=user, feed_id=feed_id)
    return render(request, "feeds/detail.html", _detail_context(session, user, view))


@router.post("/feeds/{feed_id}/poll", name="feed_poll")
def feed_poll(request: Request, session: SessionDep, user: CurrentUser, feed_id: IdPath):
    status_code = 200
    try:
        extra = {"result": poll_now(request.app.state, session, user=user, feed_id=feed_id)}
    except PollRunning as running:
        extra, status_code = {"running": running.message}, 409
    view = queries.feed_viewable(session, user=user, feed_id=feed_id)
    context = {**_detail_context(session, user, view), **extra}
    return render(request, "feeds/detail.html", context, block="status", status_code=status_code)


def _detail_refused_page(request: Request, session, user, form: FeedForm, feed_id: int, errors):
    """The feed's page again with its settings as posted (422)."""
    view = queries.feed_viewable(session, user=user, feed_id=feed_id)
    context = _detail_context(session, user, view, errors, form.model_dump())
    return render(request, "feeds/detail.html", context, status_code=422)


@router.post("/feeds/{feed_id}", name="feed_update")
def feed_update(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    feed_id: IdPath,
    form: Annotated[FeedForm, Form()],
) -> Response:
    view = queries.feed_editable(session, user=user, feed_id=feed_id)
    data, errors = validate(FeedUpdate, form.update_data(view.feed))
    if data is None:
        return _detail_refused_page(request, session, user, form, feed_id, errors)
    allow_private = request.app.state.settings.feeds_allow_private
    try:
        service.feed_update(session, feed=view.feed, data=data, allow_private=allow_private)
    except Refused as refused:
        errors = {_source_field(_by_query(view.feed), refused.field): refused.message}
        session.rollback()
        return _detail_refused_page(request, session, user, form, feed_id, errors)
    session.commit()
    return redirect(request, request.url_for("feed_detail", feed_id=feed_id).path)


@router.post("/feeds/{feed_id}/delete", name="feed_delete")
def feed_delete(request: Request, session: SessionDep, user: CurrentUser, feed_id: IdPath):
    view = queries.feed_editable(session, user=user, feed_id=feed_id)
    service.feed_delete(session, feed=view.feed)
    session.commit()
    return redirect(request, request.url_for("feed_list").path)
