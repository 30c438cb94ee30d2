"""One person's journal: home, filters, deep pages, pace, a weekly review,
an entry, the exports and the API's entry list."""

import io
import zipfile
from collections.abc import Callable
from datetime import date, timedelta

import httpx2 as httpx

from app.journal.queries import PACE_WEEKS
from app.journal.queries import PAGE_SIZE as JOURNAL_PAGE_SIZE
from bench.checks import (
    Check,
    all_of,
    api_ids_check,
    ids_check,
    numbers,
    older_link,
    soup,
    text_check,
)
from bench.pages.harness import Context
from bench.seed.journal import JOURNAL_FILTER_KIND, JOURNAL_WORD, Journal, seed_journal

JOURNAL_DEPTH = 20  # "Older entries →" followed this many times
EXPORT_REQUESTS = 10  # the exports read every entry: fewer timed requests


def entry_ids(response: httpx.Response) -> list[int]:
    """The data-entry-id of every `article.entry` of a page, in order (-1 if it has none)."""
    return numbers(soup(response), "article.entry", "data-entry-id")


def entry_rows_check(expected: list[int]) -> Check:
    """The page shows exactly these entries (`article.entry`), in this order."""
    return ids_check("article.entry", "data-entry-id", expected, "article.entry")


def pace_check(weeks: dict[str, int]) -> Check:
    """The pace table has a row per week, with the entries of that week (its third column)."""

    def check(response: httpx.Response) -> str | None:
        found = {
            str(row["data-week"]): int(row.find_all("td")[2].get_text())
            for row in soup(response).select("tr[data-week]")
        }
        return None if found == weeks else f"pace table {found}, expected {weeks}"

    return check


def review_check(expected: int) -> Check:
    """The review's "What I did" lists the week's entries (each with its
    text, which may hold lists of its own)."""

    def check(response: httpx.Response) -> str | None:
        heading = next(
            (h for h in soup(response).select("section h2") if h.get_text() == "What I did"), None
        )
        if heading is None:
            return "no section headed What I did"
        found = len(heading.find_parent("section").select("ul.week-entries > li"))
        return (
            None if found == expected else f"{found} entries under What I did, expected {expected}"
        )

    return check


def export_check(expected: int, fmt: str) -> Check:
    """The export carries every entry."""

    def headings(text: str) -> int:
        return sum(line.startswith("### ") for line in text.splitlines())

    def check(response: httpx.Response) -> str | None:
        if fmt == "json":
            found = len(response.json()["entries"])
        elif fmt == "zip":
            with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
                found = sum(headings(archive.read(name).decode()) for name in archive.namelist())
        else:
            found = headings(response.text)
        return (
            None
            if found == expected
            else f"{found} entries in the {fmt} export, expected {expected}"
        )

    return check


def _iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02}"


def bench_journal(ctx: Context) -> None:
    """The journal of one person at --entries (and at 200 for the SQL counts):
    home, filters, deep pages, pace, weekly review, an entry, the exports and
    the API list."""
    large_n = ctx.args.entries
    small_n = 200 if large_n > 200 else large_n // 10
    journals = {f"{n} entries": seed_journal(ctx.seed, name, n) for name, n in (
        ("journal-small", small_n), ("journal", large_n)
    )}  # fmt: skip
    small, large = journals.values()
    size = f"{large_n} entries"
    page = ctx.page_headers(large.who)
    everything = large.matching(lambda _e: True)
    pace_total = sum(large.pace_weeks().values())
    home_check = all_of(
        entry_rows_check(everything[:JOURNAL_PAGE_SIZE]),
        text_check('strong[data-count="entries"]', str(pace_total)),
    )

    ctx.time(
        "journal",
        "/journal",
        f"{small_n} entries",
        headers=ctx.page_headers(small.who),
        check=entry_rows_check(small.matching(lambda _e: True)[:JOURNAL_PAGE_SIZE]),
    )
    ctx.time("journal", "/journal", size, headers=page, check=home_check)

    this_week = large.today - timedelta(days=large.today.weekday())
    last_week = this_week - timedelta(weeks=1)
    filtered = {
        f"week={_iso_week(this_week)}": large.week_of(this_week),
        f"week={_iso_week(last_week)}": large.week_of(last_week),  # a whole week, for contrast
        f"q={JOURNAL_WORD}": large.matching(lambda e: JOURNAL_WORD in e.text),
        f"kind={JOURNAL_FILTER_KIND}": large.matching(lambda e: e.kind == JOURNAL_FILTER_KIND),
    }
    for query, matches in filtered.items():
        ctx.time(
            "journal",
            "/journal?" + query,
            f"{size}, {len(matches)} match",
            headers=page,
            check=entry_rows_check(matches[:JOURNAL_PAGE_SIZE]),
        )

    depth = min(JOURNAL_DEPTH, (large_n - 1) // JOURNAL_PAGE_SIZE)
    deep_path = ctx.follow(
        "journal",
        "/journal",
        f"{size}, pages 2–{depth + 1}",
        headers=page,
        pages=depth,
        next_path=older_link,
        ids=entry_ids,
        expected=everything,
        page_size=JOURNAL_PAGE_SIZE,
        shown=f"/journal, then Older entries → ×{depth}",
    )
    ctx.time(
        "journal",
        deep_path,
        f"{size}, page {depth + 1}",
        headers=page,
        check=entry_rows_check(everything[depth * JOURNAL_PAGE_SIZE :][:JOURNAL_PAGE_SIZE]),
    )

    ctx.time(
        "pace",
        "/journal/pace",
        f"{size}, {pace_total} in {PACE_WEEKS} weeks",
        headers=page,
        check=pace_check(large.pace_weeks()),
    )
    reviewed = large.week_of(last_week)
    ctx.time(
        "weekly review",
        f"/journal/review?week={_iso_week(last_week)}",
        f"{size}, {len(reviewed)} that week",
        headers=page,
        check=review_check(len(reviewed)),
    )
    # An entry with a body that has a list and a link: the most HTML to show.
    showcase = next(
        (e for e in large.entries if "](" in e.text and "\n- " in e.text), large.entries[0]
    )
    ctx.time(
        "entry",
        f"/journal/entries/{showcase.id}",
        size,
        headers=page,
        check=entry_rows_check([showcase.id]),
    )
    for fmt in ("md", "zip", "json"):
        ctx.time(
            "export",
            f"/journal/export.{fmt}",
            size,
            headers=page,
            check=export_check(large_n, fmt),
            requests=EXPORT_REQUESTS,
        )
    api_first = f"/api/v1/journal/entries?limit={JOURNAL_PAGE_SIZE}"
    ctx.time(
        "api",
        api_first,
        size,
        headers=ctx.api_headers(large.who),
        check=api_ids_check(everything[:JOURNAL_PAGE_SIZE]),
    )

    deep_small = min(depth * JOURNAL_PAGE_SIZE, small_n - 1)
    per_page: dict[str, tuple[str, Callable[[Journal], str]]] = {
        "GET /journal": ("journal", lambda _j: "/journal"),
        "GET /journal?before=…": (
            "journal",
            lambda j: (
                "/journal?before="
                + j.cursor_after(deep_small if j is small else depth * JOURNAL_PAGE_SIZE)
            ),
        ),
        "GET /journal/pace": ("pace", lambda _j: "/journal/pace"),
        "GET /journal/export.json": ("export", lambda _j: "/journal/export.json"),
        "GET /api/v1/journal/entries": ("api", lambda _j: api_first),
    }
    ctx.count_pages(per_page, journals, who=lambda j: j.who)
