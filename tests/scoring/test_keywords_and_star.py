"""Keyword coverage (exact, lemma, semantic, in context) and STAR detection, on small inputs."""

from __future__ import annotations

import numpy as np
import pytest

from scoring.keywords import alternatives, score_keywords
from scoring.lemma import stem
from scoring.spans import answer_spans
from scoring.star import detect_plan, detect_star, is_behavioural, structure_kind
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


def judge(topics, transcript, vectors=None, span_vectors=None, spans=None, ignored=(), question=""):
    tokens = tokenize(transcript)
    return score_keywords(
        topics,
        tokens,
        transcript=transcript,
        spans=spans or [],
        span_vectors=span_vectors,
        alternative_vectors=vectors,
        structure_factor=sentence_structure_factor(tokens),
        cover_similarity=0.6,
        touch_similarity=0.5,
        ignored=ignored,
        question_text=question,
    )


def test_lexical_matches_keep_the_candidates_words_as_evidence() -> None:
    result = judge(["cache invalidation"], "On every write we invalidate the cached keys straight away.")
    match = result.topics[0]
    assert (match.verdict, match.how) == ("covered", "lemma")
    assert match.evidence == "On every write we invalidate the cached keys straight away"


def test_either_alternative_of_an_or_topic_counts() -> None:
    assert alternatives("rollback or feature flag") == ["rollback", "feature flag"]
    result = judge(["rollback or feature flag"], "We shipped it behind a feature flag so we could turn it off.")
    assert result.topics[0].verdict == "covered" and result.topics[0].alternative == "feature flag"


def test_a_word_of_the_same_group_says_a_topics_word() -> None:
    result = judge(["limit on requests"], "I would put a cap on the requests their key can send each minute.")
    assert (result.topics[0].verdict, result.topics[0].how) == ("covered", "lemma")


def test_a_word_of_the_question_need_not_be_repeated() -> None:
    question = "One client is flooding an API you own. What do you do?"
    answer = "Then I would phone their engineers and ask what changed on their side."
    assert judge(["talk to the client"], answer, question=question).topics[0].verdict == "covered"
    assert judge(["talk to the client"], answer).topics[0].verdict == "missing"
    # A generic verb left alone says nothing: "run the test for" is not "then you just run it".
    ab = "Explain how you would set up an A/B test."
    assert judge(["run the test for"], "You make two pages and then you just run it.", question=ab).topics[
        0
    ].verdict == ("missing")


def test_a_wording_of_ones_own_carries_its_subject_to_a_coordinated_verb() -> None:
    said = judge(["communication"], "I turned the feature off with its flag, wrote to the affected users and waited.")
    assert said.topics[0].verdict == "covered"
    other_subject = judge(["communication"], "We had a bug that the users wrote to us about in the morning.")
    assert other_subject.topics[0].verdict != "covered"


def test_a_negated_mention_is_not_coverage() -> None:
    result = judge(["Redis"], "We did not use Redis for this, the database was fast enough.")
    assert result.topics[0].verdict == "missing" and result.topics[0].negated


def test_a_bare_list_only_touches_on_topics_and_counts_half_again() -> None:
    result = judge(["caching", "TTL"], "Caching. TTL.")
    assert [t.verdict for t in result.topics] == ["touched", "touched"]
    assert result.score == 25.0


def test_a_paraphrase_close_to_a_span_is_covered_and_a_loose_one_touched() -> None:
    transcript = "I let him finish and repeated his concerns back to him. We shipped on time."
    spans = answer_spans(transcript)
    span_vectors = np.zeros((len(spans), 3))
    span_vectors[0] = [0.8, 0.0, 0.6]  # first clause close to topic 0
    span_vectors[1:, 2] = 1.0
    vectors = np.array([[1.0, 0.0, 0.0], [0.7, 0.714, 0.0]])
    result = judge(["active listening", "stakeholders"], transcript, vectors, span_vectors, spans)
    assert [t.verdict for t in result.topics] == ["covered", "touched"]
    assert result.topics[0].evidence == spans[0].text


def test_spans_the_recogniser_was_unsure_of_are_no_evidence() -> None:
    transcript = "I let him finish and repeated his concerns back to him."
    spans = answer_spans(transcript)
    span_vectors = np.tile([1.0, 0.0], (len(spans), 1))
    result = judge(
        ["active listening"], transcript, np.array([[1.0, 0.0]]), span_vectors, spans, ignored=[(0, len(transcript))]
    )
    assert result.topics[0].verdict == "missing"


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
    assert is_behavioural("behavioral") and is_behavioural("Behavioural")
    assert not is_behavioural("technical") and not is_behavioural("situational")


def test_hypothetical_questions_get_a_plan_check_and_technical_ones_none() -> None:
    assert structure_kind("situational", "What would you do if a client floods your API?") == "plan"
    assert structure_kind("general", "Tell me about a time you failed.") == "star"
    assert structure_kind("technical", "How would you design a cache?") is None
    plan = detect_plan(
        split_sentences(
            "I would first talk to the client, because they may not know. If that fails, I would rate limit them."
        )
    )
    assert plan.complete and plan.kind == "plan"


def test_the_grammar_neutral_reading_puts_learner_errors_in_standard_form_word_for_word() -> None:
    from scoring import standard_reading

    poor = "I taked the data to the team, I were sixteen, we was late, I starts by asking. A seed round."
    reading = standard_reading(poor)
    assert reading == "I took the data to the team, I was sixteen, we were late, I start by asking. A seed round."
    assert len(reading.split()) == len(poor.split())
    assert standard_reading("Then I seed a chance") == "Then I saw a chance"


def test_star_parts_do_not_depend_on_grammar() -> None:
    clean = detect_star(["I took that data to the engineers.", "Tickets fell from forty to five."])
    poor = detect_star(["I taked that data to the engineers.", "Tickets falled from forty to five."])
    assert clean.present == poor.present == ["action", "result"]
    assert poor.evidence["action"] == "I taked that data to the engineers."
