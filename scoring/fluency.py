"""Fluency: speaking rate, fillers, long pauses and repetitions (0-100).

Inputs are timed words (any objects with `.text .start .end .probability`, e.g. faster-whisper's
`Word` or the streaming package's words: the `TimedWord` protocol below, never an import) plus
the answer's audio duration and, optionally, the VAD's silences.

Component scores (each 0-100, linear between the stated anchors):
- rate: speech rate = lexical words (fillers excluded) per minute of speaking time (first word's
  start to last word's end, so thinking time before the first word is not counted). 100 inside
  the target band (130-160 wpm), minus 2 points per wpm outside it (0 at 80 or 210 wpm).
- fillers per minute: 100 at <= 2/min, 0 at >= 12/min. Fluent conversational English has roughly
  1-2 filled pauses per 100 words (Bortfeld et al. 2001, Language and Speech 44(2)), i.e. about
  2-3 per minute at 150 wpm; a dozen a minute is heard as hesitant by any listener.
- long pauses per minute: 100 at <= 1/min, 0 at >= 6/min (a pause is "long" above
  options.long_pause_s, 1.2 s by default).
- repetitions per 100 words: 100 at 0, 0 at >= 8.
fluency = 0.25 rate + 0.35 fillers + 0.20 pauses + 0.20 repetitions; without timing (no words
with timestamps and no duration) rate and pauses are absent and the weights renormalise.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

import numpy as np

from scoring.disfluency import Filler, Repetition, find_fillers, find_repetitions
from scoring.text import Token

WEIGHTS = {"rate": 0.25, "fillers": 0.35, "pauses": 0.20, "repetitions": 0.20}
RATE_POINTS_PER_WPM = 2.0
FILLERS_PER_MINUTE = (2.0, 12.0)  # (full marks at or below, zero at or above)
LONG_PAUSES_PER_MINUTE = (1.0, 6.0)
REPETITIONS_PER_100_WORDS = (0.0, 8.0)


def display_filler(text: str) -> str:
    """A filler as written in feedback: the pronoun "I" is a capital letter ("I mean")."""
    return " ".join("I" if word == "i" else word for word in text.split())


@runtime_checkable
class TimedWord(Protocol):
    """A recognised word with its time span in seconds from the start of the answer's audio."""

    text: str
    start: float
    end: float
    probability: float


@dataclass(frozen=True)
class Pause:
    start: float
    end: float

    @property
    def duration(self) -> float:
        return self.end - self.start

    def to_json(self) -> dict[str, Any]:
        return {"start": round(self.start, 2), "end": round(self.end, 2), "duration": round(self.duration, 2)}


@dataclass(frozen=True)
class FluencyResult:
    score: float
    word_count: int  # lexical words, fillers excluded
    speaking_time_s: float | None
    speech_rate_wpm: float | None
    fillers: tuple[Filler, ...]
    fillers_per_minute: float | None
    long_pauses: tuple[Pause, ...]
    long_pauses_per_minute: float | None
    repetitions: tuple[Repetition, ...]
    repetitions_per_100_words: float
    components: dict[str, float | None]

    @property
    def filler_count(self) -> int:
        return len(self.fillers)

    def filler_breakdown(self) -> dict[str, int]:
        """Count of each filler as a reader writes it ("I mean", not "i mean"), most used first."""
        counts: dict[str, int] = {}
        for filler in self.fillers:
            name = display_filler(filler.text)
            counts[name] = counts.get(name, 0) + 1
        return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))

    def to_json(self) -> dict[str, Any]:
        return {
            "score": round(self.score, 1),
            "word_count": self.word_count,
            "speaking_time_s": _round(self.speaking_time_s, 2),
            "speech_rate_wpm": _round(self.speech_rate_wpm, 1),
            "filler_count": self.filler_count,
            "filler_breakdown": self.filler_breakdown(),
            "fillers": [f.to_json() for f in self.fillers],
            "fillers_per_minute": _round(self.fillers_per_minute, 2),
            "long_pause_count": len(self.long_pauses),
            "long_pauses": [p.to_json() for p in self.long_pauses],
            "long_pauses_per_minute": _round(self.long_pauses_per_minute, 2),
            "repetition_count": len(self.repetitions),
            "repetitions": [r.to_json() for r in self.repetitions],
            "repetitions_per_100_words": round(self.repetitions_per_100_words, 2),
            "components": {k: _round(v, 1) for k, v in self.components.items()},
        }


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


