"""The portfolio as a user sees it: their projects ranked by the formula,
filtered and ordered as asked, with each one's resilience (releases that
reinforce it, re-plans survived). One selector for the page and the API."""

from dataclasses import dataclass
from urllib.parse import urlencode

from pydantic import BaseModel
from sqlmodel import Session

from app.auth.models import User
from app.errors import NotFound
from app.listing import fold
from app.overview.flags import score_flags
from app.projects import charts, queries
from app.projects.models import ProjectStatus
from app.releases import queries as release_queries
from app.replans import queries as replan_queries
from app.scoring import ScoringConfig, SuccessAxis

SORTS = {
    "priority": "Priority",
    "impact": "Impact",
    "attainability": "Attainability",
    "scoop_risk": "Scoop risk",
    "title": "Title",
    "updated": "Last change",
    "resilience": "Plan resilience (reinforced)",
}


@dataclass(frozen=True)
class SortLink:
    query: str  # the portfolio's query string sorted by the column
    state: str | None  # its aria-sort when the table is sorted by it


# The table's sortable columns, and the sort each one's header asks for.
SORTABLE_COLUMNS = ("title", "attainability", "scoop_risk", "impact", "priority", "resilience")

PAGE_SIZE = 50  # rows a portfolio page shows; ?page=all shows every one
ALL = 0  # the page number that stands for "every row on one page"
LAST_PAGE = 10_000  # bounds ?page=N: more than any portfolio needs


def _page_number(raw: str | None) -> int:
    if raw == "all":
        return ALL
    if raw and raw.isdigit() and len(raw) <= 5:
        return min(max(int(raw), 1), LAST_PAGE)
    return 1


class PortfolioQuery(BaseModel):
    """The portfolio's filters and order, as found in the query string."""

    status: ProjectStatus | None = None
    keyword: str = ""
    sort: str = "priority"
    order: str = "desc"
    archived: bool = False
    page: int = 1  # 1, 2, …; ALL for every row

    @classmethod
    def parse(cls, **raw: str) -> "PortfolioQuery":
        status = raw.get("status") or None
        return cls(
            status=status if status in ProjectStatus.__members__ else None,
            keyword=fold((raw.get("keyword") or "").strip())[:40],
            sort=raw.get("sort") if raw.get("sort") in SORTS else "priority",
            order="asc" if raw.get("order") == "asc" else "desc",
            archived=raw.get("archived") in ("1", "true", "on"),
            page=_page_number(raw.get("page")),
        )

    def query(self) -> str:
        params = {
            "status": self.status.value if self.status else "",
            "keyword": self.keyword,
            "sort": self.sort if self.sort != "priority" else "",
            "order": self.order if self.order != "desc" else "",
            "archived": "1" if self.archived else "",
            "page": "all" if self.page == ALL else str(self.page) if self.page > 1 else "",
        }
        return urlencode({k: v for k, v in params.items() if v})

    def sorted_by(self, key: str) -> "SortLink":
        """The link a column header makes: sort by `key`, the other way
        round if it is the order already (titles start A to Z, the rest
        high to low)."""
        first = "asc" if key == "title" else "desc"
        if self.sort == key:
            order = "asc" if self.order == "desc" else "desc"
            state = "ascending" if self.order == "asc" else "descending"
        else:
            order, state = first, None
        # A new order starts again from its first page (or still shows all).
        page = ALL if self.page == ALL else 1
        update = {"sort": key, "order": order, "page": page}
        return SortLink(query=self.model_copy(update=update).query(), state=state)

    def at_page(self, page: int) -> str:
        """This view's query string on another page: filters and order kept."""
        return self.model_copy(update={"page": page}).query()

    def apply(
        self, rows: list[queries.PortfolioRow], reinforced: dict[int, int]
    ) -> list[queries.PortfolioRow]:
        shown = [
            r
            for r in rows
            if (self.status is None or r.project.status == self.status)
            and (not self.keyword or any(self.keyword in fold(k) for k in r.keywords))
        ]
        if self.sort == "priority":
            # Rows arrive ranked; ascending shows the lowest priority first.
            return shown if self.order == "desc" else list(reversed(shown))
        if self.sort == "title":
            key = lambda r: r.project.title.casefold()  # noqa: E731
        elif self.sort == "updated":
            key = lambda r: r.project.updated_at  # noqa: E731
        elif self.sort == "resilience":
            key = lambda r: reinforced.get(r.project.id, 0)  # noqa: E731
        else:
            key = lambda r: getattr(r.assessment, self.sort)  # noqa: E731
        # Stable sort: equal values keep their priority order.
        return sorted(shown, key=key, reverse=self.order == "desc")


