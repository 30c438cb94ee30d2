"""The matching engine on small hand-written profiles."""

from dataclasses import replace

import pytest
from sklearn.feature_extraction import FeatureHasher

from app.matching import engine
from app.matching.engine import (
    DEFAULT_THRESHOLD,
    Explanation,
    LinkedRelease,
    Matcher,
    ProjectProfile,
    ReleaseText,
)
from app.matching.text import N_FEATURES, feature_index

MULTILINGUAL = ProjectProfile(
    id=1,
    title="Instruction tuning for low-resource languages",
    summary="Can instruction tuning with synthetic data improve LLM performance on "
    "low-resource languages such as Swahili and Yoruba?",
    keywords=("instruction tuning", "low-resource languages", "multilingual"),
    plan_text="Release an instruction-tuned multilingual model. Translate and generate "
    "synthetic instruction data for African languages. Human evaluation with native speakers.",
)
ROUTING = ProjectProfile(
    id=2,
    title="Sparse mixture-of-experts routing",
    summary="Does load-balanced routing make mixture-of-experts transformers train more stably?",
    keywords=("mixture of experts", "routing", "load balancing"),
    plan_text="A stable router for sparse MoE layers, with expert capacity limits.",
)
PROTEINS = ProjectProfile(
    id=3,
    title="Diffusion models for protein backbone design",
    summary="Can diffusion models generate protein backbones that fold?",
    keywords=("protein design", "diffusion"),
    plan_text="Equivariant diffusion on residue frames, validated in the wet lab.",
)
PROJECTS = (MULTILINGUAL, ROUTING, PROTEINS)

AYA = ReleaseText(
    id="aya",
    title="An instruction-tuned model for 100 low-resource languages",
    summary="We release an open model trained with instruction tuning on synthetic and human "
    "instruction data in 101 languages, including Swahili, Yoruba and other low-resource "
    "languages.",
    kind="model",
    organisation="Cohere",
)
SOURDOUGH = ReleaseText(
    id="bread",
    title="Sourdough fermentation at home",
    summary="Long cold fermentation gives a better crumb and a crisper crust.",
)
EXPERT_CHOICE = ReleaseText(
    id="expert-choice",
    title="Expert choice routing for mixture-of-experts",
    summary="Experts choose their tokens, which balances the load of sparse mixture-of-experts "
    "layers without an auxiliary loss.",
)


def scores_for(matcher: Matcher, releases) -> dict[tuple, float]:
    return {(m.release_id, m.project_id): m.score for m in matcher.match(releases)}


def score_of(project: ProjectProfile, release: ReleaseText, others=PROJECTS) -> float:
    """The score of (release, project) whatever the threshold."""
    projects = [project] + [p for p in others if p.id != project.id]
    matcher = Matcher(projects, threshold=0.0)
    return scores_for(matcher, [release]).get((release.id, project.id), 0.0)


def test_a_clearly_matching_release_is_suggested_with_its_shared_terms():
    matches = Matcher(PROJECTS).match([AYA])

    assert [(m.release_id, m.project_id) for m in matches] == [("aya", 1)]
    terms = matches[0].explanation.terms
    assert terms[0] in ("instruction tuning", "instruction-tuned", "low-resource languages")
    assert {"instruction tuning", "instruction-tuned"} & set(terms)
    # A phrase stands for its words, and words are shown as written, not stemmed.
    assert "tuning" not in terms
    assert all(t == t.strip() and t for t in terms)
    assert len(terms) <= 8
    written = f"{AYA.title} {AYA.summary}".lower()
    assert all(term.lower() in written for term in terms)


def test_an_unrelated_release_is_not_suggested():
    assert Matcher(PROJECTS).match([SOURDOUGH]) == []


def test_one_shared_word_is_not_a_match_and_two_are():
    agents = ProjectProfile(id="agents", title="Agents", summary="Agents.")
    one_word = ReleaseText(id="one", title="Agents", summary="Agents in a robot kitchen.")
    two_words = ReleaseText(id="two", title="Agents", summary="Agents that plan.")
    planning = replace(agents, summary="Agents that plan their next step.")

    assert Matcher([agents]).match([one_word]) == []
    matches = Matcher([planning]).match([two_words])
    assert [m.release_id for m in matches] == ["two"]
    assert matches[0].explanation.terms


def test_each_release_goes_to_its_own_project():
    matches = Matcher(PROJECTS).match([SOURDOUGH, EXPERT_CHOICE, AYA])

    assert {(m.release_id, m.project_id) for m in matches} == {("aya", 1), ("expert-choice", 2)}
    assert [m.score for m in matches] == sorted((m.score for m in matches), reverse=True)


