"""The `goldfish` command: serve, migrate, accounts, tokens, password resets, feeds,
worker, demo data, importing releases."""

from pathlib import Path
from typing import Annotated

import typer
from alembic import command
from alembic.config import Config
from pydantic import ValidationError

from app.config import ROOT, get_settings

cli = typer.Typer(help="Goldfish: research-project prioritization planner.", no_args_is_help=True)


def alembic_config(database_url: str | None = None) -> Config:
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "alembic"))
    if database_url:
        config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


@cli.command()
def migrate(revision: Annotated[str, typer.Argument(help="Target revision")] = "head") -> None:
    """Apply the database migrations (to the newest by default)."""
    settings = get_settings()
    command.upgrade(alembic_config(settings.database_url), revision)
    typer.echo(f"Database at {revision}: {_safe_url(settings.database_url)}")


@cli.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Defaults to HOST or 127.0.0.1")] = None,
    port: Annotated[int | None, typer.Option(help="Defaults to PORT or 8000")] = None,
    reload: Annotated[bool, typer.Option(help="Restart on code changes (development)")] = False,
    workers: Annotated[
        int | None,
        typer.Option(min=1, max=64, help="Worker processes (defaults to GOLDFISH_WORKERS or 1)"),
    ] = None,
) -> None:
    """Serve the web app and the API."""
    import uvicorn

    settings = get_settings()
    uvicorn.run(
        "app.main:create_app",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        reload=reload,
        workers=None if reload else (workers or settings.workers),
        # X-Forwarded-For / -Proto only from the proxies named; by default
        # from nobody, so a client cannot pick the address it is limited by.
        proxy_headers=bool(settings.trusted_proxies.strip()),
        forwarded_allow_ips=settings.trusted_proxies.strip() or "",
        # SIGTERM: stop accepting, let in-flight requests finish, then exit.
        timeout_graceful_shutdown=settings.shutdown_seconds,
        # A worker answers the supervisor's pings between requests; a loaded
        # machine (or one long request) must not get it killed and restarted.
        timeout_worker_healthcheck=30,
    )


@cli.command("create-user")
def create_user(
    email: str,
    name: Annotated[str, typer.Option(help="Display name")] = "",
    password: Annotated[
        str,
        typer.Option(
            prompt=True, hide_input=True, confirmation_prompt=True, help="At least 10 characters"
        ),
    ] = "",
) -> None:
    """Create an account (works whether or not sign-up is open)."""
    from app.auth.models import UserCreate
    from app.auth.service import EmailTaken, user_create

    try:
        data = UserCreate(email=email, display_name=name or email.split("@")[0], password=password)
    except ValidationError as exc:
        for err in exc.errors():
            typer.echo(f"{'.'.join(map(str, err['loc']))}: {err['msg']}", err=True)
        raise typer.Exit(2) from None
    with _session() as session:
        try:
            user = user_create(session, data=data)
        except EmailTaken:
            typer.echo(f"An account with {data.email} exists already.", err=True)
            raise typer.Exit(1) from None
        session.commit()
        typer.echo(f"Created user {user.email} (id {user.id}).")


@cli.command("create-token")
def create_token(
    email: str, name: Annotated[str, typer.Option(help="What the token is for")] = "cli"
) -> None:
    """Print a new personal API token for EMAIL (shown once; stored hashed)."""
    from app.auth.queries import user_by_email
    from app.auth.service import token_create

    with _session() as session:
        user = user_by_email(session, email=email)
        if user is None:
            typer.echo(f"No account with email {email}.", err=True)
            raise typer.Exit(1)
        issued = token_create(session, user=user, name=name)
        session.commit()
        typer.echo(issued.raw)


@cli.command("reset-password")
def reset_password(email: str) -> None:
    """Print a one-time link that sets a new password for EMAIL (valid for an
    hour; only the newest link works). Pass it on to the account's owner."""
    from app.auth.queries import user_by_email
    from app.auth.service import reset_create, reset_link

    settings = get_settings()
    with _session() as session:
        user = user_by_email(session, email=email)
        if user is None or not user.is_active:
            typer.echo(f"No active account with email {email}.", err=True)
            raise typer.Exit(1)
        raw = reset_create(session, user=user)
        session.commit()
    typer.echo(reset_link(settings, raw))


@cli.command()
def demo() -> None:
    """Load the demo portfolio (the spring-2023 instruction-tuning wave, a
    researcher's projects, a manager's team) into an empty instance and print
    the demo accounts. Run again, it changes nothing; an instance with
    accounts of its own is left alone."""
    from app.demo.service import RealDataPresent, demo_load
    from app.scoring import config_from_settings

    settings = get_settings()
    with _session() as session:
        try:
            loaded = demo_load(
                session, secret_key=settings.secret_key, scoring=config_from_settings(settings)
            )
        except RealDataPresent as exc:
            typer.echo(str(exc), err=True)
            raise typer.Exit(1) from None
        session.commit()
    typer.echo("Demo data loaded." if loaded.created else "Demo data is loaded already.")
    for account in loaded.accounts:
        typer.echo(f"{account.role}: {account.email}  password: {account.password}")


