"""Input models: keyword lists are checked in linear time and refused early."""

import pytest

from app.projects.models import KEYWORDS_MAX, KEYWORDS_TEXT_MAX, normalise_keywords


class ReadCounting(list):
    """A list that counts the items a validator reads from it."""

    read = 0

    def __iter__(self):
        for item in super().__iter__():
            self.read += 1
            yield item


def test_keywords_are_trimmed_lowered_and_deduplicated_in_first_seen_order():
    assert normalise_keywords(" LLM, rl ,,llm, Long   Context, RL") == ["llm", "rl", "long context"]
    assert normalise_keywords(["b", "a", "B", "", "  "]) == ["b", "a"]


def test_twenty_keywords_pass_with_repeats_and_the_twenty_first_is_refused():
    twenty = [f"k{i}" for i in range(KEYWORDS_MAX)]
    assert normalise_keywords(twenty * 5) == twenty
    with pytest.raises(ValueError, match=f"at most {KEYWORDS_MAX} keywords"):
        normalise_keywords([*twenty, "one more"])


def test_reading_stops_at_the_first_keyword_over_the_limit():
    sent = ReadCounting(f"k{i}" for i in range(150))
    with pytest.raises(ValueError, match=f"at most {KEYWORDS_MAX} keywords"):
        normalise_keywords(sent)
    assert sent.read == KEYWORDS_MAX + 1


def test_a_huge_list_is_refused_before_any_item_is_read():
    sent = ReadCounting(["same"] * 200_000)
    with pytest.raises(ValueError, match=f"at most {KEYWORDS_MAX} keywords"):
        normalise_keywords(sent)
    assert sent.read == 0


def test_a_huge_comma_separated_string_is_refused_before_it_is_split():
    class Unsplittable(str):
        def split(self, *args, **kwargs):
            raise AssertionError("split a string over the bound")

    with pytest.raises(ValueError, match=f"at most {KEYWORDS_MAX} keywords"):
        normalise_keywords(Unsplittable("a," * KEYWORDS_TEXT_MAX))
    # Sloppy but honest input under the bound is still read.
    assert normalise_keywords(" , ".join(["a", "b"] * 100)) == ["a", "b"]
