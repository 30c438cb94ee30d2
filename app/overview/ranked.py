"""The portfolio as a user sees it: their projects ranked by the formula,
filtered and ordered as asked, with each one's resilience (releases that
reinforce it, re-plans survived). One selector for the page and the API."""

from dataclasses import dataclass
from urllib.parse import urlencode

from pydantic import BaseModel
from sqlmodel import Session

from app.auth.models import User
from app.listing import fold
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


class PortfolioQuery(BaseModel):
    """The portfolio's filters and order, as found in the query string."""

    status: ProjectStatus | None = None
    keyword: str = ""
    sort: str = "priority"
    order: str = "desc"
    archived: bool = False

    @classmethod
    def parse(cls, **raw: str) -> "PortfolioQuery":
        status = raw.get("status") or None
        return cls(
            status=status if status in ProjectStatus.__members__ else None,
            keyword=fold((raw.get("keyword") or "").strip())[:40],
            sort=raw.get("sort") if raw.get("sort") in SORTS else "priority",
            order="asc" if raw.get("order") == "asc" else "desc",
            archived=raw.get("archived") in ("1", "true", "on"),
        )

    def query(self) -> str:
        params = {
            "status": self.status.value if self.status else "",
            "keyword": self.keyword,
            "sort": self.sort if self.sort != "priority" else "",
            "order": self.order if self.order != "desc" else "",
            "archived": "1" if self.archived else "",
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
        return SortLink(
            query=self.model_copy(update={"sort": key, "order": order}).query(), state=state
        )

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
    session: Session, *, user: User, scoring: ScoringConfig, query: PortfolioQuery
) -> dict:
    """The portfolio page: the ranked table under the query, its resilience
    totals, the choices its filters offer, and the map."""
    found = portfolio_view(session, user=user, scoring=scoring, query=query)
    reinforced, replans = found.resilience.reinforced, found.resilience.replans
    return {
        "rows": found.rows,
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
        **charts.map_context(found.rows),
        "all_keywords": found.all_keywords,
        "sort_links": {key: query.sorted_by(key) for key in SORTABLE_COLUMNS},
    }
