"""The charts as a user sees them, in real Chromium against a real server:
on a portfolio of 36 projects the map's titles never overlap (their drawn
bounding boxes, measured with getBBox), the quadrants are named, and the dark
theme draws the chart with the dark chart tokens. Screenshots of each chart,
light and dark, 1280 and 390 px wide, go to $GOLDFISH_SHOTS when it is set."""

import os
import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect
from sqlmodel import select

from app.auth.models import User
from app.db import Database, make_engine
from app.journal import service as journal_service
from app.journal.models import EntryIn
from app.projects import service as project_service
from app.projects.models import Assessment, ProjectCreate
from app.releases.models import ReleaseLink
from app.replans.models import Replan
from bench.seed.projects import project_payload
from tests import factories
from tests.browser.conftest import LiveServer
from tests.browser.test_portfolio_flow import sign_up

pytestmark = pytest.mark.browser

PROJECTS = 36
SHOTS = os.environ.get("GOLDFISH_SHOTS")

LABEL_BOXES = """() => [
  ...document.querySelectorAll('figure.map text.map-label:not(.map-label-hidden)')
].map(t => {
  const b = t.getBBox();
  return {text: t.textContent, x0: b.x, y0: b.y, x1: b.x + b.width, y1: b.y + b.height};
})"""


def seed_projects(server: LiveServer, email: str, n: int) -> None:
    """n projects for the signed-up user, through the app's service (as the form would)."""
    rng = random.Random(17)
    db = Database(make_engine(server.database_url))
    with db.session(write=True) as s:
        user = s.exec(select(User).where(User.email == email)).one()
        for i in range(1, n + 1):
            payload = project_payload(rng, i)
            payload["status"] = "active"
            project_service.project_create(
                s, owner=user, data=ProjectCreate.model_validate(payload)
            )
        s.commit()


def overlaps(a: dict, b: dict) -> bool:
    return a["x0"] < b["x1"] and b["x0"] < a["x1"] and a["y0"] < b["y1"] and b["y0"] < a["y1"]


def shoot(page: Page, name: str, selector: str) -> None:
    if not SHOTS:
        return
    for scheme in ("light", "dark"):
        for width, height in ((1280, 800), (390, 844)):
            page.emulate_media(color_scheme=scheme)
            page.set_viewport_size({"width": width, "height": height})
            page.locator(selector).first.screenshot(
                path=str(Path(SHOTS) / f"{name}-{scheme}-{width}.png")
            )
    page.emulate_media(color_scheme="light")
    page.set_viewport_size({"width": 1280, "height": 800})


def test_map_titles_do_not_overlap_and_dark_theme_draws_dark_chart_colours(
    page: Page, live_server: LiveServer
):
    email = sign_up(page, live_server)
    seed_projects(live_server, email, PROJECTS)
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto("/")
    expect(page.locator("figure.map a.point")).to_have_count(PROJECTS)
    for quadrant in ("Quick wins", "Moonshots", "Safe bets", "Rethink"):
        expect(page.locator("figure.map text.map-quadrant", has_text=quadrant)).to_have_count(1)

    boxes = page.evaluate(LABEL_BOXES)
    assert len(boxes) >= 30, "most of 36 titles are written on the map"
    clashes = [
        (a["text"], b["text"])
        for i, a in enumerate(boxes)
        for b in boxes[i + 1 :]
        if overlaps(a, b)
    ]
    assert clashes == []

    # Keyboard focus on a marker shows its scores next to its title.
    first = page.locator("figure.map a.point").first
    scores = first.locator("tspan.map-scores")
    expect(scores).to_be_hidden()
    first.focus()
    expect(scores).to_be_visible()
    assert scores.text_content().strip().startswith("A")

    grid = page.locator("figure.map line.chart-grid").first
    light = grid.evaluate("e => getComputedStyle(e).stroke")
    page.emulate_media(color_scheme="dark")
    dark = grid.evaluate("e => getComputedStyle(e).stroke")
    assert (light, dark) == (
        "rgb(229, 231, 235)",
        "rgb(44, 49, 60)",
    )  # --chart-grid, light and dark
    page.emulate_media(color_scheme="light")
    shoot(page, "map", "figure.map")


