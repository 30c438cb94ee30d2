"""`make bench` runs: its page benches check every page they time (the rows,
the items, the links a person would see) against what they seeded, so a
change to a page that the bench no longer describes stops it with the
page and the problem named. Run here at their smallest sizes, so that such a
change fails the suite rather than the next person who runs the bench."""

import os
import shutil
import subprocess
import sys

import pytest

from app.config import ROOT


def bench(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, capture_output=True, text=True, timeout=600
    )


def test_the_page_bench_times_and_checks_every_page():
    # 100 is the smallest size each option takes: above a page of 50.
    run = bench(
        *("-m", "bench.pages", "--projects", "100", "--releases", "120"),
        *("--entries", "100", "--shared", "100", "--requests", "1"),
    )
    assert run.returncode == 0, run.stderr[-3000:]
    timed = [line for line in run.stdout.splitlines() if " median " in line]
    for page in (
        "GET / ",
        "GET /?page=all",
        "GET /api/v1/projects",
        "GET /releases ",
        "GET /journal ",
    ):
        assert any(page in line for line in timed), f"{page!r} not timed:\n{run.stdout[-3000:]}"
    assert any("GET /teams/" in line and "/portfolio" in line for line in timed)
    assert "SQL statements per request" in run.stdout


def test_the_ratio_bench_puts_every_page_beside_the_floor():
    run = bench("-m", "bench.ratios", "--sizes", "50", "--rounds", "5")
    assert run.returncode == 0, run.stderr[-3000:]
    rows = [line.split() for line in run.stdout.splitlines()]
    ratios = {row[0]: row[-1] for row in rows if row and row[-1].endswith("×")}
    assert {"portfolio", "project", "api"} <= set(ratios), run.stdout
    assert all(float(r.rstrip("×")) > 0 for r in ratios.values())


def test_the_throughput_bench_drives_the_server_with_the_python_client():
    run = bench(
        "-m", "bench.throughput", "--seconds", "1", "--clients", "4", "--generator", "httpx"
    )
    assert run.returncode == 0, run.stderr[-3000:]
    (total,) = [line for line in run.stdout.splitlines() if line.strip().startswith("all ")]
    assert float(total.split()[1]) > 0 and " 0 errors)" in total, run.stdout
    for page in ("portfolio (50)", "project page", "release log", "journal"):
        assert page in run.stdout


def test_the_throughput_bench_drives_the_server_with_wrk():
    if not shutil.which("wrk"):
        message = "the wrk load generator is not installed (apt-get install -y wrk)"
        if os.environ.get("GOLDFISH_REQUIRE_WRK") == "1":
            pytest.fail(message + " [GOLDFISH_REQUIRE_WRK=1]")
        pytest.skip(message)
    run = bench("-m", "bench.throughput", "--seconds", "1", "--clients", "4", "--generator", "wrk")
    assert run.returncode == 0, run.stderr[-3000:]
    (total,) = [line for line in run.stdout.splitlines() if line.strip().startswith("all ")]
    # Only 200s count as answered: a page that sent wrk to the sign-in page is an error.
    requests = int(total.split("(")[1].split()[0])
    assert requests > 0 and " 0 errors)" in total, run.stdout
