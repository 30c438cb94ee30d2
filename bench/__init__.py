"""Goldfish's benches, each a module to run with `python -m`:

    python -m bench            page timings over real HTTP (bench/pages/), as `make bench`
    python -m bench.ratios     project pages as ratios to a bare page (bench/floor.py)
    python -m bench.journal_export  the journal's exports' peak memory, 2,000 vs 20,000 entries
    python -m bench.soak       load, crashes and a held write lock against real servers
    python -m bench.matching   release-matching quality and speed
    python -m bench.poll       a 500-entry feed polled end to end

Shared by them and by the live and browser tests: bench/server.py starts a
real `goldfish serve`, bench/sql.py counts SQL statements.
"""

import sys


def progress(message: str) -> None:
    """A line of progress on stderr; the figures go to stdout."""
    print(f"  … {message}", file=sys.stderr, flush=True)
