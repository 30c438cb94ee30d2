"""The `goldfish` command: serve, migrate, accounts, tokens, password resets, feeds,
worker, demo data, export and import (archives, projects, releases), backup and restore."""

import sys
from pathlib import Path
from typing import Annotated

import typer
from alembic import command
from alembic.config import Config
from pydantic import ValidationError
from typer.core import TyperGroup

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
            prompt=True, hide_input=True, confirmation_prompt=True, help="At least 12 characters"
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
    """Poll feeds as they fall due and run queued spreadsheet imports, until
    stopped (SIGTERM lets the work under way finish). Run one on SQLite; any
    number on PostgreSQL."""
    import logging

    from app.feeds.worker import run
    from app.mailings.worker import mail_job
    from app.spreadsheets.worker import run_due

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    settings = get_settings()
    polls = run(_database(), settings, once=once, jobs=[run_due, mail_job(settings)])
    typer.echo(f"{polls} polls")


mail = typer.Typer(help="E-mail: send a test message.", no_args_is_help=True)
cli.add_typer(mail, name="mail")


@mail.command("test")
def mail_test(email: Annotated[str, typer.Argument(help="Where to send it")]) -> None:
    """Send a test message now, through the outbox: it is queued, then
    delivered by this command at once (not left to the worker), so the
    answer of the SMTP server is printed here and the outbox keeps the record."""
    import app.models  # noqa: F401 - every table, for the outbox's foreign key
    from app.mail.models import MailKind
    from app.mail.outbox import mail_enqueue
    from app.mail.smtp import mail_configured
    from app.mailings.worker import deliver

    settings = get_settings()
    if not mail_configured(settings):
        raise _fail("GOLDFISH_SMTP_URL is not set: there is no mail server to send through.")
    database = _database()
    with database.session(write=True) as session:
        mail_id = mail_enqueue(
            session,
            kind=MailKind.test,
            to=email.strip()[:254],
            subject="Goldfish test message",
            text=(
                f"This is a test message from Goldfish at {settings.public_url}.\n"
                "If you can read it, e-mail from this instance reaches you.\n"
            ),
            html=(
                f"<p>This is a test message from Goldfish at "
                f'<a href="{settings.public_url}">{settings.public_url}</a>.</p>'
                "<p>If you can read it, e-mail from this instance reaches you.</p>"
            ),
        )
        session.commit()
    done = deliver(database, settings, ids=[mail_id])
    if not done.sent:
        raise _fail(
            f"Not sent: {done.last_error} (message {mail_id} is queued for the worker to retry)"
        )
    typer.echo(f"Sent to {email} (message {mail_id}).")


# ------------------------------------------------------------ your data


class _ImportGroup(TyperGroup):
    """`goldfish import FILE` loads a full export; `goldfish import KIND …`
    runs one of the group's commands (the archive one is `archive`)."""

    def resolve_command(self, ctx, args):  # type: ignore[no-untyped-def]
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = ["archive", *args]
        return super().resolve_command(ctx, args)


imports = typer.Typer(
    cls=_ImportGroup,
    help="Import: `goldfish import FILE` loads a full export into an empty instance;"
    " `import projects` and `import releases` add rows from a spreadsheet or a list.",
    no_args_is_help=True,
)
cli.add_typer(imports, name="import")


