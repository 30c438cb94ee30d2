"""`goldfish import releases FILE`: CSV, JSON Lines and BibTeX, deduplicated
like every release, and a bad file writes nothing."""

import json
from datetime import date
from pathlib import Path

import pytest
from sqlmodel import select

from app.releases.imports import BadImportFile, read_release_file, releases_import
from app.releases.models import Release, ReleaseCreate, ReleaseKind
from app.releases.service import release_create
from tests import test_cli
from tests.helpers import count
from tests.test_cli import run

cli_env = test_cli.cli_env  # the same fixture: a database of its own per test

CSV = """title;kind;organization;date;url;summary
Alpaca;model;Stanford CRFM;2023-03-13;https://crfm.stanford.edu/2023/03/13/alpaca.html?utm_source=x;
LIMA: Less Is More for Alignment;paper;Meta AI;2023-05-18;arXiv:2305.11206;"=HYPERLINK(""https://evil.example"")"
LIMA again;paper;Meta AI;2023-05-18;https://arxiv.org/pdf/2305.11206v2.pdf;
"""

BIB = r"""
@article{zhou2023lima,
  title = {{LIMA}: Less Is More for Alignment},
  author = {Zhou, Chunting and Liu, Pengfei},
  year = {2023}, month = may,
  eprint = {2305.11206}, archivePrefix = {arXiv},
  abstract = {Tuning on 1,000 curated examples.}
}
@inproceedings{dettmers2023qlora,
  title = {{QLoRA}: Efficient Finetuning of Quantized {LLMs}},
  year = {2023}, month = {5},
  url = {https://arxiv.org/abs/2305.14314},
  institution = {University of Washington}
}
@dataset{dolly,
  title = {databricks-dolly-15k},
  date = {2023-04-12},
  organization = {Databricks},
  url = {https://huggingface.co/datasets/databricks/databricks-dolly-15k}
}
"""


def _file(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return path


def test_a_csv_file_is_read_with_its_own_delimiter_and_dupes_are_skipped(db, user, tmp_path):
    release_create(
        db,
        owner=user,
        data=ReleaseCreate(
            title="Alpaca",
            kind=ReleaseKind.model,
            released_on=date(2023, 3, 13),
            url="https://crfm.stanford.edu/2023/03/13/alpaca.html",
        ),
    )
    releases = read_release_file(_file(tmp_path, "wave.csv", CSV))
    outcome = releases_import(db, owner=user, releases=releases)
    assert (outcome.created, outcome.skipped) == (1, 2)  # Alpaca logged, LIMA twice in the file
    lima = db.exec(select(Release).where(Release.external_id == "arxiv:2305.11206")).one()
    assert lima.url == "https://arxiv.org/abs/2305.11206"
    assert lima.summary == '=HYPERLINK("https://evil.example")'  # text, as typed
    assert count(db, Release) == 2


def test_bibtex_entries_become_releases_with_their_arxiv_ids_and_dates(db, user, tmp_path):
    releases = read_release_file(_file(tmp_path, "refs.bib", BIB))
    outcome = releases_import(db, owner=user, releases=releases)
    assert (outcome.created, outcome.skipped) == (3, 0)
    got = {r.title: r for r in db.exec(select(Release).where(Release.owner_id == user.id))}
    assert set(got) == {
        "LIMA: Less Is More for Alignment",
        "QLoRA: Efficient Finetuning of Quantized LLMs",
        "databricks-dolly-15k",
    }
    lima = got["LIMA: Less Is More for Alignment"]
    assert lima.external_id == "arxiv:2305.11206" and lima.released_on == date(2023, 5, 1)
    assert got["databricks-dolly-15k"].kind == ReleaseKind.dataset
    assert got["databricks-dolly-15k"].released_on == date(2023, 4, 12)
    assert got["QLoRA: Efficient Finetuning of Quantized LLMs"].organisation == (
        "University of Washington"
    )
    # The same file again: all skipped.
    again = releases_import(db, owner=user, releases=releases)
    assert (again.created, again.skipped) == (0, 3)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "a.csv",
            "title,released_on,colour\nX,2023-01-01,red\n",
            "line 1: unknown column 'colour'",
        ),
        ("a.csv", "title,released_on\nX,2023-01-01\n,2023-01-02\n", "line 3: title"),
        ("a.csv", "title,released_on\nX,2999-01-01\n", "cannot be in the future"),
        ("a.csv", "title,url\nX,https://x.org\n", "needs at least 'title' and 'released_on'"),
        ("a.csv", "title,released_on\nX,2023-01-01\n".encode("utf-16"), "not UTF-8"),
        ("a.jsonl", '{"title": "X", "released_on": "2023-01-01"}\n{oops\n', "line 2: not JSON"),
        ("a.jsonl", '{"title": "X", "released_on": "2023-01-01", "kind": "tweet"}\n', "kind"),
        ("a.bib", "@misc{x, title={Broken\n", "not valid BibTeX"),
        ("a.bib", "@misc{x, title={No year}}\n", "released_on"),
        ("a.xlsx", "whatever", "--format"),
    ],
)
def test_a_bad_file_says_where_and_why(tmp_path, name, content, message):
    with pytest.raises(BadImportFile, match=message) as caught:
        read_release_file(_file(tmp_path, name, content))
    assert "\n" not in str(caught.value)


def test_the_command_prints_counts_and_a_bad_file_writes_nothing(cli_env, tmp_path):
    assert run(cli_env, "migrate").returncode == 0
    made = run(cli_env, "create-user", "lin@example.org", "--password", "a good password")
    assert made.returncode == 0, made.stderr
    good = _file(
        tmp_path,
        "wave.jsonl",
        "\n".join(
            json.dumps(r)
            for r in [
                {
                    "title": "Vicuna",
                    "kind": "model",
                    "organisation": "LMSYS",
                    "released_on": "2023-03-30",
                    "url": "https://lmsys.org/blog/2023-03-30-vicuna/",
                },
                {
                    "title": "Koala",
                    "kind": "model",
                    "released_on": "2023-04-03",
                    "url": "https://bair.berkeley.edu/blog/2023/04/03/koala/",
                },
            ]
        ),
    )
    first = run(cli_env, "import", "releases", str(good), "--owner", "lin@example.org")
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip() == "2 created, 0 skipped (already in the log)."
    second = run(cli_env, "import", "releases", str(good), "--owner", "lin@example.org")
    assert second.stdout.strip() == "0 created, 2 skipped (already in the log)."

    bad = _file(tmp_path, "bad.csv", "title,released_on\nBaize,2023-04-03\nOops,not a date\n")
    refused = run(cli_env, "import", "releases", str(bad), "--owner", "lin@example.org")
    assert refused.returncode == 1 and refused.stdout == ""
    assert refused.stderr.strip().startswith("bad.csv: line 3: released_on")
    assert len(refused.stderr.strip().splitlines()) == 1

    nobody = run(cli_env, "import", "releases", str(good), "--owner", "nobody@example.org")
    assert nobody.returncode == 1 and "No account" in nobody.stderr

    from app.config import Settings
    from app.db import Database, make_engine

    settings = Settings(env="test", database_url=cli_env["DATABASE_URL"], secret_key="c" * 48)
    database = Database(make_engine(settings.database_url))
    with database.session() as session:
        titles = sorted(session.exec(select(Release.title)))
    database.dispose()
    assert titles == ["Koala", "Vicuna"]  # nothing of the bad file
