"""Every page of Goldfish, filled with the demo portfolio, as a list a
browser can walk: `make screenshots` photographs them (python -m
bench.screens) and the browser tests (tests/browser/test_look.py) check each
for console errors, axe-core violations and its title.

`demo_instance` loads the demo into a migrated database with a known key,
so the demo passwords are known; `SCREENS` names each page once, with who
looks at it; `log_in` signs a Playwright context in through the real form.
"""

import argparse
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func
from sqlmodel import Session, select

from app.auth.models import User
from app.config import Settings
from app.db import make_engine
from app.demo.service import MANAGER_EMAIL, RESEARCHER_EMAIL, demo_load, demo_password
from app.feeds.models import Feed
from app.inbox.models import Suggestion
from app.journal.models import JournalEntry
from app.projects.models import PlanVersion, Project
from app.releases.models import Release
from app.reviews.models import ReviewRequest
from app.scoring import config_from_settings
from app.teams.models import Team

DEMO_KEY = "screens-" + "k" * 40  # the demo's passwords derive from it
EMAILS = {"researcher": RESEARCHER_EMAIL, "manager": MANAGER_EMAIL}
SIZES = {"wide": (1280, 800), "phone": (390, 844)}
SCHEMES = ("light", "dark")


@dataclass(frozen=True)
class Screen:
    name: str  # a file name: portfolio, project, …
    who: str  # researcher, manager or visitor (not logged in)
    path: str  # with {placeholders} filled from `Demo.ids`


SCREENS = [
    Screen("portfolio", "researcher", "/"),
    Screen("project", "researcher", "/projects/{curated}"),
    Screen("project-edit", "researcher", "/projects/{curated}/edit"),
    Screen("plan-edit", "researcher", "/projects/{curated}/plan/edit"),
    Screen("plan-diff", "researcher", "/projects/{diffed}/plans/diff"),
    Screen("what-if", "researcher", "/projects/{curated}/what-if?score=impact&value=5"),
    Screen("replan", "researcher", "/projects/{curated}/replan"),
    Screen("review-share", "researcher", "/projects/{curated}/plans/1/share"),
    Screen("project-new", "researcher", "/projects/new"),
    Screen("releases", "researcher", "/releases"),
    Screen("release", "researcher", "/releases/{lima}"),
    Screen("release-new", "researcher", "/releases/new"),
    Screen("journal", "researcher", "/journal"),
    Screen("journal-new", "researcher", "/journal/new"),
    Screen("journal-entry", "researcher", "/journal/entries/{entry}"),
    Screen("journal-edit", "researcher", "/journal/entries/{entry}/edit"),
    Screen("pace", "researcher", "/journal/pace"),
    Screen("journal-settings", "researcher", "/journal/settings"),
    Screen("weekly-review", "researcher", "/journal/review"),
    Screen("teams", "researcher", "/teams"),
    Screen("team", "researcher", "/teams/{team}"),
    Screen("team-journal", "researcher", "/teams/{team}/journal"),
    Screen("reviews-sent", "researcher", "/reviews"),
    Screen("review", "researcher", "/reviews/{request}"),
    Screen("inbox", "researcher", "/inbox"),
    Screen("suggestion", "researcher", "/inbox/{suggestion}"),
    Screen("activity", "researcher", "/activity"),
    Screen("digest", "researcher", "/digest"),
    Screen("feeds", "researcher", "/feeds"),
    Screen("feed", "researcher", "/feeds/{feed}"),
    Screen("import", "researcher", "/imports/projects"),
    Screen("account", "researcher", "/account"),
    Screen("team-portfolio", "manager", "/teams/{team}/portfolio"),
    Screen("team-settings", "manager", "/teams/{team}/settings"),
    Screen("reviews", "manager", "/reviews"),
    Screen("login", "visitor", "/login"),
    Screen("signup", "visitor", "/signup"),
    Screen("forgot", "visitor", "/forgot"),
]


