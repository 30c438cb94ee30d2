"""A feed's bytes as entries a release can be made from: RSS, Atom and
arXiv's API (Atom with its own extensions). Pure: feedparser is handed the
bytes (in a BytesIO: handed a str it might open a URL or a file), nothing is
fetched, nothing is stored.

Also the arXiv query a feed is made of: `validate_arxiv_query` for the form,
`arxiv_query_url` for the fetch.
"""

import hashlib
import html
import logging
import re
import xml.sax
from dataclasses import dataclass
from datetime import date
from html.parser import HTMLParser
from io import BytesIO
from urllib.parse import urlencode, urljoin, urlsplit
from xml.etree import ElementTree

import feedparser
import nh3

from app.releases.urls import arxiv_id, external_id

TITLE_MAX = 300
SUMMARY_MAX = 10_000
ORGANISATION_MAX = 200
ARXIV_API = "https://export.arxiv.org/api/query"
ARXIV_FIELDS = ("ti", "au", "abs", "co", "jr", "cat", "rn", "id", "all")
ARXIV_QUERY_MAX = 500
ARXIV_MAX_RESULTS = 2000  # the most arXiv returns in one call

_ARXIV_HOSTS = {"arxiv.org", "export.arxiv.org", "rss.arxiv.org"}
_ARXIV_NAMESPACE = "http://arxiv.org/schemas/atom"
_ATOM = "{http://www.w3.org/2005/Atom}"
_HF_NOT_A_REPO = {
    "blog",
    "collections",
    "docs",
    "learn",
    "models",
    "organizations",
    "posts",
    "pricing",
    "settings",
    "tasks",
}
# Before a tag is stripped, a space where a block ends, so "<p>a</p><p>b</p>" is "a b".
_BLOCK_TAG = re.compile(
    r"<(?=/?(?:p|div|br|hr|li|ul|ol|dl|dt|dd|h[1-6]|table|tr|td|th|blockquote|pre"
    r"|section|article|header|footer|figure|figcaption)\b)",
    re.IGNORECASE,
)
_PROLOGUE = rb"^\s*(?:<\?[^>]*\?>\s*|<!--.*?-->\s*)*"
_HTML_START = re.compile(_PROLOGUE + rb"<(?:!doctype\s+html|html)\b", re.IGNORECASE | re.DOTALL)
_FEED_START = re.compile(_PROLOGUE + rb"<(?:rss|feed|rdf:rdf)\b", re.IGNORECASE | re.DOTALL)
_BENCHMARK_WORDS = re.compile(r"\b(?:benchmarks?|leaderboards?)\b", re.IGNORECASE)
_DATASET_WORDS = re.compile(r"\b(?:datasets?|corpus|corpora)\b", re.IGNORECASE)
_DOI = re.compile(r"^(?:doi:\s*)?(10\.\d{4,9}/\S+)$", re.IGNORECASE)

log = logging.getLogger(__name__)


class ParseError(Exception):
    """A body that gives no entries, said in words. `feed_url` is the feed an
    HTML page points to, when it names one; `retryable` is True when the
    same request may work later (arXiv's rate limit)."""

    def __init__(self, message: str, *, feed_url: str | None = None, retryable: bool = False):
        super().__init__(message)
        self.feed_url = feed_url
        self.retryable = retryable


@dataclass(frozen=True)
class Entry:
    title: str
    url: str | None
    summary: str
    published: date | None
    kind: str  # paper | model | dataset | product | benchmark
    organisation: str
    external_id: str | None
    guid: str


@dataclass(frozen=True)
class ParsedFeed:
    title: str
    entries: list[Entry]


