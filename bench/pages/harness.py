"""How the page bench measures: `Context.time` (sequential GETs over one
keep-alive connection, every response checked), `Context.follow` (next-page
links walked), `Context.count_sql` (statements per request, in-process), and
the report of it all."""

import argparse
import math
import os
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

import httpx2 as httpx
from fastapi.testclient import TestClient

from app.config import Settings
from app.db import Database, make_engine
from app.main import create_app
from bench import progress
from bench.checks import Check, once_per_page, same_ids
from bench.seed import SECRET_KEY, Seeder
from bench.seed.projects import Seeded
from bench.sql import counting

WARMUP = 3
Data = TypeVar("Data")  # what a bench seeded for one size: a user, a release log, a team…


@dataclass
class Timing:
    """Wall times, in seconds, of one endpoint."""

    label: str
    path: str
    size: str  # what the page holds, e.g. "500 projects"
    samples: list[float]
    body_bytes: int

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def p95(self) -> float:
        ordered = sorted(self.samples)
        return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]  # nearest rank

    @property
    def min(self) -> float:
        return min(self.samples)


@dataclass
class SqlCount:
    label: str
    what: str  # the request, e.g. "GET /"
    counts: dict[str, int]  # size → statements per request
    statements: dict[str, list[str]]


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:7.1f} ms"


def report(ctx: "Context") -> str:
    load = ", ".join(f"{v:.2f}" for v in ctx.load_before)
    busy = ctx.load_before[0] >= 0.5
    lines = [
        f"Goldfish page timings: {ctx.database_label}. {ctx.args.requests} sequential requests "
        f"per row after {WARMUP} warm-up, one keep-alive connection, client wall time "
        "(body read included).",
        f"Load average before the run: {load} on {os.cpu_count()} CPUs"
        + (": something else is running, expect noisy figures (p95 above all)." if busy else "."),
        "",
    ]
    label_w = max((len(t.label) for t in ctx.timings), default=0)
    path_w = max((len(t.path) for t in ctx.timings), default=0) + 4
    size_w = max((len(t.size) for t in ctx.timings), default=0)
    for t in ctx.timings:
        lines.append(
            f"{t.label.ljust(label_w)}  {('GET ' + t.path).ljust(path_w)}  {t.size.ljust(size_w)}"
            f"  median {_ms(t.median)}  p95 {_ms(t.p95)}  min {_ms(t.min)}"
            f"  {t.body_bytes / 1024:7.1f} KiB  ({len(t.samples)} requests)"
        )
    if ctx.sql_counts:
        lines += [
            "",
            "SQL statements per request (counted in-process; on SQLite the BEGIN is one of them):",
        ]
        label_w = max(len(c.label) for c in ctx.sql_counts)
        what_w = max(len(c.what) for c in ctx.sql_counts)
        for c in ctx.sql_counts:
            counts = ", ".join(f"{size} → {n}" for size, n in c.counts.items())
            grows = "  GROWS WITH SIZE" if len(set(c.counts.values())) > 1 else ""
            lines.append(f"{c.label.ljust(label_w)}  {c.what.ljust(what_w)}  {counts}{grows}")
    return "\n".join(lines)


