"""One export or import in a process of its own, so that its peak memory is
its own: `python -m bench.data_run export|import|idle DATABASE_URL FILE`
prints {"seconds", "peak_rss_kib"} as JSON. Used by bench/data.py."""

import json
import resource
import sys
import time
from pathlib import Path

from app.data.archive import ArchiveReader
from app.data.export import instance_export
from app.data.load import instance_import
from app.db import Database, make_engine


def main(argv: list[str]) -> None:
    op, url, path = argv
    database = Database(make_engine(url))
    started = time.perf_counter()
    if op == "export":
        with database.engine.connect() as connection, open(path, "wb") as out:
            instance_export(connection, out)
    elif op == "import":
        with open(path, "rb") as stream, database.session(write=True) as session:
            instance_import(session.connection(), ArchiveReader(stream))
            session.commit()
    elif op != "idle":  # the same modules loaded, nothing done: the baseline
        raise SystemExit(f"unknown operation {op}")
    seconds = time.perf_counter() - started
    database.dispose()
    print(json.dumps({"seconds": seconds, "peak_rss_kib": _peak_rss_kib()}))


def _peak_rss_kib() -> int:
    """This process's own high-water mark. Not getrusage's ru_maxrss: Linux
    carries that over fork and exec from the parent (the seeding bench)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # not Linux: KiB or bytes


if __name__ == "__main__":
    main(sys.argv[1:])
