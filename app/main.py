"""The application factory: routers, middleware, static files, error handlers."""

import gc
from contextlib import asynccontextmanager
from functools import partial

import anyio
from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles

from app.auth.account_routes import router as account_router
from app.auth.deps import SESSION_COOKIE, LoginRequired, session_token_of
from app.auth.password_routes import router as password_router
from app.auth.routes import router as auth_router
from app.calendar_feed.routes import router as calendar_router
from app.config import ROOT, Settings, get_settings
from app.contract import install_contract
from app.data.routes import router as data_router
from app.db import Database, make_engine
from app.demo.routes import router as demo_router
from app.errors import NotFound, error_body, install_error_handlers, unexpected_errors
from app.feeds.api import router as feeds_api
from app.feeds.routes import router as feeds_router
from app.inbox.api import router as inbox_api
from app.inbox.routes import router as inbox_router
from app.inputs import json_bodies_only, refuse_nul
from app.journal.api import router as journal_api
from app.journal.models import ENTRY_KIND_OPTIONS
from app.journal.routes import router as journal_router
from app.journal.team import router as team_journal_router
from app.mailings.routes import router as mailings_router
from app.notifications.api import router as notifications_api
from app.notifications.routes import router as notifications_router
from app.overview.portfolio import router as portfolio_router
from app.overview.project_routes import router as project_page_router
from app.overview.projects_api import router as ranked_projects_api
from app.overview.team_portfolio import router as team_portfolio_router
from app.overview.week import router as week_router
from app.projects.api import router as projects_api
from app.projects.routes import router as projects_router
from app.releases.api import router as releases_api
from app.releases.routes import router as releases_router
from app.replans.api import router as replans_api
from app.replans.routes import router as replans_router
from app.reviews.api import router as reviews_api
from app.reviews.routes import router as reviews_router
from app.rounds.api import router as rounds_api
from app.rounds.routes import router as rounds_router
from app.routing import index_route_names
from app.scoring import config_from_settings
from app.search.api import router as search_api
from app.search.routes import router as search_router
from app.security import (
    body_limit,
    canonical_origin,
    csrf_middleware,
    csrf_session_binding,
    login_url,
    multipart_csrf,
    same_origin_guard,
    security_headers,
)
from app.spreadsheets.routes import UPLOAD_PATH
from app.spreadsheets.routes import router as spreadsheets_router
from app.spreadsheets.sheet import MAX_UPLOAD_BYTES
from app.teams.api import router as teams_api
from app.teams.routes import router as teams_router
from app.web import redirect, render, templates

API_DESCRIPTION = """
Goldfish's JSON API. Authenticate every call with a personal API token
(`Authorization: Bearer gf_…`), created with `goldfish create-token EMAIL` or
on the account page. Errors always have the shape
`{"error": {"status", "code", "message", "fields": [{"field", "message"}]}}`.

Bodies are JSON (`Content-Type: application/json`; anything else is a 415).
Text may not contain a NUL character (U+0000), in a body, a query or a path:
such a request is refused with 422, whatever the field.
"""


def create_app(settings: Settings | None = None, database: Database | None = None) -> FastAPI:
    settings = settings or get_settings()
    # Every page's layout carries the journal's quick entry (templates/_layout).
    templates.env.globals["ENTRY_KINDS"] = ENTRY_KIND_OPTIONS
    database = database or Database(
        make_engine(
            settings.database_url,
            # One connection per handler thread, plus a few for requests
            # finishing (their session closes outside the thread limit).
            pool_size=settings.threads,
            max_overflow=max(4, settings.threads // 4),
            pool_timeout=10,
        )
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.threads
        if settings.gc_freeze:
            # Start-up's garbage collected first, the survivors frozen: they
            # are never scanned again (and, in forked workers, never copied).
            gc.collect()
            gc.freeze()
        yield
        database.dispose()

    app = FastAPI(
        title="Goldfish",
        version="0.1.0",
        description=API_DESCRIPTION,
        lifespan=lifespan,
        # /api/docs is served below: Swagger UI from static/vendor, under the CSP.
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/v1/openapi.json",
        dependencies=[Depends(json_bodies_only), Depends(refuse_nul)],
    )
    app.state.settings = settings
    app.state.database = database
    app.state.scoring = config_from_settings(settings)

    app.include_router(auth_router)
    app.include_router(account_router)
    app.include_router(calendar_router)
    app.include_router(data_router)
    app.include_router(password_router)
    app.include_router(demo_router)
    app.include_router(portfolio_router)
    app.include_router(projects_router)
    app.include_router(project_page_router)
    app.include_router(releases_router)
    app.include_router(search_router)
    app.include_router(replans_router)
    app.include_router(week_router)
    app.include_router(journal_router)
    app.include_router(team_journal_router)
    app.include_router(teams_router)
    app.include_router(team_portfolio_router)
    app.include_router(reviews_router)
    app.include_router(rounds_router)
    app.include_router(notifications_router)
    app.include_router(mailings_router)
    app.include_router(feeds_router)
    app.include_router(inbox_router)
    app.include_router(spreadsheets_router)
    app.include_router(ranked_projects_api)
    app.include_router(projects_api)
    app.include_router(releases_api)
    app.include_router(search_api)
    app.include_router(replans_api)
    app.include_router(journal_api)
    app.include_router(teams_api)
    app.include_router(reviews_api)
    app.include_router(rounds_api)
    app.include_router(notifications_api)
    app.include_router(feeds_api)
    app.include_router(inbox_api)
    app.mount("/static", StaticFiles(directory=ROOT / "static"), name="static")

    install_error_handlers(app)
    install_contract(app)
    index_route_names(app.router)

    @app.exception_handler(LoginRequired)
    async def _login_required(request: Request, exc: LoginRequired) -> Response:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        if request.method != "GET":
            target = "/"
        return redirect(request, login_url(target))

    @app.exception_handler(NotFound)
    async def _not_found(request: Request, exc: NotFound) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse(error_body(404, f"No such {exc.what}."), status_code=404)
        return render(
            request,
            "errors/error.html",
            {"status": 404, "title": "Not Found", "message": f"There is no such {exc.what} here."},
            status_code=404,
        )

    @app.get("/api/docs", include_in_schema=False)
    def api_docs(request: Request) -> Response:
        return render(request, "api_docs.html", {"openapi_url": app.openapi_url})

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    # Added last runs first: headers, the body limit, the last-resort error
    # answer, then the same-origin check, then CSRF (its session binding,
    # then the token check, an upload form's token lifted out of its body first).
    app.add_middleware(csrf_middleware, secret=settings.secret_key)
    app.add_middleware(multipart_csrf, paths={UPLOAD_PATH})
    app.add_middleware(
        csrf_session_binding,
        secret=settings.secret_key,
        session_cookie=SESSION_COOKIE,
        session_token=partial(session_token_of, settings.secret_key),
    )
    app.add_middleware(same_origin_guard)
    app.add_middleware(unexpected_errors)
    app.add_middleware(
        body_limit,
        max_bytes=settings.max_body_bytes,
        # The file, and what a multipart form wraps around it.
        uploads={UPLOAD_PATH: MAX_UPLOAD_BYTES + 64 * 1024},
    )
    app.add_middleware(security_headers)
    if settings.base_url:
        app.add_middleware(canonical_origin, base_url=settings.base_url)
    return app
