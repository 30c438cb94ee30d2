"""What every soak scenario shares: the run (its options, its checks, the
servers it started), server-log reading, and driving agents against a server."""

import argparse
import os
import random
import re
import shutil
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from bench.server import Server, running, start
from bench.soak_client import (
    CpuMeter,
    Outcome,
    Recorder,
    Stats,
    deadline_after,
    ms,
    run,
    run_clients,
    statuses_text,
    table,
)
from bench.soak_db import (
    POSTGRES_2,
    Config,
    Ledger,
    fresh_database,
    issue_tokens,
    seed_users,
)
from bench.soak_workloads import MarkedWriter, MixedAgent

# The mixed load at 20 clients on SQLite with 2 workers, and reads while the
# write lock is held elsewhere: 99 % answered within this many seconds.
P99_TARGET = 0.250

# ---------------------------------------------------------------- the run


@dataclass
class Check:
    scenario: str
    what: str
    figure: str
    target: str
    passed: bool | None  # None: informational, or skipped


@dataclass
class Soak:
    args: argparse.Namespace
    rng: random.Random
    admin_url: str | None
    checks: list[Check] = field(default_factory=list)
    startups: list[tuple[str, str, float]] = field(default_factory=list)  # config, how, s

    @property
    def quick(self) -> bool:
        return self.args.quick

    def out(self, line: str = "") -> None:
        print(line, flush=True)

    def lines(self, lines: list[str], indent: str = "  ") -> None:
        for line in lines:
            self.out(indent + line)

    def progress(self, message: str) -> None:
        print(f"[soak {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)

    def check(self, scenario: str, what: str, figure: str, target: str, passed: bool | None):
        self.checks.append(Check(scenario, what, figure, target, passed))

    def configs(self, *wanted: Config) -> list[Config]:
        """The wanted configurations this run can serve (PostgreSQL needs a URL)."""
        if POSTGRES_2 in wanted and not self.admin_url:
            self.out(
                f"  {POSTGRES_2.name}: skipped (set GOLDFISH_BENCH_POSTGRES_URL or "
                "GOLDFISH_TEST_POSTGRES_URL to include it)"
            )
        return [c for c in wanted if c.kind == "sqlite" or self.admin_url]

    @contextmanager
    def database(self, config: Config, label: str) -> Iterator[tuple[str, Path]]:
        workdir = Path(tempfile.mkdtemp(prefix=f"goldfish-soak-{label}-"))
        try:
            self.progress(f"{label}: migrating a fresh database ({config.name})")
            with fresh_database(config, workdir, self.admin_url) as url:
                yield url, workdir
        finally:
            if self.args.keep:
                self.progress(f"{label}: kept {workdir} (server.log, and the SQLite file)")
            else:
                shutil.rmtree(workdir, ignore_errors=True)

    def start(self, config: Config, url: str, workdir: Path, how: str = "fresh") -> Server:
        server = start(url, workdir, workers=config.workers, log_name="server.log")
        self.startups.append((config.name, how, server.started_in))
        return server

    @contextmanager
    def serving(self, config: Config, url: str, workdir: Path) -> Iterator[Server]:
        with running(url, workdir, workers=config.workers, log_name="server.log") as server:
            self.startups.append((config.name, "fresh", server.started_in))
            yield server

    def seed_rng(self) -> random.Random:
        """A generator of its own for one agent or one seeding, drawn from the run's
        seed: the same --seed gives the same choices."""
        return random.Random(self.rng.random())  # noqa: S311 (load, not secrets)


def load_average() -> str:
    return ", ".join(f"{v:.2f}" for v in os.getloadavg())


# ---------------------------------------------------------------- server logs

_ERROR_MARKERS = ("unhandled error on ", "Exception in ASGI application")
_EXCEPTION_LINE = re.compile(r"^[A-Za-z_][\w.]*(Error|Exception|Exit|Timeout|Interrupt)\b.*")


def log_errors(log: str) -> Counter:
    """(where, exception) → count, for every unhandled error the server logged;
    the exception is the first one of its traceback (the root cause)."""
    lines = log.splitlines()
    found: Counter = Counter()
    for i, line in enumerate(lines):
        marker = next((m for m in _ERROR_MARKERS if m in line), None)
        if marker is None:
            continue
        where = line.split(marker, 1)[1].strip() if marker.startswith("unhandled") else "ASGI"
        where = re.sub(r"/\d+", "/{id}", where)
        cause = next(
            (later[:150] for later in lines[i + 1 : i + 300] if _EXCEPTION_LINE.match(later)),
            "(no traceback found)",
        )
        found[(where, cause)] += 1
    return found


def log_report(log: str, label: str) -> list[str]:
    """Lines to print about the unhandled errors in a server's log (none if none)."""
    errors = log_errors(log)
    by_app = Counter({k: n for k, n in errors.items() if k[0] != "ASGI"})
    by_uvicorn = sum(n for k, n in errors.items() if k[0] == "ASGI")
    if not errors:
        return []
    lines = [
        f"server log ({label}): {by_app.total()} errors logged by the app ('unhandled error on'), "
        f"{by_uvicorn} tracebacks by uvicorn ('Exception in ASGI application'; a 500 from the "
        "app's handler usually logs both). Most frequent:"
    ]
    listed = by_app or errors
    lines += [f"  {n:5d} × {where}: {cause}" for (where, cause), n in listed.most_common(5)]
    return lines


# ---------------------------------------------------------------- load helpers


def mixed_agents(
    soak: Soak, owners, tokens: list[str], label: str, mix: dict[str, int] | None = None
) -> list[MixedAgent]:
    kwargs = {"mix": mix} if mix else {}
    return [
        MixedAgent(token, soak.seed_rng(), f"{label}{i}", owner, **kwargs)
        for i, (owner, token) in enumerate(zip(owners, tokens, strict=True))
    ]


def marked_writers(
    soak: Soak, url: str, writers: int, label: str
) -> tuple[list[MarkedWriter], Ledger, Ledger]:
    """`writers` agents writing marked journal entries and projects, two per
    seeded user, with the ledgers of what was acknowledged."""
    users = seed_users(url, soak.seed_rng(), users=writers // 2, projects=2)
    owners = [users[i // 2] for i in range(writers)]
    tokens = issue_tokens(url, owners, name=label)
    entries, projects = Ledger(), Ledger()
    agents = [
        MarkedWriter(t, soak.seed_rng(), f"{label}{i}", entries, projects)
        for i, t in enumerate(tokens)
    ]
    return agents, entries, projects


def drive(server: Server, agents: list, seconds: float) -> tuple[Recorder, float, float, float]:
    """Run the agents for `seconds`; (recorder, wall seconds, server CPU %, client CPU %)."""
    recorder = Recorder()
    for agent in agents:
        agent.connect(server.url, recorder)
    meter = CpuMeter(server.process.pid).start()
    began = time.monotonic()
    run(run_clients(agents, until=deadline_after(seconds)))
    wall = time.monotonic() - began
    server_cpu, client_cpu = meter.percent()
    return recorder, wall, server_cpu, client_cpu


LOAD_HEADERS = [
    "config",
    "clients",
    "requests",
    "req/s",
    "p50 ms",
    "p95 ms",
    "p99 ms",
    "max ms",
    "unexpected",
    "server CPU",
    "client CPU",
    "statuses",
]


def load_row(config: Config, clients: int, stats: Stats, wall: float, cpu: tuple) -> list[str]:
    return [
        config.name,
        str(clients),
        str(stats.count),
        f"{stats.count / wall:.0f}",
        ms(stats.p50),
        ms(stats.p95),
        ms(stats.p99),
        ms(stats.max),
        str(stats.unexpected),
        f"{cpu[0]:.0f} %",
        f"{cpu[1]:.0f} %",
        statuses_text(stats.statuses),
    ]


def op_table(outcomes: list[Outcome]) -> list[str]:
    by_op: dict[str, list[Outcome]] = {}
    for o in outcomes:
        by_op.setdefault(o.op, []).append(o)
    body = []
    for op in sorted(by_op):
        s = Stats.of(by_op[op])
        body.append([op, str(s.count), ms(s.p50), ms(s.p99), ms(s.max), statuses_text(s.statuses)])
    return table(["operation", "requests", "p50 ms", "p99 ms", "max ms", "statuses"], body)
