"""Reading a feed document into entries (interim: replaced by the fetch branch's parser)."""

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from urllib.parse import quote

import feedparser
import nh3

from app.releases.urls import arxiv_id, external_id

TITLE_MAX = 300
SUMMARY_MAX = 10_000
ORG_MAX = 200
_SPACE = re.compile(r"\s+")


class ParseError(Exception):
    pass


@dataclass(frozen=True)
class Entry:
    title: str
    url: str | None
    summary: str
    published: date | None
    kind: str
    organisation: str
    external_id: str | None
    guid: str


@dataclass(frozen=True)
class ParsedFeed:
    title: str
    entries: list[Entry]


def _text(value: str, limit: int) -> str:
    text = _SPACE.sub(" ", nh3.clean(value or "", tags=set())).strip()
    text = text.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")
    if len(text) > limit:
        text = text[: limit - 1].rsplit(" ", 1)[0] + "…"
    return text


def parse_feed(body: bytes, *, url: str, content_type: str = "") -> ParsedFeed:
    head = body[:512].lstrip().lower()
    if "html" in content_type.lower() or head.startswith((b"<!doctype html", b"<html")):
        raise ParseError("This address returned an HTML page, not a feed")
    parsed = feedparser.parse(body)
    if not parsed.entries:
        if parsed.bozo:
            raise ParseError(f"The feed's XML is malformed: {parsed.bozo_exception}")
        return ParsedFeed(title=_text(parsed.feed.get("title", ""), 200), entries=[])
    feed_title = _text(parsed.feed.get("title", ""), 200)
    entries = []
    for item in parsed.entries:
        title = _text(item.get("title", ""), TITLE_MAX)
        if title == "Error" and "arxiv" in url:
            raise ParseError(f"arXiv refused the query: {_text(item.get('summary', ''), 300)}")
        link = item.get("link") or None
        ident = item.get("id") or ""
        ext = arxiv_id(ident) or (external_id(link) if link else None)
        if ext and ext.startswith("arxiv:"):
            link = f"https://arxiv.org/abs/{ext.removeprefix('arxiv:')}"
        stamp = item.get("published_parsed") or item.get("updated_parsed")
        published = datetime(*stamp[:6], tzinfo=UTC).date() if stamp else None
        orgs = [
            a.get("arxiv_affiliation") or a.get("affiliation") or ""
            for a in item.get("authors", [])
        ]
        org = next((o for o in orgs if o), "") or item.get("arxiv_affiliation", "") or feed_title
        kind = "paper" if ext else "product"
        if link and "huggingface.co/datasets/" in link:
            kind = "dataset"
        elif (
            link
            and re.match(r"https?://huggingface\.co/[^/]+/[^/]+/?$", link)
            and "/papers/" not in link
        ):
            kind = "model"
        guid = ident or link or hashlib.sha256(f"{title}|{published}".encode()).hexdigest()
        entries.append(
            Entry(
                title=title,
                url=link,
                summary=_text(item.get("summary", ""), SUMMARY_MAX),
                published=published,
                kind=kind,
                organisation=_text(org, ORG_MAX),
                external_id=ext,
                guid=guid[:500],
            )
        )
    return ParsedFeed(title=feed_title, entries=entries)


def arxiv_query_url(query: str, *, max_results: int = 100) -> str:
    return (
        "https://export.arxiv.org/api/query?search_query="
        + quote(query, safe="")
        + f"&sortBy=submittedDate&sortOrder=descending&start=0&max_results={max_results}"
    )


def validate_arxiv_query(query: str) -> str:
    query = query.strip()
    if not query or len(query) > 500:
        raise ValueError("Write an arXiv query of 1 to 500 characters")
    return query
