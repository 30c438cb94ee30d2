"""Markdown to safe HTML: markdown-it renders (raw HTML off), nh3 sanitizes.

Two layers on purpose: the renderer never emits raw HTML a user typed, and
the sanitizer drops anything outside a short allow-list (scripts, event
handlers, `javascript:` links) whatever a future renderer option lets through.

Bodies are rendered once, when they are written, into a `body_html` column
beside them; pages show that column through `stored_html` and never call the
renderer."""

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable(
    ["table", "strikethrough"]
)

_TAGS = {
    "p",
    "br",
    "hr",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "strong",
    "em",
    "del",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "img",
}
_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "th": {"align"},
    "td": {"align"},
}


def render_markdown(text: str) -> Markup:
    html = _md.render(text or "")
    clean = nh3.clean(
        html,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    return Markup(clean)  # noqa: S704 - sanitized by nh3 just above


def stored_html(html: str) -> Markup:
    """A `body_html` column, for a template: written only by render_markdown."""
    return Markup(html)  # noqa: S704 - sanitized by render_markdown when it was saved
