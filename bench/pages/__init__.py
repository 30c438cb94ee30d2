"""Page timings at realistic sizes, over real HTTP against a real server.

    python -m bench [--projects 500] [--releases 20000] [--entries 2000]
        [--shared 500] [--requests 50] [--database-url URL]
        [--only projects|releases|journal|teams]

What it does: migrates a fresh database (an SQLite file in a temp dir unless
--database-url is given), seeds users with realistic data through the app's
own services (bench/seed/), starts `goldfish serve` as a subprocess on
127.0.0.1 and a free port (bench/server.py, as the live tests do), and times
sequential GETs over one keep-alive connection (wall time on the client, body
read included). Every response is checked (status 200, and the expected rows,
read through selectors: bench/checks.py) so an error page is never what gets
timed. It then counts the SQL statements each page runs, in-process
(bench/sql.py, as the tests' `count_queries` does).

Figures go to stdout; progress goes to stderr.

Adding a bench: write `bench/pages/<feature>.py` with `def bench_x(ctx:
Context) -> None` that seeds what it needs (`bench/seed/<feature>.py`, with
`ctx.seed`), times endpoints (`ctx.time(...)`, with checks) and counts
statements (`ctx.count_sql(...)`), then add it to BENCHES. The server reads
the database live, so seeding after it started is fine.
"""

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from alembic import command
from sqlalchemy.engine import make_url

from app.cli import alembic_config
from app.db import Database, make_engine
from bench import progress, server
from bench.pages.harness import Context, report
from bench.pages.journal import bench_journal
from bench.pages.projects import bench_projects
from bench.pages.releases import bench_releases
from bench.pages.teams import bench_teams
from bench.seed import SECRET_KEY, Seeder


def migrate(url: str) -> None:
    command.upgrade(alembic_config(url), "head")


def _safe_url(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


BENCHES: dict[str, Callable[[Context], None]] = {
    "projects": bench_projects,
    "releases": bench_releases,
    "journal": bench_journal,
    "teams": bench_teams,
}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--projects", type=int, default=500, help="projects of the large portfolio (500)"
    )
    parser.add_argument(
        "--releases", type=int, default=20000, help="releases of the large release log (20000)"
    )
    parser.add_argument(
        "--entries", type=int, default=2000, help="entries of the large journal (2000)"
    )
    parser.add_argument(
        "--shared", type=int, default=500, help="projects shared with the large team (500)"
    )
    parser.add_argument("--requests", type=int, default=50, help="timed requests per endpoint (50)")
    parser.add_argument(
        "--database-url",
        help="a scratch database to run against (e.g. postgresql+psycopg://...); "
        "default: a fresh SQLite file in a temp dir. It is migrated to head, and what the "
        "bench writes is deleted afterwards unless --keep-data",
    )
    parser.add_argument(
        "--keep-data", action="store_true", help="leave the seeded data in --database-url"
    )
    parser.add_argument(
        "--only", choices=sorted(BENCHES), action="append", help="run only these benches"
    )
    parser.add_argument("--show-sql", action="store_true", help="print the statements counted")
    args = parser.parse_args(argv)
    if args.projects < 1 or args.requests < 1:
        parser.error("--projects and --requests must be at least 1")
    if args.releases < 100:
        parser.error("--releases must be at least 100")
    if args.entries < 100:
        parser.error("--entries must be at least 100")
    if args.shared < 100:
        parser.error("--shared must be at least 100")
    return args


def run(args: argparse.Namespace) -> Context:
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="goldfish-bench-") as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'goldfish.db'}"
        label = _safe_url(url) if args.database_url else "SQLite (fresh temp file)"
        migrate(url)
        progress(f"migrated {label}")
        ctx = Context(args=args, database_label=label, seed=Seeder(Database(make_engine(url)), url))
        try:
            with server.running(
                url, Path(tmp), settings={"GOLDFISH_SECRET_KEY": SECRET_KEY}
            ) as served:
                ctx.base_url = served.url
                progress(f"goldfish serve up at {served.url} in {served.started_in:.1f} s")
                for name, bench in BENCHES.items():
                    if not args.only or name in args.only:
                        bench(ctx)
        finally:
            if args.database_url and not args.keep_data:
                ctx.seed.delete_seeded()
            ctx.seed.db.dispose()
    progress(f"done in {time.perf_counter() - started:.1f} s")
    return ctx


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    ctx = run(args)
    print(report(ctx))
    if args.show_sql:
        for c in ctx.sql_counts:
            for size, statements in c.statements.items():
                print(f"\n{c.label} {c.what}, {size}:")
                for statement in statements:
                    print("   ", " ".join(statement.split())[:200])