def parse_feed(body: bytes, *, url: str, content_type: str = "") -> ParsedFeed:
    """The entries of an RSS/Atom/arXiv feed. Raises ParseError for what is
    not a feed (HTML, malformed XML with nothing readable, arXiv's errors).
    A feed whose XML is flawed but whose entries could be read is accepted;
    a well-formed feed with no entries is an empty ParsedFeed."""
    if not body.strip():
        raise ParseError("The address returned an empty answer, not a feed")
    if _looks_like_html(body, content_type):
        feed_url = _advertised_feed(body, url)
        raise ParseError(
            "This address returned an HTML page, not a feed"
            + (f". The page names its feed: {feed_url}" if feed_url else ""),
            feed_url=feed_url,
        )
    from_arxiv = _is_arxiv(url)
    if from_arxiv and body.strip() == b"Rate exceeded.":
        raise ParseError("arXiv asked us to slow down (rate exceeded)", retryable=True)

    parsed = feedparser.parse(
        BytesIO(body),
        # feedparser flags a missing media type; XML's own declaration says the encoding.
        response_headers={
            "content-type": content_type or "application/xml",
            "content-location": url,
        },
        sanitize_html=False,  # every summary is reduced to plain text below
    )
    raw_entries = parsed.entries
    if (
        len(raw_entries) == 1
        and raw_entries[0].get("title") == "Error"
        and "arxiv.org/api/errors" in raw_entries[0].get("id", "")
    ):
        raise ParseError(f"arXiv refused the query: {raw_entries[0].get('summary', '').strip()}")
    if not raw_entries:
        _refuse_empty(parsed, body)
    elif parsed.get("bozo"):
        if _cut_short(parsed, body):
            # Entries of a document that stops midway are not to be trusted
            # (the last one is cut, a title without its link): an error.
            _refuse_malformed(parsed.bozo_exception, body)
        log.info("%s: read %d entries despite %s", url, len(raw_entries), parsed.bozo_exception)

    from_arxiv = from_arxiv or _ARXIV_NAMESPACE in parsed.get("namespaces", {}).values()
    feed_title = _plain_detail(parsed.feed, "title")
    affiliations = _arxiv_affiliations(body) if from_arxiv else {}
    entries = [
        _entry(raw, feed_title=feed_title, from_arxiv=from_arxiv, affiliations=affiliations)
        for raw in raw_entries
    ]
    return ParsedFeed(title=_shorten(feed_title, TITLE_MAX), entries=entries)


def _refuse_empty(parsed, body: bytes) -> None:
    """No entries: an error unless this is a well-formed feed that has none."""
    if not body.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        raise ParseError("No entries could be read: this is not an RSS or Atom feed")
    _refuse_malformed(parsed.get("bozo_exception"), body)
    if not parsed.get("version"):
        raise ParseError("No entries could be read: this is not an RSS or Atom feed")


_CLOSING = re.compile(rb"</(?:[A-Za-z_][\w.-]*:)?(?:rss|feed|RDF)>\s*$")


def _cut_short(parsed, body: bytes) -> bool:
    """A document that is not well-formed and does not end with its root's
    closing tag: a download cut off, or a server's error mid-answer. (A feed
    that is complete but slightly off, an undefined entity say, is read.)"""
    problem = parsed.get("bozo_exception")
    return isinstance(problem, xml.sax.SAXParseException) and not _CLOSING.search(body[-512:])


def _refuse_malformed(problem, body: bytes) -> None:
    if isinstance(problem, xml.sax.SAXParseException):
        line = problem.getLineNumber()
        # Given no XML declaration, feedparser prepends one (a line) before parsing.
        if not body.lstrip(b"\xef\xbb\xbf").startswith(b"<?xml"):
            line = max(line - 1, 1)
        raise ParseError(f"The feed's XML is malformed at line {line}: {problem.getMessage()}")
    if isinstance(problem, xml.sax.SAXException):
        raise ParseError(f"The feed's XML is malformed: {problem.getMessage()}")


# -- one entry -----------------------------------------------------------------


