"""The one place the server reads and writes an interview's progress (`interview.progress`),
stored as `interview_sessions.metadata["progress"]`, and the views of it that clients see:
numbering ("2 of 3 · follow-up 1"), states and attempts of the REST questions, the watchers'
snapshot."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from interview.progress import InterviewProgress, QuestionProgress, QuestionState, RowRef
from persistence import answers
from persistence.models import InterviewQuestion, InterviewSession


def row_refs(questions: Sequence[InterviewQuestion]) -> list[RowRef]:
    ordered = sorted(questions, key=lambda q: q.question_number)
    return [
        RowRef(str(q.id), q.question_number, q.answered_at is not None and (q.word_count or 0) > 0) for q in ordered
    ]


def read_progress(session: InterviewSession) -> InterviewProgress:
    """The progress of a session loaded with its questions."""
    return InterviewProgress.from_json((session.meta or {}).get("progress"), row_refs(session.questions))


async def save_progress(db: AsyncSession, session_id: uuid.UUID, progress: InterviewProgress) -> None:
    await answers.write_progress(db, session_id, progress.to_json())


def audio_url(session_id: uuid.UUID, question_id: uuid.UUID, attempt: int | None = None) -> str:
    base = f"/api/sessions/{session_id}/questions/{question_id}/audio"
    return base if attempt is None else f"{base}?attempt={attempt}"


def question_fields(session_id: uuid.UUID, progress: InterviewProgress, question: InterviewQuestion) -> dict[str, Any]:
    """What a REST question adds to its row: numbering, state, attempts (earlier ones first,
    then the current one, `current: true`)."""
    if question.id not in progress and str(question.id) not in progress:
        return {}
    entry = progress.get(question.id)
    numbering = progress.numbering(question.id)
    attempts = [
        {
            "attempt": earlier.number,
            "current": False,
            "state": earlier.state.value,
            "transcript": earlier.columns.get("transcript"),
            "word_count": earlier.columns.get("word_count"),
            "answered_at": earlier.columns.get("answered_at"),
            "overall_score": earlier.columns.get("overall_score"),
            "scores": {k: earlier.columns.get(f"{k}_score") for k in ("relevance", "grammar", "fluency", "keyword")},
            "evaluation_summary": earlier.columns.get("evaluation_summary"),
            "audio_duration": earlier.columns.get("audio_duration"),
            "audio_url": audio_url(session_id, question.id, earlier.number)
            if earlier.columns.get("audio_file_path")
            else None,
        }
        for earlier in entry.earlier_attempts
    ]
    attempts.append(
        {
            "attempt": entry.attempt,
            "current": True,
            "state": entry.state.value,
            "transcript": question.transcript,
            "word_count": question.word_count,
            "answered_at": question.answered_at.isoformat() if question.answered_at else None,
            "overall_score": question.overall_score,
            "scores": {
                "relevance": question.relevance_score,
                "grammar": question.grammar_score,
                "fluency": question.fluency_score,
                "keyword": question.keyword_score,
            },
            "evaluation_summary": question.evaluation_summary,
            "audio_duration": question.audio_duration,
            "audio_url": audio_url(session_id, question.id) if question.audio_file_path else None,
        }
    )
    return {
        "planned_number": numbering.number,
        "follow_up_of": uuid.UUID(entry.follow_up_of) if entry.follow_up_of else None,
        "follow_up_index": numbering.follow_up_index,
        "state": entry.state.value,
        "skipped": entry.state is QuestionState.SKIPPED,
        "attempt": entry.attempt,
        "attempts": attempts,
    }


def earlier_attempt(progress: InterviewProgress, question_id: uuid.UUID, attempt: int) -> dict[str, Any] | None:
    """The stored columns of an earlier attempt, None when there is no such attempt."""
    entry: QuestionProgress = progress.get(question_id)
    return next((dict(a.columns) for a in entry.earlier_attempts if a.number == attempt), None)


def snapshot_questions(session: InterviewSession) -> tuple[int, list[dict[str, Any]]]:
    """(of, the questions the candidate has been asked, in order, numbered as they saw them)."""
    progress = read_progress(session)
    rows = {str(q.id): q for q in session.questions}
    out = []
    for entry in progress.asked:
        row = rows[entry.question_id]
        numbering = progress.numbering(entry.question_id)
        out.append(
            {
                "id": entry.question_id,
                "number": numbering.number,
                "planned_number": numbering.number,
                "follow_up": numbering.follow_up,
                "follow_up_index": numbering.follow_up_index,
                "asked": True,
                "state": entry.state.value,
                "skipped": entry.state is QuestionState.SKIPPED,
                "attempt": entry.attempt,
                "text": row.question_text,
                "transcript": row.transcript,
                "answered": entry.state is QuestionState.ANSWERED,
                "overall_score": row.overall_score,
            }
        )
    return len(progress.planned), out
