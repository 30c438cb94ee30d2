"""parse_feed on real documents (tests/feeds/fixtures/) through the real
feedparser, and the arXiv query helpers."""

from datetime import date
from urllib.parse import parse_qs, urlsplit

import pytest

from app.feeds.fetch import fetch_feed
from app.feeds.parse import (
    Entry,
    ParsedFeed,
    ParseError,
    arxiv_query_url,
    parse_feed,
    validate_arxiv_query,
)
from bench.feedserver import FeedServer
from tests.feeds.files import fixture

ARXIV_URL = "https://export.arxiv.org/api/query?search_query=cat%3Acs.CL&start=0&max_results=6"
RSS_URL = "https://lab.example.org/blog/feed.xml"
GITHUB_URL = "https://github.com/huggingface/transformers/releases.atom"
HUB_URL = "https://feeds.example.org/huggingface.xml"
DC = 'xmlns:dc="http://purl.org/dc/elements/1.1/"'


def parse(name: str, url: str, content_type: str = "application/xml") -> ParsedFeed:
    return parse_feed(fixture(name), url=url, content_type=content_type)


def atom(*entries: str, title: str = "A feed", namespaces: str = "") -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        f'<feed xmlns="http://www.w3.org/2005/Atom" {namespaces}>\n'
        f"<title>{title}</title>\n{''.join(entries)}</feed>\n"
    ).encode()


def atom_entry(
    *, id: str = "tag:example.org,2024:1", title: str = "A title", extra: str = ""
) -> str:
    return (
        f"<entry><id>{id}</id><title>{title}</title>"
        f"<updated>2024-05-01T12:00:00Z</updated>{extra}</entry>\n"
    )


def rss(*items: str, title: str = "A blog", namespaces: str = "") -> bytes:
    return (
        f'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0" {namespaces}><channel>'
        f"<title>{title}</title><link>https://example.org/</link>{''.join(items)}</channel></rss>"
    ).encode()


def item_with_html(description: str) -> str:
    return f"<item><title>X</title><description><![CDATA[{description}]]></description></item>"


def only_entry(body: bytes, url: str = "https://example.org/feed.xml") -> Entry:
    (entry,) = parse_feed(body, url=url).entries
    return entry


# -- arXiv's API -----------------------------------------------------------------


def test_an_arxiv_api_response_is_read_entry_by_entry():
    feed = parse("arxiv.atom", ARXIV_URL, "application/atom+xml; charset=utf-8")

    assert feed.title.startswith('ArXiv Query: search_query=cat:cs.CL AND abs:"instruction tuning"')
    assert [e.external_id for e in feed.entries] == [
        "arxiv:2305.11206",
        "arxiv:2212.10560",
        "arxiv:hep-th/9901001",
        "arxiv:2310.06770",
        "arxiv:2401.00001",
        "arxiv:math.gt/0309136",
    ]
    lima = feed.entries[0]
    assert lima == Entry(
        title="LIMA: Less Is More for Alignment",
        url="https://arxiv.org/abs/2305.11206",
        summary=lima.summary,
        published=date(2023, 5, 18),
        kind="paper",
        organisation="Meta AI; Carnegie Mellon University",
        external_id="arxiv:2305.11206",
        guid="http://arxiv.org/abs/2305.11206v1",
    )
    assert lima.summary.startswith("Large language models are trained in two distinct stages: (1)")
    assert "\n" not in lima.summary and "  " not in lima.summary
    assert {e.kind for e in feed.entries} == {"paper"}


def test_arxiv_urls_are_https_abs_pages_without_a_version():
    feed = parse("arxiv.atom", ARXIV_URL)

    assert [e.url for e in feed.entries] == [
        "https://arxiv.org/abs/2305.11206",
        "https://arxiv.org/abs/2212.10560",
        "https://arxiv.org/abs/hep-th/9901001",
        "https://arxiv.org/abs/2310.06770",
        "https://arxiv.org/abs/2401.00001",
        "https://arxiv.org/abs/math.GT/0309136",  # the subject class keeps its capitals
    ]


