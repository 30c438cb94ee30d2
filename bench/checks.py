"""What the page bench checks of every response before its time counts, so
that an error page, an empty list or the wrong rows are never what gets
timed.

A check takes the response and says what is wrong with it, or None. Pages
are read through CSS selectors on BeautifulSoup, as a reader would find
things on them, not by regular expressions over the markup.
"""

import hashlib
import re
import weakref
from collections.abc import Callable
from urllib.parse import urlsplit

import httpx2 as httpx
from bs4 import BeautifulSoup, Tag

from app.security import CSRF_FIELD

Check = Callable[[httpx.Response], str | None]  # an error message, or None if the page is right

_soups: weakref.WeakKeyDictionary[httpx.Response, BeautifulSoup] = weakref.WeakKeyDictionary()


def soup(response: httpx.Response) -> BeautifulSoup:
    """The response's page, parsed once however many checks read it."""
    if response not in _soups:
        _soups[response] = BeautifulSoup(response.text, "html.parser")
    return _soups[response]


def _folded(text: str) -> str:
    return " ".join(text.split())


def numbers(scope: Tag, selector: str, attr: str, pattern: str = r"(\d+)") -> list[int]:
    """The number in `attr` of every element `selector` finds, in order:
    `pattern`'s group, the pattern matching the whole value; -1 where the
    element has no such value."""
    compiled = re.compile(pattern)
    found = []
    for tag in scope.select(selector):
        match = compiled.fullmatch(str(tag.get(attr, "")))
        found.append(int(match.group(1)) if match else -1)
    return found


def older_link(response: httpx.Response) -> str | None:
    """Path and query of the page's `a[rel=next]`, if it has one."""
    link = soup(response).select_one('a[rel~="next"]')
    if link is None:
        return None
    parts = urlsplit(str(link.get("href", "")))
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def same_ids(found: list[int], expected: list[int], what: str) -> str | None:
    if len(found) != len(expected):
        return f"{len(found)} {what}, expected {len(expected)}"
    for position, (got, want) in enumerate(zip(found, expected, strict=True)):
        if got != want:
            return f"{what}: #{position + 1} is id {got}, expected {want}"
    return None


def _scope(response: httpx.Response, inside: str | None) -> Tag | None:
    page = soup(response)
    return page if inside is None else page.select_one(inside)


def count_check(selector: str, expected: int, what: str, *, inside: str | None = None) -> Check:
    """The page (or its element `inside`) has `expected` elements `selector` finds."""

    def check(response: httpx.Response) -> str | None:
        scope = _scope(response, inside)
        if scope is None:
            return f"no {inside}"
        found = len(scope.select(selector))
        return None if found == expected else f"{found} {what}, expected {expected}"

    return check


def ids_check(
    selector: str,
    attr: str,
    expected: list[int],
    what: str,
    *,
    pattern: str = r"(\d+)",
    inside: str | None = None,
) -> Check:
    """The elements `selector` finds carry exactly these ids in `attr`, in this
    order (see `numbers`)."""

    def check(response: httpx.Response) -> str | None:
        scope = _scope(response, inside)
        if scope is None:
            return f"no {inside}"
        return same_ids(numbers(scope, selector, attr, pattern), expected, what)

    return check


def text_check(selector: str, expected: str) -> Check:
    """The first element `selector` finds reads `expected` (white space folded)."""

    def check(response: httpx.Response) -> str | None:
        tag = soup(response).select_one(selector)
        if tag is None:
            return f"no {selector}"
        found = _folded(tag.get_text())
        return None if found == _folded(expected) else f"{selector} reads {found!r}"

    return check


def shows_check(text: str) -> Check:
    """The page's text shows `text` (white space folded)."""

    def check(response: httpx.Response) -> str | None:
        shown = _folded(soup(response).get_text())
        return None if _folded(text) in shown else f"{text!r} not shown on the page"

    return check


def fragment_check(response: httpx.Response) -> str | None:
    """An HTMX fragment, not the whole page."""
    return "the full page, not the fragment" if soup(response).find("html") else None


def json_check(key: str, expected: object) -> Check:
    def check(response: httpx.Response) -> str | None:
        found = response.json().get(key)
        return None if found == expected else f"{key} is {found!r}, expected {expected!r}"

    return check


def api_items_check(expected: int) -> Check:
    def check(response: httpx.Response) -> str | None:
        found = len(response.json()["items"])
        return None if found == expected else f"{found} items, expected {expected}"

    return check


def api_ids_check(expected: list[int]) -> Check:
    """The API list's `items` are exactly these, in this order."""

    def check(response: httpx.Response) -> str | None:
        return same_ids([item["id"] for item in response.json()["items"]], expected, "items")

    return check


def all_of(*checks: Check) -> Check:
    def check(response: httpx.Response) -> str | None:
        return next((p for p in (c(response) for c in checks) if p), None)

    return check


def once_per_page(check: Check) -> Check:
    """`check`, run once for each distinct page. Repeated GETs of a page differ
    only in the CSRF token minted for each response (the bench sends no CSRF
    cookie), and parsing a 1 MB page takes a second: the token is blanked
    before pages are compared."""
    verdicts: dict[bytes, str | None] = {}

    def check_once(response: httpx.Response) -> str | None:
        text = response.text
        token = text.partition(f'name="{CSRF_FIELD}" value="')[2].partition('"')[0]
        key = hashlib.sha256((text.replace(token, "") if token else text).encode()).digest()
        if key not in verdicts:
            verdicts[key] = check(response)
        return verdicts[key]

    return check_once
