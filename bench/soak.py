"""Soak: Goldfish's real server under sustained load, crashes, a held lock and
shutdowns. It prints figures and a PASS/FAIL summary; it is not a test.

    .venv/bin/python -m bench.soak [--quick] [--only NAME[,NAME]] [--duration 60]
        [--rss-requests 80000] [--kills 10] [--seed N] [--keep]
    make soak ARGS="--quick --only lock"

The default run takes the best part of an hour on a busy two-core machine
(80k requests at ~50 req/s is most of it); --quick takes about ten minutes.
--keep leaves each scenario's temp dir (server.log, the SQLite file) behind.

Scenarios (NAME): mixed, writers, kill, lock, rss, postgres, sigterm.
PostgreSQL runs where GOLDFISH_BENCH_POSTGRES_URL (or GOLDFISH_TEST_POSTGRES_URL)
names a server where the soak may create and drop databases
(postgresql+psycopg://user:pw@127.0.0.1:5432/postgres); otherwise those parts
are skipped, saying so.

How: each scenario migrates a fresh database (an SQLite file in a temp dir, or
a new PostgreSQL database, dropped afterwards), seeds users, projects and API
tokens through the app's services, starts `goldfish serve` with
bench/server.py and drives it over HTTP from this one process:
asyncio clients (httpx2, on uvloop), each with its own API token and its own
keep-alive connection. A client never dies of an error: a reset, a refused
connection or a timeout (30 s) is counted like a status. Latencies are client
wall time, body read included, of every request whatever its outcome.
Unhandled errors in the server's log are summarised with their root cause.

The load generator shares the machine with the server, so each load row says
how much CPU each used (100 % = one core), and the load average is printed at
the start and the end. Figures go to stdout, progress to stderr. The exit
status is 1 when any check FAILs.
"""

import argparse
import os
import random
import statistics
import sys
import time
import traceback
from collections.abc import Callable

from bench.soak_client import table
from bench.soak_faults import scenario_kill, scenario_lock, scenario_sigterm
from bench.soak_load import scenario_mixed, scenario_postgres, scenario_rss, scenario_writers
from bench.soak_run import Soak, load_average

# ---------------------------------------------------------------- summary


def report_startups(soak: Soak) -> None:
    grouped: dict[tuple[str, str], list[float]] = {}
    for config, how, seconds in soak.startups:
        grouped.setdefault((config, how), []).append(seconds)
    body = [
        [
            config,
            how,
            str(len(t)),
            f"{min(t):.2f}",
            f"{statistics.median(t):.2f}",
            f"{max(t):.2f}",
        ]
        for (config, how), t in sorted(grouped.items())
    ]
    soak.out("Start-up: spawn to the first 200 of /healthz (server.started_in), seconds")
    soak.lines(table(["config", "start", "starts", "min", "median", "max"], body, left=2))


def report_summary(soak: Soak) -> bool:
    body = []
    for c in soak.checks:
        verdict = {True: "PASS", False: "FAIL", None: "info"}[c.passed]
        body.append([verdict, c.scenario, c.what, c.figure, c.target])
    soak.out("Summary")
    soak.lines(table(["", "scenario", "check", "figure", "target"], body, left=4))
    failed = sum(c.passed is False for c in soak.checks)
    passed = sum(c.passed is True for c in soak.checks)
    soak.out(f"  {passed} PASS, {failed} FAIL")
    soak.out(
        "  Statuses: reset = the connection closed under the request (uvicorn closes a "
        "keep-alive connection after an unhandled error, so resets tend to follow 500s); "
        "refused = nothing listening; timeout = no answer in 30 s; error:X = another "
        "client-side failure."
    )
    return failed == 0


SCENARIOS: dict[str, tuple[str, Callable[[Soak], None]]] = {
    "mixed": ("1. Mixed API load", scenario_mixed),
    "writers": ("2. Concurrent writers, every acknowledged write checked", scenario_writers),
    "kill": ("3. kill -9 during re-plans and journal writes", scenario_kill),
    "lock": ("4. Another process holds SQLite's write lock", scenario_lock),
    "rss": ("5. Server memory over many requests", scenario_rss),
    "postgres": ("6. PostgreSQL, 100 requests in flight", scenario_postgres),
    "sigterm": ("7. SIGTERM during load", scenario_sigterm),
}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.soak", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--quick", action="store_true", help="short runs, for development")
    parser.add_argument("--only", default="", help="comma-separated: " + ", ".join(SCENARIOS))
    parser.add_argument("--duration", type=float, help="seconds per load run (60; quick 5)")
    parser.add_argument("--rss-requests", type=int, help="requests of the RSS run (80000; 8000)")
    parser.add_argument("--kills", type=int, help="kill -9 rounds (10; quick 3)")
    parser.add_argument("--seed", type=int, help="random seed (default: from the clock)")
    parser.add_argument(
        "--keep", action="store_true", help="keep the temp dirs (server logs, SQLite files)"
    )
    args = parser.parse_args(argv)
    args.duration = args.duration or (5.0 if args.quick else 60.0)
    args.rss_requests = args.rss_requests or (8_000 if args.quick else 80_000)
    args.kills = args.kills or (3 if args.quick else 10)
    args.seed = args.seed if args.seed is not None else int(time.time())
    chosen = [name.strip() for name in args.only.split(",") if name.strip()]
    unknown = [name for name in chosen if name not in SCENARIOS]
    if unknown:
        parser.error(f"unknown scenario {', '.join(unknown)}; choose from {', '.join(SCENARIOS)}")
    args.scenarios = chosen or list(SCENARIOS)
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    admin_url = os.environ.get("GOLDFISH_BENCH_POSTGRES_URL") or os.environ.get(
        "GOLDFISH_TEST_POSTGRES_URL"
    )
    soak = Soak(args, random.Random(args.seed), admin_url)  # noqa: S311 (load, not secrets)
    began = time.monotonic()
    soak.out(
        f"Goldfish soak{' (--quick)' if args.quick else ''}: {', '.join(args.scenarios)}; "
        f"seed {args.seed}, load runs {args.duration:g} s, {os.cpu_count()} CPUs."
    )
    soak.out(f"Load average at start: {load_average()}")
    for name in args.scenarios:
        title, scenario = SCENARIOS[name]
        soak.out()
        soak.out(f"== {title} (load average {load_average()})")
        try:
            scenario(soak)
        except Exception as exc:  # a broken scenario is a finding; the others still run
            soak.out(f"  The scenario itself failed: {type(exc).__name__}: {exc}"[:2000])
            traceback.print_exc(file=sys.stderr)
            soak.check(name, "scenario ran to the end", type(exc).__name__, "no error", False)
    soak.out()
    report_startups(soak)
    soak.out()
    all_passed = report_summary(soak)
    soak.out()
    soak.out(
        f"Load average at end: {load_average()}; the soak took {time.monotonic() - began:.0f} s."
    )
    return 0 if all_passed else 1


if __name__ == "__main__":
    sys.exit(main())
