"""Throughput of a mixed read workload against `goldfish serve --workers 2`.

    python -m bench.throughput [--seconds 20] [--clients 16] [--workers 2]
        [--generator both|wrk|httpx] [--database-url postgresql+psycopg://…/scratch]

Seeds (bench/seed/, through the app's services) a user with a portfolio of
50 projects, 2,000 releases and a journal of 500 entries, starts the real
server with `--workers`, then drives it from this machine with `--clients`
concurrent keep-alive connections, each asking in turn for the portfolio,
a project page, the release log and the journal, for `--seconds`. Prints
req/s and latency percentiles, in all (and per page for httpx), with the
load average. The target (issue 15): ≥ 300 req/s at p99 ≤ 100 ms on SQLite
with 2 workers. With --database-url the run is against that (scratch)
database, migrated to head; what it seeds is deleted afterwards.

The load generator shares the machine's two cores with the server, so what
it costs is taken from the server: `httpx` (asyncio, Python) spends about
as much CPU on a request as the server does, `wrk` (C, `apt install wrk`;
a Lua script rotates the same four pages and their cookies) a small part
of it. `both` (the default when wrk is installed) runs the two, httpx
first, on the same server and data.
"""

import argparse
import asyncio
import os
import re
import shutil
import statistics
import subprocess
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


_WRK_SCRIPT = """
local pages = {%s}
local threads = {}
setup = function(thread) table.insert(threads, thread) end
local i = 0
bad = 0
request = function()
  i = i + 1
  local page = pages[(i %% #pages) + 1]
  return wrk.format("GET", page[1], page[2])
end
-- Only a 200 counts: a redirect to the sign-in page would be fast and wrong.
response = function(status, headers, body)
  if status ~= 200 then bad = bad + 1 end
end
done = function(summary, latency, requests)
  local not_ok = 0
  for _, thread in ipairs(threads) do not_ok = not_ok + thread:get("bad") end
  io.write(string.format(
    "RESULT requests=%%d duration_us=%%d p50_us=%%d p99_us=%%d"
      .. " status_errors=%%d other_errors=%%d\\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    not_ok,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
"""


def _lua_string(text: str) -> str:
    if "]==]" in text:
        raise ValueError(f"cannot quote {text!r} for Lua")
    return f"[==[{text}]==]"


def _wrk(url: str, paths, clients: int, seconds: float, directory: Path) -> dict:
    """wrk's totals: req/s, p50 and p99 (s) and errors, over every page."""
    pages = ", ".join(
        "{"
        + _lua_string(path)
        + ", {"
        # "[ [==[name]==] ] = …": the spaces keep "[[" from opening a string.
        + ", ".join(f"[ {_lua_string(k)} ] = {_lua_string(v)}" for k, v in headers.items())
        + "}}"
        for _label, path, headers in paths
    )
    script = directory / "throughput.lua"
    script.write_text(_WRK_SCRIPT % pages)
    threads = min(clients, os.cpu_count() or 1)
    wrk = shutil.which("wrk") or "wrk"
    run = subprocess.run(  # noqa: S603 (our own arguments)
        [wrk, "-t", str(threads), "-c", str(clients), "-d", f"{seconds:.0f}s",
         "--timeout", "30s", "-s", str(script), url],
        capture_output=True, text=True, check=True, timeout=seconds + 60,
    )  # fmt: skip
    found = re.search(r"^RESULT (.*)$", run.stdout, re.MULTILINE)
    if not found:
        raise RuntimeError(f"wrk printed no result:\n{run.stdout}\n{run.stderr}")
    figures = {k: int(v) for k, v in (pair.split("=") for pair in found.group(1).split())}
    elapsed = figures["duration_us"] / 1e6
    return {
        "rate": figures["requests"] / elapsed,
        "requests": figures["requests"],
        "elapsed": elapsed,
        "p50": figures["p50_us"] / 1e6,
        "p99": figures["p99_us"] / 1e6,
        "errors": figures["status_errors"] + figures["other_errors"],
    }


def _report_wrk(result: dict, args, label: str, load: tuple) -> str:
    return (
        f"Throughput, {label}, goldfish serve --workers {args.workers}, wrk with {args.clients}"
        f" connections on the same machine, {result['elapsed']:.0f} s. Load average before: "
        f"{', '.join(f'{v:.2f}' for v in load)} on {os.cpu_count()} CPUs.\n"
        f"  all      {result['rate']:7.1f} req/s   p50 {result['p50'] * 1000:6.1f} ms"
        f"   p99 {result['p99'] * 1000:6.1f} ms   ({result['requests']} requests,"
        f" {result['errors']} errors)"
    )


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
    parser.add_argument(
        "--generator",
        choices=("both", "wrk", "httpx"),
        default="both" if shutil.which("wrk") else "httpx",
        help="the load generator (default: both if wrk is installed, else httpx)",
    )
    parser.add_argument("--database-url", help="a scratch database (default: SQLite temp file)")
    args = parser.parse_args(argv)
    if args.generator != "httpx" and not shutil.which("wrk"):
        parser.error("wrk is not installed (apt install wrk), or use --generator httpx")
    reports = []
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
                label = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
                if args.generator in ("both", "httpx"):
                    load = os.getloadavg()
                    out, elapsed = asyncio.run(_drive(s.url, paths, args.clients, args.seconds))
                    reports.append(_report(out, elapsed, args, label, load))
                if args.generator in ("both", "wrk"):
                    load = os.getloadavg()
                    result = _wrk(s.url, paths, args.clients, args.seconds, Path(tmp))
                    reports.append(_report_wrk(result, args, label, load))
        finally:
            if args.database_url:
                seeder.delete_seeded()
            seeder.db.dispose()
    print("\n".join(reports))


if __name__ == "__main__":
    main()
