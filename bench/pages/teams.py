"""A manager's pages: the team portfolio, the review queue, a review (open
and answered), the activity list and the API's waiting box."""

from collections.abc import Callable

import httpx2 as httpx

from app.listing import PAGE_DEFAULT
from app.notifications.queries import PAGE as NOTICE_PAGE_SIZE
from app.overview.team_portfolio_queries import REALISED_MAX, RECENT_LINKS
from app.reviews import queries as review_queries
from bench.checks import (
    Check,
    all_of,
    count_check,
    ids_check,
    older_link,
    same_ids,
    shows_check,
    text_check,
)
from bench.pages.harness import Context
from bench.pages.projects import project_rows_check
from bench.seed.teams import SeededTeam, newest_notices, seed_team

QUEUE_LIMIT = review_queries.LIST_LIMIT


def team_portfolio_check(team: SeededTeam) -> Check:
    """Every shared project ranked, every waiting plan, and the capped lists."""
    return all_of(
        project_rows_check(team.shared),
        ids_check(
            "li[data-request-id]",
            "data-request-id",
            team.open_requests[:QUEUE_LIMIT],
            "plans waiting for review",
            inside="section#waiting",
        ),
        count_check(
            "li[data-project-id]",
            min(team.realised, REALISED_MAX),
            "acknowledged risks now realised",
            inside="section#realised",
        ),
        count_check(
            "li[data-project-id]",
            min(team.links, RECENT_LINKS),
            "releases",
            inside="section#touched",
        ),
        count_check("li[data-project-id]", team.replans, "re-plans", inside="section#replans"),
    )


def review_questions_check(questions: list[str], *, answered: bool) -> Check:
    """The request's page shows its questions: as answer fields while open, with
    the manager's answers once answered."""
    shown = [shows_check(q) for q in questions]
    if answered:
        fields = count_check("dt", len(questions), "answered questions", inside="section#answer")
    else:
        fields = count_check('[id^="f-answer-"]', len(questions), "answer fields")
    return all_of(fields, *shown)


def api_requests_check(expected: list[int], questions: int) -> Check:
    def check(response: httpx.Response) -> str | None:
        items = response.json()["items"]
        problem = same_ids([item["id"] for item in items], expected, "review requests")
        if problem:
            return problem
        short = [item["id"] for item in items if len(item["questions"]) != questions]
        return f"requests without {questions} questions: {short[:5]}" if short else None

    return check


def bench_teams(ctx: Context) -> None:
    """A manager's pages at --shared projects shared with their team (and at 50
    for the SQL counts): the team portfolio, the review queue, a review, the
    activity list and the API's waiting box."""
    large_n = ctx.args.shared
    small_n = 50
    teams = {f"{n} shared projects": seed_team(ctx.seed, name, n) for name, n in (
        ("team-small", small_n), ("team", large_n)
    )}  # fmt: skip
    small, large = teams.values()
    size = f"{large_n} shared projects"
    page = ctx.page_headers(large.manager)

    for team in (small, large):
        ctx.time(
            "team portfolio",
            f"/teams/{team.team_id}/portfolio",
            f"{team.shared} shared projects, {team.links} links",
            headers=ctx.page_headers(team.manager),
            check=team_portfolio_check(team),
        )
    waiting = large.open_requests[:QUEUE_LIMIT]
    ctx.time(
        "review queue",
        "/reviews",
        f"{size}, {len(large.open_requests)} waiting",
        headers=page,
        check=ids_check(
            'a[href^="/reviews/"]',
            "href",
            waiting,
            "requests waiting",
            pattern=r"/reviews/(\d+)",
            inside="section#waiting",
        ),
    )
    for label, request_id, answered in (
        ("review, open", large.open_requests[0], False),
        ("review, answered", large.answered[-1], True),
    ):
        questions = large.questions[request_id]
        ctx.time(
            label,
            f"/reviews/{request_id}",
            f"{size}, {len(questions)} questions",
            headers=page,
            check=review_questions_check(questions, answered=answered),
        )
    shown = newest_notices(ctx.seed, large.manager.user.id, NOTICE_PAGE_SIZE)
    ctx.time(
        "activity",
        "/activity",
        f"{large.notices} notifications, {large.unread} unread",
        headers=page,
        check=all_of(
            count_check("li.activity-item", NOTICE_PAGE_SIZE, "notifications"),
            ids_check("li.activity-item", "id", shown, "notifications", pattern=r"notice-(\d+)"),
            text_check("#unread-total", f"{large.unread} unread"),
            lambda r: None if older_link(r) else "no Older → link",
        ),
    )
    api_waiting = "/api/v1/reviews?box=waiting"
    ctx.time(
        "api",
        api_waiting,
        f"{size}, {len(large.open_requests)} waiting",
        headers=ctx.api_headers(large.manager),
        check=api_requests_check(large.open_requests[:PAGE_DEFAULT], 3),
    )

    per_page: dict[str, tuple[str, Callable[[SeededTeam], str]]] = {
        "GET /teams/{id}/portfolio": (
            "team portfolio",
            lambda t: f"/teams/{t.team_id}/portfolio",
        ),
        "GET /reviews": ("review queue", lambda _t: "/reviews"),
        "GET /reviews/{id} (open)": ("review", lambda t: f"/reviews/{t.open_requests[0]}"),
        "GET /activity": ("activity", lambda _t: "/activity"),
        "GET /api/v1/reviews?box=waiting": ("api", lambda _t: api_waiting),
    }
    ctx.count_pages(per_page, teams, who=lambda t: t.manager)