def test_arxiv_affiliations_are_the_organisation_each_named_once():
    by_id = {e.external_id: e for e in parse("arxiv.atom", ARXIV_URL).entries}

    assert by_id["arxiv:2305.11206"].organisation == "Meta AI; Carnegie Mellon University"
    assert by_id["arxiv:hep-th/9901001"].organisation == "Harvard University"
    assert (
        by_id["arxiv:2310.06770"].organisation
        == "Princeton University; Princeton Language and Intelligence"
    )
    # No affiliation given: the query's title is no organisation.
    assert by_id["arxiv:2212.10560"].organisation == ""


def test_arxiv_dates_are_published_else_updated_in_utc():
    by_id = {e.external_id: e for e in parse("arxiv.atom", ARXIV_URL).entries}

    assert by_id["arxiv:2212.10560"].published == date(2022, 12, 20)  # not the update
    assert by_id["arxiv:2401.00001"].published == date(2024, 1, 1)  # 23:30 in New York
    assert by_id["arxiv:math.gt/0309136"].published == date(2003, 9, 8)  # only <updated>


def test_arxiv_titles_and_summaries_are_collapsed_plain_text():
    by_id = {e.external_id: e for e in parse("arxiv.atom", ARXIV_URL).entries}

    assert (
        by_id["arxiv:2401.00001"].title == "A Title With Odd Spacing That Crosses the Year in UTC"
    )
    # arXiv's summaries are plain text: a "<" is a less-than sign, not a tag.
    assert by_id["arxiv:2212.10560"].summary.endswith("Performance gains < 1% were not counted.")


def test_an_arxiv_error_feed_is_a_parse_error_with_its_message():
    with pytest.raises(ParseError, match="arXiv refused the query: incorrect id format for 1234"):
        parse("arxiv-error.atom", ARXIV_URL, "application/atom+xml")


def test_arxiv_rate_limiting_is_a_retryable_parse_error():
    with pytest.raises(ParseError, match="rate exceeded") as caught:
        parse_feed(b"Rate exceeded.", url=ARXIV_URL, content_type="text/plain")
    assert caught.value.retryable


def test_an_item_of_arxivs_rss_listing_is_a_paper():
    item = (
        "<item><title>LIMA: Less Is More for Alignment</title>"
        "<link>https://arxiv.org/abs/2305.11206</link>"
        '<guid isPermaLink="false">oai:arXiv.org:2305.11206v1</guid>'
        "<pubDate>Fri, 19 May 2023 00:00:00 -0400</pubDate>"
        "<dc:creator>Chunting Zhou, Pengfei Liu</dc:creator></item>"
    )
    body = rss(item, title="cs.CL updates on arXiv.org", namespaces=DC)

    entry = only_entry(body, "https://rss.arxiv.org/rss/cs.CL")

    assert (entry.kind, entry.external_id, entry.url, entry.published) == (
        "paper",
        "arxiv:2305.11206",
        "https://arxiv.org/abs/2305.11206",
        date(2023, 5, 19),
    )
    assert entry.guid == "oai:arXiv.org:2305.11206v1"
    assert entry.organisation == ""


def test_an_arxiv_query_with_no_results_is_an_empty_feed():
    body = atom(
        title="ArXiv Query: search_query=ti:zzzzqqq",
        namespaces='xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/"',
    ).replace(b"</feed>", b"<opensearch:totalResults>0</opensearch:totalResults></feed>")

    assert parse_feed(body, url=ARXIV_URL).entries == []


def test_many_affiliations_are_cut_to_200_characters():
    authors = "".join(
        f"<author><name>A{n}</name><arxiv:affiliation>Institute of Rather Long Names {n}"
        "</arxiv:affiliation></author>"
        for n in range(20)
    )
    body = atom(
        atom_entry(id="http://arxiv.org/abs/2405.00001v1", extra=authors),
        namespaces='xmlns:arxiv="http://arxiv.org/schemas/atom"',
    )

    organisation = only_entry(body, ARXIV_URL).organisation

    assert len(organisation) <= 200
    assert organisation.startswith("Institute of Rather Long Names 0; Institute")
    assert organisation.endswith("…")


