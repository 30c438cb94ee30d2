"""`python -m bench`: the page bench (bench/pages/), then the full export and
import bench (bench/data.py, default sizes). `--only data` runs the latter
alone; any other `--only` the page benches named. Sizes of the data bench:
`python -m bench.data --help`."""

import sys

from bench import data, pages


def _split(argv: list[str]) -> tuple[list[str], bool, bool]:
    """(the page bench's arguments, whether to run it, whether to run the data bench)."""
    rest: list[str] = []
    only: list[str] = []
    args = iter(argv)
    for arg in args:
        if arg == "--only":
            only.append(next(args, ""))
        elif arg.startswith("--only="):
            only.append(arg.removeprefix("--only="))
        else:
            rest.append(arg)
    pages_only = [name for name in only if name != "data"]
    for name in pages_only:
        rest += ["--only", name]
    return rest, not only or bool(pages_only), not only or "data" in only


def main(argv: list[str] | None = None) -> None:
    page_args, run_pages, run_data = _split(sys.argv[1:] if argv is None else argv)
    if run_pages:
        pages.main(page_args)
    if run_data:
        if run_pages:
            print()
        data.main([])


if __name__ == "__main__":
    main()