def _entry(raw, *, feed_title: str, from_arxiv: bool, affiliations: dict) -> Entry:
    link = _web_link(raw.get("link"))
    arxiv = _arxiv_of(raw)
    external = arxiv or _doi_of(raw)
    arxiv_page = bool(arxiv) and (from_arxiv or _is_arxiv(link or ""))
    url = _arxiv_abs_url(arxiv, raw.get("id", ""), link or "") if arxiv_page else link

    summary = _shorten(_plain(*_summary_html(raw)), SUMMARY_MAX)
    title = _plain_detail(raw, "title") or _shorten(summary, 120) or "Untitled entry"
    title = _shorten(title, TITLE_MAX)
    published = _date(raw.get("published_parsed") or raw.get("updated_parsed"))

    organisation = "; ".join(affiliations.get(raw.get("id", ""), ())) or _repo_owner(link)
    if not organisation and not from_arxiv:
        organisation = feed_title

    guid = raw.get("id") or link
    if not guid:
        stamp = published.isoformat() if published else ""
        guid = "sha256:" + hashlib.sha256(f"{title}\n{stamp}".encode()).hexdigest()
    return Entry(
        title=title,
        url=url,
        summary=summary,
        published=published,
        kind=_kind(raw, link, external, arxiv_page),
        organisation=_shorten(organisation, ORGANISATION_MAX),
        external_id=external,
        guid=guid,
    )


def _kind(raw, link: str | None, external: str | None, arxiv_page: bool) -> str:
    if arxiv_page:
        return "paper"
    hub = _hugging_face_path(link)
    if hub:
        if hub[0] == "datasets":
            return "dataset"
        if hub[0] == "papers":
            return "paper"
        if hub[0] != "spaces":
            return "model"
    words = " ".join(
        f"{tag.get('term') or ''} {tag.get('label') or ''}" for tag in raw.get("tags", [])
    )
    if _BENCHMARK_WORDS.search(words):
        return "benchmark"
    if _DATASET_WORDS.search(words):
        return "dataset"
    if _github_path(link):
        return "product"
    return "paper" if external else "product"


def _arxiv_of(raw) -> str | None:
    """'arxiv:2305.11206' from the entry's id (in any spelling: abs URL, OAI
    id, 'arXiv:…'), its link, its pdf link, or a Hugging Face paper page."""
    candidates = [raw.get("id", ""), raw.get("link", "")]
    candidates += [
        link.get("href", "") for link in raw.get("links", []) if link.get("title") == "pdf"
    ]
    for candidate in candidates:
        candidate = re.sub(r"^oai:arxiv\.org:", "", candidate.strip(), flags=re.IGNORECASE)
        found = arxiv_id(candidate) if candidate else None
        if found:
            return found
        hub = _hugging_face_path(candidate)
        if hub and hub[0] == "papers" and len(hub) == 2:
            found = arxiv_id(hub[1])
            if found:
                return found
    return None


def _doi_of(raw) -> str | None:
    values = [raw.get("prism_doi"), raw.get("dc_identifier"), raw.get("arxiv_doi")]
    for value in values:
        match = _DOI.match((value or "").strip())
        if match:
            return external_id(f"https://doi.org/{match.group(1)}")
    for href in [raw.get("link"), *(link.get("href") for link in raw.get("links", []))]:
        found = external_id(href) if href else None
        if found and found.startswith("doi:"):
            return found
    return None


def _arxiv_abs_url(arxiv: str, *spellings: str) -> str:
    """The https abs page, without a version. arxiv_id lower-cases; old ids
    keep their capitals here ('math.GT/0309136') from the feed's spelling."""
    bare = arxiv.removeprefix("arxiv:")
    for spelling in spellings:
        at = spelling.lower().find(bare)
        if at >= 0:
            bare = spelling[at : at + len(bare)]
            break
    return f"https://arxiv.org/abs/{bare}"


def _repo_owner(link: str | None) -> str:
    """The organisation that published a Hub repo or a GitHub release."""
    hub = _hugging_face_path(link)
    if hub:
        if hub[0] in ("datasets", "spaces") and len(hub) >= 3:
            return hub[1]
        if hub[0] not in ("datasets", "spaces", "papers"):
            return hub[0]
    github = _github_path(link)
    return github[0] if github else ""


