"""Every template compiles, and every page block a route renders exists."""

from pathlib import Path

import pytest

from app.web import templates

TEMPLATES = sorted(
    str(p.relative_to(Path(templates.env.loader.searchpath[0])))
    for p in Path(templates.env.loader.searchpath[0]).rglob("*.html")
)


@pytest.mark.parametrize("name", TEMPLATES)
def test_template_compiles(name):
    templates.env.get_template(name)


@pytest.mark.parametrize(
    ("name", "block"),
    [("projects/portfolio.html", "portfolio"), ("projects/detail.html", "what_if")],
)
def test_fragment_blocks_exist(name, block):
    assert block in templates.env.get_template(name).blocks


def test_vendored_htmx_is_the_pinned_file():
    import hashlib

    from app.config import ROOT

    path = ROOT / "static" / templates.env.globals["HTMX_SRC"]
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    assert (
        digest == "d6fdc75f204e6bdefa99b69bf1e6d4ac69b8a364f77929f45c13476b4000f717"
    )  # htmx.org 2.0.11
