"""The design system holds: colours are written once, in the token block at
the top of static/app.css; everything else (other stylesheets, templates)
uses var(--…). The old alias names are gone."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CSS = ROOT / "static" / "app.css"
END_OF_TOKENS = "/* ==== end of tokens ==== */"
COLOUR = re.compile(
    r"#[0-9a-fA-F]{3,8}\b(?![-\w])|\b(?:rgba?|hsla?|oklch|oklab|lab|lch)\(", re.IGNORECASE
)
OLD_NAMES = re.compile(r"var\(--(?:fg|muted|bg|card|line|accent|accent-dark|error|notice)\)")


def _colour_literals(text: str) -> list[str]:
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        # an HTML character reference (&#123;) or a URL fragment is not a colour
        cleaned = re.sub(r"&#x?[0-9a-fA-F]+;|href=\"[^\"]*\"", "", line)
        found += [f"{number}: {m.group(0)}" for m in COLOUR.finditer(cleaned)]
    return found


def test_colour_literals_live_only_in_the_token_block():
    text = CSS.read_text()
    assert END_OF_TOKENS in text
    below = text.split(END_OF_TOKENS, 1)[1]
    assert _colour_literals(below) == []
    for other in sorted((ROOT / "static").glob("*.css")):
        if other != CSS:
            assert _colour_literals(other.read_text()) == [], other.name


def test_templates_write_no_colours():
    offenders = {
        str(path.relative_to(ROOT)): found
        for path in sorted((ROOT / "templates").rglob("*.html"))
        # E-mail is styled inline (mail clients read no stylesheet, no var()).
        if path.parent.name != "mail" and (found := _colour_literals(path.read_text()))
    }
    assert offenders == {}


def test_the_finder_sees_a_colour():
    # the check above is only as good as its pattern
    assert _colour_literals("a { color: #a3342b; }\nb { fill: rgb(0 0 0 / 10%); }") == [
        "1: #a3342b",
        "2: rgb(",
    ]
    assert _colour_literals('<a href="#main">&#8226;</a>') == []


def test_the_old_alias_names_are_gone():
    assert OLD_NAMES.findall(CSS.read_text()) == []
    for path in (ROOT / "templates").rglob("*.html"):
        assert OLD_NAMES.findall(path.read_text()) == [], path
