"""Keyword coverage (exact, lemma, semantic, in context) and STAR detection, on small inputs."""

from __future__ import annotations

import numpy as np
import pytest

from scoring.keywords import lexical_match, score_keywords
from scoring.lemma import stem
from scoring.star import detect_star, is_behavioural
from scoring.text import sentence_structure_factor, split_sentences, tokenize


@pytest.mark.parametrize(
    "forms",
    [
        ("communication", "communicating", "communicate", "communicated", "communicative"),
        ("leader", "leading", "led", "leads"),
        ("solve", "solving", "solved"),
        ("cache", "caching", "cached", "caches"),
        ("invalidation", "invalidate", "invalidating"),
        ("scalability", "scalable", "scale"),
        ("query", "queries"),
        ("deploy", "deployment", "deployed"),
    ],
)
def test_stemmer_collapses_inflected_and_derived_forms(forms) -> None:
    assert len({stem(f) for f in forms}) == 1


@pytest.mark.parametrize("word", ["user", "client", "gas", "bus", "process"])
def test_stemmer_keeps_short_and_s_final_words(word: str) -> None:
    assert stem(word) == word


def words(text: str) -> list[str]:
    from scoring.keywords import answer_words

    return answer_words(tokenize(text))


def test_exact_lemma_and_no_match() -> None:
    assert lexical_match("cache invalidation", words("We handle cache invalidation on writes.")) == ("exact", "cache invalidation")
    kind, evidence = lexical_match("cache invalidation", words("On writes we invalidate the cached keys."))
    assert kind == "lemma" and evidence == "invalidate the cached"
    assert lexical_match("problem-solving", words("I enjoy solving hard problems.")) == ("lemma", "solving hard problems")
    assert lexical_match("cache invalidation", words("We invalidate tokens. Later, much later, we add a cache.")) is None


def test_semantic_match_gets_partial_credit_and_keyword_lists_count_half() -> None:
    topics = ["active listening", "outcome"]
    sentences = ["I repeated his concerns back to him.", "We shipped on time."]
    topic_vectors = np.eye(3)[:2]
    sentence_vectors = np.array([[0.8, 0.0, 0.6], [0.0, 0.0, 1.0]])
    tokens = tokenize(" ".join(sentences))
    result = score_keywords(
        topics, tokens, sentences=sentences, topic_vectors=topic_vectors, sentence_vectors=sentence_vectors,
        structure_factor=1.0, threshold=0.55, semantic_credit=0.75,
    )
    assert [(t.topic, t.kind) for t in result.topics] == [("active listening", "semantic"), ("outcome", "missing")]
    assert result.score == pytest.approx(37.5) and result.missing == ["outcome"]
    listed = tokenize("Active listening. Outcome.")
    stuffed = score_keywords(topics, listed, sentences=[], topic_vectors=None, sentence_vectors=None,
                             structure_factor=sentence_structure_factor(listed), threshold=0.55, semantic_credit=0.75)
    assert stuffed.covered == topics and stuffed.score == 50.0


def test_structure_factor_separates_sentences_from_keyword_lists() -> None:
    assert sentence_structure_factor(tokenize("I set up a meeting where each of us explained our reasoning.")) == 1.0
    assert sentence_structure_factor(tokenize("Communication. Compromise. Active listening. Outcome.")) == 0.0


def test_long_unpunctuated_transcripts_are_cut_into_chunks() -> None:
    assert [len(s.split()) for s in split_sentences(" ".join(["word"] * 70))] == [30, 30, 10]


def test_star_parts_and_what_is_missing() -> None:
    full = split_sentences(
        "In my last job two teams disagreed about the API. My task was to get a decision within a week. "
        "I set up a meeting and listened to both sides. As a result we shipped on time."
    )
    assert detect_star(full).complete
    partial = detect_star(split_sentences("In my last job two teams disagreed about the API. I set up a meeting."))
    assert partial.present == ["situation", "action"] and partial.missing == ["task", "result"]
    assert is_behavioural("behavioral") and is_behavioural("Behavioural") and is_behavioural("situational")
    assert not is_behavioural("technical")
