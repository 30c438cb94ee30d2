"""The portfolio, a project page and the API's project list."""

from collections.abc import Callable

from app.listing import PAGE_DEFAULT
from app.overview.ranked import PAGE_SIZE
from app.projects.models import Project
from bench.checks import Check, api_items_check, count_check, json_check, shows_check
from bench.pages.harness import Context
from bench.seed.projects import Seeded, seed_user


def project_rows_check(projects: int) -> Check:
    """The first page of a portfolio of this many projects: PAGE_SIZE rows at most."""
    return count_check("tr[data-project-id]", min(projects, PAGE_SIZE), "project rows")


def bench_projects(ctx: Context) -> None:
    """Portfolio, project page and API list at --projects; the portfolio at 50 too."""
    large_n = ctx.args.projects
    small_n = 50
    ctx.time("baseline", "/healthz", "no database", headers={}, check=json_check("status", "ok"))
    small = seed_user(ctx.seed, "small", small_n)
    # Measured before the large portfolio exists, so the instance holds only these.
    ctx.time(
        "portfolio",
        "/",
        f"{small_n} projects",
        headers=ctx.page_headers(small),
        check=project_rows_check(small_n),
    )

    large = seed_user(ctx.seed, "large", large_n)
    size = f"{large_n} projects"
    page = ctx.page_headers(large)
    ctx.time("portfolio", "/", size, headers=page, check=project_rows_check(large_n))
    ctx.time(
        "portfolio",
        "/?page=all",
        f"{size}, every one on one page",
        headers=page,
        check=count_check("tr[data-project-id]", large_n, "project rows"),
    )
    project_id = large.deepest_project
    with ctx.seed.db.session() as s:
        title = s.get(Project, project_id).title
    ctx.time(
        "project",
        f"/projects/{project_id}",
        f"{size}, {large.history[project_id]} assessments",
        headers=page,
        check=shows_check(title),
    )
    ctx.time(
        "api",
        "/api/v1/projects",
        size,
        headers=ctx.api_headers(large),
        check=api_items_check(min(large_n, PAGE_DEFAULT)),
    )
    # The small user again, now that the instance holds everyone's projects:
    # a page whose time depends on other users' data shows here.
    ctx.time(
        "portfolio",
        "/",
        f"{small_n} projects, {small_n + large_n} in the instance",
        headers=ctx.page_headers(small),
        check=project_rows_check(small_n),
    )

    sizes = {f"{small_n} projects": small, f"{large_n} projects": large}
    per_page: dict[str, tuple[str, Callable[[Seeded], str]]] = {
        "GET /": ("portfolio", lambda _who: "/"),
        "GET /projects/{id}": ("project", lambda who: f"/projects/{who.deepest_project}"),
        "GET /api/v1/projects": ("api", lambda _who: "/api/v1/projects"),
    }
    ctx.count_pages(per_page, sizes, who=lambda who: who)
