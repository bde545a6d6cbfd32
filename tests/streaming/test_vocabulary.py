"""The question's vocabulary post-pass (streaming/vocabulary.py), on hand-made mishearings."""

from __future__ import annotations

import pytest

from streaming.events import Word
from streaming.vocabulary import apply_vocabulary, distinctive_terms

QUESTION = "Tell me about a system you built with PostgreSQL and Redis."
TOPICS = ["Kubernetes", "TypeScript", "caching", "retries with backoff", "PUT versus POST"]
TERMS = distinctive_terms(QUESTION, TOPICS)


def fixed(text: str, probability: float = 0.9) -> str:
    words = [Word(token, float(i), i + 0.9, probability) for i, token in enumerate(text.split())]
    return " ".join(w.text for w in apply_vocabulary(words, TERMS))


def test_only_distinctive_terms_are_enforced() -> None:
    # "Tell" starts the sentence, "caching" is an ordinary word, "PUT"/"POST" are too short.
    assert TERMS == ("PostgreSQL", "Redis", "Kubernetes", "TypeScript")
    assert distinctive_terms(None) == ()


@pytest.mark.parametrize(
    ("heard", "meant"),
    [
        ("Our orders live in Post or SQL with a replica.", "Our orders live in PostgreSQL with a replica."),
        ("We moved to Post-Gur SQL last year", "We moved to PostgreSQL last year"),
        ("we used postgres SQL,", "we used PostgreSQL,"),
        ("sessions live in Reddis.", "sessions live in Redis."),
        ("We deployed on Cooper Netties and", "We deployed on Kubernetes and"),
        ("written in tight script with", "written in TypeScript with"),
        ("the Typescript compiler", "the TypeScript compiler"),
    ],
)
def test_misheard_terms_are_put_back(heard: str, meant: str) -> None:
    assert fixed(heard) == meant


def test_a_replaced_run_spans_its_words_and_keeps_the_lowest_probability() -> None:
    words = [
        Word("in", 0.0, 0.2, 0.9),
        Word("Post", 0.3, 0.5, 0.8),
        Word("or", 0.5, 0.6, 0.4),
        Word("SQL.", 0.6, 1.1, 0.7),
    ]
    out = apply_vocabulary(words, TERMS)
    assert out[1] == Word("PostgreSQL.", 0.3, 1.1, 0.4)
    assert len(out) == 2


@pytest.mark.parametrize(
    "text",
    [
        "I like to keep the design simple",
        "a post request with a JSON body",
        "the cost of the post office went up",
        "we ran the tests before every release",
        "the police put it on the radius of the circle",  # a clear real word is left alone
        "PostgreSQL and Redis and Kubernetes",
    ],
)
def test_ordinary_words_and_correct_terms_are_left_alone(text: str) -> None:
    assert fixed(text) == text


def test_an_unsure_single_word_that_sounds_like_a_term_is_replaced() -> None:
    assert fixed("on the radius", probability=0.5) == "on the Redis"
    assert fixed("on the radius", probability=0.95) == "on the radius"


def test_no_vocabulary_changes_nothing() -> None:
    words = [Word("Post", 0.0, 0.2, 0.5), Word("or", 0.2, 0.3, 0.5), Word("SQL", 0.3, 0.6, 0.5)]
    assert apply_vocabulary(words, ()) == words


@pytest.mark.parametrize(
    ("role", "company", "intro"),
    [
        ("Backend Engineer", "Acme Payments", "Interview: backend engineer at Acme Payments."),
        ("SRE", " Deutsche  Bahn ", "Interview: SRE at Deutsche Bahn."),
        ("iOS Developer", None, "Interview: iOS developer."),
        (None, "Klarna", "Interview at Klarna."),
        ("  ", "", ""),
        (None, None, ""),
    ],
)
def test_the_decoder_is_told_the_role_in_plain_words_and_the_company_as_typed(role, company, intro) -> None:
    from streaming.vocabulary import decoder_intro

    assert decoder_intro(role, company) == intro
