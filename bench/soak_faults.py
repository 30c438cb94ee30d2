"""Soak scenarios about faults: kill -9 mid-write, another process holding
SQLite's write lock, SIGTERM under load."""

import asyncio
import subprocess
import sys
import time
from collections import Counter
from contextlib import suppress
from signal import SIGTERM

from app.config import Settings
from app.db import LOCK_WAIT_MS
from bench.server import Server
from bench.soak_client import (
    Recorder,
    Stats,
    ms,
    run,
    run_clients,
    statuses_text,
    table,
)
from bench.soak_db import (
    BROKEN_REPLANS,
    ENTRY_MARKERS,
    ORPHAN_REPLAN_PIECES,
    POSTGRES_2,
    PROJECT_MARKERS,
    PROJECTS_OUT_OF_STEP,
    REPLAN_MARKERS,
    SQLITE_1,
    SQLITE_2,
    Ledger,
    check_ledger,
    integrity_check,
    issue_tokens,
    rows,
    scalar,
    seed_users,
    sqlite_path,
)
from bench.soak_run import P99_TARGET, Soak, log_report, marked_writers, mixed_agents
from bench.soak_workloads import READS, WRITES, MarkedWriter, Replanner

SHUTDOWN_SECONDS = Settings.model_fields["shutdown_seconds"].default


# ---------------------------------------------------------------- 3. kill -9


def scenario_kill(soak: Soak) -> None:
    kills = soak.args.kills
    window = (0.5, 2.0) if soak.quick else (1.0, 5.0)
    config = SQLITE_2
    people = 10
    soak.out(
        f"kill -9 of every server process, {kills} times, at a random moment "
        f"{window[0]:g}–{window[1]:g} s into {people} re-planners and {people} journal "
        f"writers ({config.name}); restarted on the same database each time."
    )
    replans, entries, projects = Ledger(), Ledger(), Ledger()
    with soak.database(config, "kill") as (url, workdir):
        users = seed_users(url, soak.seed_rng(), users=people, projects=2)
        planner_tokens = issue_tokens(url, users, name="replanner")
        writer_tokens = issue_tokens(url, users, name="journal")
        agents = [
            Replanner(t, soak.seed_rng(), f"{i}", u, replans)
            for i, (t, u) in enumerate(zip(planner_tokens, users, strict=True))
        ] + [
            MarkedWriter(t, soak.seed_rng(), f"k{i}", entries, projects, 0.0)
            for i, t in enumerate(writer_tokens)
        ]
        body = []
        restart_failed = None
        with_replan_in_flight = 0
        for round_ in range(1, kills + 1):
            try:
                server = soak.start(
                    config, url, workdir, "fresh" if round_ == 1 else "after kill -9"
                )
            except RuntimeError as exc:
                restart_failed = f"round {round_}: {str(exc).splitlines()[0]}"
                break
            delay = soak.rng.uniform(*window)
            recorder = Recorder()
            for agent in agents:
                agent.connect(server.url, recorder)
            try:
                in_flight = run(_kill_after(server, agents, recorder, delay))
            finally:
                if server.alive():
                    server.kill()
            stats = Stats.of(recorder.outcomes)
            with_replan_in_flight += in_flight.get("POST replan", 0) > 0
            body.append(
                [
                    str(round_),
                    f"{server.started_in:.2f}",
                    f"{delay:.2f}",
                    str(stats.count),
                    str(sum(1 for o in recorder.outcomes if o.op == "POST replan" and o.ok)),
                    str(in_flight.get("POST replan", 0)),
                    str(in_flight.get("POST journal entry", 0)),
                    statuses_text(stats.statuses),
                ]
            )
            soak.progress(f"kill: round {round_}/{kills} killed after {delay:.2f} s")
        if restart_failed is None:
            try:
                server = soak.start(config, url, workdir, "after kill -9")
                with suppress(subprocess.TimeoutExpired):
                    server.stop()
            except RuntimeError as exc:
                restart_failed = f"last restart: {str(exc).splitlines()[0]}"
        headers = [
            "round",
            "start s",
            "killed at s",
            "requests",
            "re-plans acked",
            "in flight: re-plans",
            "entries",
            "statuses",
        ]
        soak.lines(table(headers, body))
        integrity = integrity_check(url)
        stored = scalar(url, "SELECT count(*) FROM replan")
        broken = scalar(url, BROKEN_REPLANS)
        orphan_plans, orphan_entries = rows(url, ORPHAN_REPLAN_PIECES)[0]
        out_of_step = scalar(url, PROJECTS_OUT_OF_STEP)
        r = check_ledger(url, replans, REPLAN_MARKERS)
        e = check_ledger(url, entries, ENTRY_MARKERS)
        log = (workdir / "server.log").read_text(errors="replace")
    soak.out(
        f"  After {len(body)} kills: PRAGMA integrity_check = {integrity}; {stored} re-plans "
        f"stored ({r.acked} acknowledged), {broken} of them not whole; orphan re-plan plan "
        f"versions {orphan_plans}, journal entries {orphan_entries}; projects whose versions, "
        f"plans and assessments disagree with their re-plans: {out_of_step}."
    )
    soak.out(
        f"  Acknowledged but missing: re-plans {r.missing}, journal entries {e.missing} (of "
        f"{e.acked}); stored twice: {r.duplicated}/{e.duplicated}; not acknowledged yet "
        f"stored (in flight at a kill): re-plans {r.unacked_stored}, entries {e.unacked_stored}"
        f"; of those answered 5xx: {r.failed_stored + e.failed_stored}."
    )
    soak.lines(log_report(log, config.name))
    soak.check(
        "kill",
        "restarts after kill -9",
        restart_failed or f"{len(body)} of {kills} killed, every restart healthy",
        "all healthy",
        restart_failed is None,
    )
    soak.check(
        "kill",
        "kills with a re-plan in flight",
        f"{with_replan_in_flight} of {len(body)}",
        "most",
        None,
    )
    soak.check("kill", "PRAGMA integrity_check", integrity, "ok", integrity == "ok")
    soak.check(
        "kill",
        "re-plans whole (plan, assessment, link, entry)",
        f"{broken} broken, {orphan_plans + orphan_entries} orphan pieces, "
        f"{out_of_step} projects out of step",
        "0, 0, 0",
        broken == 0 and orphan_plans + orphan_entries == 0 and out_of_step == 0,
    )
    soak.check(
        "kill",
        "acknowledged writes present",
        f"{r.missing + e.missing} missing of {r.acked + e.acked}",
        "0",
        r.missing + e.missing == 0 and r.duplicated + e.duplicated == 0,
    )
    soak.check(
        "kill",
        "writes answered 5xx yet stored",
        str(r.failed_stored + e.failed_stored),
        "0",
        r.failed_stored + e.failed_stored == 0,
    )


