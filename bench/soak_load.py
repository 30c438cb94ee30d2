"""Soak scenarios about load: the mixed API load, concurrent writers, memory
over many requests, PostgreSQL at 100 requests in flight."""

import asyncio
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

from bench.server import Server
from bench.soak_client import (
    EXPECTED,
    Recorder,
    Stats,
    group_pids,
    ms,
    rss_kib,
    run,
    run_clients,
    sleep_until,
    statuses_text,
    table,
)
from bench.soak_db import (
    ENTRY_MARKERS,
    HALF_WRITTEN_PROJECTS,
    POSTGRES_2,
    PROJECT_MARKERS,
    SQLITE_1,
    SQLITE_2,
    check_ledger,
    issue_tokens,
    scalar,
    seed_users,
    sqlite_path,
)
from bench.soak_run import (
    LOAD_HEADERS,
    P99_TARGET,
    Soak,
    drive,
    load_row,
    log_report,
    marked_writers,
    mixed_agents,
    op_table,
)

SLOW_TARGET = 10.0  # seconds: no request slower than this on PostgreSQL at 100 in flight
RSS_GROWTH_TARGET_MIB = 2.0  # per 10k requests after warm-up: the soak's own bar for a leak


# ---------------------------------------------------------------- 1. mixed


def scenario_mixed(soak: Soak) -> None:
    levels = (5, 20, 50)
    seconds = soak.args.duration
    soak.out(
        f"Mixed API load: 70 % reads / 30 % writes, {seconds:g} s per row, a fresh API token "
        "per client (two clients per user, so re-scorings race: 409 is expected)."
    )
    rows_out = []
    details = []
    for config in soak.configs(SQLITE_1, SQLITE_2, POSTGRES_2):
        with soak.database(config, "mixed") as (url, workdir):
            users = seed_users(url, soak.seed_rng(), users=max(levels) // 2, projects=20)
            with soak.serving(config, url, workdir) as server:
                for clients in levels:
                    soak.progress(f"mixed: {config.name}, {clients} clients for {seconds:g} s")
                    owners = [users[i // 2] for i in range(clients)]
                    tokens = issue_tokens(url, owners, name=f"mixed-{clients}")
                    agents = mixed_agents(soak, owners, tokens, f"m{clients}-")
                    recorder, wall, *cpu = drive(server, agents, seconds)
                    stats = Stats.of(recorder.outcomes)
                    rows_out.append(load_row(config, clients, stats, wall, cpu))
                    name = f"{config.name}, {clients} clients"
                    soak.check(
                        "mixed",
                        f"statuses, {name}",
                        f"{stats.unexpected} of {stats.count} outside {EXPECTED}",
                        "0",
                        stats.unexpected == 0,
                    )
                    if config == SQLITE_2 and clients == 20:
                        soak.check(
                            "mixed",
                            f"p99, {name}",
                            f"{ms(stats.p99)} ms",
                            f"≤ {P99_TARGET * 1000:.0f} ms",
                            stats.p99 <= P99_TARGET,
                        )
                    if clients == 20:
                        details.append(f"By operation, {config.name}, 20 clients:")
                        details += ["  " + line for line in op_table(recorder.outcomes)]
            details += log_report(server.log(), config.name)
    soak.lines(table(LOAD_HEADERS, rows_out))
    soak.lines(details)


# ---------------------------------------------------------------- 2. writers


def scenario_writers(soak: Soak) -> None:
    writers = 50
    seconds = soak.args.duration
    soak.out(
        f"{writers} concurrent writers for {seconds:g} s: journal entries (70 %) and projects "
        "(30 %), each with a unique marker; then every acknowledged write is looked up."
    )
    body = []
    logs: list[str] = []
    for config in soak.configs(SQLITE_2, POSTGRES_2):
        with soak.database(config, "writers") as (url, workdir):
            agents, entries, projects = marked_writers(soak, url, writers, "w")
            with soak.serving(config, url, workdir) as server:
                soak.progress(f"writers: {config.name}, {writers} writers for {seconds:g} s")
                recorder, wall, *_cpu = drive(server, agents, seconds)
            logs += log_report(server.log(), config.name)  # stopped: all of it is written
            stats = Stats.of(recorder.outcomes)
            e = check_ledger(url, entries, ENTRY_MARKERS)
            p = check_ledger(url, projects, PROJECT_MARKERS)
            half = scalar(url, HALF_WRITTEN_PROJECTS)
            body.append(
                [
                    config.name,
                    str(e.acked + p.acked),
                    f"{(e.acked + p.acked) / wall:.0f}",
                    ms(stats.p50),
                    ms(stats.p99),
                    ms(stats.max),
                    f"{e.missing}/{p.missing}",
                    f"{e.duplicated}/{p.duplicated}",
                    str(half),
                    f"{e.failed_stored}/{p.failed_stored}",
                    f"{e.unacked_stored - e.failed_stored}/{p.unacked_stored - p.failed_stored}",
                    statuses_text(stats.statuses),
                ]
            )
            name = config.name
            soak.check(
                "writers",
                f"acknowledged writes stored once, {name}",
                f"{e.missing + p.missing} missing, {e.duplicated + p.duplicated} duplicated "
                f"of {e.acked + p.acked}",
                "0 and 0",
                e.missing + p.missing + e.duplicated + p.duplicated == 0,
            )
            soak.check("writers", f"half-written projects, {name}", str(half), "0", half == 0)
            soak.check(
                "writers",
                f"writes answered 5xx yet stored, {name}",
                f"{e.failed_stored + p.failed_stored}",
                "0",
                e.failed_stored + p.failed_stored == 0,
            )
            soak.check(
                "writers",
                f"statuses, {name}",
                f"{stats.unexpected} of {stats.count} outside {EXPECTED}",
                "0",
                stats.unexpected == 0,
            )
    headers = [
        "config",
        "acked",
        "writes/s",
        "p50 ms",
        "p99 ms",
        "max ms",
        "missing e/p",
        "dup e/p",
        "half-written",
        "5xx yet stored e/p",
        "no answer yet stored e/p",
        "statuses",
    ]
    soak.lines(table(headers, body))
    soak.lines(logs)
    soak.out(
        "  (e/p: journal entries / projects. '5xx yet stored': the server answered that the "
        "write failed, yet it is there: a client that retries makes a duplicate. 'No answer "
        "yet stored': a reset or timeout, where either outcome is fair.)"
    )


# ---------------------------------------------------------------- 5. RSS


@dataclass
class RssSample:
    requests: int  # done so far
    at: float  # seconds since the start
    rss_kib: int  # all of the server's processes
    db_kib: int  # the SQLite file and its WAL
    projects: int  # in the database: the portfolio lists grow with them
    since_last: Stats | None  # the requests since the previous sample
    seconds: float  # since the previous sample


def scenario_rss(soak: Soak) -> None:
    config = SQLITE_1
    total = soak.args.rss_requests
    every = max(total // 8, 1)
    clients = 20
    soak.out(
        f"Server RSS over {total} mixed requests ({clients} clients, {config.name}), "
        f"sampled every {every} requests; VmRSS from /proc of each server process."
    )
    with soak.database(config, "rss") as (url, workdir):
        users = seed_users(url, soak.seed_rng(), users=clients, projects=20)
        tokens = issue_tokens(url, users, name="rss")
        agents = mixed_agents(soak, users, tokens, "rss")
        with soak.serving(config, url, workdir) as server:
            pids = group_pids(server.process.pid)
            soak.out(
                f"  goldfish serve with 1 worker runs as {len(pids)} process(es): "
                f"{', '.join(map(str, pids))}"
                + (" (the spawned pid itself)" if pids == [server.process.pid] else "")
            )
            recorder = Recorder()
            for agent in agents:
                agent.connect(server.url, recorder)
            samples = run(_sample_rss(server, url, agents, recorder, total, every))
            log = log_report(server.log(), config.name)
    body = []
    for previous, sample in zip([None, *samples], samples, strict=False):
        window = sample.since_last
        body.append(
            [
                str(sample.requests),
                f"{sample.at:.0f}",
                f"{sample.rss_kib / 1024:.1f}",
                "" if previous is None else f"{(sample.rss_kib - previous.rss_kib) / 1024:+.1f}",
                f"{sample.db_kib / 1024:.1f}",
                str(sample.projects),
                "" if window is None else f"{window.count / max(sample.seconds, 1e-9):.0f}",
                "" if window is None else ms(window.p99),
                "" if window is None else statuses_text(window.statuses),
            ]
        )
    headers = ["requests", "at s", "RSS MiB", "Δ MiB", "DB MiB", "projects", "req/s", "p99 ms"]
    soak.lines(table([*headers, "statuses (since last)"], body, left=0))
    soak.lines(log)
    warm = [(s.requests, s.rss_kib) for s in samples if s.requests >= 2 * every]
    growth = _slope(warm) * 10_000 / 1024 if len(warm) >= 2 else float("nan")
    soak.out(
        f"  Growth after warm-up (from {2 * every} requests on, least squares): "
        f"{growth:+.2f} MiB per 10k requests. Data grows meanwhile (projects: longer "
        "portfolio lists; the file: fuller SQLite page caches, up to 2 MiB a connection)."
    )
    all_stats = Stats.of(recorder.outcomes)
    soak.check(
        "rss",
        "RSS growth per 10k requests after warm-up",
        f"{growth:+.2f} MiB (start {samples[0].rss_kib / 1024:.0f} MiB, end "
        f"{samples[-1].rss_kib / 1024:.0f} MiB)",
        f"≤ {RSS_GROWTH_TARGET_MIB:g} MiB (soak's own bar)",
        growth <= RSS_GROWTH_TARGET_MIB,
    )
    soak.check(
        "rss",
        "statuses over the RSS run",
        f"{all_stats.unexpected} of {all_stats.count} outside {EXPECTED}",
        "0",
        all_stats.unexpected == 0,
    )


def _slope(points: list[tuple[int, int]]) -> float:
    mean_x = statistics.fmean(x for x, _ in points)
    mean_y = statistics.fmean(y for _, y in points)
    num = sum((x - mean_x) * (y - mean_y) for x, y in points)
    den = sum((x - mean_x) ** 2 for x, _ in points)
    return num / den if den else float("nan")


def _sample(
    server: Server, url: str, done: int, at: float, window: Stats | None, seconds: float
) -> RssSample:
    path = Path(sqlite_path(url))
    wal = path.with_name(path.name + "-wal")
    db_bytes = sum(p.stat().st_size for p in (path, wal) if p.exists())
    return RssSample(
        requests=done,
        at=at,
        rss_kib=sum(rss_kib(pid) for pid in group_pids(server.process.pid)),
        db_kib=db_bytes // 1024,
        projects=scalar(url, "SELECT count(*) FROM project"),
        since_last=window,
        seconds=seconds,
    )


async def _sample_rss(
    server: Server, url: str, agents: list, recorder: Recorder, total: int, every: int
) -> list[RssSample]:
    began = time.monotonic()
    samples = [_sample(server, url, 0, 0.0, None, 0.0)]
    clients = asyncio.ensure_future(
        run_clients(agents, until=lambda: len(recorder.outcomes) >= total)
    )
    mark, last_index, last_at = every, 0, began
    while mark <= total:
        await sleep_until(lambda m=mark: len(recorder.outcomes) >= m or clients.done(), 0.05)
        now, done = time.monotonic(), len(recorder.outcomes)
        window = Stats.of(recorder.outcomes[last_index:done])
        samples.append(_sample(server, url, done, now - began, window, now - last_at))
        last_index, last_at = done, now
        if clients.done():
            break
        mark += every
    await clients
    return samples


# ---------------------------------------------------------------- 6. PostgreSQL


def scenario_postgres(soak: Soak) -> None:
    clients = 100
    seconds = soak.args.duration
    soak.out(
        f"PostgreSQL with 2 workers at {clients} requests in flight ({clients} clients, a "
        f"fresh token each, the mixed load) for {seconds:g} s."
    )
    configs = soak.configs(POSTGRES_2)
    if not configs:
        soak.check("postgres", "100 in flight on PostgreSQL", "no URL", "-", None)
        return
    config = configs[0]
    with soak.database(config, "postgres") as (url, workdir):
        users = seed_users(url, soak.seed_rng(), users=clients // 2, projects=20)
        owners = [users[i // 2] for i in range(clients)]
        tokens = issue_tokens(url, owners, name="pg100")
        agents = mixed_agents(soak, owners, tokens, "pg")
        with soak.serving(config, url, workdir) as server:
            soak.progress(f"postgres: {clients} clients for {seconds:g} s")
            recorder, wall, *cpu = drive(server, agents, seconds)
            log = log_report(server.log(), config.name)
    stats = Stats.of(recorder.outcomes)
    soak.lines(table(LOAD_HEADERS, [load_row(config, clients, stats, wall, cpu)]))
    soak.lines(op_table(recorder.outcomes), indent="    ")
    soak.lines(log)
    errors = sum(
        n for s, n in stats.statuses.items() if not isinstance(s, int) or (s >= 500 and s != 503)
    )
    soak.check(
        "postgres",
        "no 5xx (but 503), reset or timeout at 100 in flight",
        f"{errors} of {stats.count}",
        "0",
        errors == 0,
    )
    soak.check(
        "postgres",
        "slowest request at 100 in flight",
        f"{stats.max:.2f} s",
        f"≤ {SLOW_TARGET:g} s",
        stats.max <= SLOW_TARGET,
    )