# -- external ids in every spelling ------------------------------------------------


@pytest.mark.parametrize(
    "extra_or_id",
    [
        {"id": "http://arxiv.org/abs/2305.11206v1"},
        {"id": "https://arxiv.org/abs/2305.11206"},
        {"id": "http://export.arxiv.org/abs/2305.11206v2"},
        {"id": "arXiv:2305.11206v3"},
        {"id": "oai:arXiv.org:2305.11206v2"},
        {"extra": '<link rel="alternate" href="https://arxiv.org/abs/2305.11206v4"/>'},
        {"extra": '<link rel="alternate" href="https://www.arxiv.org/pdf/2305.11206v1.pdf"/>'},
        {"extra": '<link title="pdf" rel="related" href="http://arxiv.org/pdf/2305.11206v1"/>'},
        {"extra": '<link rel="alternate" href="https://huggingface.co/papers/2305.11206"/>'},
    ],
    ids=lambda spelling: next(iter(spelling.values())),
)
def test_an_arxiv_id_is_found_in_any_spelling(extra_or_id: dict[str, str]):
    entry = only_entry(atom(atom_entry(**extra_or_id)))

    assert entry.external_id == "arxiv:2305.11206"
    assert entry.kind == "paper"


@pytest.mark.parametrize(
    ("spelling", "expected"),
    [
        ('<link rel="alternate" href="https://doi.org/10.1145/3442188.3445922"/>', None),
        ('<link rel="related" href="http://dx.doi.org/10.1145/3442188.3445922"/>', None),
        ("<prism:doi>10.1145/3442188.3445922</prism:doi>", None),
        ("<dc:identifier>doi:10.1145/3442188.3445922</dc:identifier>", None),
        ("<dc:identifier>10.1145/3442188.3445922</dc:identifier>", None),
        ("<dc:identifier>isbn:978-3-16-148410-0</dc:identifier>", "none"),
    ],
)
def test_a_doi_is_found_in_any_spelling(spelling: str, expected: str | None):
    namespaces = (
        'xmlns:prism="http://prismstandard.org/namespaces/basic/2.0/" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/"'
    )
    entry = only_entry(atom(atom_entry(extra=spelling), namespaces=namespaces))

    if expected == "none":
        assert entry.external_id is None
        assert entry.kind == "product"
    else:
        assert entry.external_id == "doi:10.1145/3442188.3445922"
        assert entry.kind == "paper"


def test_an_arxiv_id_wins_over_a_doi():
    by_id = {e.guid: e for e in parse("arxiv.atom", ARXIV_URL).entries}

    # This entry also has <arxiv:doi> and a dx.doi.org link.
    assert by_id["https://arxiv.org/abs/2212.10560v2"].external_id == "arxiv:2212.10560"


# -- RSS 2.0 -------------------------------------------------------------------------


def test_an_rss_feed_is_read_with_guids_dates_and_plain_text():
    feed = parse("rss2.xml", RSS_URL, "application/rss+xml; charset=utf-8")

    assert feed.title == "Northwind AI Lab — Research Blog"
    wren = feed.entries[0]
    assert wren == Entry(
        title="Introducing Wren-7B: an open instruction-tuned model",
        url="https://lab.example.org/blog/wren-7b?utm_source=rss",
        summary=(
            "Today we release Wren-7B, trained on 2T tokens & tuned on 50k instructions. "
            "Weights are on the Hub. Apache-2.0 8k context"
        ),
        published=date(2024, 5, 14),  # 08:30 +0200 is 06:30 UTC
        kind="product",
        organisation="Northwind AI Lab — Research Blog",
        external_id=None,
        guid="northwind-post-1042",
    )


