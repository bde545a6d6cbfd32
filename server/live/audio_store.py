"""Answer audio on disk, written incrementally as it arrives.

Each answer is one 16 kHz mono 16-bit WAV at `<audio_dir>/<user>/<session>/<question>.wav`,
built from ids only (never from anything the client sends). The header's sizes are rewritten on
every flush, so the file is a valid WAV even if the process dies mid-answer; a reconnect appends
to the same file. Final segments are appended to a `.segments.jsonl` sidecar, so a resumed answer
(on this node or another sharing the storage) gets its committed transcript and timings back,
and, through each final's `covered_to`, knows which recorded audio no final has settled yet.
"""

from __future__ import annotations

import json
import shutil
import struct
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from streaming.events import FinalSegment, Word

SAMPLE_RATE = 16_000
BYTES_PER_SAMPLE = 2
HEADER_BYTES = 44


def answer_path(audio_dir: Path, user_id: uuid.UUID, session_id: uuid.UUID, question_id: uuid.UUID) -> Path:
    return session_audio_dir(audio_dir, user_id, session_id) / f"{question_id.hex}.wav"


def attempt_path(
    audio_dir: Path, user_id: uuid.UUID, session_id: uuid.UUID, question_id: uuid.UUID, attempt: int
) -> Path:
    """The recording of one attempt at a question: attempt 1 at `answer_path` (`<question>.wav`),
    attempt n at `<question>-attempt<n>.wav` beside it (its own files: deleting one attempt's
    never touches another's)."""
    first = answer_path(audio_dir, user_id, session_id, question_id)
    return first if attempt <= 1 else first.with_name(f"{first.stem}-attempt{attempt}.wav")


def session_audio_dir(audio_dir: Path, user_id: uuid.UUID, session_id: uuid.UUID) -> Path:
    """Every file of one session: live recordings, uploads (`.ogg`, `.flac`...) and sidecars."""
    return audio_dir / user_id.hex / session_id.hex


def delete_session_audio(audio_dir: Path, user_id: uuid.UUID, session_id: uuid.UUID) -> None:
    """Delete a session's recordings and sidecars (idempotent)."""
    shutil.rmtree(session_audio_dir(audio_dir, user_id, session_id), ignore_errors=True)


def delete_user_audio(audio_dir: Path, user_id: uuid.UUID) -> None:
    """Delete every recording and sidecar of one account (idempotent)."""
    shutil.rmtree(audio_dir / user_id.hex, ignore_errors=True)


def delete_answer_audio(any_answer_file: Path) -> None:
    """Delete one answer's files, whatever their format: `<question>.wav`, an upload's
    `<question>.<format>`, `<question>.segments.jsonl` (idempotent)."""
    stem = any_answer_file.name.split(".", 1)[0]
    for path in any_answer_file.parent.glob(f"{stem}.*"):
        path.unlink(missing_ok=True)


def _header(data_bytes: int) -> bytes:
    return struct.pack(
        "<4sI4s4sIHHIIHH4sI",
        b"RIFF",
        36 + data_bytes,
        b"WAVE",
        b"fmt ",
        16,
        1,
        1,
        SAMPLE_RATE,
        SAMPLE_RATE * BYTES_PER_SAMPLE,
        BYTES_PER_SAMPLE,
        16,
        b"data",
        data_bytes,
    )


@dataclass
class StoredAnswer:
    """What is already on disk for an answer (for resume)."""

    audio_seconds: float
    segments: list[dict[str, Any]]

    @property
    def covered_seconds(self) -> float:
        """Audio settled by the stored finals: nothing before it can produce another final.
        (`covered_to` is written with each final; older sidecars fall back to its last word.)"""
        if not self.segments:
            return 0.0
        last = self.segments[-1]
        return float(last.get("covered_to", last["end"]))

    def final_segments(self) -> list[FinalSegment]:
        """The stored finals, as the stream produced them (words and timings included)."""
        return [
            FinalSegment(
                utterance=data["utterance"],
                text=data["text"],
                start=data["start"],
                end=data["end"],
                confidence=data["confidence"],
                words=tuple(Word(*word) for word in data.get("words", [])),
            )
            for data in self.segments
        ]