def _hugging_face_path(link: str | None) -> list[str] | None:
    parts = _host_and_path(link)
    if not parts or parts[0] != "huggingface.co" or not parts[1]:
        return None
    path = parts[1]
    if path[0] in ("datasets", "spaces", "papers"):
        return path if len(path) >= 2 else None
    if path[0] in _HF_NOT_A_REPO or len(path) < 2:
        return None
    return path


def _github_path(link: str | None) -> list[str] | None:
    """owner/repo/… of a GitHub release page."""
    parts = _host_and_path(link)
    if parts and parts[0] == "github.com" and len(parts[1]) >= 3 and parts[1][2] == "releases":
        return parts[1]
    return None


def _host_and_path(link: str | None) -> tuple[str, list[str]] | None:
    if not link:
        return None
    parts = urlsplit(link)
    host = (parts.hostname or "").removeprefix("www.")
    return host, [segment for segment in parts.path.split("/") if segment]


def _is_arxiv(url: str) -> bool:
    return (urlsplit(url).hostname or "").removeprefix("www.") in _ARXIV_HOSTS


def _web_link(link: str | None) -> str | None:
    link = (link or "").strip()
    return link if urlsplit(link).scheme in ("http", "https") else None


def _date(parsed) -> date | None:
    # feedparser gives struct_time in UTC.
    return date(*parsed[:3]) if parsed else None


def _arxiv_affiliations(body: bytes) -> dict[str, list[str]]:
    """Entry id → its authors' affiliations, in order, once each.
    feedparser keeps only the last arxiv:affiliation of an entry."""
    if b"affiliation" not in body:
        return {}
    try:
        # Expat (2.5 here) refuses entity-expansion bombs and ElementTree
        # fetches no external entity: this is as safe as feedparser's parse.
        root = ElementTree.fromstring(body)  # noqa: S314
    except ElementTree.ParseError:
        return {}
    found: dict[str, list[str]] = {}
    for entry in root.iter(f"{_ATOM}entry"):
        entry_id = (entry.findtext(f"{_ATOM}id") or "").strip()
        names = [
            " ".join(element.text.split())
            for element in entry.iter(f"{{{_ARXIV_NAMESPACE}}}affiliation")
            if element.text and element.text.strip()
        ]
        if entry_id and names:
            found[entry_id] = list(dict.fromkeys(names))
    return found


# -- text ----------------------------------------------------------------------


def _summary_html(raw) -> tuple[str, str]:
    """The summary, else the content, with its media type."""
    for detail in (raw.get("summary_detail"), *raw.get("content", [])):
        if detail and detail.get("value"):
            return detail["value"], detail.get("type") or "text/html"
    return raw.get("summary", ""), "text/html"


def _plain_detail(source, key: str) -> str:
    detail = source.get(f"{key}_detail") or {}
    return _plain(source.get(key, ""), detail.get("type") or "text/plain")


def _plain(value: str, media_type: str) -> str:
    """Text with its whitespace collapsed; HTML first reduced to its text
    (nh3 with no tag allowed drops script and style with their content)."""
    if "html" in media_type:
        value = html.unescape(nh3.clean(_BLOCK_TAG.sub(" <", value), tags=set()))
    return " ".join(value.split())


