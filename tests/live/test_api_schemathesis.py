"""Schemathesis against a live server: every /api/v1 operation, every check,
the stateful phase, and two users for the object-level authorization check.

A fresh database of the kind under test (`pytest --postgres` for PostgreSQL)
is migrated and seeded through the app's services, `goldfish serve` runs on
it, and the `schemathesis` CLI (pinned in the dev extras) fuzzes the API from
its own OpenAPI document. The run must find nothing: no server error, no
response outside the schema, no other failed check. Its counts are printed
whether it passes or not, so a CI log shows what was covered.
"""

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from alembic import command

from app.cli import alembic_config
from app.db import Database, make_engine
from bench.server import running
from tests import factories

SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
# Reproducible, and sized to finish well inside four minutes on a 2-core
# machine shared with other jobs: 50 examples an operation took 125 s on
# SQLite and 133 s on PostgreSQL there (about 5,300 test cases).
SEED = 20261201
MAX_EXAMPLES = 50
HANG_AFTER = 420  # seconds: a run this long is stuck, and fails

PEERS = ("alice", "bob")

# Why each setting is what it is. Every check runs: schemathesis enables them
# all unless told otherwise (the test asserts it), and `--checks all` on the
# command line would override the two per-operation settings at the end.
# The rest tells the generator what the schema cannot say.
CONFIG = """
[auth.wfc]
path = "{auth}"
# Alice and Bob must never see each other's objects.
peers = ["alice", "bob"]

[generation]
# The API refuses a NUL in any text (PostgreSQL cannot store one) and says so
# in its description; JSON Schema could only say it with a pattern on every
# string, so the generator is told instead.
allow-x00 = false

# Valid data for what the schema cannot check. Alice makes the calls (Bob is
# the peer they are replayed as), and a team or a reviewer is valid only for
# someone in it: her team, and Carol who manages it. A release is not dated
# in the future, and its address is one a browser would open.
[dictionaries.team]
values = [{team}]

[dictionaries.manager]
values = [{manager}]

[dictionaries.past_day]
values = ["1999-12-31", "2024-02-29", "2026-10-01"]

[dictionaries.release_url]
values = ["https://arxiv.org/abs/2401.12345", "2402.01234v2", "https://example.org/model", ""]

[dictionaries.arxiv_query]
values = ['cat:cs.CL AND abs:"instruction tuning"', "ti:alignment", "au:Touvron ANDNOT cat:cs.CV"]

[parameters]
"body.query" = {{ dictionary = "arxiv_query" }}
"body.team_id" = {{ dictionary = "team" }}
"body.shared_team_id" = {{ dictionary = "team" }}
"body.reviewer_id" = {{ dictionary = "manager" }}
"body.released_on" = {{ dictionary = "past_day" }}
"body.release.released_on" = {{ dictionary = "past_day" }}
"body.url" = {{ dictionary = "release_url" }}
"body.release.url" = {{ dictionary = "release_url" }}

# A team's score_mapping must rise from score 1 to score 5: JSON Schema can
# bound each value but cannot compare it with its neighbour, so a mapping the
# schema allows may be refused with 422.
[[operations]]
include-name = "PATCH /api/v1/teams/{{team_id}}"
checks.positive_data_acceptance.expected-statuses = ["2xx", "401", "403", "404", "409", "422"]

# A feed's `url` shares the release dictionary above, whose bare arXiv ids
# and empty address are releases' spellings, not a feed's (422); and one
# kind of feed takes an address, the other a query, which JSON Schema cannot
# tie to `kind`.
[[operations]]
include-name = ["POST /api/v1/feeds", "PATCH /api/v1/feeds/{{feed_id}}"]
checks.positive_data_acceptance.expected-statuses = ["2xx", "401", "403", "404", "409", "422"]

# A used, withdrawn or expired invite token is gone: 410, as documented.
[[operations]]
include-name = "POST /api/v1/teams/{{team_id}}/join"
checks.positive_data_acceptance.expected-statuses = ["2xx", "401", "403", "404", "409", "410"]

# A journal entry must say something, in `body` or in `learned` (an edit
# counts what the entry already says): a rule across two fields and the
# stored row, which JSON Schema cannot state, so an empty one is a 422.
[[operations]]
include-name = ["POST /api/v1/journal/entries", "PATCH /api/v1/journal/entries/{{entry_id}}"]
checks.positive_data_acceptance.expected-statuses = ["2xx", "401", "403", "404", "409", "422"]

# A release's `links` name each project once: uniqueItems cannot compare one
# key of the items, so a list repeating a project is a 422.
[[operations]]
include-name = "POST /api/v1/releases"
checks.positive_data_acceptance.expected-statuses = ["2xx", "401", "403", "404", "409", "422"]

# A list's cursor is opaque (it encodes where the last page ended): one
# the list did not hand out is a 422, which no schema can say.
[[operations]]
include-name = [
  "GET /api/v1/projects",
  "GET /api/v1/teams",
  "GET /api/v1/teams/{{team_id}}/members",
  "GET /api/v1/reviews",
  "GET /api/v1/notifications",
]
checks.positive_data_acceptance.expected-statuses = ["2xx", "401", "403", "404", "409", "422"]

# A round's estimators must be members of the project's team: a list naming
# anyone else is a 422, which no schema can say.
[[operations]]
include-name = "POST /api/v1/projects/{{project_id}}/rounds"
checks.positive_data_acceptance.expected-statuses = ["2xx", "401", "403", "404", "409", "422"]

# These answer 404 when the body names what the caller cannot see (a project,
# a release, a team, a reviewer, an invite token), as they would for an id in
# the path. Right after a create, that 404 is about the body, not about the
# resource just created, and this check cannot tell the two apart.
[[operations]]
include-name = [
    "POST /api/v1/releases/{{release_id}}/links",
    "POST /api/v1/projects/{{project_id}}/replans",
    "PATCH /api/v1/projects/{{project_id}}",
    "POST /api/v1/projects/{{project_id}}/plans/{{number}}/reviews",
    "PATCH /api/v1/journal/entries/{{entry_id}}",
    "POST /api/v1/teams/{{team_id}}/join",
]
checks.ensure_resource_availability.enabled = false
"""