def test_scores_are_between_0_and_1_and_comparable_across_projects():
    matcher = Matcher(PROJECTS, threshold=0.0)
    matches = matcher.match([AYA, SOURDOUGH, EXPERT_CHOICE])

    assert matches
    assert all(0.0 <= m.score <= 1.0 for m in matches)
    by_pair = {(m.release_id, m.project_id): m.score for m in matches}
    assert by_pair[("aya", 1)] > by_pair.get(("aya", 2), 0.0)
    assert by_pair[("expert-choice", 2)] > by_pair.get(("expert-choice", 1), 0.0)


def test_the_threshold_is_inclusive_and_configurable():
    score = score_of(MULTILINGUAL, AYA)

    assert Matcher(PROJECTS, threshold=score).match([AYA])
    assert not Matcher(PROJECTS, threshold=min(1.0, score + 1e-3)).match([AYA])
    assert 0 < DEFAULT_THRESHOLD < 1


def test_the_most_similar_linked_release_is_named():
    bloom = ReleaseText(
        id=77,
        title="Multilingual instruction tuning data for 46 languages",
        summary="Synthetic instruction data translated into low-resource languages.",
    )
    unrelated = ReleaseText(
        id=78, title="A faster tokenizer", summary="Byte-pair encoding, in Rust."
    )
    project = replace(
        MULTILINGUAL,
        linked=(LinkedRelease(unrelated, "related"), LinkedRelease(bloom, "partial_scoop")),
    )

    [match] = Matcher([project, ROUTING]).match([AYA])

    assert match.explanation.similar_release_id == 77
    assert match.explanation.similar_release_title == bloom.title
    assert match.explanation.as_dict() == {
        "terms": list(match.explanation.terms),
        "similar_release": {"id": 77, "title": bloom.title},
    }


def test_no_similar_release_when_none_is_linked_or_close():
    [match] = Matcher(PROJECTS).match([AYA])
    assert match.explanation.similar_release_id is None
    assert match.explanation.as_dict()["similar_release"] is None

    far = ReleaseText(id=5, title="A faster tokenizer", summary="Byte-pair encoding, in Rust.")
    project = replace(MULTILINGUAL, linked=(LinkedRelease(far, "related"),))
    [match] = Matcher([project]).match([AYA])
    assert match.explanation.similar_release_id is None


# Two topics a broad project could be about; the user's feedback says which
# one it is.
SPEECH = ProjectProfile(
    id=10,
    title="Multilingual speech and text models",
    summary="Models for many languages, spoken and written.",
    keywords=("multilingual",),
)
ASR_RELEASE = ReleaseText(
    id="asr-2",
    title="Multilingual speech recognition for Hindi and Tamil",
    summary="A speech recognition model for Indian languages, trained on broadcast audio.",
)
MT_RELEASE = ReleaseText(
    id="mt-2",
    title="Multilingual machine translation for Hindi and Tamil",
    summary="A translation model for Indian languages, trained on parallel text.",
)
ASR_EXAMPLE = ReleaseText(
    id="asr-1",
    title="Speech recognition for many languages",
    summary="An automatic speech recognition model trained on audio in 90 languages.",
)
MT_EXAMPLE = ReleaseText(
    id="mt-1",
    title="Machine translation for many languages",
    summary="A translation model trained on parallel text in 200 languages.",
)


def test_a_dismissed_topic_ranks_lower_afterwards():
    before_asr, before_mt = score_of(SPEECH, ASR_RELEASE), score_of(SPEECH, MT_RELEASE)

    dismissed = replace(SPEECH, rejected=(MT_EXAMPLE,))
    after_asr, after_mt = score_of(dismissed, ASR_RELEASE), score_of(dismissed, MT_RELEASE)

    assert after_mt < before_mt
    assert after_mt < after_asr
    # Only what resembles the dismissed release moves much.
    assert before_mt - after_mt > before_asr - after_asr


def test_a_confirmed_topic_ranks_higher_afterwards():
    before_asr, before_mt = score_of(SPEECH, ASR_RELEASE), score_of(SPEECH, MT_RELEASE)

    confirmed = replace(SPEECH, linked=(LinkedRelease(ASR_EXAMPLE, "partial_scoop"),))
    after_asr, after_mt = score_of(confirmed, ASR_RELEASE), score_of(confirmed, MT_RELEASE)

    assert after_asr > before_asr
    assert after_asr > after_mt
    assert after_asr - before_asr > after_mt - before_mt


