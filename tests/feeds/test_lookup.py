"""`goldfish import releases ids.txt`: a list of arXiv ids or URLs looked up
on arXiv's API (here a server on 127.0.0.1 answering in arXiv's Atom), then
imported through the same dedupe as every release; an unknown id or a
failed lookup writes nothing."""

from datetime import date
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlmodel import select

from app.feeds.lookup import arxiv_releases
from app.feeds.polling import PollSettings
from app.releases.imports import BadImportFile, read_arxiv_ids
from app.releases.models import Release
from bench.feedserver import Reply, Request
from tests import test_cli
from tests.test_cli import run

cli_env = test_cli.cli_env  # the same fixture: a database of its own per test

# What arXiv's API says about three spring-2023 papers (abridged abstracts).
PAPERS = {
    "2305.11206": (
        "LIMA: Less Is More for Alignment",
        "2023-05-18T17:45:22Z",
        ["Meta AI", "Carnegie Mellon University"],
        "We fine-tune a 65B LLaMa model on only 1,000 carefully curated prompts and responses.",
    ),
    "2305.14314": (
        "QLoRA: Efficient Finetuning of Quantized LLMs",
        "2023-05-23T17:50:33Z",
        ["University of Washington"],
        "An efficient finetuning approach that reduces memory usage enough to finetune a 65B "
        "parameter model on a single 48GB GPU.",
    ),
    "2304.14402": (
        "LaMini-LM: A Diverse Herd of Distilled Models from Large-Scale Instructions",
        "2023-04-27T17:58:49Z",
        ["Mohamed bin Zayed University of Artificial Intelligence"],
        "We distil knowledge from instruction-tuned large language models into much smaller ones.",
    ),
}


def _atom(ids: list[str]) -> bytes:
    entries = []
    for bare in ids:
        if bare not in PAPERS:
            continue  # arXiv leaves out what it does not have
        title, published, affiliations, summary = PAPERS[bare]
        authors = "".join(
            f"<author><name>Author {n}</name><arxiv:affiliation>{a}</arxiv:affiliation></author>"
            for n, a in enumerate(affiliations)
        )
        entries.append(
            f"""<entry>
    <id>http://arxiv.org/abs/{bare}v1</id>
    <updated>{published}</updated><published>{published}</published>
    <title>{title}</title><summary>{summary}</summary>{authors}
    <link href="http://arxiv.org/abs/{bare}v1" rel="alternate" type="text/html"/>
    <link title="pdf" href="http://arxiv.org/pdf/{bare}v1" rel="related" type="application/pdf"/>
    <arxiv:primary_category term="cs.CL" scheme="http://arxiv.org/schemas/atom"/>
  </entry>"""
        )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:arxiv="http://arxiv.org/schemas/atom">
  <title type="html">ArXiv Query: id_list={",".join(ids)}</title>
  <id>http://arxiv.org/api/abc</id><updated>2023-06-01T00:00:00-04:00</updated>
  {"".join(entries)}
</feed>""".encode()


def _answer(request: Request) -> Reply:
    asked = parse_qs(urlsplit(request.path).query)["id_list"][0].split(",")
    return Reply(headers={"Content-Type": "application/atom+xml"}, body=_atom(asked))


def _asked(request: Request) -> dict[str, list[str]]:
    return parse_qs(urlsplit(request.path).query)


def _ids(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "ids.txt"
    path.write_text(text)
    return path


LIST = """# spring 2023, to read
2305.11206
arXiv:2305.14314v2