def test_rss_kinds_come_from_links_and_categories():
    kinds = {e.title: (e.kind, e.external_id) for e in parse("rss2.xml", RSS_URL).entries}

    assert kinds["Our paper on curriculum data mixing"] == ("paper", "arxiv:2403.01234")
    assert kinds["WrenBench: measuring long-context recall"] == ("benchmark", None)
    assert kinds["The Northwind Corpus, version 2"] == ("dataset", None)
    assert kinds["Published in the Journal of Machine Learning Research"] == (
        "paper",
        "doi:10.5555/jmlr.2024.0042",
    )
    assert kinds["Lab update: new offices"] == ("product", None)


def test_an_rss_item_linking_to_arxiv_points_at_the_abs_page():
    entry = parse("rss2.xml", RSS_URL).entries[1]

    assert entry.url == "https://arxiv.org/abs/2403.01234"
    assert entry.guid == "https://lab.example.org/blog/curriculum-mixing"
    assert entry.summary == "A short note — read the paper on arXiv."


def test_the_guid_falls_back_to_the_link_then_to_a_stable_hash():
    entries = parse("rss2.xml", RSS_URL).entries
    offices, untitled = entries[5], entries[6]

    assert offices.guid == "https://lab.example.org/blog/offices"
    assert offices.published is None
    assert untitled.url is None
    assert untitled.guid.startswith("sha256:")
    assert untitled.guid == parse("rss2.xml", RSS_URL).entries[6].guid
    assert untitled.title.startswith("A post with neither a title nor a link nor a guid")


def test_the_hash_guid_depends_on_title_and_date():
    def guid(title: str, day: str) -> str:
        item = f"<item><title>{title}</title><pubDate>{day} May 2024 10:00:00 GMT</pubDate></item>"
        return only_entry(rss(item)).guid

    assert guid("A", "01") == guid("A", "01")
    assert guid("A", "01") != guid("A", "02")
    assert guid("A", "01") != guid("B", "01")


def test_an_entry_link_that_is_not_a_web_address_is_dropped():
    entry = only_entry(rss("<item><title>X</title><link>javascript:alert(1)</link></item>"))

    assert entry.url is None


# -- Atom 1.0: GitHub releases ---------------------------------------------------------


def test_github_releases_are_products_of_the_repository_owner():
    feed = parse("atom1.xml", GITHUB_URL, "application/atom+xml")

    assert feed.title == "Release notes from transformers"
    assert [e.title for e in feed.entries] == [
        "v4.40.2",
        "v4.40.0: Llama 3, Idefics 2, Recurrent Gemma, Jamba, DBRX, OLMo, Qwen2MoE",
        "v4.39.3 — fixes",  # an HTML title, as text
    ]
    assert {(e.kind, e.organisation) for e in feed.entries} == {("product", "huggingface")}
    first, second, third = feed.entries
    assert first.guid == "tag:github.com,2008:Repository/155220641/v4.40.2"
    assert first.url == "https://github.com/huggingface/transformers/releases/tag/v4.40.2"
    assert first.published == date(2024, 5, 6)  # only <updated>
    assert (
        first.summary == "Patch release v4.40.2 Fix a regression in generate() with static caches."
    )
    # A relative link is resolved against the feed's address.
    assert second.url == "https://github.com/huggingface/transformers/releases/tag/v4.40.0"
    assert second.published == date(2024, 4, 18)
    assert second.summary == "New model additions Llama 3 is supported & so is Idefics 2."
    assert third.published == date(2024, 4, 2)  # <published> wins over <updated>
    assert third.summary == "Two fixes for Gemma."


# -- Hugging Face links ----------------------------------------------------------------


def test_hugging_face_links_say_model_dataset_or_paper_and_the_organisation():
    entries = parse("huggingface.xml", HUB_URL, "application/rss+xml").entries

    assert [(e.kind, e.organisation, e.external_id) for e in entries] == [
        ("model", "meta-llama", None),
        ("dataset", "HuggingFaceFW", None),
        ("paper", "Hugging Face Hub — trending", "arxiv:2305.11206"),
        ("benchmark", "open-llm-leaderboard", None),  # a Space, tagged benchmark
        ("model", "Qwen", None),  # www.huggingface.co too
    ]
    assert entries[1].url == "https://huggingface.co/datasets/HuggingFaceFW/fineweb"


