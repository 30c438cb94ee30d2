"""Goldfish's project pages as ratios to the floor, measured side by side.

    python -m bench.ratios [--sizes 50,500] [--rounds 60]

Seeds a fresh SQLite file (bench/seed/, through the app's services), then
starts, on that same file, three servers: Goldfish as configured, Goldfish
with GOLDFISH_GC_FREEZE=false (the tail-latency fix off), and the floor
(bench/floor.py: a bare FastAPI + Jinja page of the same rows). Requests
are interleaved: each round asks every page of every server once, in turn,
so that whatever else the machine does falls on all of them alike. The
table gives, per page and size, p50 and p95 of the client's wall time, the
body's size, the SQL statements of one request (counted in-process,
bench/sql.py) and the ratio of its p50 to the floor's at the same size.
`make bench` runs it.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from argparse import Namespace
from dataclasses import dataclass, field
from pathlib import Path

import httpx2 as httpx
from alembic import command

from app.cli import alembic_config
from app.config import ROOT
from app.db import Database, make_engine
from bench import progress, server
from bench.pages.harness import Context, Timing
from bench.seed import SECRET_KEY, Seeder
from bench.seed.projects import Seeded, seed_user

API_PAGE = 100  # the API list is measured a page of this many projects at a time


@dataclass
class Page:
    label: str  # "portfolio", …
    size: str  # "50 projects"
    target: str  # "goldfish", "goldfish, no gc.freeze", "floor"
    path: str
    headers: dict[str, str]
    samples: list[float] = field(default_factory=list)
    body_bytes: int = 0
    statements: int | None = None

    def timing(self) -> Timing:
        return Timing(self.label, self.path, self.size, self.samples, self.body_bytes)


def start_floor(database_url: str, workdir: Path) -> tuple[subprocess.Popen, str]:
    port = server.free_port()
    log = (workdir / "floor.log").open("ab")
    argv = [sys.executable, "-m", "uvicorn", "bench.floor:app", "--port", str(port)]
    process = subprocess.Popen(  # noqa: S603 (our own module, fixed arguments)
        [*argv, "--host", "127.0.0.1", "--no-access-log"],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": database_url},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + server.STARTUP_SECONDS
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with urllib.request.urlopen(f"{url}/floor.json?owner=0", timeout=1):  # noqa: S310
                return process, url
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.05)
    process.kill()
    raise RuntimeError(f"the floor did not start: {(workdir / 'floor.log').read_text()}")


def pages_for(who: Seeded, size: str, targets: dict[str, str]) -> list[Page]:
    """The pages measured for one seeded user, on every server."""
    page = {"Cookie": who.cookie}
    api = {"Authorization": f"Bearer {who.token}"}
    owner = who.user.id
    pages = [Page("floor", size, "floor", f"/floor?owner={owner}", {})]
    pages.append(
        Page("floor api", size, "floor", f"/floor.json?owner={owner}&limit={API_PAGE}", {})
    )
    for target in targets:
        if target == "floor":
            continue
        pages += [
            Page("portfolio", size, target, "/", page),
            Page("project", size, target, f"/projects/{who.deepest_project}", page),
            Page("api list", size, target, f"/api/v1/projects?limit={API_PAGE}", api),
            Page("healthz", size, target, "/healthz", {}),
        ]
    return pages


def measure(pages: list[Page], targets: dict[str, str], rounds: int) -> None:
    """Interleaved: each round asks every page once, in turn."""
    clients = {
        name: httpx.Client(base_url=url, trust_env=False, timeout=60)
        for name, url in targets.items()
    }
    try:
        for i in range(3 + rounds):  # three rounds of warm-up
            for p in pages:
                started = time.perf_counter()
                response = clients[p.target].get(p.path, headers=p.headers)
                elapsed = time.perf_counter() - started
                if response.status_code != 200:
                    raise RuntimeError(f"{p.target} GET {p.path}: {response.status_code}")
                p.body_bytes = len(response.content)
                if i >= 3:
                    p.samples.append(elapsed)
    finally:
        for client in clients.values():
            client.close()


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:7.1f}"


def table(pages: list[Page], load: tuple[float, ...]) -> str:
    floors = {(p.size, p.label): p.timing().median for p in pages if p.target == "floor"}
    lines = [
        f"Goldfish against the floor (bench/floor.py), requests interleaved, one run. "
        f"Load average before: {', '.join(f'{v:.2f}' for v in load)} on {os.cpu_count()} CPUs.",
        "Ratio: p50 over the floor's p50 at the same size (the API list over the floor's JSON).",
        "",
        f"{'page':<10} {'size':<13} {'server':<24} {'p50 ms':>7} {'p95 ms':>7} "
        f"{'p95/p50':>7} {'KiB':>7} {'stmts':>5} {'ratio':>6}",
    ]
    for p in pages:
        t = p.timing()
        floor = floors.get((p.size, "floor api" if p.label == "api list" else "floor"))
        no_ratio = p.target == "floor" or floor is None or p.label == "healthz"
        ratio = "" if no_ratio else f"{t.median / floor:5.1f}×"
        stmts = "" if p.statements is None else str(p.statements)
        lines.append(
            f"{p.label:<10} {p.size:<13} {p.target:<24} {_ms(t.median)} {_ms(t.p95)} "
            f"{t.p95 / t.median:7.2f} {p.body_bytes / 1024:7.1f} {stmts:>5} {ratio:>6}"
        )
    return "\n".join(lines)


def gc_summary(pages: list[Page]) -> str:
    """p95/p50 of the small pages with and without gc.freeze, side by side."""
    lines = ["", "Tail latency (p95/p50), gc.freeze() on vs off, same run:"]
    for p in pages:
        if p.target != "goldfish" or p.label == "api list":
            continue
        off = next(
            q
            for q in pages
            if q.target == "goldfish, no gc.freeze" and (q.label, q.size) == (p.label, p.size)
        )
        on_t, off_t = p.timing(), off.timing()
        lines.append(
            f"  {p.label:<10} {p.size:<13} on {on_t.p95 / on_t.median:5.2f}"
            f" (p50 {_ms(on_t.median).strip()} ms)   off {off_t.p95 / off_t.median:5.2f}"
            f" (p50 {_ms(off_t.median).strip()} ms)"
        )
    return "\n".join(lines)


def count_statements(ctx: Context, pages: list[Page]) -> None:
    for p in pages:
        if p.target == "goldfish":
            counted = ctx.count_sql(p.label, p.path, {p.size: (p.path, p.headers)})
            p.statements = counted.counts[p.size]
            for q in pages:
                if (q.label, q.size, q.path) == (p.label, p.size, p.path):
                    q.statements = p.statements


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.ratios", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--sizes", default="50,500", help="portfolio sizes (50,500)")
    parser.add_argument("--rounds", type=int, default=60, help="timed rounds (60)")
    args = parser.parse_args(argv)
    args.sizes = [int(s) for s in args.sizes.split(",")]
    if min(args.sizes) < 1 or args.rounds < 5:
        parser.error("sizes must be at least 1, rounds at least 5")
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    load = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="goldfish-bench-ratios-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'goldfish.db'}"
        command.upgrade(alembic_config(url), "head")
        seeder = Seeder(Database(make_engine(url)), url)
        seeded = {f"{n} projects": seed_user(seeder, f"p{n}", n) for n in args.sizes}
        keys = {"GOLDFISH_SECRET_KEY": SECRET_KEY}
        floor, floor_url = start_floor(url, Path(tmp))
        try:
            with (
                server.running(url, Path(tmp), settings=keys, log_name="on.log") as frozen,
                server.running(
                    url,
                    Path(tmp),
                    settings={**keys, "GOLDFISH_GC_FREEZE": "false"},
                    log_name="off.log",
                ) as unfrozen,
            ):
                targets = {
                    "floor": floor_url,
                    "goldfish": frozen.url,
                    "goldfish, no gc.freeze": unfrozen.url,
                }
                pages = [p for size, who in seeded.items() for p in pages_for(who, size, targets)]
                progress(f"servers up; timing {len(pages)} pages × {args.rounds} rounds")
                measure(pages, targets, args.rounds)
        finally:
            floor.terminate()
            floor.wait()
        ctx = Context(args=Namespace(requests=1), database_label="SQLite", seed=seeder)
        count_statements(ctx, pages)
        seeder.db.dispose()
    print(table(pages, load))
    print(gc_summary(pages))


if __name__ == "__main__":
    main()