class _RichProgress:
    """A progress bar per table, on stderr."""

    def __init__(self, verb: str) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        self.verb = verb
        self.bar = Progress(
            TextColumn("{task.description:<28}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=Console(stderr=True),
            transient=True,  # gone once done: the summary line (or the error) stays
        )
        self.task = None

    def __enter__(self):
        self.bar.start()
        return self

    def __exit__(self, *_exc) -> None:
        self.done()
        self.bar.stop()

    def begin(self, total: int) -> None:
        self.task = self.bar.add_task(self.verb, total=total)

    def table(self, name: str) -> None:
        if self.task is not None:
            self.bar.update(self.task, description=f"{self.verb} {name}")

    def rows(self, n: int) -> None:
        if self.task is not None:
            self.bar.advance(self.task, n)

    def done(self) -> None:
        if self.task is not None:
            self.bar.update(self.task, description=f"{self.verb}: done")


def _fail(message: str) -> typer.Exit:
    typer.echo(f"goldfish: {message}", err=True)
    return typer.Exit(1)


@cli.command("export")
def export_archive(
    file: Annotated[str, typer.Argument(help="The zip to write")],
    include_secrets: Annotated[
        bool,
        typer.Option(
            help="Also password hashes, API tokens, sessions, reset and invite links"
            " (whoever holds the file can then act as any user)"
        ),
    ] = False,
    force: Annotated[bool, typer.Option(help="Replace FILE if it exists")] = False,
    progress: Annotated[
        bool | None,
        typer.Option(help="A progress bar on stderr (default: when stderr is a terminal)"),
    ] = None,
) -> None:
    """Write everything in the instance to FILE: a zip of one JSON Lines file per
    table and a manifest (format in README, "Your data")."""
    import os
    from pathlib import Path

    from app.config import create_private
    from app.data.archive import ArchiveError
    from app.data.export import NoProgress, instance_export

    progress = sys.stderr.isatty() if progress is None else progress
    target = Path(file)
    if target.exists() and not force:
        raise _fail(f"{target} exists; pass --force to replace it")
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)
    create_private(partial)  # owner-only from the first byte
    database = _database()
    try:
        with database.engine.connect() as connection:
            if connection.dialect.name == "postgresql":
                # One snapshot for every table, while others write.
                connection = connection.execution_options(isolation_level="REPEATABLE READ")
            with (
                open(partial, "wb") as out,
                _RichProgress("exporting") if progress else _NullContext() as bar,
            ):
                manifest = instance_export(
                    connection,
                    out,
                    include_secrets=include_secrets,
                    progress=bar if progress else NoProgress(),
                )
                out.flush()
                os.fsync(out.fileno())
        os.replace(partial, target)
    except ArchiveError as exc:
        raise _fail(str(exc)) from None
    finally:
        partial.unlink(missing_ok=True)
        database.dispose()
    rows = sum(t.rows for t in manifest.tables)
    typer.echo(
        f"Exported {rows} rows of {len(manifest.tables)} tables to {target}"
        + (" (with secrets: keep it safe)" if include_secrets else "")
    )


class _NullContext:
    def __enter__(self):
        return None

    def __exit__(self, *_exc) -> None:
        pass


@imports.command("archive")
def import_archive(
    file: Annotated[str, typer.Argument(help="A zip written by `goldfish export`")],
    progress: Annotated[
        bool | None,
        typer.Option(help="A progress bar on stderr (default: when stderr is a terminal)"),
    ] = None,
    max_bytes: Annotated[
        int, typer.Option(min=1, help="Refuse archives that unpack to more than this")
    ] = 4 * 1024**3,
) -> None:
    """Load a full export into an empty instance, ids and all, or nothing at
    all: any problem leaves the database as it was. An empty database is
    migrated first."""
    import logging

    import sqlalchemy as sa

    from app.data.archive import ArchiveError, ArchiveReader, Limits
    from app.data.export import NoProgress
    from app.data.load import instance_import

    # A row PostgreSQL refuses aborts psycopg's pipeline, and psycopg then
    # warns "error ignored terminating <Pipeline>" on stderr besides the one
    # line below that says which rows were refused: that echo is not news.
    logging.getLogger("psycopg").setLevel(logging.ERROR)

    progress = sys.stderr.isatty() if progress is None else progress
    settings = get_settings()
    database = _database()
    try:
        if not sa.inspect(database.engine).get_table_names():
            command.upgrade(alembic_config(settings.database_url), "head")
        with open(file, "rb") as stream:
            reader = ArchiveReader(stream, Limits(max_bytes=max_bytes))
            with (
                database.session(write=True) as session,
                _RichProgress("importing") if progress else _NullContext() as bar,
            ):
                loaded = instance_import(
                    session.connection(), reader, progress=bar if progress else NoProgress()
                )
                session.commit()
    except OSError as exc:
        raise _fail(f"cannot read {file}: {exc.strerror or exc}") from None
    except ArchiveError as exc:
        raise _fail(str(exc)) from None
    finally:
        database.dispose()
    typer.echo(f"Imported {sum(loaded.rows.values())} rows of {len(loaded.rows)} tables")