class AnswerAudioWriter:
    """Appends PCM to one answer's WAV file; `close()` leaves a complete, valid file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        existing = path.stat().st_size if path.exists() else 0
        self._file: BinaryIO = open(path, "r+b" if existing >= HEADER_BYTES else "w+b")  # noqa: SIM115 (held open until close())
        if existing < HEADER_BYTES:
            self._file.write(_header(0))
            self._data_bytes = 0
        else:
            # Whole samples only: a crash may have left half a sample at the end.
            self._data_bytes = (existing - HEADER_BYTES) // BYTES_PER_SAMPLE * BYTES_PER_SAMPLE
            self._file.truncate(HEADER_BYTES + self._data_bytes)
        self._file.seek(HEADER_BYTES + self._data_bytes)
        self._unflushed = 0

    @property
    def size_bytes(self) -> int:
        return HEADER_BYTES + self._data_bytes

    @property
    def duration(self) -> float:
        return self._data_bytes / (SAMPLE_RATE * BYTES_PER_SAMPLE)

    def append(self, pcm: bytes) -> None:
        self._file.write(pcm)
        self._data_bytes += len(pcm)
        self._unflushed += len(pcm)
        if self._unflushed >= SAMPLE_RATE * BYTES_PER_SAMPLE:  # about once a second of audio
            self.flush()

    def flush(self) -> None:
        self._file.seek(0)
        self._file.write(_header(self._data_bytes))
        self._file.seek(HEADER_BYTES + self._data_bytes)
        self._file.flush()
        self._unflushed = 0

    def close(self) -> None:
        if not self._file.closed:
            self.flush()
            self._file.close()


def segments_path(audio_path: Path) -> Path:
    return audio_path.with_suffix(".segments.jsonl")


def append_segment(audio_path: Path, segment: FinalSegment, *, covered_to: float) -> None:
    """Append one final to the answer's sidecar, with `covered_to`: the second of the recording
    up to which this final settles everything."""
    record = {
        "utterance": segment.utterance,
        "text": segment.text,
        "start": segment.start,
        "end": segment.end,
        "confidence": segment.confidence,
        "words": [[w.text, w.start, w.end, w.probability] for w in segment.words],
        "covered_to": covered_to,
    }
    with open(segments_path(audio_path), "a", encoding="utf-8") as sidecar:
        sidecar.write(json.dumps(record) + "\n")


def load_stored_answer(audio_path: Path) -> StoredAnswer:
    """Audio length and committed segments already stored for an answer (zero/empty if none).
    A torn last line (crash while writing) is ignored."""
    seconds = 0.0
    if audio_path.exists():
        seconds = max(0, audio_path.stat().st_size - HEADER_BYTES) // BYTES_PER_SAMPLE / SAMPLE_RATE
    segments: list[dict[str, Any]] = []
    sidecar = segments_path(audio_path)
    if sidecar.exists():
        for line in sidecar.read_text(encoding="utf-8").splitlines():
            try:
                segments.append(json.loads(line))
            except json.JSONDecodeError:
                continue
    return StoredAnswer(audio_seconds=seconds, segments=segments)


def read_pcm(audio_path: Path, from_seconds: float) -> bytes:
    """The recording's samples from `from_seconds` to its end (whole samples, s16le)."""
    start = HEADER_BYTES + int(from_seconds * SAMPLE_RATE) * BYTES_PER_SAMPLE
    with open(audio_path, "rb") as recording:
        recording.seek(start)
        data = recording.read()
    return data[: len(data) // BYTES_PER_SAMPLE * BYTES_PER_SAMPLE]