async def _kill_after(server: Server, agents: list, recorder: Recorder, delay: float) -> Counter:
    """Let the agents run `delay` seconds, then kill -9 the server; returns what
    was in flight at that moment, by operation."""
    killed = False
    clients = asyncio.ensure_future(run_clients(agents, until=lambda: killed))
    await asyncio.sleep(delay)
    in_flight = Counter(op for op, _ in recorder.in_flight.values())
    server.kill()
    killed = True
    await clients
    return in_flight


# ---------------------------------------------------------------- 4. lock

LOCKER = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], timeout=30, isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
conn.execute("ROLLBACK")
print("released", flush=True)
"""
LOCK_SECONDS = 10.0


def scenario_lock(soak: Soak) -> None:
    config = SQLITE_2
    before, after = (2.0, 6.0) if soak.quick else (4.0, 10.0)
    people = 10
    hang = LOCK_WAIT_MS / 1000 + 2.5
    soak.out(
        f"Another process holds SQLite's write lock (BEGIN IMMEDIATE) for {LOCK_SECONDS:g} s "
        f"while {people} clients read and {people} write ({config.name}); "
        f"{before:g} s before, {after:g} s after. The app waits {LOCK_WAIT_MS} ms for the "
        "lock; a request is classed by when it started."
    )
    with soak.database(config, "lock") as (url, workdir):
        users = seed_users(url, soak.seed_rng(), users=people, projects=10)
        readers = mixed_agents(soak, users, issue_tokens(url, users, name="reader"), "r", READS)
        writers = mixed_agents(soak, users, issue_tokens(url, users, name="writer"), "w", WRITES)
        with soak.serving(config, url, workdir) as server:
            recorder = Recorder()
            for agent in readers + writers:
                agent.connect(server.url, recorder)
            soak.progress("lock: clients running; the lock comes next")
            lock_at, release_at = run(
                _hold_lock(readers + writers, sqlite_path(url), before, after)
            )
            log = log_report(server.log(), config.name)

    phases = {
        "before": lambda o: o.started < lock_at,
        "during": lambda o: lock_at <= o.started < release_at,
        "after": lambda o: o.started >= release_at,
    }
    read_ops, write_ops = set(READS), set(WRITES)
    body = []
    figures = {}
    for phase, in_phase in phases.items():
        for kind, ops in (("reads", read_ops), ("writes", write_ops)):
            # A writer's re-read after a 409 is a GET: it counts as a read.
            chosen = [o for o in recorder.outcomes if in_phase(o) and (o.op in ops)]
            s = Stats.of(chosen)
            busy = [o for o in chosen if o.status == 503]
            figures[phase, kind] = (s, busy)
            body.append(
                [
                    phase,
                    kind,
                    str(s.count),
                    ms(s.p50),
                    ms(s.p99),
                    ms(s.max),
                    f"{sum(o.retry_after for o in busy)}/{len(busy)}",
                    statuses_text(s.statuses),
                ]
            )
    headers = ["phase", "kind", "requests", "p50 ms", "p99 ms", "max ms", "503 w/ Retry-After"]
    soak.lines(table([*headers, "statuses"], body, left=2))
    soak.out(f"  The lock was held {release_at - lock_at:.1f} s.")
    soak.lines(log)

    reads, _ = figures["during", "reads"]
    writes, busy = figures["during", "writes"]
    after_writes, _ = figures["after", "writes"]
    soak.check(
        "lock",
        "reads during the lock answer 200",
        f"{reads.ok} of {reads.count}: {statuses_text(reads.statuses)}",
        "all",
        reads.count > 0 and reads.ok == reads.count,
    )
    soak.check(
        "lock",
        "read p99 during the lock",
        f"{ms(reads.p99)} ms",
        f"≤ {P99_TARGET * 1000:.0f} ms",
        reads.p99 <= P99_TARGET,
    )
    clear = all(o.retry_after for o in busy)
    soak.check(
        "lock",
        "writes during the lock: 503 with Retry-After",
        statuses_text(writes.statuses) + ("" if clear else "; a 503 without Retry-After"),
        "only 2xx/503, every 503 with Retry-After",
        writes.count > 0 and writes.ok + len(busy) == writes.count and clear,
    )
    soak.check(
        "lock",
        "no write hangs during the lock",
        f"max {writes.max:.2f} s",
        f"≤ {hang:.1f} s (lock wait + 2.5 s)",
        writes.max <= hang,
    )
    soak.check(
        "lock",
        "writes after the lock succeed, no restart",
        statuses_text(after_writes.statuses),
        "only 2xx/409, some 2xx",
        after_writes.ok > 0 and after_writes.ok + after_writes.count_of(409) == after_writes.count,
    )


async def _hold_lock(agents: list, path: str, before: float, after: float) -> tuple[float, float]:
    stop = False
    clients = asyncio.ensure_future(run_clients(agents, until=lambda: stop))
    try:
        await asyncio.sleep(before)
        locker = await asyncio.create_subprocess_exec(
            sys.executable, "-c", LOCKER, path, str(LOCK_SECONDS), stdout=asyncio.subprocess.PIPE
        )
        for expected in (b"locked\n", b"released\n"):
            line = await locker.stdout.readline()
            if line != expected:
                raise RuntimeError(f"the lock holder said {line!r}, not {expected!r}")
            if expected == b"locked\n":
                lock_at = time.monotonic()
        release_at = time.monotonic()
        await locker.wait()
        await asyncio.sleep(after)
    finally:
        stop = True
        await clients
    return lock_at, release_at


# ---------------------------------------------------------------- 7. SIGTERM


def scenario_sigterm(soak: Soak) -> None:
    writers = 50
    load = 2.0 if soak.quick else 5.0
    soak.out(
        f"SIGTERM to the server's process group after {load:g} s of {writers} writers; "
        f"the server may take {SHUTDOWN_SECONDS} s (GOLDFISH_SHUTDOWN_SECONDS) to finish."
    )
    body = []
    logs: list[str] = []
    for config in soak.configs(SQLITE_1, SQLITE_2, POSTGRES_2):
        with soak.database(config, "sigterm") as (url, workdir):
            agents, entries, projects = marked_writers(soak, url, writers, "t")
            server = soak.start(config, url, workdir)
            try:
                recorder = Recorder()
                for agent in agents:
                    agent.connect(server.url, recorder)
                soak.progress(f"sigterm: {config.name}, SIGTERM after {load:g} s")
                signalled, at_signal, exit_s = run(_terminate_after(server, agents, recorder, load))
            finally:
                if server.alive():
                    server.kill()
            code = server.process.returncode
            logs += log_report(server.log(), config.name)
            e = check_ledger(url, entries, ENTRY_MARKERS)
            p = check_ledger(url, projects, PROJECT_MARKERS)
        caught = [o for o in recorder.outcomes if o.seq in at_signal]
        later = [o for o in recorder.outcomes if o.started >= signalled]
        s_caught, s_later = Stats.of(caught), Stats.of(later)
        cut = sum(1 for o in caught if not isinstance(o.status, int))
        body.append(
            [
                config.name,
                f"{server.started_in:.2f}",
                str(len(caught)),
                str(s_caught.ok),
                statuses_text(
                    Counter(
                        {
                            k: v
                            for k, v in s_caught.statuses.items()
                            if not (isinstance(k, int) and 200 <= k < 300)
                        }
                    )
                ),
                ms(s_caught.max),
                "-" if exit_s is None else f"{exit_s:.2f}",
                str(code),
                str(e.missing + p.missing),
                statuses_text(s_later.statuses),
            ]
        )
        soak.check(
            "sigterm",
            f"requests in flight at SIGTERM answered, not cut off, {config.name}",
            f"{cut} of {len(caught)} cut off; {s_caught.ok} 2xx, "
            f"{len(caught) - s_caught.ok - cut} other statuses",
            "0 cut off",
            cut == 0,
        )
        soak.check(
            "sigterm",
            f"time to exit after SIGTERM, {config.name}",
            "did not exit (killed)" if exit_s is None else f"{exit_s:.2f} s, exit code {code}",
            f"≤ {SHUTDOWN_SECONDS + 1} s",
            exit_s is not None and exit_s <= SHUTDOWN_SECONDS + 1,
        )
        soak.check(
            "sigterm",
            f"acknowledged writes present after SIGTERM, {config.name}",
            f"{e.missing + p.missing} missing of {e.acked + p.acked}; answered 5xx yet "
            f"stored: {e.failed_stored + p.failed_stored}",
            "0; 0",
            e.missing + p.missing == 0 and e.failed_stored + p.failed_stored == 0,
        )
    headers = [
        "config",
        "start s",
        "in flight",
        "→ 2xx",
        "→ otherwise",
        "their max ms",
        "exit s",
        "exit code",
        "acked missing",
        "requests sent after the signal",
    ]
    soak.lines(table(headers, body))
    soak.out(
        "  (After a graceful shutdown uvicorn re-raises the signal, so -15 is a normal exit "
        "code for one process; other statuses of requests in flight come from the load, "
        "not the signal.)"
    )
    soak.lines(logs)


async def _terminate_after(
    server: Server, agents: list, recorder: Recorder, load: float
) -> tuple[float, set[int], float | None]:
    """(when SIGTERM was sent, the seqs in flight then, seconds until the server exited)."""
    clients = asyncio.ensure_future(run_clients(agents, until=lambda: not server.alive()))
    await asyncio.sleep(load)
    at_signal = set(recorder.in_flight)
    signalled = time.monotonic()
    server.signal(SIGTERM)
    limit = signalled + SHUTDOWN_SECONDS + 15
    exit_s = None
    while time.monotonic() < limit:
        if server.process.poll() is not None:
            exit_s = time.monotonic() - signalled
            break
        await asyncio.sleep(0.01)
    if exit_s is None:
        server.kill()
    await clients
    return signalled, at_signal, exit_s