def _ramp(value: float, good: float, bad: float) -> float:
    """100 at or below `good`, 0 at or above `bad`, linear between."""
    return float(np.clip(100.0 * (bad - value) / (bad - good), 0.0, 100.0))


def rate_score(wpm: float, band: tuple[float, float]) -> float:
    low, high = band
    distance = max(low - wpm, wpm - high, 0.0)
    return max(0.0, 100.0 - RATE_POINTS_PER_WPM * distance)


def _word_times(tokens: Sequence[Token]) -> list[tuple[float, float]]:
    """(start, end) of the tokens that carry timing, in order."""
    return [(t.start, t.end) for t in tokens if t.start is not None and t.end is not None]


def long_pauses(tokens: Sequence[Token], vad_pauses: Sequence[tuple[float, float]], threshold: float) -> list[Pause]:
    """Silences longer than `threshold` strictly inside the answer (between first and last word).

    Gaps between word timestamps and the VAD's silences are merged: Whisper tends to stretch a
    word over a following silence, so the VAD often sees pauses the timestamps hide.
    """
    timed = _word_times(tokens)
    if not timed:
        return []
    first, last = timed[0][0], timed[-1][1]
    spans = [(a_end, b_start) for (_, a_end), (b_start, _) in itertools.pairwise(timed) if b_start - a_end > 0.05]
    spans += [(max(s, first), min(e, last)) for s, e in vad_pauses if min(e, last) - max(s, first) > 0.05]
    merged: list[list[float]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [Pause(s, e) for s, e in merged if e - s > threshold]


def score_fluency(
    tokens: Sequence[Token],
    *,
    audio_duration: float,
    vad_pauses: Sequence[tuple[float, float]] = (),
    target_wpm: tuple[float, float],
    long_pause_s: float,
) -> FluencyResult:
    """Pure fluency measurement; `tokens` may be untimed (text only), then timing comes from
    `audio_duration` if it is positive, else rate and pauses are absent."""
    fillers = find_fillers(tokens)
    repetitions = find_repetitions(tokens, fillers)
    filler_words = sum(len(f.text.split()) for f in fillers)
    lexical = max(0, len(tokens) - filler_words)
    timed = _word_times(tokens)
    if timed:
        speaking = max(timed[-1][1] - timed[0][0], 1e-3)
    elif audio_duration > 0:
        speaking = audio_duration
    else:
        speaking = None
    pauses = long_pauses(tokens, vad_pauses, long_pause_s) if timed else []
    minutes = speaking / 60.0 if speaking else None
    wpm = lexical / minutes if minutes else None
    fpm = len(fillers) / minutes if minutes else None
    ppm = len(pauses) / minutes if minutes and timed else None
    rp100 = 100.0 * len(repetitions) / lexical if lexical else 0.0
    components: dict[str, float | None] = {
        "rate": rate_score(wpm, target_wpm) if wpm is not None else None,
        "fillers": _ramp(fpm, *FILLERS_PER_MINUTE)
        if fpm is not None
        else _ramp(
            # Without timing, fillers per minute are estimated at the band's midpoint rate.
            len(fillers) / max(lexical, 1) * sum(target_wpm) / 2,
            *FILLERS_PER_MINUTE,
        ),
        "pauses": _ramp(ppm, *LONG_PAUSES_PER_MINUTE) if ppm is not None else None,
        "repetitions": _ramp(rp100, *REPETITIONS_PER_100_WORDS),
    }
    present = {k: v for k, v in components.items() if v is not None}
    total_weight = sum(WEIGHTS[k] for k in present)
    score = sum(WEIGHTS[k] * v for k, v in present.items()) / total_weight if lexical else 0.0
    return FluencyResult(
        score=round(score, 1),
        word_count=lexical,
        speaking_time_s=speaking,
        speech_rate_wpm=wpm,
        fillers=tuple(fillers),
        fillers_per_minute=fpm,
        long_pauses=tuple(pauses),
        long_pauses_per_minute=ppm,
        repetitions=tuple(repetitions),
        repetitions_per_100_words=rp100,
        components=components,
    )
