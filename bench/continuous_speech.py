"""The continuous-speech profile of the benchmarks: candidates who talk for minutes.

Each candidate's audio is a rotation of long pieces back to back with short gaps: human
recordings from ../shared/audio (LibriSpeech, LJ Speech, AMI, JFK, TIMIT), and Piper answers
whose sentences are separated by 0.3-0.6 s pauses (so several sentences often run into one
utterance) and which say real "um"s and "uh"s (filler recall stays measured). Every candidate
starts at another place of the rotation and draws its own gaps, so no two candidates' pieces
end together. Everything is deterministic (seeded by the candidate's number).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tests.support import speech
from tests.support.speech import SAMPLE_RATE

#: Gaps between pieces: longer than the VAD's 500 ms end of utterance, so every piece ends an
#: utterance and its final can be timed, yet short enough that the model never idles long.
GAP_S = (0.6, 1.2)

PIPER_ANSWERS = [
    (
        "Um, in my last role I owned the payments service.",
        0.4,
        "We had slow queries during the holiday peak,",
        0.3,
        "so I profiled the worst endpoints and, uh, added two indexes.",
        0.5,
        "Then we moved reporting to a read replica.",
        0.4,
        "Latency dropped by sixty percent.",
    ),
    (
        "So, uh, code review for me is about kindness.",
        0.5,
        "I ask questions instead of giving orders,",
        0.3,
        "and I try to review small changes within a few hours.",
        0.6,
        "Um, that keeps the team moving.",
        0.4,
        "Feedback then feels like help rather than judgement.",
    ),
    (
        "When two teammates disagreed about deployments, I set up a short meeting.",
        0.4,
        "Each of them wrote down the risks they saw.",
        0.3,
        "Uh, we compared them with real incident data,",
        0.5,
        "and we chose blue green deployments with automatic rollback.",
        0.6,
        "Since then no release has failed.",
    ),
    (
        "Um, the hardest bug I fixed was a race in our cache.",
        0.3,
        "Two workers refreshed the same key at once,",
        0.5,
        "and, uh, one of them wrote stale data back.",
        0.4,
        "I added a version check to every write,",
        0.6,
        "and we never saw the stale reads again.",
    ),
]


@dataclass(frozen=True)
class Piece:
    """One recording or answer: 16 kHz mono audio, its reference words, where it came from."""

    name: str
    audio: np.ndarray
    reference: str
    kind: str  # "human" or "piper"


@dataclass(frozen=True)
class Placed:
    """A piece inside a candidate's audio: sample range, and where its voice really stops."""

    piece: Piece
    start: float
    end: float
    spoken_end: float


def human_pieces(audio_dir: Path) -> list[Piece]:
    """Every recording of the shared manifest that has a reference (noise and the unscripted
    radio chatter left out)."""
    manifest = audio_dir / "manifest.tsv"
    if not manifest.is_file():
        return []
    lines = manifest.read_text().splitlines()
    header = lines[0].split("\t")
    pieces = []
    for line in lines[1:]:
        row = dict(zip(header, line.split("\t"), strict=True))
        if not row.get("transcript") or row["file"].startswith(("noise/", "whisper_timestamped/")):
            continue
        audio = speech.load_audio_file(audio_dir / row["file"])
        pieces.append(Piece(row["file"], audio, row["transcript"], "human"))
    return pieces


def piper_pieces() -> list[Piece]:
    return [
        Piece(f"piper/{i}", speech.synthesize(script), speech.script_text(script), "piper")
        for i, script in enumerate(PIPER_ANSWERS)
    ]


def rotation(human: list[Piece], piper: list[Piece]) -> list[Piece]:
    """Human recordings with a Piper answer after every few of them."""
    if not piper:
        return list(human)
    every = max(1, len(human) // len(piper))
    order: list[Piece] = []
    for i, piece in enumerate(human):
        order.append(piece)
        if i % every == every - 1 and len(order) // (every + 1) < len(piper):
            order.append(piper[len(order) // (every + 1) - 1])
    order.extend(p for p in piper if p not in order)
    return order


def spoken_end(audio: np.ndarray, floor_dbfs: float = -40.0) -> float:
    """Seconds into `audio` where the last 10 ms frame louder than `floor_dbfs` ends."""
    frame = SAMPLE_RATE // 100
    frames = audio[: audio.size - audio.size % frame].reshape(-1, frame)
    loud = np.flatnonzero(np.sqrt(np.mean(np.square(frames, dtype=np.float64), axis=1)) >= 10 ** (floor_dbfs / 20))
    return (int(loud[-1]) + 1) / 100 if loud.size else audio.size / SAMPLE_RATE


def candidate_audio(order: list[Piece], candidate: int, seconds: float) -> tuple[np.ndarray, list[Placed]]:
    """About `seconds` of one candidate's speech: the rotation from the candidate's own start,
    with its own gaps; 0.5 s of silence before, 1 s after."""
    rng = random.Random(candidate)
    parts = [np.zeros(SAMPLE_RATE // 2, np.float32)]
    placed: list[Placed] = []
    position = 0.5
    index = candidate * 7  # a different place in the rotation for every candidate
    while position < seconds:
        piece = order[index % len(order)]
        index += 1
        parts.append(piece.audio.astype(np.float32))
        placed.append(
            Placed(piece, position, position + piece.audio.size / SAMPLE_RATE, position + spoken_end(piece.audio))
        )
        position += piece.audio.size / SAMPLE_RATE
        gap = rng.uniform(*GAP_S)
        parts.append(np.zeros(round(gap * SAMPLE_RATE), np.float32))
        position += round(gap * SAMPLE_RATE) / SAMPLE_RATE
    parts.append(np.zeros(SAMPLE_RATE, np.float32))
    return np.concatenate(parts), placed
