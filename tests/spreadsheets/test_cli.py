"""`goldfish import projects`, run as a user would, against its own database."""

from pathlib import Path

import sqlalchemy as sa

from tests.test_cli import cli_env, run  # noqa: F401 - cli_env is a fixture

SHEET = "Title,Impact (0-10),Owner\nFirst import,8,Ada\nSecond import,2,Ada\nFirst import,8,Ada\n"


def test_import_projects_all_or_nothing(cli_env, tmp_path: Path):  # noqa: F811
    assert run(cli_env, "migrate").returncode == 0
    made = run(cli_env, "create-user", "lin@example.org", "--password", "a good password")
    assert made.returncode == 0, made.stderr
    sheet = tmp_path / "plans.csv"
    sheet.write_text(SHEET, encoding="utf-8")

    unknown = run(cli_env, "import", "projects", str(sheet), "--owner", "lin@example.org")
    assert unknown.returncode == 1
    assert unknown.stderr.strip().splitlines() == [
        "error: unknown columns 'Owner': name their field with --map \"Header=field\", or "
        'leave them out with --map "Header=-"; nothing was imported.'
    ]

    latin = tmp_path / "latin.csv"
    latin.write_bytes("Title\nÉté\n".encode("latin-1"))
    refused = run(cli_env, "import", "projects", str(latin), "--owner", "lin@example.org")
    assert refused.returncode == 1 and "not UTF-8" in refused.stderr

    args = ["import", "projects", str(sheet), "--owner", "lin@example.org", "--map", "Owner=-"]
    done = run(cli_env, *args)
    assert done.returncode == 0, done.stderr
    assert "Impact given as 0 to 10: 0–1.9→1" in done.stdout
    assert done.stdout.strip().endswith("Imported: 2 created, 1 skipped.")
    again = run(cli_env, *args)
    assert again.stdout.strip().endswith("Imported: 0 created, 3 skipped.")

    engine = sa.create_engine(cli_env["DATABASE_URL"])
    with engine.connect() as conn:
        titles = conn.execute(sa.text("SELECT title FROM project ORDER BY id")).scalars().all()
    engine.dispose()
    assert titles == ["First import", "Second import"]
