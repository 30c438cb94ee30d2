"""The release log (first, deep and filtered pages, the search box's
fragment), a release page, and the API's release list."""

from collections.abc import Callable
from datetime import date, timedelta
from urllib.parse import urlencode

import httpx2 as httpx

from app.releases.models import Release
from app.releases.queries import PAGE_SIZE
from bench.checks import (
    Check,
    all_of,
    api_ids_check,
    count_check,
    fragment_check,
    ids_check,
    numbers,
    older_link,
    shows_check,
    soup,
)
from bench.pages.harness import Context
from bench.seed.projects import seed_user
from bench.seed.releases import (
    FILTER_ORGANISATION,
    MISSING_WORD,
    SEARCH_WORD,
    ReleaseLog,
    seed_releases,
)


def release_ids(response: httpx.Response) -> list[int]:
    """The data-release-id of every `li.release` of a page, in order (-1 if it has none)."""
    return numbers(soup(response), "li.release", "data-release-id")


def release_rows_check(expected: list[int]) -> Check:
    """The page lists exactly these releases (`li.release`), in this order."""
    return ids_check("li.release", "data-release-id", expected, "li.release rows")


def _three_months_a_year_ago(today: date) -> tuple[date, date]:
    since = date(today.year - 1, today.month, 1)
    after = since.month + 3
    until = date(since.year + (after - 1) // 12, (after - 1) % 12 + 1, 1) - timedelta(days=1)
    return since, until


def bench_releases(ctx: Context) -> None:
    """The release log at --releases (and at 2,000 for the SQL counts): first,
    deep and filtered pages, a release page, and the API list."""
    large_n = ctx.args.releases
    small_n = 2000 if large_n > 2000 else large_n // 10
    logs: dict[str, ReleaseLog] = {}
    for name, n in (("releases-small", small_n), ("releases", large_n)):
        who = seed_user(ctx.seed, name, 20)
        logs[f"{n} releases"] = seed_releases(ctx.seed, who, n, links=max(1, n // 100))
    small, large = logs.values()
    size = f"{large_n} releases"
    page = ctx.page_headers(large.who)
    api = ctx.api_headers(large.who)
    everything = large.matching(lambda _r: True)

    ctx.time(
        "release log",
        "/releases",
        f"{small_n} releases",
        headers=ctx.page_headers(small.who),
        check=release_rows_check(small.matching(lambda _r: True)[:PAGE_SIZE]),
    )
    ctx.time(
        "release log",
        "/releases",
        size,
        headers=page,
        check=release_rows_check(everything[:PAGE_SIZE]),
    )

    # Deep pages: walk the "Older →" links like a reader would, checking that
    # the pages together list every release once, in order.
    depth = min(100, (large_n - 1) // PAGE_SIZE)
    deep_path = ctx.follow(
        "release log",
        "/releases",
        f"{size}, pages 2–{depth + 1}",
        headers=page,
        pages=depth,
        next_path=older_link,
        ids=release_ids,
        expected=everything,
        page_size=PAGE_SIZE,
        shown=f"/releases, then Older → ×{depth}",
    )
    deep_rows = everything[depth * PAGE_SIZE : (depth + 1) * PAGE_SIZE]
    ctx.time(
        "release log",
        deep_path,
        f"{size}, page {depth + 1}",
        headers=page,
        check=release_rows_check(deep_rows),
    )

    since, until = _three_months_a_year_ago(date.today())
    filtered = {
        "kind=model": lambda r: r.kind == "model",
        f"organisation={FILTER_ORGANISATION}": (
            lambda r: r.organisation.lower() == FILTER_ORGANISATION.lower()
        ),
        f"q={SEARCH_WORD}": lambda r: SEARCH_WORD in r.text,
        f"q={MISSING_WORD}": lambda r: MISSING_WORD in r.text,
        f"since={since}&until={until}": lambda r: since <= r.released_on <= until,
    }
    for query, keep in filtered.items():
        matches = large.matching(keep)
        check = release_rows_check(matches[:PAGE_SIZE])
        if not matches:
            check = all_of(check, shows_check("No release matches these filters."))
        ctx.time(
            "release log",
            "/releases?" + urlencode(dict(p.split("=") for p in query.split("&"))),
            f"{size}, {len(matches)} match",
            headers=page,
            check=check,
        )

    # What the search box sends on each keystroke: only the results block is
    # rendered, but the route runs the same queries.
    matches = large.matching(filtered[f"q={SEARCH_WORD}"])
    ctx.time(
        "release log, htmx",
        "/releases?" + urlencode({"q": SEARCH_WORD}),
        f"{size}, {len(matches)} match, results fragment",
        headers={**page, "HX-Request": "true"},
        check=all_of(
            release_rows_check(matches[:PAGE_SIZE]),
            fragment_check,
        ),
    )

    with ctx.seed.db.session() as s:
        title = s.get(Release, large.showcase).title
    ctx.time(
        "release",
        f"/releases/{large.showcase}",
        f"{size}, {large.showcase_links} links",
        headers=page,
        check=all_of(
            shows_check(title),
            count_check('li[id^="link-"]', large.showcase_links, "links"),
        ),
    )

    api_first = f"/api/v1/releases?limit={PAGE_SIZE}"
    ctx.time(
        "api",
        api_first,
        size,
        headers=api,
        check=api_ids_check(everything[:PAGE_SIZE]),
    )

    def api_next(response: httpx.Response) -> str | None:
        cursor = response.json()["next_before"]
        return f"{api_first}&{urlencode({'before': cursor})}" if cursor else None

    api_deep = ctx.follow(
        "api",
        api_first,
        f"{size}, pages 2–{depth + 1}",
        headers=api,
        pages=depth,
        next_path=api_next,
        ids=lambda r: [item["id"] for item in r.json()["items"]],
        expected=everything,
        page_size=PAGE_SIZE,
        shown=f"{api_first}, then next_before ×{depth}",
    )
    ctx.time(
        "api",
        api_deep,
        f"{size}, page {depth + 1}",
        headers=api,
        check=api_ids_check(deep_rows),
    )

    # Statements per page at both sizes: none of them should grow with the log.
    deep_rows_small = min(depth * PAGE_SIZE, small_n - 1)
    per_page: dict[str, tuple[str, Callable[[ReleaseLog], str]]] = {
        "GET /releases": ("release log", lambda _log: "/releases"),
        "GET /releases?before=…": (
            "release log",
            lambda log: (
                "/releases?before="
                + log.cursor_after(deep_rows_small if log is small else depth * PAGE_SIZE)
            ),
        ),
        **{
            f"GET /releases?{query}": (
                "release log",
                lambda _log, q=query: (
                    "/releases?" + urlencode(dict(p.split("=") for p in q.split("&")))
                ),
            )
            for query in filtered
        },
        "GET /releases/{id}": ("release", lambda log: f"/releases/{log.showcase}"),
        "GET /api/v1/releases": ("api", lambda _log: api_first),
        "GET /api/v1/releases?before=…": (
            "api",
            lambda log: (
                f"{api_first}&before="
                + log.cursor_after(deep_rows_small if log is small else depth * PAGE_SIZE)
            ),
        ),
    }
    ctx.count_pages(per_page, logs, who=lambda log: log.who)
