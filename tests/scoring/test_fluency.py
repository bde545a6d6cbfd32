"""Fluency, tested on the spec's own examples: fillers (and what is not a filler), restarts,
long pauses from word timestamps and the VAD, and the speaking-rate band."""

from __future__ import annotations

import pytest

from scoring.disfluency import find_fillers, find_repetitions
from scoring.fluency import rate_score, score_fluency
from scoring.text import tokenize, tokenize_timed
from tests.scoring.evalset import Word, synthetic_words


def fillers(text: str) -> list[str]:
    return [f.text for f in find_fillers(tokenize(text))]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Um, I think, uh, we shipped it.", ["um", "uh"]),
        ("Er, ah, erm, hmm.", ["er", "ah", "erm", "hmm"]),
        ("So, like, we shipped it.", ["like"]),
        ("And, like we said, it worked.", ["like"]),
        ("It was like, no way.", ["like"]),
        ("It was like really hard.", ["like"]),
        ("It worked, you know.", ["you know"]),
        ("And, you know, we did it.", ["you know"]),
        ("I mean, the tests were green.", ["i mean"]),
    ],
)
def test_fillers_are_counted(text: str, expected: list[str]) -> None:
    assert fillers(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "I like Python.",
        "I would like to learn Go, and we'd like more tests.",
        "They like it and people like the tool.",
        "We used a cache like Redis, and things like that.",
        "For data that must be exact, like account balances, we skip it.",
        "It looks like a bug.",
        "Do you know the answer? You know the drill.",
        "What I mean is simple. I mean it.",
    ],
)
def test_verb_and_preposition_uses_are_not_fillers(text: str) -> None:
    assert fillers(text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I I think so.", ["i"]),
        ("we we decided", ["we"]),
        ("I, um, I set up a meeting.", ["i"]),
        ("the database the database was slow", ["the database"]),
        ("She said that that was fine and we had had enough.", []),
        ("It took 2 2 days.", []),
    ],
)
def test_repetitions_and_restarts(text: str, expected: list[str]) -> None:
    tokens = tokenize(text)
    assert [r.text for r in find_repetitions(tokens, find_fillers(tokens))] == expected


def test_timed_words_keep_whisper_punctuation_and_timing() -> None:
    words = [
        Word(" Um,", 0.0, 0.3),
        Word(" like,", 0.4, 0.6),
        Word(" I", 0.7, 0.8),
        Word(" like", 0.8, 1.0),
        Word(" Python.", 1.0, 1.5),
    ]
    tokens = tokenize_timed(words)
    assert [f.text for f in find_fillers(tokens)] == ["um", "like"]
    assert tokens[1].start == 0.4 and tokens[1].pre == "," and tokens[1].post == ","


def score(script, **kw):
    kw.setdefault("target_wpm", (130.0, 160.0))
    kw.setdefault("long_pause_s", 1.2)
    words = synthetic_words(script, wpm=kw.pop("wpm", 145.0))
    return score_fluency(tokenize_timed(words), audio_duration=words[-1].end + 1, **kw)


def test_clean_speech_in_the_band_scores_100() -> None:
    result = score(["We agreed on a plan and shipped the feature on time with the whole team."] * 4)
    assert result.score == 100
    assert 140 <= result.speech_rate_wpm <= 150
    assert result.filler_count == 0 and not result.long_pauses and not result.repetitions


def test_long_pauses_come_from_word_gaps_and_only_inside_the_answer() -> None:
    result = score([2.5, "We agreed on a plan.", 1.5, "Then we shipped it.", 0.8, "It worked.", 3.0])
    assert [round(p.duration, 1) for p in result.long_pauses] == [1.6]  # 1.5 s + the word gap


def test_vad_pauses_reveal_silences_that_word_timestamps_hide() -> None:
    # Whisper stretched "plan" over the silence: the timestamps show no gap, the VAD does.
    words = [
        Word(" We", 0.0, 0.3),
        Word(" agreed", 0.3, 0.7),
        Word(" plan.", 0.7, 3.0),
        Word(" Then", 3.0, 3.3),
        Word(" shipped.", 3.3, 3.8),
    ]
    tokens = tokenize_timed(words)
    without = score_fluency(tokens, audio_duration=4, target_wpm=(130, 160), long_pause_s=1.2)
    with_vad = score_fluency(
        tokens, audio_duration=4, vad_pauses=[(1.1, 2.9), (3.9, 6.0)], target_wpm=(130, 160), long_pause_s=1.2
    )
    assert not without.long_pauses
    assert [(p.start, p.end) for p in with_vad.long_pauses] == [(1.1, 2.9)]


def test_fluency_falls_as_fillers_rise() -> None:
    base = "We agreed on a plan and shipped the feature on time."
    scores = [score([" ".join(["Um,"] * n + [base])] * 3).score for n in (0, 1, 2, 4)]
    assert scores == sorted(scores, reverse=True) and scores[0] > scores[-1] + 30


@pytest.mark.parametrize(
    ("wpm", "expected"), [(145, 100), (130, 100), (160, 100), (120, 80), (180, 60), (80, 0), (230, 0)]
)
def test_rate_score_band(wpm: float, expected: float) -> None:
    assert rate_score(wpm, (130, 160)) == expected


def test_fillers_are_not_counted_as_words_for_the_rate() -> None:
    plain = score(["We agreed on a plan and shipped it."] * 4)
    padded = score(["Um, we agreed on a plan and, uh, shipped it."] * 4)
    assert padded.word_count == plain.word_count
    assert padded.speech_rate_wpm < plain.speech_rate_wpm


def test_text_without_timing_uses_the_duration_or_drops_rate_and_pauses() -> None:
    tokens = tokenize("We agreed on a plan and shipped the feature on time. " * 3)
    with_duration = score_fluency(tokens, audio_duration=15.0, target_wpm=(130, 160), long_pause_s=1.2)
    without = score_fluency(tokens, audio_duration=0.0, target_wpm=(130, 160), long_pause_s=1.2)
    assert with_duration.speech_rate_wpm == pytest.approx(33 / 0.25)
    assert without.speech_rate_wpm is None and without.components["rate"] is None
    assert without.components["pauses"] is None and without.score == 100


def test_empty_answer_scores_zero() -> None:
    assert score_fluency([], audio_duration=3.0, target_wpm=(130, 160), long_pause_s=1.2).score == 0
