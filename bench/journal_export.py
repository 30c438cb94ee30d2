"""The journal's exports (Markdown, zip, JSON) at 2,000 and 20,000 entries:
peak memory of each, streamed as the app does it, against the whole file
built in memory (what the app did before), in the same run.

    python -m bench.journal_export [--sizes 2000,20000]

Seeds a fresh SQLite file (bench/seed/journal.py), then runs every export
in a process of its own (`python -m bench.journal_export run FMT HOW URL
USER_ID`), which reports its wall time, its peak resident memory (VmHWM)
and tracemalloc's peak of Python allocations. Streamed is the handler's own
code (app.journal.routes._export_file into the spool of
app.web.spooled_download); "in memory" reads every entry into a list and
builds the file in a BytesIO first. Flat memory from 2,000 to 20,000 entries
is what streaming promises. Figures on stdout, progress on stderr.
"""

import argparse
import io
import json
import os
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from alembic import command

from app.cli import alembic_config
from app.config import ROOT
from app.db import Database, make_engine
from bench import progress
from bench.data_run import _peak_rss_kib
from bench.seed import Seeder
from bench.seed.journal import seed_journal

FORMATS = ("md", "zip", "json")


def run_one(fmt: str, how: str, url: str, user_id: int) -> dict:
    """In this process: one export, measured."""
    from app.auth.models import User
    from app.journal.routes import _export_file
    from app.web import SPOOL_IN_MEMORY_BYTES

    database = Database(make_engine(url))
    tracemalloc.start()
    started = time.perf_counter()
    with database.session() as session:
        user = session.get(User, user_id)
        if how == "streamed":
            with tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY_BYTES) as out:
                _export_file(session, user, fmt, out)
                size = out.tell()
        else:
            out = _Materialised(session)
            _export_file(out.session, user, fmt, out.buffer)
            size = len(out.buffer.getvalue())
    seconds = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    database.dispose()
    return {
        "seconds": seconds,
        "bytes": size,
        "tracemalloc_peak_kib": peak // 1024,
        "peak_rss_kib": _peak_rss_kib(),
    }


class _Materialised:
    """The way before streaming: every entry loaded into a list first (held
    by the session), the whole file built in memory."""

    def __init__(self, session) -> None:
        from app.journal import queries

        original = queries.each_entry

        def listed(s, *, user, batch=500):
            return list(s.exec(_all_entries_query(user)))

        queries.each_entry = listed  # type: ignore[assignment]
        self._restore = lambda: setattr(queries, "each_entry", original)
        self.session = session
        self.buffer = io.BytesIO()


def _all_entries_query(user):
    from sqlmodel import select

    from app.journal.models import JournalEntry

    return (
        select(JournalEntry)
        .where(JournalEntry.author_id == user.id)
        .order_by(JournalEntry.day, JournalEntry.id)
    )


def _measure(fmt: str, how: str, url: str, user_id: int) -> dict:
    done = subprocess.run(  # noqa: S603 (our own module)
        [sys.executable, "-m", "bench.journal_export", "run", fmt, how, url, str(user_id)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        env=os.environ,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{fmt} {how} failed: {done.stderr.strip()}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "run":
        fmt, how, url, user_id = argv[1:]
        print(json.dumps(run_one(fmt, how, url, int(user_id))))
        return
    parser = argparse.ArgumentParser(
        prog="python -m bench.journal_export", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--sizes", default="2000,20000", help="journal sizes (2000,20000)")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    load = os.getloadavg()
    lines = [
        "Journal exports: peak memory streamed (as served) vs built in memory (as before), "
        f"each in its own process. Load average before: {', '.join(f'{v:.2f}' for v in load)}.",
        "",
        f"{'entries':>7} {'format':<6} {'how':<9} {'seconds':>7} {'file MiB':>8} "
        f"{'tracemalloc peak MiB':>20} {'peak RSS MiB':>12}",
    ]
    with tempfile.TemporaryDirectory(prefix="goldfish-bench-journal-export-") as tmp:
        for n in sizes:
            url = f"sqlite:///{Path(tmp) / f'journal-{n}.db'}"
            command.upgrade(alembic_config(url), "head")
            seeder = Seeder(Database(make_engine(url)), url)
            user_id = seed_journal(seeder, f"export{n}", n).who.user.id
            seeder.db.dispose()
            for fmt in FORMATS:
                for how in ("streamed", "in memory"):
                    m = _measure(fmt, how, url, user_id)
                    progress(f"{n} {fmt} {how}: {m['tracemalloc_peak_kib'] / 1024:.1f} MiB")
                    lines.append(
                        f"{n:>7} {fmt:<6} {how:<9} {m['seconds']:7.2f} "
                        f"{m['bytes'] / 1024**2:8.1f} {m['tracemalloc_peak_kib'] / 1024:20.1f} "
                        f"{m['peak_rss_kib'] / 1024:12.1f}"
                    )
    print("\n".join(lines))


if __name__ == "__main__":
    main()