https://arxiv.org/abs/2304.14402
https://arxiv.org/pdf/2305.11206v1.pdf
"""


def _database(url: str):
    from app.db import Database, make_engine

    return Database(make_engine(url))


def test_a_list_of_ids_is_looked_up_on_arxiv_and_imported_once(cli_env, feed_server, tmp_path):
    env = {
        **cli_env,
        "GOLDFISH_ARXIV_API_URL": feed_server.route("/api/query", handler=_answer),
        "GOLDFISH_FEEDS_ALLOW_PRIVATE": "true",
    }
    assert run(env, "migrate").returncode == 0
    made = run(env, "create-user", "lin@example.org", "--password", "a good password")
    assert made.returncode == 0, made.stderr
    ids = _ids(tmp_path, LIST)

    first = run(env, "import", "releases", str(ids), "--owner", "lin@example.org")
    assert first.returncode == 0, first.stderr
    # LIMA twice in the list (an abs id and a pdf URL): one release.
    assert first.stdout.strip() == "3 created, 1 skipped (already in the log)."
    (request,) = feed_server.requests_to("/api/query")
    assert _asked(request) == {
        "id_list": ["2305.11206,2305.14314,2304.14402"],
        "max_results": ["3"],
    }

    database = _database(env["DATABASE_URL"])
    with database.session() as session:
        got = {r.external_id: r for r in session.exec(select(Release))}
    database.dispose()
    assert set(got) == {"arxiv:2305.11206", "arxiv:2305.14314", "arxiv:2304.14402"}
    lima = got["arxiv:2305.11206"]
    assert lima.title == "LIMA: Less Is More for Alignment"
    assert lima.url == "https://arxiv.org/abs/2305.11206"
    assert lima.released_on == date(2023, 5, 18)
    assert lima.organisation == "Meta AI; Carnegie Mellon University"
    assert lima.kind == "paper" and "1,000 carefully curated" in lima.summary
    assert got["arxiv:2305.14314"].released_on == date(2023, 5, 23)

    again = run(env, "import", "releases", str(ids), "--owner", "lin@example.org")
    assert again.stdout.strip() == "0 created, 4 skipped (already in the log)."


def test_an_id_arxiv_does_not_know_or_a_failed_lookup_writes_nothing(
    cli_env, feed_server, tmp_path
):
    env = {
        **cli_env,
        "GOLDFISH_ARXIV_API_URL": feed_server.route("/api/query", handler=_answer),
        "GOLDFISH_FEEDS_ALLOW_PRIVATE": "true",
    }
    assert run(env, "migrate").returncode == 0
    run(env, "create-user", "lin@example.org", "--password", "a good password")

    unknown = _ids(tmp_path, "2305.11206\n# a typo below\n2399.99999\n2304.14402\n")
    refused = run(env, "import", "releases", str(unknown), "--owner", "lin@example.org")
    assert refused.returncode == 1 and refused.stdout == ""
    assert refused.stderr.strip() == "ids.txt: not found on arXiv: line 3 (2399.99999)"

    feed_server.route("/api/query", status=503, body=b"busy")
    down = run(env, "import", "releases", str(_ids(tmp_path, LIST)), "--owner", "lin@example.org")
    assert down.returncode == 1 and down.stdout == ""
    assert down.stderr.startswith("ids.txt: the arXiv lookup failed: ")
    assert "503" in down.stderr and len(down.stderr.strip().splitlines()) == 1

    not_an_id = _ids(tmp_path, "2305.11206\nhttps://example.org/paper\n")
    bad = run(env, "import", "releases", str(not_an_id), "--owner", "lin@example.org")
    assert bad.returncode == 1
    assert "line 2: 'https://example.org/paper' is not an arXiv id" in bad.stderr

    database = _database(env["DATABASE_URL"])
    with database.session() as session:
        assert list(session.exec(select(Release))) == []
    database.dispose()


def test_the_real_arxiv_is_the_default_and_private_addresses_stay_refused(
    cli_env, feed_server, tmp_path
):
    from app.config import Settings

    assert Settings(env="test", secret_key="c" * 48).arxiv_api_url == (
        "https://export.arxiv.org/api/query"
    )
    # Pointed at this machine without GOLDFISH_FEEDS_ALLOW_PRIVATE: refused
    # like a feed would be, before any request is sent.
    env = {**cli_env, "GOLDFISH_ARXIV_API_URL": feed_server.route("/api/query", handler=_answer)}
    assert run(env, "migrate").returncode == 0
    run(env, "create-user", "lin@example.org", "--password", "a good password")
    refused = run(
        env, "import", "releases", str(_ids(tmp_path, LIST)), "--owner", "lin@example.org"
    )
    assert refused.returncode == 1 and "loopback" in refused.stderr
    assert feed_server.requests == []


def test_long_lists_go_in_batches_a_polite_pause_apart(feed_server):
    api = feed_server.route("/api/query", handler=_answer)
    pauses: list[float] = []
    ids = [(n, f"arxiv:{bare}") for n, bare in enumerate(PAPERS, 1)]
    releases = arxiv_releases(
        ids, api_url=api, how=PollSettings(allow_private=True), batch=2, sleep=pauses.append
    )
    assert [r.title for r in releases] == [title for title, *_ in PAPERS.values()]
    asked = [_asked(r)["id_list"][0] for r in feed_server.requests_to("/api/query")]
    assert asked == ["2305.11206,2305.14314", "2304.14402"]
    assert pauses == [3.0]


def test_a_failure_in_a_later_batch_says_how_far_it_got(feed_server):
    def first_only(request: Request) -> Reply:
        if len(feed_server.requests) > 1:
            return Reply(status=429, body=b"slow down")
        return _answer(request)

    api = feed_server.route("/api/query", handler=first_only)
    ids = [(n, f"arxiv:{bare}") for n, bare in enumerate(PAPERS, 1)]
    with pytest.raises(BadImportFile, match=r"lookup failed \(after 2 of 3 ids\).*429"):
        arxiv_releases(ids, api_url=api, how=PollSettings(allow_private=True), batch=2, pause=0)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2305.11206\nnot an id\n", "line 2: 'not an id' is not an arXiv id"),
        ("# only a comment\n\n", "no arXiv ids in the file"),
        ("https://arxiv.org/list/cs.CL/recent\n", "line 1: "),
    ],
)
def test_a_bad_list_says_which_line(tmp_path, text, message):
    with pytest.raises(BadImportFile, match=message):
        read_arxiv_ids(_ids(tmp_path, text))


def test_every_spelling_of_an_id_is_read(tmp_path):
    listed = _ids(
        tmp_path,
        "2305.11206\narXiv:2305.14314v2\nhttps://arxiv.org/abs/2304.14402\n"
        "http://export.arxiv.org/pdf/2305.11206v1\n",
    )
    assert read_arxiv_ids(listed) == [
        (1, "arxiv:2305.11206"),
        (2, "arxiv:2305.14314"),
        (3, "arxiv:2304.14402"),
        (4, "arxiv:2305.11206"),
    ]