@pytest.mark.parametrize(
    ("link", "kind"),
    [
        ("https://huggingface.co/mistralai/Mistral-7B-v0.1", "model"),
        ("https://huggingface.co/datasets/allenai/c4", "dataset"),
        ("https://huggingface.co/spaces/gradio/hello", "product"),
        ("https://huggingface.co/blog/fineweb", "product"),
        ("https://huggingface.co/docs/transformers", "product"),
        ("https://huggingface.co/mistralai", "product"),
        ("https://github.com/vllm-project/vllm/releases/tag/v0.4.2", "product"),
        ("https://example.org/a-post", "product"),
    ],
)
def test_kind_from_the_link(link: str, kind: str):
    entry = only_entry(rss(f"<item><title>X</title><link>{link}</link></item>"))

    assert entry.kind == kind


# -- text limits -------------------------------------------------------------------------


def test_a_long_title_is_cut_at_a_word_to_300_characters():
    title = " ".join(["Scaling"] + ["laws"] * 100)
    entry = only_entry(rss(f"<item><title>{title}</title></item>"))

    assert len(entry.title) <= 300
    assert entry.title.endswith("laws…")


def test_a_title_that_is_one_long_word_is_cut_all_the_same():
    entry = only_entry(rss(f"<item><title>{'x' * 400}</title></item>"))

    assert entry.title == "x" * 299 + "…"


def test_a_long_summary_is_cut_to_10000_characters_of_plain_text():
    paragraphs = "".join(
        f"<p>Paragraph {n} has <b>bold</b> words &amp; more.</p>" for n in range(600)
    )
    entry = only_entry(rss(item_with_html(paragraphs)))

    assert len(entry.summary) <= 10_000
    assert entry.summary.startswith("Paragraph 0 has bold words & more. Paragraph 1 has")
    assert "<" not in entry.summary and "&amp;" not in entry.summary
    assert entry.summary.endswith("…")


def test_html_summaries_lose_scripts_styles_and_comments():
    description = (
        "<style>p { color: red }</style><p>Kept</p><script>steal()</script>"
        "<!-- hidden --><img src=x onerror=alert(1)>text<br/>after a break"
    )
    entry = only_entry(rss(item_with_html(description)))

    assert entry.summary == "Kept text after a break"


def test_an_html_title_is_plain_text():
    title = '<title type="html">&lt;b&gt;Bold&lt;/b&gt; &amp;amp; co</title>'
    entry = only_entry(atom(atom_entry().replace("<title>A title</title>", title)))

    assert entry.title == "Bold & co"


# -- what is not a feed ------------------------------------------------------------------


def test_malformed_xml_is_a_parse_error_naming_the_line():
    with pytest.raises(ParseError, match=r"The feed's XML is malformed at line 4: not well-formed"):
        parse("malformed.xml", RSS_URL, "application/rss+xml")


def test_the_line_is_right_without_an_xml_declaration():
    body = b"<rss version='2.0'>\n<channel>\n<title>A & B</title>\n</channel></rss>"

    with pytest.raises(ParseError, match="malformed at line 3"):
        parse_feed(body, url=RSS_URL)


def test_a_flawed_feed_whose_entries_can_be_read_is_accepted():
    body = rss(
        "<item><title>Fine</title><link>https://example.org/1</link></item>",
        "<item><title>Tom & Jerry</title><link>https://example.org/2</link></item>",
    )

    feed = parse_feed(body, url=RSS_URL)

    assert [e.url for e in feed.entries] == ["https://example.org/1", "https://example.org/2"]


