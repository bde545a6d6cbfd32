"""Writing answers into `interview_questions` as they are transcribed, and session progress.

`record_progress` runs after every final segment, so a crash or a dropped socket never loses a
transcript already produced; `record_answer` completes the row when the answer ends.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from persistence.models import InterviewQuestion, InterviewSession, InterviewStatus
from persistence.types import utcnow


@dataclass(frozen=True)
class AnswerAudio:
    path: str
    duration_seconds: float
    size_bytes: int
    format: str = "wav"


@dataclass(frozen=True)
class AnswerTranscript:
    text: str
    confidence: float | None
    word_count: int
    language: str = "en"


def _audio_columns(audio: AnswerAudio) -> dict[str, Any]:
    return {
        "audio_file_path": audio.path,
        "audio_duration": round(audio.duration_seconds),
        "audio_format": audio.format,
        "audio_size_bytes": audio.size_bytes,
    }


async def record_progress(db: AsyncSession, question_id: uuid.UUID, transcript: str, audio: AnswerAudio) -> None:
    """The committed transcript so far and the audio written so far (answer still open). Not
    once the session is cancelled: a cancelled session stores nothing more."""
    not_cancelled = select(InterviewSession.id).where(InterviewSession.status != InterviewStatus.CANCELLED)
    await db.execute(
        update(InterviewQuestion)
        .where(InterviewQuestion.id == question_id, InterviewQuestion.session_id.in_(not_cancelled))
        .values(transcript=transcript, **_audio_columns(audio))
        .execution_options(synchronize_session=False)
    )


async def forget_open_answers(db: AsyncSession, session_id: uuid.UUID) -> None:
    """Drop what was stored of answers never closed (their transcript so far and recording
    columns): on cancel, the open answer is thrown away with its files."""
    await db.execute(
        update(InterviewQuestion)
        .where(InterviewQuestion.session_id == session_id, InterviewQuestion.answered_at.is_(None))
        .values(transcript=None, audio_file_path=None, audio_duration=None, audio_format=None, audio_size_bytes=None)
        .execution_options(synchronize_session=False)
    )


async def record_answer(
    db: AsyncSession, question_id: uuid.UUID, transcript: AnswerTranscript, audio: AnswerAudio | None
) -> None:
    """Close the answer: transcript, confidence, language, word count, `answered_at`, audio."""
    values: dict[str, Any] = {
        "transcript": transcript.text,
        "transcript_confidence": transcript.confidence,
        "transcript_language": transcript.language,
        "word_count": transcript.word_count,
        "answered_at": utcnow(),
    }
    if audio is not None:
        values.update(_audio_columns(audio))
    await db.execute(update(InterviewQuestion).where(InterviewQuestion.id == question_id).values(**values))


async def count_answered(db: AsyncSession, session_id: uuid.UUID) -> int:
    rows = await db.scalars(
        select(InterviewQuestion.id).where(
            InterviewQuestion.session_id == session_id,
            InterviewQuestion.answered_at.is_not(None),
            InterviewQuestion.word_count > 0,
        )
    )
    return len(rows.all())


async def set_progress(db: AsyncSession, session: InterviewSession, **progress: Any) -> None:
    """Merge keys into `metadata.progress` (current question, skipped numbers, ...)."""
    meta = dict(session.meta or {})
    meta["progress"] = {**meta.get("progress", {}), **progress}
    session.meta = meta
    await db.flush()
