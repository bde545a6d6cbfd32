"""Value objects the streaming core emits. Times are seconds of *answer* audio time: 0.0 is the
first sample of the answer, and after a reconnect the times continue from `audio_offset`."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Word:
    """One recognised word with its punctuation, e.g. `Word("Kubernetes,", 1.2, 1.9, 0.87)`."""

    text: str
    start: float
    end: float
    probability: float


@dataclass(frozen=True, slots=True)
class SpeechStarted:
    """The VAD heard the start of an utterance (pre-roll padding included)."""

    at: float


@dataclass(frozen=True, slots=True)
class SpeechStopped:
    """The VAD heard enough silence to end the utterance. Never the end of the *answer*."""

    at: float


@dataclass(frozen=True, slots=True)
class PartialTranscript:
    """Live view of the open utterance: `committed` will not change before the final (it is
    what two consecutive hypotheses agreed on); `tail` is the latest, unstable remainder.
    The `FinalSegment` of the same `utterance` supersedes every partial of it; a partial
    with both fields empty clears a partial that turned out to be noise."""

    utterance: int
    committed: str
    tail: str

    @property
    def text(self) -> str:
        return f"{self.committed} {self.tail}".strip()


@dataclass(frozen=True, slots=True)
class FinalSegment:
    """The settled transcript of one utterance (or of one trimmed piece of a long one).
    Every utterance number gets at most one final, in increasing order."""

    utterance: int
    text: str
    start: float
    end: float
    confidence: float
    words: tuple[Word, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class AnswerComplete:
    """The whole answer once every final is delivered (prior segments of a resumed answer included).
    `confidence` is the mean word probability, None when nothing was said."""

    transcript: str
    word_count: int
    audio_duration: float
    confidence: float | None
    segments: tuple[FinalSegment, ...]


Event = SpeechStarted | SpeechStopped | PartialTranscript | FinalSegment | AnswerComplete