def test_a_feed_cut_off_midway_is_an_error_not_half_its_entries():
    whole = rss(
        "<item><title>Fine</title><link>https://example.org/1</link></item>",
        "<item><title>Cut here</title><link>https://example.org/2</link></item>",
    )
    cut = whole[: whole.index(b"<link>https://example.org/2")]

    with pytest.raises(ParseError, match="malformed at line"):
        parse_feed(cut, url=RSS_URL)
    assert len(parse_feed(whole, url=RSS_URL).entries) == 2


def test_an_html_page_is_a_parse_error_that_names_the_feed_it_points_to():
    with pytest.raises(ParseError, match="This address returned an HTML page, not a feed") as e:
        parse("page.html", "https://lab.example.org/blog", "text/html; charset=utf-8")

    assert e.value.feed_url == "https://lab.example.org/blog/feed.xml"
    assert "https://lab.example.org/blog/feed.xml" in str(e.value)


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"<!doctype html><title>x</title><p>Hello", ""),
        (b"\n  <!-- a comment -->\n<HTML><body>Hi</body></HTML>", "application/xml"),
        (b"<body><p>Not even a doctype</p></body>", "text/html"),
    ],
)
def test_html_is_recognised_by_its_start_or_its_media_type(body: bytes, content_type: str):
    with pytest.raises(ParseError, match="HTML page, not a feed") as caught:
        parse_feed(body, url="https://example.org/", content_type=content_type)
    assert caught.value.feed_url is None


def test_a_feed_served_as_text_html_is_still_read():
    feed = parse("rss2.xml", RSS_URL, "text/html; charset=utf-8")

    assert len(feed.entries) == 7


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "empty answer"),
        (b"  \n ", "empty answer"),
        (b'{"items": []}', "No entries could be read"),
        (b"<?xml version='1.0'?><catalogue><book/></catalogue>", "No entries could be read"),
    ],
)
def test_what_is_not_a_feed_is_a_parse_error(body: bytes, message: str):
    with pytest.raises(ParseError, match=message):
        parse_feed(body, url="https://example.org/feed.xml")


def test_a_body_that_spells_a_url_is_not_fetched(feed_server: FeedServer):
    url = feed_server.route("/feed.xml", body=fixture("rss2.xml"))

    with pytest.raises(ParseError, match="No entries could be read"):
        parse_feed(url.encode(), url="https://example.org/feed.xml")
    assert feed_server.requests == []


def test_a_body_that_spells_a_file_path_is_not_opened(tmp_path):
    path = tmp_path / "feed.xml"
    path.write_bytes(fixture("rss2.xml"))

    with pytest.raises(ParseError, match="No entries could be read"):
        parse_feed(str(path).encode(), url="https://example.org/feed.xml")


def test_an_external_entity_is_not_read(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET")
    body = atom(
        atom_entry(
            id="http://arxiv.org/abs/2405.00001v1",
            title="Leak: &secret;",
            extra="<author><name>A</name><arxiv:affiliation>&secret;</arxiv:affiliation></author>",
        ),
        namespaces='xmlns:arxiv="http://arxiv.org/schemas/atom"',
    ).replace(
        b"<feed", f'<!DOCTYPE feed [<!ENTITY secret SYSTEM "{secret.as_uri()}">]>\n<feed'.encode()
    )

    try:
        feed = parse_feed(body, url=ARXIV_URL)
    except ParseError:
        return  # refusing the document is as good
    assert all("TOPSECRET" not in f"{e.title} {e.summary} {e.organisation}" for e in feed.entries)


def test_a_well_formed_feed_with_no_entries_is_empty():
    feed = parse_feed(rss(title="Quiet blog"), url=RSS_URL)

    assert feed == ParsedFeed(title="Quiet blog", entries=[])


# -- fetched, then parsed ----------------------------------------------------------------


def test_an_arxiv_response_served_locally_is_recognised_by_its_namespace(feed_server: FeedServer):
    url = feed_server.route(
        "/api/query", body=fixture("arxiv.atom"), content_type="application/atom+xml"
    )

    fetched = fetch_feed(url + "?search_query=cat%3Acs.CL", allow_private=True)
    feed = parse_feed(fetched.body, url=fetched.final_url, content_type=fetched.content_type)

    assert len(feed.entries) == 6
    assert feed.entries[1].organisation == ""  # not the query's title
    assert feed.entries[0].url == "https://arxiv.org/abs/2305.11206"


# -- arXiv queries ------------------------------------------------------------------------


def test_arxiv_query_url_asks_for_the_newest_first():
    url = arxiv_query_url('  cat:cs.CL AND abs:"instruction tuning" ', max_results=50)

    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "export.arxiv.org", "/api/query")
    assert url.startswith("https://export.arxiv.org/api/query?search_query=cat%3Acs.CL+AND+abs%3A")
    assert parse_qs(parts.query) == {
        "search_query": ['cat:cs.CL AND abs:"instruction tuning"'],
        "sortBy": ["submittedDate"],
        "sortOrder": ["descending"],
        "start": ["0"],
        "max_results": ["50"],
    }


