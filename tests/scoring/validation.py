"""Helpers of the validation tests: Spearman correlation, the audio pipeline (Piper speech -> the
product's VAD + tiny.en transcriber with its filler-keeping prompt), reference measurements from
the script and the audio itself, and the JSON report written to var/test-reports/scoring_validation.json."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from tests.scoring.evalset import Case, Word

REPORT = Path(__file__).resolve().parents[2] / "var" / "test-reports" / "scoring_validation.json"
SAMPLE_RATE = 16_000
_SCRIPT_FILLERS = re.compile(r"\b(um|uh)\b|\blike,|\byou know\b|\bI mean\b", re.IGNORECASE)


def ranks(values: Sequence[float]) -> np.ndarray:
    """Average ranks (ties share the mean rank)."""
    x = np.asarray(values, dtype=float)
    order = np.argsort(x, kind="mergesort")
    r = np.empty(len(x))
    r[order] = np.arange(len(x), dtype=float)
    for value in np.unique(x):
        r[x == value] = r[x == value].mean()
    return r


def spearman(labels: Sequence[float], scores: Sequence[float]) -> float:
    return float(np.corrcoef(ranks(labels), ranks(scores))[0, 1])


def script_filler_words(case: Case) -> int:
    """Words taken up by the script's fillers ("you know" is two)."""
    return sum(len(m.group().replace(",", "").split()) for m in _SCRIPT_FILLERS.finditer(case.text))


def script_lexical_words(case: Case) -> int:
    return len(case.text.split()) - script_filler_words(case)


def speech_bounds(audio: np.ndarray, threshold: float = 0.01, frame: int = 160) -> tuple[int, int]:
    """Sample range from the first to the end of the last 10 ms frame whose RMS exceeds
    `threshold` (Piper's pauses are digital silence, so this is exact up to a frame); (0, 0)
    for silence."""
    frames = audio[: len(audio) // frame * frame].reshape(-1, frame)
    loud = np.flatnonzero(np.sqrt((frames**2).mean(axis=1)) > threshold)
    return (0, 0) if not len(loud) else (int(loud[0]) * frame, (int(loud[-1]) + 1) * frame)


def speech_span(audio: np.ndarray) -> float:
    """Seconds from the first to the last non-silent 10 ms frame."""
    begin, end = speech_bounds(audio)
    return (end - begin) / SAMPLE_RATE


def transcribe(transcriber, audio: np.ndarray, question_text: str, topics: Sequence[str]) -> tuple[str, list[Word]]:
    """The product's own path for a recorded answer (what the upload route does): webrtcvad cuts
    utterances, the shared tiny.en transcriber decodes each with the filler-keeping prompt, the
    question as context and its topics as hotwords. (transcript, timed words of all finals)."""
    from streaming.offline import transcribe_offline
    from streaming.options import StreamingOptions

    complete = transcribe_offline(
        transcriber, audio, StreamingOptions(), context_prompt=question_text, hotwords=" ".join(topics) or None
    )
    words = [
        Word(w.text, float(w.start), float(w.end), float(w.probability))
        for segment in complete.segments
        for w in segment.words
    ]
    return complete.transcript, words


def write_report(section: str, data: dict) -> None:
    """Merge one section into the JSON report (tests can run in any order or alone)."""
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    report = json.loads(REPORT.read_text()) if REPORT.is_file() else {}
    report[section] = data
    REPORT.write_text(json.dumps(report, indent=2) + "\n")
