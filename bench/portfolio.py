"""The portfolio pages (a person's and a team's) against a floor, side by side.

    python -m bench.portfolio [--sizes 50,500] [--rounds 40] [--extra PATH ...]

Seeds a fresh SQLite file through the app's services (a user with N
projects, a team sharing N projects, for each size), then starts on that
file `goldfish serve` and the floor (bench/floor.py: a bare
FastAPI + Jinja table of the same rows). Requests are interleaved: each
round asks every page once, in turn, so that whatever else the machine does
falls on all of them alike. Printed per page and size: p50 and p95 of the
client's wall time, the body's KiB (uncompressed), the SQL statements of one
request (counted in-process) and p50 as a ratio to the floor's p50 of the
same rows. `--extra /?page=2` adds a path of the personal portfolio.
"""

import argparse
import os
import tempfile
import time
from argparse import Namespace
from dataclasses import dataclass, field
from pathlib import Path

import httpx2 as httpx
from alembic import command

from app.cli import alembic_config
from app.db import Database, make_engine
from bench import progress, server
from bench.pages.harness import Context, Timing
from bench.ratios import start_floor
from bench.seed import SECRET_KEY, Seeder
from bench.seed.projects import seed_user
from bench.seed.teams import seed_team

WARMUP_ROUNDS = 3


@dataclass
class Page:
    label: str  # "portfolio", "team portfolio", "floor", …
    size: int  # projects in the portfolio
    target: str  # "goldfish" or "floor"
    path: str
    headers: dict[str, str]
    floor_of: str  # the floor label this page is a ratio to
    samples: list[float] = field(default_factory=list)
    body_bytes: int = 0
    statements: int | None = None

    def timing(self) -> Timing:
        return Timing(self.label, self.path, f"{self.size}", self.samples, self.body_bytes)


def seed_pages(seeder: Seeder, size: int, extra: list[str]) -> list[Page]:
    person = seed_user(seeder, f"p{size}", size)
    team = seed_team(seeder, f"t{size}", size)
    cookie = {"Cookie": person.cookie}
    manager = {"Cookie": team.manager.cookie}
    team_path = f"/teams/{team.team_id}/portfolio"
    pages = [
        Page("floor", size, "floor", f"/floor?owner={person.user.id}", {}, ""),
        Page("floor team", size, "floor", f"/floor?team={team.team_id}", {}, ""),
        Page("portfolio", size, "goldfish", "/", cookie, "floor"),
        Page("team portfolio", size, "goldfish", team_path, manager, "floor team"),
    ]
    pages += [Page(f"portfolio {p}", size, "goldfish", p, cookie, "floor") for p in extra]
    return pages


def measure(pages: list[Page], targets: dict[str, str], rounds: int) -> None:
    clients = {
        name: httpx.Client(base_url=url, trust_env=False, timeout=60)
        for name, url in targets.items()
    }
    try:
        for i in range(WARMUP_ROUNDS + rounds):
            for p in pages:
                started = time.perf_counter()
                response = clients[p.target].get(p.path, headers=p.headers)
                elapsed = time.perf_counter() - started
                if response.status_code != 200:
                    raise RuntimeError(f"{p.target} GET {p.path}: {response.status_code}")
                p.body_bytes = len(response.content)
                if i >= WARMUP_ROUNDS:
                    p.samples.append(elapsed)
    finally:
        for client in clients.values():
            client.close()


def table(pages: list[Page], load: tuple[float, ...], rounds: int) -> str:
    floors = {(p.size, p.label): p.timing().median for p in pages if p.target == "floor"}
    lines = [
        f"Portfolio pages against a bare FastAPI + Jinja table of the same rows "
        f"(bench/floor.py), {rounds} interleaved rounds, one run, SQLite.",
        f"Load average before: {', '.join(f'{v:.2f}' for v in load)} on {os.cpu_count()} CPUs.",
        "",
        f"{'page':<22} {'projects':>8} {'p50 ms':>7} {'p95 ms':>7} {'KiB':>7} {'stmts':>5} "
        f"{'× floor':>7}",
    ]
    for p in pages:
        t = p.timing()
        floor = floors.get((p.size, p.floor_of))
        ratio = f"{t.median / floor:6.1f}×" if floor else ""
        stmts = "" if p.statements is None else str(p.statements)
        lines.append(
            f"{p.label:<22} {p.size:>8} {t.median * 1000:7.1f} {t.p95 * 1000:7.1f} "
            f"{p.body_bytes / 1024:7.1f} {stmts:>5} {ratio:>7}"
        )
    return "\n".join(lines)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.portfolio", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--sizes", default="50,500", help="portfolio sizes (50,500)")
    parser.add_argument("--rounds", type=int, default=40, help="timed rounds (40)")
    parser.add_argument("--extra", action="append", default=[], help="more portfolio paths")
    args = parser.parse_args(argv)
    args.sizes = [int(s) for s in args.sizes.split(",")]
    if min(args.sizes) < 1 or args.rounds < 5:
        parser.error("sizes must be at least 1, rounds at least 5")
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    load = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="goldfish-bench-portfolio-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'goldfish.db'}"
        command.upgrade(alembic_config(url), "head")
        seeder = Seeder(Database(make_engine(url)), url)
        pages = [p for n in args.sizes for p in seed_pages(seeder, n, args.extra)]
        floor, floor_url = start_floor(url, Path(tmp))
        try:
            keys = {"GOLDFISH_SECRET_KEY": SECRET_KEY}
            with server.running(url, Path(tmp), settings=keys) as goldfish:
                targets = {"floor": floor_url, "goldfish": goldfish.url}
                progress(f"servers up; timing {len(pages)} pages × {args.rounds} rounds")
                measure(pages, targets, args.rounds)
        finally:
            floor.terminate()
            floor.wait()
        ctx = Context(args=Namespace(requests=1), database_label="SQLite", seed=seeder)
        for p in pages:
            if p.target == "goldfish":
                counted = ctx.count_sql(p.label, p.path, {str(p.size): (p.path, p.headers)})
                p.statements = counted.counts[str(p.size)]
        seeder.db.dispose()
    print(table(pages, load, args.rounds))


if __name__ == "__main__":
    main()