def _shorten(text: str, limit: int) -> str:
    """At most `limit` characters, cut at a word where one ends late enough."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:.-–—") + "…"


# -- HTML pages ----------------------------------------------------------------


def _looks_like_html(body: bytes, content_type: str) -> bool:
    head = body[:4096].lstrip(b"\xef\xbb\xbf")
    if _HTML_START.match(head):
        return True
    media_type = content_type.split(";")[0].strip().lower()
    # Some servers label their feeds text/html: the body has the last word.
    return media_type in ("text/html", "application/xhtml+xml") and not _FEED_START.match(head)


class _FeedLinks(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if (
            tag == "link"
            and "alternate" in (found.get("rel") or "").lower().split()
            and (found.get("type") or "").lower() in ("application/rss+xml", "application/atom+xml")
            and found.get("href")
        ):
            self.hrefs.append(found["href"])


def _advertised_feed(body: bytes, url: str) -> str | None:
    """The feed an HTML page names in its <link rel="alternate">, if any."""
    links = _FeedLinks()
    links.feed(body[:200_000].decode("utf-8", "replace"))
    for href in links.hrefs:
        feed_url = _web_link(urljoin(url, href))
        if feed_url:
            return feed_url
    return None


# -- arXiv queries ---------------------------------------------------------------


def arxiv_query_url(query: str, *, max_results: int = 100) -> str:
    """The arXiv API URL for a query, newest submissions first."""
    query = validate_arxiv_query(query)
    if not 1 <= max_results <= ARXIV_MAX_RESULTS:
        raise ValueError(f"max_results must be between 1 and {ARXIV_MAX_RESULTS}")
    parameters = {
        "search_query": query,
        "sortBy": "submittedDate",
        "sortOrder": "descending",
        "start": 0,
        "max_results": max_results,
    }
    return f"{ARXIV_API}?{urlencode(parameters)}"


_OPERATORS = {"AND", "OR", "ANDNOT"}
_QUOTED = re.compile(r'"[^"]*"')
_QUERY_WORD = re.compile(r"[()]|[^\s()]+")
_EXAMPLE = 'for example cat:cs.CL AND abs:"instruction tuning"'


def validate_arxiv_query(query: str) -> str:
    """The query, stripped, if arXiv's API can read it; else ValueError with
    a message for the form. Checks the grammar arXiv documents: field
    prefixes (ti:, au:, abs:, co:, jr:, cat:, rn:, id:, all:), "quoted
    phrases", parentheses, AND / OR / ANDNOT between terms."""
    query = " ".join(query.split())
    if not query:
        raise ValueError(f"Enter an arXiv query, {_EXAMPLE}")
    if len(query) > ARXIV_QUERY_MAX:
        raise ValueError(
            f"An arXiv query can be at most {ARXIV_QUERY_MAX} characters; this one has {len(query)}"
        )
    if any(ord(character) < 32 for character in query):
        raise ValueError("The query contains a control character")
    if query.count('"') % 2:
        raise ValueError('A quotation mark is not closed: phrases go between two "')
    bare = _QUOTED.sub("phrase", query)  # what is quoted is searched for, not parsed
    depth = 0
    for character in bare:
        depth += {"(": 1, ")": -1}.get(character, 0)
        if depth < 0:
            raise ValueError("A closing parenthesis ) has no opening one")
    if depth:
        raise ValueError("A parenthesis ( is not closed")

    previous = None  # None, "term", "operator", "(" or ")"
    for word in _QUERY_WORD.findall(bare):
        if word in _OPERATORS:
            if previous in (None, "operator", "("):
                raise ValueError(f"{word} needs a search term before it")
            previous = "operator"
        elif word == "(":
            previous = "("
        elif word == ")":
            if previous in ("operator", "("):
                raise ValueError("A parenthesis closes with no search term before it")
            previous = ")"
        else:
            _check_term(word)
            previous = "term"
    if previous == "operator":
        raise ValueError("The query ends with an operator; it needs a search term after it")
    return query


def _check_term(word: str) -> None:
    if word.upper() in _OPERATORS:
        raise ValueError(f"Write {word} as {word.upper()}: arXiv reads operators in capitals")
    if word.upper() == "NOT":
        raise ValueError("arXiv has no NOT: write ANDNOT between two terms")
    if ":" not in word:
        return
    field, _, value = word.partition(":")
    fields = ", ".join(f"{name}:" for name in ARXIV_FIELDS)
    if not field:
        raise ValueError(f"A colon needs a field before it, one of {fields}")
    if field not in ARXIV_FIELDS:
        hint = f" (write {field.lower()}:)" if field.lower() in ARXIV_FIELDS else ""
        raise ValueError(f"Unknown arXiv field {field}:{hint}; the fields are {fields}")
    if not value:
        raise ValueError(f"{field}: needs something to search for right after the colon")