def _seed(database_url: str) -> dict[str, object]:
    """Alice and Bob, each with a team (which Carol and Dan also manage), a
    project shared with it, a release linked to it, a journal entry, an
    invite link, two review requests, one answered, and a scoring round (they
    estimate in it too) with Carol's estimate: something for every
    operation's ids, and nothing either may see of the other's. The managers
    come first, so the smallest ids (the coverage phase sends 1 and 2) name
    reviewers. Returns the peers' API tokens and the ids the config names."""
    command.upgrade(alembic_config(database_url), "head")
    database = Database(make_engine(database_url))
    tokens, teams = {}, {}
    try:
        with database.session(write=True) as db:
            carol = factories.make_user(db, email="carol@example.org", display_name="Carol")
            dan = factories.make_user(db, email="dan@example.org", display_name="Dan")
            for name in PEERS:
                user = factories.make_user(db, email=f"{name}@example.org", display_name=name)
                team = teams[name] = factories.make_team(db, user, name=f"{name.title()}'s group")
                factories.add_member(db, team, carol, "manager")
                factories.add_member(db, team, dan, "manager")
                factories.make_invite(db, team, user)
                project = factories.make_project(db, user, f"{name.title()}'s project")
                project.team_id = team.id
                db.commit()
                release = factories.make_release(db, user, f"{name.title()}'s release")
                factories.make_link(db, user, release, project)
                factories.make_entry(db, user, project_id=project.id, body=f"{name} worked")
                answered = factories.make_request(db, project, user, carol)
                factories.make_review(db, answered, carol)
                factories.make_request(db, project, user, carol)
                scoring_round = factories.make_round(db, project, user, [user, carol, dan])
                factories.make_estimate(db, scoring_round, carol, (2, 4, 3))
                tokens[name] = factories.make_token(db, user, name="schemathesis")
            ids = {"team": teams["alice"].id, "manager": carol.id}
    finally:
        database.dispose()
    return {"tokens": tokens, **ids}


