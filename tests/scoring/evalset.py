"""The labelled evaluation set (evaluation_set.json) and helpers to turn its scripts into
scoring inputs: plain text, or text with synthetic word timings (a steady 145 wpm plus the
script's pauses) for the text-mode tests; the audio-mode tests use real speech instead."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from scoring import AnswerInput
from tests.support.speech import script_text

SET_PATH = Path(__file__).with_name("evaluation_set.json")
KINDS = ("strong", "filler_heavy", "grammar_poor", "mediocre", "fragment", "keyword_stuffed", "off_topic")
#: What each kind is, for reports: fragments and keyword lists are not answers, off-topic ones
#: answer something else.
ON_TOPIC_FULL = ("strong", "filler_heavy", "grammar_poor", "mediocre")
_FILLERS = re.compile(r"\b(um|uh)\b|\blike,|\byou know\b|\bI mean\b", re.IGNORECASE)


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

    def answer_input(
        self, words: Sequence[Word] | None = None, duration: float | None = None, transcript: str | None = None
    ) -> AnswerInput:
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


def _with_bank(question: dict) -> dict:
    """A question of the set; one with a `bank_id` takes its text, category, difficulty and
    topics from the shipped question bank, so the set follows edits of the bank."""
    if "bank_id" not in question:
        return question
    from interview import default_question_bank

    entry = default_question_bank().get(question["bank_id"])
    assert entry is not None, f"{question['bank_id']} is not in the question bank"
    return {
        **question,
        "question_text": entry.render("Harvest Link"),
        "category": entry.category,
        "difficulty": entry.difficulty,
        "expected_topics": list(entry.expected_topics),
        "role": entry.roles[0],
    }


def cases(*, audio_only: bool = False) -> Iterator[Case]:
    data = load()
    for raw in data["questions"]:
        if audio_only and not raw.get("audio"):
            continue
        question = _with_bank(raw)
        for kind, answer in question["answers"].items():
            script = tuple(answer["script"])
            text = script_text(script)
            fillers = answer["fillers"]
            if fillers is None:
                fillers = len(_FILLERS.findall(text))
            pauses = answer["long_pauses"]
            if pauses is None:
                pauses = sum(1 for p in script if not isinstance(p, str) and p > 1.2)
            yield Case(question["id"], kind, data["labels"][kind], question, script, fillers, pauses)


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
