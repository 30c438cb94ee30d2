"""The floor: a bare FastAPI + Jinja app rendering a portfolio's rows (title
link, status, three scores, priority) from Goldfish's own database file,
with nothing else: no sign-in, no middleware, one Core query, one template.
What a page of the same rows cannot cost less than, on this machine, now.

    DATABASE_URL=sqlite:///… uvicorn bench.floor:app

`GET /floor?owner=ID` renders owner ID's live projects (`?team=ID`: a
team's), ranked as Goldfish ranks them (app.scoring, the default formula);
`GET /floor.json?owner=ID&limit=N` answers the first N of them as JSON, the
floor of the API list. Started beside Goldfish by bench/ratios.py and
bench/portfolio.py.
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
<td>{{ r.scores.impact }}</td><td>{{ '%.2f' % r.priority }}</td></tr>
{% endfor %}</tbody></table></main></body></html>"""
)

# The newest assessment of each of the owner's (or team's) live projects.
ROWS = """SELECT p.id, p.title, p.status, a.attainability, a.scoop_risk, a.impact, a.success_axis
    FROM project p JOIN assessment a ON a.id = (
        SELECT max(id) FROM assessment WHERE project_id = p.id)
    WHERE p.{column} = :id AND p.archived_at IS NULL"""

engine = sa.create_engine(os.environ["DATABASE_URL"])
app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
CONFIG = config_from_settings(Settings(env="test", secret_key="floor-" + "x" * 42))


def _ranked(owner: int, team: int = 0) -> list[dict]:
    column, key = ("team_id", team) if team else ("owner_id", owner)
    with engine.connect() as conn:
        found = conn.execute(sa.text(ROWS.format(column=column)), {"id": key}).all()
    by_id = {row.id: row for row in found}
    entries = (
        (
            row.id,
            row.title,
            Scores(row.attainability, row.scoop_risk, row.impact, SuccessAxis(row.success_axis)),
        )
        for row in found
    )
    return [
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


@app.get("/floor", response_class=HTMLResponse)
def floor(owner: int = 0, team: int = 0) -> str:
    return PAGE.render(rows=_ranked(owner, team))


@app.get("/floor.json")
def floor_json(owner: int, limit: int = 100) -> dict:
    rows = _ranked(owner)[:limit]
    return {
        "items": [
            {
                **row,
                "scores": {
                    "attainability": row["scores"].attainability,
                    "scoop_risk": row["scores"].scoop_risk,
                    "impact": row["scores"].impact,
                },
            }
            for row in rows
        ]
    }
