"""Writing answers into `interview_questions` as they are transcribed, and the session's progress
(its JSON, `metadata.progress`; its meaning is `interview.progress`, read in `server/progress.py`).

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


#: The columns an answer fills; "try again" snapshots them into the progress and clears them.
ANSWER_COLUMNS = (
    "answered_at",
    "audio_file_path",
    "audio_duration",
    "audio_format",
    "audio_size_bytes",
    "transcript",
    "transcript_confidence",
    "word_count",
    "relevance_score",
    "grammar_score",
    "fluency_score",
    "keyword_score",
    "overall_score",
    "evaluation_summary",
    "suggestions",
    "is_evaluated",
    "follow_up_questions",
)


def answer_snapshot(question: InterviewQuestion) -> dict[str, Any]:
    """The answer columns of a row as JSON values (timestamps as ISO 8601 UTC text)."""
    out: dict[str, Any] = {}
    for name in ANSWER_COLUMNS:
        value = getattr(question, name)
        out[name] = value.isoformat() if hasattr(value, "isoformat") else value
    return out


async def clear_answer(db: AsyncSession, question_id: uuid.UUID) -> None:
    """Empty the answer columns of a row (a new attempt starts), keeping the question."""
    values: dict[str, Any] = {name: None for name in ANSWER_COLUMNS}
    values["is_evaluated"] = False
    await db.execute(update(InterviewQuestion).where(InterviewQuestion.id == question_id).values(**values))


async def write_progress(db: AsyncSession, session_id: uuid.UUID, progress: dict[str, Any]) -> None:
    """Replace `metadata.progress`, keeping the other keys (the row is locked while it is read,
    so a preference written at the same time is not lost)."""
    meta = await db.scalar(select(InterviewSession.meta).where(InterviewSession.id == session_id).with_for_update())
    merged = dict(meta or {})
    merged["progress"] = progress
    await db.execute(
        update(InterviewSession).where(InterviewSession.id == session_id).values({InterviewSession.meta: merged})
    )
