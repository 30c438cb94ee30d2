"""What makes two release links "the same release": a normalised URL and,
where the URL names one, an external id (arXiv, DOI)."""

import re
from urllib.parse import urlsplit, urlunsplit

from w3lib.url import canonicalize_url, url_query_cleaner

# Query parameters that only say where a click came from.
_TRACKING = [
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "utm_term",
    "utm_content",
    "fbclid",
    "gclid",
    "mc_cid",
    "mc_eid",
    "ref",
    "ref_src",
]

_ARXIV_NEW = r"\d{4}\.\d{4,5}"
_ARXIV_OLD = r"[a-z-]+(?:\.[A-Z]{2})?/\d{7}"
_ARXIV_ID = re.compile(rf"^(?:arxiv:)?\s*({_ARXIV_NEW}|{_ARXIV_OLD})(?:v\d+)?$", re.IGNORECASE)
_ARXIV_URL = re.compile(
    rf"^/(?:abs|pdf|html)/({_ARXIV_NEW}|{_ARXIV_OLD})(?:v\d+)?(?:\.pdf)?/?$", re.IGNORECASE
)
_DOI = re.compile(r"^/?(10\.\d{4,9}/\S+)$")


class BadUrl(ValueError):
    pass


def arxiv_id(text: str) -> str | None:
    """'arxiv:2401.12345' for '2401.12345v2', 'arXiv:2401.12345' or an arXiv URL."""
    text = text.strip()
    match = _ARXIV_ID.match(text)
    if match:
        return f"arxiv:{match.group(1).lower()}"
    parts = urlsplit(text)
    if (
        parts.hostname
        and parts.hostname.removeprefix("www.").removeprefix("export.") == "arxiv.org"
    ):
        match = _ARXIV_URL.match(parts.path)
        if match:
            return f"arxiv:{match.group(1).lower()}"
    return None


def external_id(url: str) -> str | None:
    found = arxiv_id(url)
    if found:
        return found
    parts = urlsplit(url)
    if parts.hostname in ("doi.org", "dx.doi.org"):
        match = _DOI.match(parts.path)
        if match:
            return f"doi:{match.group(1).lower()}"
    return None


def normalise_url(url: str) -> str:
    """One spelling per page: https, lower-case host without www., no
    fragment, no tracking parameters, sorted query, no trailing slash."""
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise BadUrl("Enter a web address starting with http:// or https://")
    cleaned = url_query_cleaner(canonicalize_url(url), _TRACKING, remove=True)
    parts = urlsplit(cleaned)
    host = parts.hostname.removeprefix("www.") if parts.hostname else ""
    if parts.port:
        host = f"{host}:{parts.port}"
    path = parts.path.rstrip("/")
    return urlunsplit(("https", host, path, parts.query, ""))
