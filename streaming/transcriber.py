"""The transcriber interface: what `AnswerStream`'s drivers call, and what a decode returns.

The faster-whisper adapter that implements it lives at the edge (`server/speech/whisper.py`):
this package loads no model and starts no thread.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np

from .events import Word


@dataclass(frozen=True, slots=True)
class Transcription:
    """One decode of one audio buffer. Word times are seconds from the buffer's first sample."""

    words: tuple[Word, ...]
    no_speech_prob: float
    avg_logprob: float
    language: str

    @property
    def text(self) -> str:
        return " ".join(word.text for word in self.words)

    @classmethod
    def empty(cls, language: str = "en") -> Transcription:
        return cls(words=(), no_speech_prob=1.0, avg_logprob=-math.inf, language=language)


@runtime_checkable
class Transcriber(Protocol):
    def transcribe(
        self, audio: np.ndarray, *, prompt: str | None = None, hotwords: str | None = None, partial: bool = False
    ) -> Transcription:
        """Decode 16 kHz mono float32 `audio` (at most ~29 s); thread-safe.

        `partial`: a hypothesis that the next one supersedes (LocalAgreement input, shown as
        grey text); the adapter may decode it more cheaply (no temperature fallback, a shorter
        encoder window). A final, or a closing decode that may become one, passes False."""
        ...