def test_arxiv_query_url_defaults_to_100_results_and_bounds_them():
    assert parse_qs(urlsplit(arxiv_query_url("all:llm")).query)["max_results"] == ["100"]
    with pytest.raises(ValueError, match="between 1 and 2000"):
        arxiv_query_url("all:llm", max_results=0)
    with pytest.raises(ValueError, match="between 1 and 2000"):
        arxiv_query_url("all:llm", max_results=5000)


def test_arxiv_query_url_refuses_an_invalid_query():
    with pytest.raises(ValueError, match="Unknown arXiv field"):
        arxiv_query_url("foo:bar")


@pytest.mark.parametrize(
    "query",
    [
        'cat:cs.CL AND abs:"instruction tuning"',
        "ti:transformer",
        "au:del_maestro AND (ti:checkerboard OR ti:Pyrochlore)",
        "cat:cs.LG ANDNOT ti:survey",
        'all:"large language model" AND (cat:cs.CL OR cat:cs.AI)',
        "id:2305.11206",
        "co:ICML AND jr:JMLR AND rn:MIT-CSAIL-TR-2024",
        "electron",
        '"quoted (parentheses) and: colons"',
        "((ti:a OR ti:b) AND abs:c)",
    ],
)
def test_valid_arxiv_queries(query: str):
    assert validate_arxiv_query(query) == query


def test_a_query_is_stripped_and_its_spaces_collapsed():
    assert validate_arxiv_query("  ti:a \n AND\tti:b  ") == "ti:a AND ti:b"


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("", "Enter an arXiv query"),
        ("   ", "Enter an arXiv query"),
        ("ti:" + "a" * 500, "at most 500 characters; this one has 503"),
        ('abs:"instruction tuning', "quotation mark is not closed"),
        ("(ti:a OR ti:b", r"parenthesis \( is not closed"),
        ("ti:a OR ti:b)", r"closing parenthesis \) has no opening one"),
        (")ti:a(", r"closing parenthesis \) has no opening one"),
        ("foo:bar", "Unknown arXiv field foo:; the fields are ti:, au:, abs:"),
        ("TI:bert", r"Unknown arXiv field TI: \(write ti:\)"),
        ("title:bert", "Unknown arXiv field title:"),
        (":bert", "A colon needs a field before it"),
        ("ti: bert", "ti: needs something to search for"),
        ("AND ti:a", "AND needs a search term before it"),
        ("ti:a AND OR ti:b", "OR needs a search term before it"),
        ("ti:a AND", "ends with an operator"),
        ("(AND ti:a)", "AND needs a search term before it"),
        ("(ti:a OR)", "closes with no search term"),
        ("()", "closes with no search term"),
        ("ti:a and ti:b", "Write and as AND"),
        ("ti:a NOT ti:b", "arXiv has no NOT: write ANDNOT"),
        ("ti:a\x00", "control character"),
    ],
)
def test_invalid_arxiv_queries_are_explained(query: str, message: str):
    with pytest.raises(ValueError, match=message):
        validate_arxiv_query(query)