def test_feedback_moves_a_release_across_the_threshold():
    neutral = Matcher([SPEECH], threshold=DEFAULT_THRESHOLD)
    confirmed = Matcher(
        [replace(SPEECH, linked=(LinkedRelease(ASR_EXAMPLE, "partial_scoop"),))],
        threshold=DEFAULT_THRESHOLD,
    )
    dismissed = Matcher([replace(SPEECH, rejected=(ASR_EXAMPLE,))], threshold=DEFAULT_THRESHOLD)

    assert [m.release_id for m in confirmed.match([ASR_RELEASE])] == ["asr-2"]
    assert dismissed.match([ASR_RELEASE]) == []
    assert (
        score_of(SPEECH, ASR_RELEASE, others=())
        < scores_for(confirmed, [ASR_RELEASE])[("asr-2", 10)]
    )
    assert neutral.threshold == DEFAULT_THRESHOLD


def test_linked_and_dismissed_releases_are_not_suggested_again():
    project = replace(
        MULTILINGUAL,
        linked=(LinkedRelease(AYA, "scoop"),),
        rejected=(replace(AYA, id="aya-copy"),),
    )
    matcher = Matcher([project], threshold=0.0)

    assert matcher.match([AYA, replace(AYA, id="aya-copy")]) == []
    assert [m.release_id for m in matcher.match([replace(AYA, id="aya-v2")])] == ["aya-v2"]


def test_a_suggested_effect_is_a_link_effect():
    from app.releases.models import LinkEffect

    matches = Matcher(PROJECTS, threshold=0.01).match([AYA, EXPERT_CHOICE, SOURDOUGH])
    assert matches
    assert {m.effect for m in matches} <= {e.value for e in LinkEffect}


def test_a_strong_match_is_suggested_as_a_scoop():
    # The release says what the project plans, nearly word for word.
    twin = ReleaseText(
        id="twin",
        title=MULTILINGUAL.title,
        summary=f"{MULTILINGUAL.summary} {MULTILINGUAL.plan_text}",
    )
    [match] = Matcher(PROJECTS).match([twin])
    assert match.effect == "scoop"
    assert match.score > 0.5


@pytest.mark.parametrize(
    ("projects", "releases"),
    [
        ((), ()),
        ((), (AYA,)),
        (PROJECTS, ()),
    ],
)
def test_nothing_to_match_gives_no_match(projects, releases):
    assert Matcher(projects).match(releases) == []


def test_a_project_with_only_a_title_is_matched():
    bare = ProjectProfile(id="bare", title="Mixture-of-experts routing")

    matches = Matcher([bare]).match([EXPERT_CHOICE, SOURDOUGH])

    assert [m.release_id for m in matches] == ["expert-choice"]
    assert "mixture-of-experts" in matches[0].explanation.terms or any(
        "routing" in t for t in matches[0].explanation.terms
    )


def test_empty_and_odd_texts_are_handled():
    blank_project = ProjectProfile(id="blank", title="")
    odd = [
        ReleaseText(id="empty", title=""),
        ReleaseText(id="stop", title="the of and a", summary="it is what it is"),
        ReleaseText(id="digits", title="2024 1 2 3"),
        ReleaseText(id="unicode", title="Überraschung — 日本語 モデル", summary="naïve café"),
    ]

    matches = Matcher([blank_project, *PROJECTS], threshold=0.0).match(odd)

    assert all(0.0 <= m.score <= 1.0 for m in matches)
    assert Matcher([blank_project]).match([AYA]) == []


def test_results_are_deterministic_and_do_not_depend_on_chunking(monkeypatch):
    releases = [AYA, SOURDOUGH, EXPERT_CHOICE, ASR_RELEASE, MT_RELEASE]
    projects = [*PROJECTS, SPEECH]
    first = Matcher(projects, threshold=0.0).match(releases)
    again = Matcher(projects, threshold=0.0).match(releases)
    one_by_one = [m for r in releases for m in Matcher(projects, threshold=0.0).match([r])]

    monkeypatch.setattr(engine, "CHUNK", 2)
    chunked = Matcher(projects, threshold=0.0).match(releases)

    assert first == again == chunked
    key = lambda m: (m.release_id, m.project_id)  # noqa: E731
    assert sorted(first, key=key) == sorted(one_by_one, key=key)


def test_explanation_as_dict_is_plain_data():
    explanation = Explanation(("instruction tuning", "LLM"), None, None)
    assert explanation.as_dict() == {
        "terms": ["instruction tuning", "LLM"],
        "similar_release": None,
    }


def test_a_terms_index_is_the_column_feature_hashing_gives_it():
    terms = ["instruct tune", "lima", "data qualiti", "ünïcode", "x" * 60, *map(str, range(500))]
    hasher = FeatureHasher(n_features=N_FEATURES, input_type="dict", alternate_sign=False)
    columns = hasher.transform({t: 1} for t in terms).tocsr().indices.tolist()
    assert [feature_index(t) for t in terms] == columns
