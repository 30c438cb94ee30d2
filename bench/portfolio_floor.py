"""A floor for the portfolio bench: a bare FastAPI + Jinja table of a
portfolio's rows (rank, title link, status, three scores, priority), read
from Goldfish's database file with one Core query and ranked as Goldfish
ranks them. No sign-in, no middleware: what a page of the same rows cannot
cost less than on this machine, now.

    DATABASE_URL=sqlite:///… uvicorn bench.portfolio_floor:app

`GET /floor?owner=ID` (a user's live projects) or `?team=ID` (a team's).
"""

import os

import jinja2
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.responses import HTMLResponse

from app.config import Settings
from app.scoring import Scores, SuccessAxis, config_from_settings, rank

PAGE = jinja2.Environment(autoescape=True).from_string(
    """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Portfolio</title></head>
<body><main><h1>Portfolio</h1><table><thead><tr><th>#</th><th>Project</th><th>Status</th>
<th>Attainability</th><th>Scoop risk</th><th>Impact</th><th>Priority</th></tr></thead><tbody>
{% for r in rows %}<tr data-project-id="{{ r.id }}"><td>{{ r.rank }}</td>
<td><a href="/projects/{{ r.id }}">{{ r.title }}</a></td><td>{{ r.status }}</td>
<td>{{ r.scores.attainability }}</td><td>{{ r.scores.scoop_risk }}</td>
<td>{{ r.scores.impact }}</td><td>{{ r.priority }}</td></tr>
{% endfor %}</tbody></table></main></body></html>"""
)

ROWS = """SELECT p.id, p.title, p.status, a.attainability, a.scoop_risk, a.impact, a.success_axis
    FROM project p JOIN assessment a ON a.id = (
        SELECT max(id) FROM assessment WHERE project_id = p.id)
    WHERE p.{column} = :id AND p.archived_at IS NULL"""

engine = sa.create_engine(os.environ["DATABASE_URL"])
app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
CONFIG = config_from_settings(Settings(env="test", secret_key="floor-" + "x" * 42))


def _scores(r) -> Scores:
    return Scores(r.attainability, r.scoop_risk, r.impact, SuccessAxis(r.success_axis))


@app.get("/floor", response_class=HTMLResponse)
def floor(owner: int = 0, team: int = 0) -> str:
    column, key = ("team_id", team) if team else ("owner_id", owner)
    with engine.connect() as conn:
        found = conn.execute(sa.text(ROWS.format(column=column)), {"id": key}).all()
    by_id = {row.id: row for row in found}
    entries = ((r.id, r.title, _scores(r)) for r in found)
    rows = [
        {
            "id": r.project_id,
            "rank": r.rank,
            "title": r.title,
            "status": by_id[r.project_id].status,
            "scores": r.scores,
            "priority": r.priority.value,
        }
        for r in rank(entries, CONFIG)
    ]
    return PAGE.render(rows=rows)