def _summary(report: dict) -> str:
    failures = ", ".join(f"{f['code']} {f['title']}: {f['count']}" for f in report["failures"])
    phases = ", ".join(f"{name} {p['status']}" for name, p in report["phases"].items())
    return (
        f"schemathesis {report['schemathesis_version']}, seed {report['seed']}: "
        f"{report['operations']['tested']}/{report['operations']['total']} operations, "
        f"{report['test_cases']['generated']} test cases, "
        f"{report['test_cases']['with_failures']} with failures ({failures or 'none'}), "
        f"{len(report['errors'])} errors; phases: {phases}; "
        f"{report['running_time']:.0f} s"
    )


def _assert_every_check_runs(config: Path) -> None:
    """Every check of schemathesis's runs; the operations CONFIG names turn
    off one of them, ensure_resource_availability, and nothing else."""
    from schemathesis.checks import CHECKS, load_all_checks
    from schemathesis.config import SchemathesisConfig

    load_all_checks()
    project = SchemathesisConfig.from_path(config).projects.default
    names = set(CHECKS.get_all_names())
    assert len(names) >= 14 and "object_level_authorization" in names
    checks = project.checks_config_for()
    assert [n for n in sorted(names) if not checks.get_by_name(name=n).enabled] == []
    for operation in project.operations.operations:
        off = {n for n in names if not operation.checks.get_by_name(name=n).enabled}
        assert off <= {"ensure_resource_availability"}, off


def test_schemathesis_finds_nothing(new_database_url, tmp_path, capsys):
    if not SCHEMATHESIS.exists():
        pytest.fail(f"{SCHEMATHESIS} is missing: pip install -c requirements.lock -e '.[dev]'")

    database_url = new_database_url("schemathesis")
    seeded = _seed(database_url)
    tokens = seeded["tokens"]
    auth = tmp_path / "auth.json"
    auth.write_text(
        json.dumps(
            {
                "auth": [
                    {
                        "name": name,
                        "fixedHeaders": [{"name": "Authorization", "value": f"Bearer {token}"}],
                    }
                    for name, token in tokens.items()
                ]
            }
        )
    )
    config = tmp_path / "schemathesis.toml"
    config.write_text(CONFIG.format(auth=auth, team=seeded["team"], manager=seeded["manager"]))
    _assert_every_check_runs(config)
    reports = tmp_path / "report"

    # A poll of a generated feed address must not wait on a slow resolver.
    with running(
        database_url, tmp_path, settings={"GOLDFISH_FEEDS_TIMEOUT_SECONDS": "2"}
    ) as server:
        started = time.monotonic()
        result = subprocess.run(
            [
                str(SCHEMATHESIS),
                "--config-file",
                str(config),
                "run",
                f"{server.url}/api/v1/openapi.json",
                "--include-path-regex",
                "^/api/v1/",
                "--phases",
                "examples,coverage,fuzzing,stateful",
                "--workers",
                "1",
                "--seed",
                str(SEED),
                "--max-examples",
                str(MAX_EXAMPLES),
                "--generation-database",
                "none",
                "--report",
                "json",
                "--report-dir",
                str(reports),
                "--no-color",
            ],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=HANG_AFTER,
            check=False,
        )
        elapsed = time.monotonic() - started
        server_log = server.log_tail(60)

    report_files = sorted(reports.glob("*.json"))
    assert report_files, f"no report; schemathesis said:\n{result.stdout}\n{result.stderr}"
    report = json.loads(report_files[-1].read_text())
    summary = _summary(report)
    with capsys.disabled():
        print(f"\n{summary} (wall {elapsed:.0f} s)")

    output = result.stdout[-20_000:]
    assert report["operations"]["tested"] == report["operations"]["total"] == 63, output
    assert report["complete"], output
    assert not report["failures"], f"{summary}\n\n{output}\n\nserver log:\n{server_log}"
    assert not report["errors"], f"{summary}\n\n{output}"
    assert result.returncode == 0, f"{summary}\n\n{output}\n{result.stderr[-5000:]}"
