"""The soak's load generator and its arithmetic: HTTP clients that never
raise (a reset, a refused connection or a timeout is an outcome like a
status), latency percentiles, status counts, and the server's processes as
/proc sees them (RSS, CPU time)."""

import asyncio
import itertools
import math
import os
import resource
import sys
import time
import traceback
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import httpx2 as httpx

# Long enough that a stall shows as a latency figure, not as a bare timeout.
CLIENT_TIMEOUT = 30.0
EXPECTED = "2xx/409/503"  # what a healthy server may answer under this load
_REPORTED: set[type] = set()


@dataclass(slots=True)
class Outcome:
    seq: int
    op: str  # e.g. "GET project"
    started: float  # time.monotonic()
    seconds: float
    status: int | str  # the HTTP status, or reset / refused / timeout / error:<Type>
    retry_after: bool = False  # a Retry-After header came with it

    @property
    def ok(self) -> bool:
        return isinstance(self.status, int) and 200 <= self.status < 300

    @property
    def expected(self) -> bool:
        """2xx, a version conflict, or a clear 'busy, retry' answer."""
        return self.ok or self.status in (409, 503)


@dataclass
class Recorder:
    """Every outcome of a run, and what is in flight right now."""

    outcomes: list[Outcome] = field(default_factory=list)
    in_flight: dict[int, tuple[str, float]] = field(default_factory=dict)
    _seq: itertools.count = field(default_factory=itertools.count)

    def next_seq(self) -> int:
        return next(self._seq)


class Client:
    """One simulated user agent: its own keep-alive connection and API token."""

    def __init__(self, base_url: str, token: str, recorder: Recorder) -> None:
        self.recorder = recorder
        self.last_status: int | str | None = None
        self.http = httpx.AsyncClient(
            base_url=base_url,
            headers={"Authorization": f"Bearer {token}"},
            timeout=httpx.Timeout(CLIENT_TIMEOUT, connect=5.0),
            limits=httpx.Limits(max_connections=1, max_keepalive_connections=1),
            trust_env=False,
            verify=False,  # plain http on 127.0.0.1: no need to load CA certificates
        )

    async def call(self, op: str, method: str, url: str, **kwargs) -> httpx.Response | None:
        """The response, or None when there was none; either way recorded."""
        recorder = self.recorder
        seq = recorder.next_seq()
        started = time.monotonic()
        recorder.in_flight[seq] = (op, started)
        response = None
        retry_after = False
        try:
            response = await self.http.request(method, url, **kwargs)
            status: int | str = response.status_code
            retry_after = "retry-after" in response.headers
        except httpx.TimeoutException:
            status = "timeout"
        except httpx.ConnectError:
            status = "refused"
        except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError, httpx.CloseError):
            status = "reset"
        except Exception as exc:  # the bench reports what happened, it never dies of it
            status = f"error:{type(exc).__name__}"
            if type(exc) not in _REPORTED:  # once per kind, for whoever digs further
                _REPORTED.add(type(exc))
                print(f"[soak] {op} {url}: {exc!r}", file=sys.stderr)
        finally:
            del recorder.in_flight[seq]
        seconds = time.monotonic() - started
        self.last_status = status
        recorder.outcomes.append(Outcome(seq, op, started, seconds, status, retry_after))
        return response

    async def aclose(self) -> None:
        await self.http.aclose()


async def run_clients(
    clients: list,
    *,
    until: Callable[[], bool],
    pause_when_refused: float = 0.05,
) -> None:
    """Run every client's `step()` over and over until `until()` says stop.
    A client whose server is gone backs off a little instead of spinning."""

    async def loop(client) -> None:
        while not until():
            try:
                refused = await client.step()
            except Exception as exc:  # a bug of the bench's own: shown, counted, not fatal
                if type(exc) not in reported:
                    reported.add(type(exc))
                    traceback.print_exc(file=sys.stderr)
                recorder = client.client.recorder
                status = f"bench-error:{type(exc).__name__}"
                recorder.outcomes.append(
                    Outcome(recorder.next_seq(), "bench", time.monotonic(), 0.0, status)
                )
                refused = True
            if refused:
                await asyncio.sleep(pause_when_refused)

    reported: set[type] = set()

    try:
        await asyncio.gather(*(loop(c) for c in clients))
    finally:
        await asyncio.gather(*(c.close() for c in clients), return_exceptions=True)


