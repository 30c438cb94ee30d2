"""Full export and import at realistic sizes: time and peak memory.

    python -m bench.data [--projects 500] [--releases 20000] [--entries 5000]
        [--scales 0.1,1]

Seeds a fresh SQLite file through the page bench's seeders (bench/seed/),
then runs `instance_export` and `instance_import` (into another fresh
file) each in a process of its own (bench/data_run.py), which reports its
wall time and its peak resident memory. It does so at each scale of the
sizes (a tenth and the whole, by default): memory that stays flat while
the data grows tenfold is what streaming promises. The peak of a process
that loads the same modules and does nothing is printed as the baseline.
Figures go to stdout, progress to stderr. `make bench ARGS="--only data"`
runs it with the default sizes.
"""

import argparse
import json
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from alembic import command

from app.cli import alembic_config
from app.config import ROOT
from app.db import Database, make_engine
from bench import progress
from bench.seed import Seeder
from bench.seed.journal import seed_journal
from bench.seed.projects import seed_user
from bench.seed.releases import seed_releases


def _measure(op: str, url: str, path: Path) -> dict:
    done = subprocess.run(  # noqa: S603 (our own module)
        [sys.executable, "-m", "bench.data_run", op, url, str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{op} failed: {done.stderr.strip()}")
    return json.loads(done.stdout)


def _seed(url: str, *, projects: int, releases: int, entries: int) -> None:
    command.upgrade(alembic_config(url), "head")
    seeder = Seeder(Database(make_engine(url)), url)
    who = seed_user(seeder, "portfolio", projects)
    seed_releases(seeder, who, releases, links=min(200, releases // 10))
    seed_journal(seeder, "journal", entries)
    seeder.db.dispose()


def run_scale(folder: Path, *, projects: int, releases: int, entries: int) -> list[str]:
    source = f"sqlite:///{folder / 'source.db'}"
    target = f"sqlite:///{folder / 'target.db'}"
    archive = folder / "export.zip"
    started = time.perf_counter()
    _seed(source, projects=projects, releases=releases, entries=entries)
    progress(
        f"seeded {projects} projects, {releases} releases, {entries} entries"
        f" in {time.perf_counter() - started:.1f} s"
    )
    exported = _measure("export", source, archive)
    progress(f"exported in {exported['seconds']:.1f} s")
    command.upgrade(alembic_config(target), "head")
    imported = _measure("import", target, archive)
    progress(f"imported in {imported['seconds']:.1f} s")
    rows = sum(t["rows"] for t in json.loads(_manifest(archive))["tables"])
    size = (
        f"{projects} projects, {releases} releases, {entries} entries"
        f" ({rows:,} rows, archive {archive.stat().st_size / 1024**2:.1f} MiB,"
        f" database {(folder / 'source.db').stat().st_size / 1024**2:.1f} MiB)"
    )
    return [
        size,
        _line("export", exported, rows, ""),
        _line("import", imported, rows, "; checksums verified first"),
    ]


def _line(what: str, measured: dict, rows: int, note: str) -> str:
    return (
        f"  {what}  {measured['seconds']:7.2f} s  peak RSS {measured['peak_rss_kib'] / 1024:6.1f}"
        f" MiB  ({rows / measured['seconds']:,.0f} rows/s{note})"
    )


def _manifest(archive: Path) -> bytes:
    with zipfile.ZipFile(archive) as z:
        return z.read("manifest.json")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.data", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--projects", type=int, default=500, help="projects (500)")
    parser.add_argument("--releases", type=int, default=20000, help="releases (20000)")
    parser.add_argument("--entries", type=int, default=5000, help="journal entries (5000)")
    parser.add_argument(
        "--scales", default="0.1,1", help="fractions of the sizes to run at (0.1,1)"
    )
    args = parser.parse_args(argv)
    try:
        args.scales = [float(s) for s in args.scales.split(",")]
    except ValueError:
        parser.error("--scales takes fractions separated by commas, e.g. 0.1,1")
    if min(args.projects, args.releases, args.entries) < 10 or min(args.scales) <= 0:
        parser.error("sizes must be at least 10 and scales above 0")
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    lines = [
        "Goldfish full export and import: SQLite file to SQLite file, each in its own process."
    ]
    with tempfile.TemporaryDirectory(prefix="goldfish-bench-data-") as tmp:
        idle = _measure("idle", f"sqlite:///{Path(tmp) / 'idle.db'}", Path(tmp) / "none")
        lines.append(
            f"Baseline: a process with the same modules loaded peaks at "
            f"{idle['peak_rss_kib'] / 1024:.1f} MiB RSS."
        )
        for scale in args.scales:
            folder = Path(tmp) / f"scale-{scale}"
            folder.mkdir()
            lines += [
                "",
                *run_scale(
                    folder,
                    projects=max(10, round(args.projects * scale)),
                    releases=max(100, round(args.releases * scale)),
                    entries=max(100, round(args.entries * scale)),
                ),
            ]
    print("\n".join(lines))


if __name__ == "__main__":
    main()
