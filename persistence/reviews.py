"""Storing what scoring produces: per-answer scores, follow-up questions inserted into the
interview, the session's feedback report with its averages, and the user's running totals."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from persistence.models import InterviewFeedback, InterviewQuestion, InterviewSession, InterviewStatus, User

#: Fewer completed peer sessions than this, and a percentile would mislead: none is given.
MIN_PEERS_FOR_PERCENTILE = 5


async def record_scores(db: AsyncSession, question_id: uuid.UUID, values: Mapping[str, Any]) -> None:
    """Scores, summary, suggestions and follow-up suggestions of one answer; marks it evaluated."""
    await db.execute(
        update(InterviewQuestion).where(InterviewQuestion.id == question_id).values(is_evaluated=True, **values)
    )


async def insert_follow_up(
    db: AsyncSession, session_id: uuid.UUID, after_number: int, values: Mapping[str, Any]
) -> InterviewQuestion:
    """Insert a question right after `after_number`, moving later questions down by one.
    Returns the new row. Numbers stay unique at every step (moved last-first)."""
    later = list(
        await db.scalars(
            select(InterviewQuestion)
            .where(InterviewQuestion.session_id == session_id, InterviewQuestion.question_number > after_number)
            .order_by(InterviewQuestion.question_number.desc())
        )
    )
    for question in later:
        question.question_number += 1
        await db.flush()
    question = InterviewQuestion(session_id=session_id, question_number=after_number + 1, **values)
    db.add(question)
    await db.flush()
    await db.refresh(question)  # server defaults loaded now: no lazy load later
    return question


async def question_texts(db: AsyncSession, session_id: uuid.UUID, question_ids: Sequence[uuid.UUID]) -> list[str]:
    """The texts of these questions of the session (those that exist), in no particular order."""
    if not question_ids:
        return []
    rows = await db.scalars(
        select(InterviewQuestion.question_text).where(
            InterviewQuestion.session_id == session_id, InterviewQuestion.id.in_(list(question_ids))
        )
    )
    return list(rows)


async def comparison_percentile(db: AsyncSession, session: InterviewSession, score: float | None) -> int | None:
    """Share of other users' completed sessions for the same target role and difficulty that
    scored below `score` (ties count half), in percent; None with fewer than MIN_PEERS peers."""
    if score is None:
        return None
    S = InterviewSession
    peers = [
        S.user_id != session.user_id,
        S.status == InterviewStatus.COMPLETED,
        S.overall_score.is_not(None),
        func.coalesce(func.lower(S.target_role), "") == (session.target_role or "").lower(),
        func.coalesce(S.difficulty, "medium") == (session.difficulty or "medium"),
    ]
    total, below, ties = (
        await db.execute(
            select(
                func.count(S.id),
                func.count(S.id).filter(S.overall_score < score),
                func.count(S.id).filter(S.overall_score == score),
            ).where(*peers)
        )
    ).one()
    if total < MIN_PEERS_FOR_PERCENTILE:
        return None
    return round(100 * (below + ties / 2) / total)


async def save_feedback(
    db: AsyncSession, session: InterviewSession, feedback_row: Mapping[str, Any], session_scores: Mapping[str, Any]
) -> InterviewFeedback:
    """The report, the session's averages and the user's totals, in the caller's transaction.
    Idempotent: a second report for the same session replaces the first."""
    feedback = await db.scalar(select(InterviewFeedback).where(InterviewFeedback.session_id == session.id))
    if feedback is None:
        feedback = InterviewFeedback(session_id=session.id, **feedback_row)
        db.add(feedback)
    else:
        for name, value in feedback_row.items():
            setattr(feedback, name, value)
    for name, value in session_scores.items():
        setattr(session, name, value)
    await db.flush()
    await refresh_user_totals(db, session.user_id)
    return feedback


async def refresh_user_totals(db: AsyncSession, user_id: uuid.UUID) -> None:
    """`total_interviews`, `average_score`, `best_score` from the user's completed sessions."""
    S = InterviewSession
    count, average, best = (
        await db.execute(
            select(func.count(S.id), func.avg(S.overall_score), func.max(S.overall_score)).where(
                S.user_id == user_id, S.status == InterviewStatus.COMPLETED
            )
        )
    ).one()
    await db.execute(
        update(User)
        .where(User.id == user_id)
        .values(
            total_interviews=count,
            average_score=round(float(average), 2) if average is not None else 0.0,
            best_score=round(float(best), 2) if best is not None else 0.0,
        )
    )


async def remove_question(db: AsyncSession, session_id: uuid.UUID, question_id: uuid.UUID) -> None:
    """Delete a (follow-up) question nobody answered, moving later questions up by one.
    Numbers stay unique at every step (moved first-last)."""
    question = await db.get(InterviewQuestion, question_id)
    if question is None or question.session_id != session_id:
        return
    number = question.question_number
    await db.delete(question)
    await db.flush()
    later = list(
        await db.scalars(
            select(InterviewQuestion)
            .where(InterviewQuestion.session_id == session_id, InterviewQuestion.question_number > number)
            .order_by(InterviewQuestion.question_number)
        )
    )
    for row in later:
        row.question_number -= 1
        await db.flush()