def deadline_after(seconds: float) -> Callable[[], bool]:
    end = time.monotonic() + seconds
    return lambda: time.monotonic() >= end


async def sleep_until(predicate: Callable[[], bool], step: float = 0.02) -> None:
    while not predicate():
        await asyncio.sleep(step)


def run(main: Awaitable) -> object:
    """asyncio.run, on uvloop when there is one (it is part of uvicorn[standard]):
    the load generator shares two cores with the server, so its overhead counts."""
    try:
        import uvloop
    except ImportError:  # pragma: no cover - uvicorn[standard] brings it
        return asyncio.run(main)
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        return runner.run(main)


# ---------------------------------------------------------------- figures


def percentile(ordered: list[float], p: float) -> float:
    """Nearest rank, over sorted values; nan for none."""
    if not ordered:
        return math.nan
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


@dataclass
class Stats:
    count: int
    p50: float
    p95: float
    p99: float
    max: float
    statuses: Counter

    @classmethod
    def of(cls, outcomes: Iterable[Outcome]) -> "Stats":
        outcomes = list(outcomes)
        ordered = sorted(o.seconds for o in outcomes)
        return cls(
            count=len(outcomes),
            p50=percentile(ordered, 50),
            p95=percentile(ordered, 95),
            p99=percentile(ordered, 99),
            max=ordered[-1] if ordered else math.nan,
            statuses=Counter(o.status for o in outcomes),
        )

    @property
    def unexpected(self) -> int:
        return sum(
            n
            for status, n in self.statuses.items()
            if not (isinstance(status, int) and (200 <= status < 300 or status in (409, 503)))
        )

    def count_of(self, *wanted: int | str) -> int:
        return sum(self.statuses.get(w, 0) for w in wanted)

    @property
    def ok(self) -> int:
        return sum(n for s, n in self.statuses.items() if isinstance(s, int) and 200 <= s < 300)


def statuses_text(statuses: Counter) -> str:
    """'200×812 201×90 409×3 500×2 reset×1', numbers first, then the rest."""
    numeric = sorted((s, n) for s, n in statuses.items() if isinstance(s, int))
    other = sorted((s, n) for s, n in statuses.items() if not isinstance(s, int))
    return " ".join(f"{s}×{n}" for s, n in [*numeric, *other]) or "-"


def ms(seconds: float) -> str:
    return "-" if math.isnan(seconds) else f"{seconds * 1000:.0f}"


def table(headers: list[str], body: list[list[str]], *, left: int = 1) -> list[str]:
    """Columns padded to fit; the first `left` columns align left, the rest right
    except the last, which is free text."""
    widths = [max(len(str(r[i])) for r in [headers, *body]) for i in range(len(headers))]

    def line(cells: list[str]) -> str:
        out = []
        for i, cell in enumerate(cells):
            cell = str(cell)
            if i == len(cells) - 1:
                out.append(cell)
            elif i < left:
                out.append(cell.ljust(widths[i]))
            else:
                out.append(cell.rjust(widths[i]))
        return "  ".join(out).rstrip()

    return [line(headers), *(line(r) for r in body)]


# ---------------------------------------------------------------- processes

_TICKS = os.sysconf("SC_CLK_TCK")


def group_pids(pgid: int) -> list[int]:
    """Every live process of a process group (the server's supervisor and workers)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[2]) == pgid and fields[0] != "Z":  # fields[2] is the pgrp
            found.append(int(entry.name))
    return sorted(found)


def rss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def cpu_seconds(pids: Iterable[int]) -> float:
    total = 0.0
    for pid in pids:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        total += (int(fields[11]) + int(fields[12])) / _TICKS  # utime + stime
    return total


def own_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


@dataclass
class CpuMeter:
    """CPU used by the server's processes and by this load generator over a
    wall-clock span, as % of one core: tells whether the client was the limit."""

    pgid: int
    _wall: float = 0.0
    _server: float = 0.0
    _client: float = 0.0

    def start(self) -> "CpuMeter":
        self._wall = time.monotonic()
        self._server = cpu_seconds(group_pids(self.pgid))
        self._client = own_cpu_seconds()
        return self

    def percent(self) -> tuple[float, float]:
        wall = max(time.monotonic() - self._wall, 1e-9)
        server = cpu_seconds(group_pids(self.pgid)) - self._server
        client = own_cpu_seconds() - self._client
        return 100 * server / wall, 100 * client / wall