@dataclass
class Context:
    """What a bench needs: the options, the seeder, the server's URL; and what
    it found: the timings and statement counts the report prints."""

    args: argparse.Namespace
    database_label: str
    seed: Seeder
    base_url: str = ""
    timings: list[Timing] = field(default_factory=list)
    sql_counts: list[SqlCount] = field(default_factory=list)
    load_before: tuple[float, float, float] = field(default_factory=os.getloadavg)

    def page_headers(self, who: Seeded) -> dict[str, str]:
        # Set as a header: the cookie is Secure, so a jar would not send it over http.
        return {"Cookie": who.cookie}

    def api_headers(self, who: Seeded) -> dict[str, str]:
        return {"Authorization": f"Bearer {who.token}"}

    def time(
        self,
        label: str,
        path: str,
        size: str,
        *,
        headers: dict[str, str],
        check: Check,
        requests: int | None = None,
    ) -> Timing:
        """Time `GET path` over HTTP; every response must be a 200 that passes `check`.
        `requests` caps the timed requests below --requests, for the slow ones."""
        samples: list[float] = []
        requests = min(requests or self.args.requests, self.args.requests)
        check = once_per_page(check)
        with httpx.Client(
            base_url=self.base_url,
            headers=headers,
            trust_env=False,
            timeout=60,
            follow_redirects=False,
        ) as client:
            for i in range(WARMUP + requests):
                started = time.perf_counter()
                response = client.get(path)
                elapsed = time.perf_counter() - started
                _verify(response, check, path)
                if i >= WARMUP:
                    samples.append(elapsed)
        timing = Timing(label, path, size, samples, len(response.content))
        self.timings.append(timing)
        progress(f"timed {label} GET {path} ({size}): median {timing.median * 1000:.1f} ms")
        return timing

    def follow(
        self,
        label: str,
        path: str,
        size: str,
        *,
        headers: dict[str, str],
        pages: int,
        next_path: Callable[[httpx.Response], str | None],
        ids: Callable[[httpx.Response], list[int]],
        expected: list[int],
        page_size: int,
        shown: str,
    ) -> str:
        """GET `path`, then follow its next-page link `pages` times, timing each
        page followed (once each, no warm-up). The pages together must list
        the start of `expected` (every row, in order), `page_size` rows a page,
        each once. Returns the last path."""
        samples: list[float] = []
        with httpx.Client(
            base_url=self.base_url, headers=headers, trust_env=False, timeout=60
        ) as client:
            response = client.get(path)
            _verify(response, lambda _r: None, path)
            seen = ids(response)
            for _ in range(pages):
                following = next_path(response)
                if following is None:
                    raise RuntimeError(f"GET {path}: no next page after {len(seen)} rows")
                path = following
                started = time.perf_counter()
                response = client.get(path)
                samples.append(time.perf_counter() - started)
                _verify(response, lambda _r: None, path)
                seen += ids(response)
        problem = same_ids(seen, expected[: len(seen)], "rows over the pages")
        if problem or len(seen) != min(len(expected), (pages + 1) * page_size):
            raise RuntimeError(f"walking {shown}: {problem or f'{len(seen)} rows'}")
        timing = Timing(label, shown, size, samples, len(response.content))
        self.timings.append(timing)
        progress(f"followed {label} {shown} ({size}): median {timing.median * 1000:.1f} ms")
        return path

    def count_sql(
        self, label: str, what: str, cases: dict[str, tuple[str, dict[str, str]]]
    ) -> SqlCount:
        """Statements one GET runs, per case (size → path, headers), counted in-process."""
        url = self.seed.database_url
        settings = Settings(env="test", database_url=url, secret_key=SECRET_KEY)
        engine = make_engine(url)
        counts: dict[str, int] = {}
        statements: dict[str, list[str]] = {}
        app = create_app(settings, Database(engine))
        with TestClient(app, base_url="https://testserver", follow_redirects=False) as client:
            for size, (path, headers) in cases.items():
                for _ in range(2):  # the first one warms up; the second is counted
                    with counting(engine) as counted:
                        response = client.get(path, headers=headers)
                    if response.status_code != 200:
                        raise RuntimeError(
                            f"in-process GET {path} ({size}): {response.status_code}"
                        )
                counts[size] = counted.n
                statements[size] = counted.statements
        engine.dispose()  # the lifespan disposed it already; harmless
        result = SqlCount(label, what, counts, statements)
        self.sql_counts.append(result)
        return result

    def count_pages(
        self,
        pages: dict[str, tuple[str, Callable[[Data], str]]],
        sizes: dict[str, Data],
        who: Callable[[Data], Seeded],
    ) -> None:
        """`count_sql` for every page (what → label, and its path for one size's
        data) at every size, as `who` of that size's data: with the API token
        for the pages labelled "api", with the session cookie for the others."""
        for what, (label, path_of) in pages.items():
            headers_of = self.api_headers if label == "api" else self.page_headers
            self.count_sql(
                label,
                what,
                {size: (path_of(data), headers_of(who(data))) for size, data in sizes.items()},
            )


def _verify(response: httpx.Response, check: Check, path: str) -> None:
    if response.status_code != 200:
        raise RuntimeError(f"GET {path}: {response.status_code}, not 200:\n{response.text[:500]}")
    problem = check(response)
    if problem:
        raise RuntimeError(f"GET {path}: {problem}")