@cli.command()
def backup(
    directory: Annotated[str, typer.Argument(help="Where backups are kept")],
    keep: Annotated[
        int | None, typer.Option(min=1, help="Keep only the newest N backups in DIRECTORY")
    ] = None,
) -> None:
    """Take a consistent online backup of the SQLite database (while it is in
    use), named by the time it was taken."""
    from pathlib import Path

    from app.data.backup import BackupError, backup_create

    try:
        made = backup_create(get_settings().database_url, Path(directory), keep=keep)
    except BackupError as exc:
        raise _fail(str(exc)) from None
    typer.echo(f"Backed up to {made.path}")
    for old in made.removed:
        typer.echo(f"Removed {old} (--keep {keep})")


@cli.command()
def restore(
    file: Annotated[str, typer.Argument(help="A backup made by `goldfish backup`")],
    force: Annotated[
        bool, typer.Option(help="Replace a database that holds data (backed up first)")
    ] = False,
) -> None:
    """Replace the SQLite database with a backup. Refuses to overwrite a
    database that holds data unless --force."""
    from pathlib import Path

    from app.data.backup import BackupError, backup_restore

    try:
        restored = backup_restore(Path(file), get_settings().database_url, force=force)
    except BackupError as exc:
        raise _fail(str(exc)) from None
    if restored.saved_previous:
        typer.echo(f"The database it replaced is saved as {restored.saved_previous}")
    rows = sum(n for name, n in restored.rows.items() if name != "alembic_version")
    typer.echo(f"Restored {restored.path} from {file}: {rows} rows")


@imports.command("projects")
def import_projects(
    file: Annotated[str, typer.Argument(help="A .csv or .xlsx file, one project per row")],
    owner: Annotated[str, typer.Option("--owner", help="The e-mail of whose portfolio")],
    team: Annotated[
        int | None, typer.Option("--team", help="Share them with this team (its id)")
    ] = None,
    column: Annotated[
        list[str] | None,
        typer.Option(
            "--map",
            help='Override the guess: "Header=field", or "Header=-" to leave a column out',
        ),
    ] = None,
    scale: Annotated[
        list[str] | None,
        typer.Option(
            help='A score\'s scale: "impact=0-10", "scoop_risk=percent", "attainability=1-5"'
        ),
    ] = None,
    dry_run: Annotated[bool, typer.Option(help="Check every row; write nothing")] = False,
) -> None:
    """Import projects from a spreadsheet into OWNER's portfolio: all of
    them, or (on any error) none. The columns are guessed from the headers
    and the score scales from the values; both are printed first."""
    from pathlib import Path

    from rich.progress import Progress

    from app.auth.queries import user_by_email
    from app.errors import Refused
    from app.spreadsheets import cli_import

    path = Path(file)
    try:
        size = path.stat().st_size
    except OSError as exc:
        _abort(f"{file}: {exc.strerror}")
    with _session() as session:
        user = user_by_email(session, email=owner)
        if user is None or not user.is_active:
            _abort(f"No active account with email {owner}.")
        try:
            plan = cli_import.prepare(
                session,
                owner=user,
                filename=path.name,
                read=lambda limit: _read_at_most(path, limit, size),
                team_id=team,
                overrides=column or [],
                scales=scale or [],
            )
        except Refused as refused:
            _abort(refused.message)
        for line in plan.describe():
            typer.echo(line)
        if plan.error:
            _abort(plan.error)
        if dry_run:
            typer.echo("Dry run: nothing written.")
            return
        with Progress(transient=True) as progress:
            task = progress.add_task("Importing", total=len(plan.checked.to_create))
            try:
                created, skipped = plan.write(
                    session, progress=lambda n: progress.update(task, completed=n)
                )
            except Refused as refused:
                session.rollback()
                _abort(f"Nothing was imported: {refused.message}")
        session.commit()
    typer.echo(f"Imported: {created} created, {skipped} skipped.")


def _read_at_most(path, limit: int, size: int) -> bytes | None:
    """The file's bytes, or None if it is over the limit (unread)."""
    if size > limit:
        return None
    with path.open("rb") as handle:
        content = handle.read(limit + 1)
    return None if len(content) > limit else content


def _abort(message: str):
    """One line on stderr and exit 1 (the spreadsheet import's errors)."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(1)


def _database():
    # Every table known: a feature's rows can point at another's (a
    # notification at a scoring round), and the ORM must find them all.
    import app.models  # noqa: F401
    from app.db import Database, make_engine

    return Database(make_engine(get_settings().database_url))


def _session():
    return _database().session(write=True)


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


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


def main() -> None:
    cli()


if __name__ == "__main__":
    main()
