"""Talking-point rules that need no model: a hedge or a filler is not a point made, a phrase is
not said by a generic verb alone, and a story of one's own is an example."""

from __future__ import annotations

from scoring.keywords import score_keywords
from scoring.text import sentence_structure_factor, tokenize


def judge(topics: list[str], transcript: str, question: str = "") -> list[tuple[str, str]]:
    tokens = tokenize(transcript)
    result = score_keywords(
        topics,
        tokens,
        transcript=transcript,
        spans=[],
        span_vectors=None,
        alternative_vectors=None,
        structure_factor=sentence_structure_factor(tokens),
        cover_similarity=0.6,
        touch_similarity=0.5,
        question_text=question,
    )
    return [(m.verdict, m.how) for m in result.topics]


def test_a_hedged_mention_is_only_touched_on() -> None:
    feedback = "How do you like to receive feedback?"
    topic = ["acting on it or changed after feedback or I act on it"]
    assert judge(topic, "Uh, maybe the code changed, you know, or something.", feedback)[0][0] == "touched"
    assert judge(["fix the process"], "So yeah, I would try to fix the process somehow.")[0][0] == "touched"
    assert judge(["team"], "I would probably ask someone on the team.")[0][0] == "touched"
    # The same words said plainly are a point made.
    assert judge(topic, "After that review I changed how I name functions.", feedback)[0][0] == "covered"
    # A hedge in one clause does not take away the point of another.
    answer = "Our invoices were off by one cent, maybe once in a thousand, and we fixed the rounding."
    assert judge(["fixed the rounding"], answer)[0][0] == "covered"


def test_a_filler_is_not_a_word_of_the_answer() -> None:
    assert judge(["knowing when to stop"], "I would, you know, check again.")[0][0] == "missing"
    assert judge(["knowing when to stop"], "Knowing when to stop is something I learned early.")[0][0] == "covered"


def test_a_long_phrase_is_not_said_by_its_generic_verb_alone() -> None:
    topic = ["company mission or what you are trying to do"]
    assert judge(topic, "I would try to fix it and see what happens next.")[0][0] == "missing"
    assert judge(topic, "I like what you are trying to do for small farms.")[0][0] == "covered"


def test_a_story_of_ones_own_is_an_example_without_the_word() -> None:
    topic = ["example that proves it or for example"]
    story = (
        "My strength is turning vague requests into plans. Last spring our sales team asked for a better "
        "reporting page, and I wrote a one-page plan with three milestones."
    )
    assert judge(topic, story)[0] == ("covered", "example")
    habit = "My strength is planning. When I get a vague request I write a short plan for it first."
    assert judge(topic, habit)[0][0] == "missing"
    hedged = "Last year we maybe had something like that happen, I guess, with some team."
    assert judge(topic, hedged)[0][0] == "missing"


def test_a_word_of_the_same_common_sense_in_wordnet_says_a_topic_word() -> None:
    from scoring import wordnet

    assert wordnet.available(), "Debian's wordnet-base is missing: run scripts/setup.sh as root"
    assert judge(["small changes"], "I would make the change in little pieces, one a day.")[0] == ("covered", "wordnet")
    report = ["store the report or download link or cached report"]
    assert judge(report, "The finished report sits in object storage for a week.")[0] == ("covered", "wordnet")
    # Negations and hedges deny it as they deny the topic's own words.
    assert judge(["small changes"], "I would not make the change in little pieces.")[0][0] == "missing"
    assert judge(["small changes"], "Maybe the change in little pieces, I guess.")[0][0] == "touched"
    # Only a word's most frequent sense counts: "honey" is a "love" only in a rare one, and
    # generic verbs match by their own stems alone ("get" is not "understand").
    assert judge(["what you enjoy or love"], "In late summer we collect the honey from our hives.")[0][0] == "missing"
    assert judge(["understand the code"], "I would get the code running on my laptop.")[0][0] == "missing"
    assert wordnet.kindred("decide", "decision") and wordnet.kindred("rotates", "rotation")
    assert not wordnet.kindred("honey", "love") and not wordnet.kindred("heard", "learn")