imports = typer.Typer(help="Import data from files.", no_args_is_help=True)
cli.add_typer(imports, name="import")


@imports.command("releases")
def import_releases(
    file: Annotated[
        Path, typer.Argument(help="A .csv, .jsonl or .bib file, or a .txt list of arXiv ids")
    ],
    owner: Annotated[str, typer.Option(help="The e-mail of the account whose log gets them")],
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format", help="csv, jsonl, bibtex or arxiv (default: from the file's name)"
        ),
    ] = None,
) -> None:
    """Add the releases in FILE to OWNER's release log. One already logged
    (same address, arXiv id or DOI), or repeated in the file, is skipped. A
    list of arXiv ids or URLs (one a line) is looked up on arXiv's API
    (GOLDFISH_ARXIV_API_URL). A file with any bad record, an id arXiv does
    not know, or a lookup that fails writes nothing."""
    from app.auth.queries import user_by_email
    from app.feeds.lookup import arxiv_releases
    from app.feeds.polling import PollSettings
    from app.releases.imports import (
        FORMATS,
        BadImportFile,
        format_of,
        read_arxiv_ids,
        read_release_file,
        releases_import,
    )

    if fmt is not None and fmt not in FORMATS:
        typer.echo(f"--format must be one of {', '.join(FORMATS)}", err=True)
        raise typer.Exit(2)
    email = owner.strip().lower()
    try:
        if format_of(file, fmt) != "arxiv":
            releases = read_release_file(file, fmt=fmt)
        else:
            ids = read_arxiv_ids(file)
            with _session() as session:  # before asking arXiv, not while
                if user_by_email(session, email=email) is None:
                    typer.echo(f"No account with email {owner}.", err=True)
                    raise typer.Exit(1)
            settings = get_settings()
            releases = arxiv_releases(
                ids, api_url=settings.arxiv_api_url, how=PollSettings.of(settings)
            )
    except BadImportFile as exc:
        typer.echo(f"{file.name}: {exc}", err=True)
        raise typer.Exit(1) from None
    with _session() as session:
        user = user_by_email(session, email=email)
        if user is None:
            typer.echo(f"No account with email {owner}.", err=True)
            raise typer.Exit(1)
        outcome = releases_import(session, owner=user, releases=releases)
        session.commit()
    typer.echo(f"{outcome.created} created, {outcome.skipped} skipped (already in the log).")


feeds = typer.Typer(help="Feeds: list them, poll them now.", no_args_is_help=True)
cli.add_typer(feeds, name="feeds")


@feeds.command("list")
def feeds_list() -> None:
    """Every feed with its last poll."""
    from sqlmodel import select

    from app.feeds.models import Feed

    with _database().session() as session:
        for feed in session.exec(select(Feed).order_by(Feed.id)):
            polled = (
                feed.last_polled_at.isoformat(timespec="minutes")
                if feed.last_polled_at
                else "never"
            )
            typer.echo(
                f"{feed.id}\t{feed.kind.value}\t{feed.title or feed.url}\t{polled}"
                f"\t{feed.last_status.value}\t{feed.last_error}"
            )


@feeds.command("poll")
def feeds_poll(
    feed: Annotated[int | None, typer.Option("--feed", help="Only this feed (its id)")] = None,
) -> None:
    """Poll now: one feed, or every feed that is not paused. A feed another
    process is polling is left to it."""
    from sqlmodel import select

    from app.feeds.models import Feed
    from app.feeds.polling import PollRunning, PollSettings, poll_feed

    settings = get_settings()
    database = _database()
    with database.session() as session:
        query = select(Feed.id).order_by(Feed.id)
        query = query.where(Feed.id == feed) if feed is not None else query.where(~Feed.paused)
        ids = list(session.exec(query))
    if feed is not None and not ids:
        typer.echo(f"No feed with id {feed}.", err=True)
        raise typer.Exit(1)
    failed = False
    for feed_id in ids:
        try:
            outcome = poll_feed(database, feed_id, how=PollSettings.of(settings))
        except PollRunning:
            typer.echo(f"feed {feed_id}: being polled by another process, skipped")
            continue
        failed |= bool(outcome.error)
        typer.echo(
            f"feed {feed_id}: {outcome.status.value}, {outcome.seen} seen, {outcome.new} new,"
            f" {outcome.releases_created} releases, {outcome.suggestions} suggestions"
            + (f" — {outcome.error}" if outcome.error else "")
        )
    if failed:
        raise typer.Exit(1)


@cli.command()
def worker(
    once: Annotated[bool, typer.Option(help="Poll what is due, then exit")] = False,
) -> None:
    """Poll feeds as they fall due, until stopped (SIGTERM lets the poll under
    way finish). Run one on SQLite; any number on PostgreSQL."""
    import logging

    from app.feeds.worker import run

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    polls = run(_database(), get_settings(), once=once)
    typer.echo(f"{polls} polls")


def _database():
    from app.db import Database, make_engine

    return Database(make_engine(get_settings().database_url))


def _session():
    return _database().session(write=True)


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def main() -> None:
    cli()


if __name__ == "__main__":
    main()
