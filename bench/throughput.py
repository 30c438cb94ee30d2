"""Throughput of a mixed read workload against `goldfish serve --workers 2`.

    python -m bench.throughput [--seconds 20] [--clients 16] [--workers 2]
        [--database-url postgresql+psycopg://…/scratch]

Seeds (bench/seed/, through the app's services) a user with a portfolio of
50 projects, 2,000 releases and a journal of 500 entries, starts the real
server with `--workers`, then drives it from this machine with `--clients`
concurrent keep-alive connections (asyncio + httpx), each asking in turn
for the portfolio, a project page, the release log and the journal, for
`--seconds`. Prints req/s and latency percentiles, per page and in all,
with the load average. The target (issue 15): ≥ 300 req/s at p99 ≤ 100 ms
on SQLite with 2 workers. With --database-url the run is against that
(scratch) database, migrated to head; what it seeds is deleted afterwards.
"""

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from pathlib import Path

import httpx2 as httpx
from alembic import command

from app.cli import alembic_config
from app.db import Database, make_engine
from bench import progress, server
from bench.seed import SECRET_KEY, Seeder
from bench.seed.journal import seed_journal
from bench.seed.projects import seed_user
from bench.seed.releases import seed_releases


def _pct(ordered: list[float], q: float) -> float:
    return ordered[max(0, min(len(ordered) - 1, round(q * len(ordered)) - 1))]


async def _client(url: str, paths: list[tuple[str, str, dict]], until: float, out: dict) -> None:
    async with httpx.AsyncClient(base_url=url, trust_env=False, timeout=30) as client:
        i = 0
        while time.monotonic() < until:
            label, path, headers = paths[i % len(paths)]
            i += 1
            started = time.perf_counter()
            response = await client.get(path, headers=headers)
            await response.aread()
            elapsed = time.perf_counter() - started
            if response.status_code != 200:
                out.setdefault("errors", []).append(f"{path}: {response.status_code}")
                continue
            out.setdefault(label, []).append(elapsed)


async def _drive(url: str, paths, clients: int, seconds: float) -> tuple[dict, float]:
    out: dict[str, list] = {}
    started = time.monotonic()
    until = started + seconds
    await asyncio.gather(
        *(
            _client(url, paths[k % len(paths) :] + paths[: k % len(paths)], until, out)
            for k in range(clients)
        )
    )
    return out, time.monotonic() - started


def _seed(seeder: Seeder) -> list[tuple[str, str, dict]]:
    who = seed_user(seeder, "throughput", 50)
    seed_releases(seeder, who, 2000, links=50)
    journal = seed_journal(seeder, "throughput-journal", 500)
    page = {"Cookie": who.cookie}
    return [
        ("portfolio (50)", "/", page),
        ("project page", f"/projects/{who.deepest_project}", page),
        ("release log", "/releases", page),
        ("journal", "/journal", {"Cookie": journal.who.cookie}),
    ]


def _report(out: dict, elapsed: float, args, label: str, load: tuple) -> str:
    everything = sorted(t for k, v in out.items() if k != "errors" for t in v)
    n = len(everything)
    lines = [
        f"Throughput, {label}, goldfish serve --workers {args.workers}, {args.clients} clients "
        f"on the same machine, {elapsed:.0f} s. Load average before: "
        f"{', '.join(f'{v:.2f}' for v in load)} on {os.cpu_count()} CPUs.",
        f"  all      {n / elapsed:7.1f} req/s   p50 {statistics.median(everything) * 1000:6.1f} ms"
        f"   p99 {_pct(everything, 0.99) * 1000:6.1f} ms   ({n} requests,"
        f" {len(out.get('errors', []))} errors)",
    ]
    for key, samples in out.items():
        if key == "errors":
            continue
        ordered = sorted(samples)
        lines.append(
            f"  {key:<15} {len(ordered) / elapsed:6.1f} req/s   p50 "
            f"{statistics.median(ordered) * 1000:6.1f} ms"
            f"   p99 {_pct(ordered, 0.99) * 1000:6.1f} ms"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.throughput", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--database-url", help="a scratch database (default: SQLite temp file)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="goldfish-bench-throughput-") as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'goldfish.db'}"
        command.upgrade(alembic_config(url), "head")
        seeder = Seeder(Database(make_engine(url)), url)
        try:
            paths = _seed(seeder)
            settings = {"GOLDFISH_SECRET_KEY": SECRET_KEY}
            with server.running(url, Path(tmp), workers=args.workers, settings=settings) as s:
                progress(f"serving at {s.url}; warming up")
                asyncio.run(_drive(s.url, paths, 4, 2))
                load = os.getloadavg()
                out, elapsed = asyncio.run(_drive(s.url, paths, args.clients, args.seconds))
        finally:
            if args.database_url:
                seeder.delete_seeded()
            seeder.db.dispose()
    label = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    print(_report(out, elapsed, args, label, load))


if __name__ == "__main__":
    main()
