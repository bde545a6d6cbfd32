"""Synthetic "speech" and an oracle transcriber for model-free tests of the streaming core.

A word is a 0.4 s harmonic buzz (webrtcvad calls it voiced); the quiet between words is a
±2 LSB dither, far under the VAD's energy floor, which also makes every position of the signal
unique so the oracle can find where a decoded buffer sits in the whole recording.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from streaming.events import Word
from streaming.options import SAMPLE_RATE
from streaming.transcriber import Transcription


@dataclass(frozen=True)
class Spoken:
    text: str
    start: float
    end: float


@dataclass
class SyntheticSpeech:
    pcm: np.ndarray  # int16
    words: list[Spoken]

    @property
    def audio(self) -> np.ndarray:
        return self.pcm.astype(np.float32) / 32768.0

    @property
    def bytes(self) -> bytes:
        return self.pcm.astype("<i2").tobytes()

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)


def _buzz(seconds: float, pitch: float) -> np.ndarray:
    t = np.arange(round(seconds * SAMPLE_RATE)) / SAMPLE_RATE
    wave = sum(np.sin(2 * np.pi * pitch * k * t) / k for k in range(1, 12))
    envelope = np.minimum(1.0, np.minimum(t, t[::-1]) / 0.02)
    return 0.15 * wave * envelope


def make_speech(
    script: list[int | float], *, word_s: float = 0.4, gap_s: float = 0.1, seed: int = 0
) -> SyntheticSpeech:
    """A script of word counts (ints) and pauses (floats, seconds): [5, 1.5, 3] is five words,
    a 1.5 s pause, three words. Words are named w0, w1, ... in order; 0.5 s of quiet at both ends."""
    rng = np.random.default_rng(seed)
    pieces = [np.zeros(SAMPLE_RATE // 2)]
    words: list[Spoken] = []
    now = 0.5
    for item in script:
        if isinstance(item, float):
            pieces.append(np.zeros(round(item * SAMPLE_RATE)))
            now += item
            continue
        for i in range(item):
            if i:
                pieces.append(np.zeros(round(gap_s * SAMPLE_RATE)))
                now += gap_s
            pieces.append(_buzz(word_s, 120 + 7 * (len(words) % 9)))
            words.append(Spoken(f"w{len(words)}", round(now, 3), round(now + word_s, 3)))
            now += word_s
    pieces.append(np.zeros(SAMPLE_RATE // 2))
    signal = np.concatenate(pieces)
    dither = rng.integers(-2, 3, size=signal.size)
    pcm = np.clip(np.round(signal * 32767) + dither, -32768, 32767).astype(np.int16)
    return SyntheticSpeech(pcm, words)


@dataclass
class OracleTranscriber:
    """Knows the recording and its words; "decodes" a buffer by finding where it sits.

    A word belongs to the buffer holding its midpoint. A word cut off by the buffer's end comes
    back garbled (`w7~`) and the last complete word is unstable (its text changes from call to
    call while it ends within `unstable_s` of the buffer's end), as Whisper's tail does.
    """

    speech: SyntheticSpeech
    unstable_s: float = 0.25
    noise: bool = False
    calls: list[tuple[float, float, str | None, str | None]] = field(default_factory=list)

    def locate(self, audio: np.ndarray) -> int:
        samples = np.round(audio * 32768.0).astype(np.int16)
        full = self.speech.pcm
        candidates = np.flatnonzero(full[: full.size - samples.size + 1] == samples[0])
        for k in range(1, min(64, samples.size)):
            candidates = candidates[full[candidates + k] == samples[k]]
            if candidates.size <= 1:
                break
        assert candidates.size == 1, "decoded audio is not a slice of the recording"
        return int(candidates[0])

    def transcribe(
        self, audio: np.ndarray, *, prompt: str | None = None, hotwords: str | None = None, partial: bool = False
    ) -> Transcription:
        start = self.locate(audio) / SAMPLE_RATE
        end = start + audio.size / SAMPLE_RATE
        self.calls.append((start, end, prompt, hotwords))
        if self.noise:
            return Transcription((Word("Thank", 0.0, 0.2, 0.3), Word("you.", 0.2, 0.4, 0.3)), 0.9, -1.5, "en")
        words = []
        inside = [w for w in self.speech.words if start <= (w.start + w.end) / 2 < end]
        for w in inside:
            text = w.text
            if w.end > end + 1e-6:
                text += "~"
            elif end - w.end < self.unstable_s:
                text += f"?{len(self.calls)}"
            words.append(Word(text, round(w.start - start, 3), round(min(w.end, end) - start, 3), 0.9))
        return Transcription(tuple(words), 0.01, -0.2, "en")
