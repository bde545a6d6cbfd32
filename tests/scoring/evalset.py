"""The labelled evaluation set (evaluation_set.json) and helpers to turn its scripts into
scoring inputs: plain text, or text with synthetic word timings (a steady 145 wpm plus the
script's pauses) for the text-mode tests; the audio-mode tests use real speech instead."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from scoring import AnswerInput
from tests.support.speech import script_text

SET_PATH = Path(__file__).with_name("evaluation_set.json")
KINDS = ("strong", "filler_heavy", "grammar_poor", "mediocre", "keyword_stuffed", "off_topic")


@dataclass(frozen=True)
class Word:
    """Satisfies scoring's TimedWord protocol, like faster-whisper's Word."""

    text: str
    start: float
    end: float
    probability: float = 1.0


@dataclass(frozen=True)
class Case:
    question_id: str
    kind: str
    label: int
    question: dict
    script: tuple[str | float, ...]
    fillers: int
    long_pauses: int

    @property
    def text(self) -> str:
        return script_text(self.script)

    def answer_input(self, words: Sequence[Word] | None = None, duration: float | None = None, transcript: str | None = None) -> AnswerInput:
        if words is None:
            words = synthetic_words(self.script)
        if duration is None:
            duration = (words[-1].end + 0.5) if words else 0.0
        return AnswerInput(
            question_text=self.question["question_text"],
            category=self.question["category"],
            difficulty=self.question["difficulty"],
            expected_topics=tuple(self.question["expected_topics"]),
            transcript=self.text if transcript is None else transcript,
            words=tuple(words),
            audio_duration=duration,
        )


def load() -> dict:
    return json.loads(SET_PATH.read_text())


def cases() -> Iterator[Case]:
    data = load()
    for question in data["questions"]:
        for kind, answer in question["answers"].items():
            yield Case(
                question["id"], kind, data["labels"][kind], question, tuple(answer["script"]),
                answer["fillers"], answer["long_pauses"],
            )


def synthetic_words(script: Sequence[str | float], wpm: float = 145.0) -> list[Word]:
    """Words at a steady `wpm` (each word 85 % sound, 15 % gap), pauses as silence."""
    step = 60.0 / wpm
    clock = 0.3
    words: list[Word] = []
    for piece in script:
        if not isinstance(piece, str):
            clock += float(piece)
            continue
        for token in piece.split():
            words.append(Word(" " + token, round(clock, 3), round(clock + 0.85 * step, 3)))
            clock += step
    return words
