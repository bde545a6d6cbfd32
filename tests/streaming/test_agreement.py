"""LocalAgreement-2 hypothesis buffer."""

from __future__ import annotations

from streaming.agreement import HypothesisBuffer, normalise_word
from streaming.events import Word


def words(text: str, start: float = 0.0, step: float = 0.5) -> list[Word]:
    return [Word(t, start + i * step, start + i * step + 0.4, 0.9) for i, t in enumerate(text.split())]


def texts(items) -> str:
    return " ".join(w.text for w in items)


def test_nothing_is_committed_from_a_single_hypothesis() -> None:
    buffer = HypothesisBuffer()
    assert buffer.insert(words("so we shipped")) == []
    assert texts(buffer.tail) == "so we shipped"


def test_the_common_prefix_of_two_hypotheses_is_committed() -> None:
    buffer = HypothesisBuffer()
    buffer.insert(words("so we shipped it"))
    assert texts(buffer.insert(words("so we shipped the feature"))) == "so we shipped"
    assert texts(buffer.tail) == "the feature"
    assert texts(buffer.insert(words("so we shipped the feature on time"))) == "the feature"
    assert texts(buffer.committed) == "so we shipped the feature"


def test_comparison_ignores_case_and_punctuation() -> None:
    buffer = HypothesisBuffer()
    buffer.insert(words("We use Kubernetes"))
    assert texts(buffer.insert(words("we use kubernetes, mostly"))) == "we use kubernetes,"
    assert normalise_word('"Don\'t,"') == "don't"


def test_committed_words_are_never_committed_twice() -> None:
    buffer = HypothesisBuffer()
    hypotheses = [
        "I led",
        "I led the team",
        "I led the team and we",
        "I led the team and we shipped it",
        "I led the team and we shipped it",
    ]
    committed = []
    for hypothesis in hypotheses:
        committed += buffer.insert(words(hypothesis))
    assert texts(committed) == "I led the team and we shipped it"
    assert texts(buffer.committed) == texts(committed)


def test_timestamp_jitter_does_not_duplicate_a_word() -> None:
    buffer = HypothesisBuffer()
    buffer.insert(words("one two three"))
    buffer.insert(words("one two three four"))  # commits one two three (ends at 1.4)
    jittered = [Word("three", 1.35, 1.45, 0.9), Word("four", 1.5, 1.9, 0.9), Word("five", 2.0, 2.4, 0.9)]
    assert texts(buffer.insert(jittered)) == "four"
    assert texts(buffer.committed) == "one two three four"


def test_an_ngram_overlap_with_the_committed_tail_is_removed() -> None:
    buffer = HypothesisBuffer()
    buffer.insert(words("we shipped it"))
    buffer.insert(words("we shipped it on"))  # commits "we shipped it" (ends 1.4)
    # The decoder re-says the committed tail with later timestamps, then goes on.
    repeat = words("shipped it on time", start=1.5)
    assert texts(buffer.insert(repeat)) == "on"  # not "shipped it" again
    assert texts(buffer.tail) == "time"
    assert texts(buffer.insert(words("on time today", start=2.5))) == "time"
    assert texts(buffer.committed) == "we shipped it on time"


def test_a_changing_tail_is_not_committed() -> None:
    buffer = HypothesisBuffer()
    buffer.insert(words("the deploy"))
    assert texts(buffer.insert(words("the deployment"))) == "the"
    assert texts(buffer.insert(words("the deployment pipe"))) == "deployment"


def test_continuing_after_a_trim_keeps_the_tail_and_skips_the_old_words() -> None:
    old = HypothesisBuffer()
    old.insert(words("a b c d"))
    old.insert(words("a b c d e"))
    buffer = HypothesisBuffer.continuing(old.committed, old.tail)
    assert texts(buffer.tail) == "e"
    # A decode from the cut may still hear the last committed word at the boundary.
    assert texts(buffer.insert([Word("d", 1.55, 1.9, 0.9)] + words("e f", start=2.0))) == "e"
    assert texts(buffer.committed) == "e"