@dataclass(frozen=True)
class Paging:
    """Which slice of a view's rows one page shows."""

    number: int  # the page shown (ALL: every row)
    pages: int  # how many pages of PAGE_SIZE the view has
    first: int  # position in the view of the first row shown, from 1
    last: int  # … and of the last one
    matching: int  # rows in the view, every page together

    @property
    def numbers(self) -> range:
        return range(1, self.pages + 1)


def paged(rows: list, page: int, size: int = PAGE_SIZE) -> tuple[list, Paging]:
    """The rows page `page` shows (a page past the end shows the last one)."""
    pages = max(1, -(-len(rows) // size))
    if page == ALL:
        return rows, Paging(ALL, pages, 1 if rows else 0, len(rows), len(rows))
    page = min(page, pages)
    shown = rows[(page - 1) * size : page * size]
    first = (page - 1) * size + 1 if shown else 0
    return shown, Paging(page, pages, first, first + len(shown) - 1, len(rows))


@dataclass(frozen=True)
class Resilience:
    """Per project: releases linked as reinforcing it, and re-plans it survived."""

    reinforced: dict[int, int]
    replans: dict[int, int]

    @classmethod
    def of(cls, session: Session, *, project_ids: list[int]) -> "Resilience":
        return cls(
            reinforced=release_queries.reinforcement_counts(session, project_ids=project_ids),
            replans=replan_queries.replan_counts(session, project_ids=project_ids),
        )


@dataclass(frozen=True)
class Portfolio:
    rows: list[queries.PortfolioRow]  # shown: filtered and in the order asked
    total: int  # every project of the portfolio, before filtering
    all_keywords: list[str]
    resilience: Resilience
    config: ScoringConfig


def portfolio_view(
    session: Session,
    *,
    user: User,
    scoring: ScoringConfig,
    query: PortfolioQuery,
    as_of: int | None = None,
) -> Portfolio:
    """The user's own portfolio, ranked by `scoring` (their formula); with
    `as_of`, by the scores as they were at that assessment id."""
    rows = queries.portfolio(
        session, user=user, config=scoring, archived=query.archived, as_of=as_of
    )
    resilience = Resilience.of(session, project_ids=[r.project.id for r in rows])
    return Portfolio(
        rows=query.apply(rows, resilience.reinforced),
        total=len(rows),
        all_keywords=sorted({k for r in rows for k in r.keywords}),
        resilience=resilience,
        config=scoring,
    )


def portfolio_page(
    session: Session,
    *,
    user: User,
    scoring: ScoringConfig,
    query: PortfolioQuery,
    stale_days: int = 90,
) -> dict:
    """The portfolio page: one page of the ranked table under the query (the
    ranks those of the whole portfolio), its resilience totals, the choices
    its filters offer, and the map of the projects on the page."""
    found = portfolio_view(session, user=user, scoring=scoring, query=query)
    reinforced, replans = found.resilience.reinforced, found.resilience.replans
    rows, paging = paged(found.rows, query.page)
    query = query.model_copy(update={"page": paging.number})
    return {
        "rows": rows,
        "paging": paging,
        "total": found.total,
        "reinforced": reinforced,
        "replans": replans,
        "reinforced_total": sum(reinforced.values()),
        "replans_total": sum(replans.values()),
        "view": query,
        "sorts": SORTS,
        "statuses": list(ProjectStatus),
        "axes": list(SuccessAxis),
        "formula": found.config.formula(),
        **charts.map_context(rows),
        "all_keywords": found.all_keywords,
        "sort_links": {key: query.sorted_by(key) for key in SORTABLE_COLUMNS},
        "flags": score_flags(session, rows=found.rows, stale_days=stale_days),
    }


def score_editor(session: Session, *, user: User, scoring: ScoringConfig, project) -> dict:
    """One live project's portfolio row, ranked among all the user's, for its
    score editor. An archived project is not re-scored: NotFound."""
    found = portfolio_view(session, user=user, scoring=scoring, query=PortfolioQuery())
    row = next((r for r in found.rows if r.project.id == project.id), None)
    if row is None:
        raise ArchivedNotRescored
    return {
        "row": row,
        "project": project,
        "reinforced": found.resilience.reinforced,
        "replans": found.resilience.replans,
        "formula": found.config.formula(),
    }


class ArchivedNotRescored(NotFound):
    what = "project to re-score (archived projects are not re-scored)"
