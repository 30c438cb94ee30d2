"""Two spellings of one release resolve to the same keys."""

import pytest

from app.releases.urls import BadUrl, arxiv_id, external_id, normalise_url


@pytest.mark.parametrize(
    "url",
    [
        "https://example.org/blog/post",
        "http://www.example.org/blog/post/",
        "HTTPS://Example.org/blog/post#comments",
        "https://example.org/blog/post?utm_source=twitter&utm_medium=social",
    ],
)
def test_url_spellings_normalise_to_one_key(url):
    assert normalise_url(url) == "https://example.org/blog/post"


def test_query_order_does_not_matter_but_content_does():
    assert normalise_url("https://ex.org/p?b=2&a=1") == normalise_url("https://ex.org/p?a=1&b=2")
    assert normalise_url("https://ex.org/p?a=1") != normalise_url("https://ex.org/p?a=2")


@pytest.mark.parametrize(
    "text",
    [
        "2401.12345",
        "arXiv:2401.12345",
        "arxiv:2401.12345v3",
        "https://arxiv.org/abs/2401.12345",
        "https://arxiv.org/abs/2401.12345v2",
        "https://arxiv.org/pdf/2401.12345v1.pdf",
        "http://export.arxiv.org/abs/2401.12345",
    ],
)
def test_arxiv_ids_are_recognised_in_every_form(text):
    assert arxiv_id(text) == "arxiv:2401.12345"


def test_old_style_arxiv_ids_and_dois():
    assert arxiv_id("hep-th/9901001") == "arxiv:hep-th/9901001"
    assert external_id("https://doi.org/10.1000/XYZ123") == "doi:10.1000/xyz123"
    assert external_id("https://example.org/paper") is None


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "ftp://example.org/x", "example.org", "https://"]
)
def test_only_web_addresses_are_accepted(url):
    with pytest.raises(BadUrl):
        normalise_url(url)