@dataclass(frozen=True)
class Demo:
    ids: dict[str, int]
    passwords: dict[str, str]  # role → password

    def url(self, screen: Screen) -> str:
        return screen.path.format(**self.ids)


def demo_instance(database_url: str) -> Demo:
    """Load the demo into a migrated, empty database; the ids the pages need."""
    settings = Settings(env="test", database_url=database_url, secret_key=DEMO_KEY)
    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            demo_load(session, secret_key=DEMO_KEY, scoring=config_from_settings(settings))
            session.commit()
            ids = _ids(session)
    finally:
        engine.dispose()
    passwords = {role: demo_password(DEMO_KEY, email) for role, email in EMAILS.items()}
    return Demo(ids=ids, passwords=passwords)


def _ids(session: Session) -> dict[str, int]:
    researcher = session.exec(select(User.id).where(User.email == RESEARCHER_EMAIL)).one()
    most_plans = (
        select(PlanVersion.project_id)
        .group_by(PlanVersion.project_id)
        .order_by(func.count().desc(), PlanVersion.project_id)
    )
    first = select(JournalEntry.id).where(JournalEntry.author_id == researcher)
    return {
        "team": session.exec(select(Team.id)).one(),
        "curated": session.exec(select(Project.id).where(Project.title.startswith("Small"))).one(),
        "diffed": session.exec(most_plans).first(),
        "lima": session.exec(select(Release.id).where(Release.title.startswith("LIMA"))).one(),
        "request": session.exec(select(ReviewRequest.id).order_by(ReviewRequest.id)).first(),
        "entry": session.exec(first.order_by(JournalEntry.id.desc())).first(),
        "suggestion": session.exec(
            select(Suggestion.id).where(Suggestion.owner_id == researcher).order_by(Suggestion.id)
        ).first(),
        "feed": session.exec(select(Feed.id).order_by(Feed.id)).first(),
    }


def log_in(page, email: str, password: str) -> None:
    """Through the login form, as a person would (page: a Playwright Page
    whose context has the server as base_url)."""
    page.goto("/login")
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/login" not in url)


def main() -> None:
    """`make screenshots`: every page, wide and on a phone, light and dark."""
    from alembic import command
    from playwright.sync_api import sync_playwright

    from app.cli import alembic_config
    from bench import server

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--out", type=Path, default=Path("var/screenshots"))
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--full-page", action="store_true", help="the whole page, not one screen")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="goldfish-screens-") as tmp:
        database_url = f"sqlite:///{tmp}/goldfish.db"
        command.upgrade(alembic_config(database_url), "head")
        demo = demo_instance(database_url)
        with server.running(database_url, Path(tmp)) as running, sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=args.chromium, args=["--no-sandbox"])
            count = 0
            for size, (width, height) in SIZES.items():
                for scheme in SCHEMES:
                    folder = args.out / f"{size}-{scheme}"
                    folder.mkdir(parents=True, exist_ok=True)
                    count += _photograph(
                        browser,
                        running.url,
                        demo,
                        folder,
                        args.full_page,
                        viewport={"width": width, "height": height},
                        color_scheme=scheme,
                    )
            browser.close()
    print(f"{count} screenshots in {args.out}/ (wide = 1280×800, phone = 390×844)")


def _photograph(browser, url: str, demo: Demo, folder: Path, full_page: bool, **context) -> int:
    count = 0
    for who in ("researcher", "manager", "visitor"):
        ctx = browser.new_context(base_url=url, **context)
        page = ctx.new_page()
        if who != "visitor":
            log_in(page, EMAILS[who], demo.passwords[who])
        for screen in (s for s in SCREENS if s.who == who):
            response = page.goto(demo.url(screen))
            if response is None or not response.ok:
                raise SystemExit(
                    f"{screen.name}: {demo.url(screen)} answered {response and response.status}"
                )
            page.screenshot(path=str(folder / f"{screen.name}.png"), full_page=full_page)
            count += 1
        ctx.close()
    return count


if __name__ == "__main__":
    main()