def seed_weeks(server: LiveServer, email: str) -> None:
    """Twelve weeks of journal entries: hours either side of the default 50 h
    limit, some on weekends, energy moving."""
    db = Database(make_engine(server.database_url))
    with db.session(write=True) as s:
        user = s.exec(select(User).where(User.email == email)).one()
        today = journal_service.today_for(user)
        monday = today - timedelta(days=today.weekday())
        for weeks_ago in range(12):
            start = monday - timedelta(weeks=weeks_ago)
            busy = 8 + weeks_ago % 4 * 2  # 8 to 14 h a weekday: some weeks over 50 h
            for day, hours in ((0, busy), (1, busy), (2, busy), (3, busy), (5 + weeks_ago % 2, 4)):
                when = start + timedelta(days=day)
                if when > today:
                    continue
                data = EntryIn(
                    kind="experiment",
                    body="Worked on it.",
                    day=when.isoformat(),
                    hours=Decimal(hours),
                    energy=1 + (weeks_ago + day) % 5,
                )
                journal_service.entry_create(s, author=user, data=data)
        s.commit()


def test_pace_charts_draw_the_limit_and_use_dark_chart_colours(page: Page, live_server: LiveServer):
    email = sign_up(page, live_server)
    seed_weeks(live_server, email)
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto("/journal/pace")
    expect(page.locator("#hours-chart text.limit-label")).to_have_text("your limit 50 h")
    expect(page.locator("#hours-chart text.week-tick")).to_have_count(12)
    limit = page.locator("#hours-chart line.limit")
    light = limit.evaluate("e => getComputedStyle(e).stroke")
    page.emulate_media(color_scheme="dark")
    dark = limit.evaluate("e => getComputedStyle(e).stroke")
    assert (light, dark) == ("rgb(197, 48, 48)", "rgb(240, 128, 128)")  # --chart-2, light and dark
    page.emulate_media(color_scheme="light")
    shoot(page, "pace", ".pace-grid")


def test_score_history_draws_dates_priority_and_replans_in_both_themes(
    page: Page, live_server: LiveServer
):
    email = sign_up(page, live_server)
    db = Database(make_engine(live_server.database_url))
    with db.session(write=True) as s:
        user = s.exec(select(User).where(User.email == email)).one()
        project = factories.make_project(s, user, "Multilingual eval", attainability=2, impact=3)
        release = factories.make_release(s, user, "Their English-only benchmark")
        factories.make_link(s, user, release, project, effect="scoop")
        factories.make_replan(s, project, user, release)
        project_id = project.id
        # Spread over two months, as a real history would be.
        base = datetime(2026, 9, 1, 12, tzinfo=UTC)
        for i, a in enumerate(s.exec(select(Assessment).order_by(Assessment.id)).all()):
            a.created_at = base + timedelta(days=40 * i)
        s.execute(sa.update(Replan).values(created_at=base + timedelta(days=40)))
        s.execute(sa.update(ReleaseLink).values(created_at=base + timedelta(days=33)))
        s.commit()
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"/projects/{project_id}")
    chart = page.locator("svg.history")
    expect(chart.locator("g.event-replan")).to_have_count(1)
    expect(chart.locator("g.series")).to_have_count(4)
    priority = chart.locator("g.series-priority polyline")
    light = priority.evaluate("e => getComputedStyle(e).stroke")
    page.emulate_media(color_scheme="dark")
    dark = priority.evaluate("e => getComputedStyle(e).stroke")
    assert (light, dark) == ("rgb(107, 70, 193)", "rgb(179, 157, 219)")  # --chart-5
    page.emulate_media(color_scheme="light")
    shoot(page, "history", "figure.history-chart")
