"""A user's statistics across their completed interviews, computed in SQL."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from persistence.models import InterviewSession, InterviewStatus


@dataclass(frozen=True)
class TrendPoint:
    session_id: uuid.UUID
    title: str
    completed_at: datetime | None
    overall_score: float | None
    relevance: float | None
    grammar: float | None
    fluency: float | None
    keywords: float | None


@dataclass(frozen=True)
class UserStatistics:
    """`total_interviews`, `average_score`, `best_score` over completed, scored sessions; the
    per-dimension averages; and the trend (oldest first, at most `trend_limit` points)."""

    total_interviews: int
    average_score: float | None
    best_score: float | None
    relevance_avg: float | None
    grammar_avg: float | None
    fluency_avg: float | None
    keyword_avg: float | None
    sessions_by_status: dict[str, int]
    trend: list[TrendPoint]


async def user_statistics(db: AsyncSession, user_id: uuid.UUID, *, trend_limit: int = 50) -> UserStatistics:
    S = InterviewSession
    completed = [S.user_id == user_id, S.status == InterviewStatus.COMPLETED]
    row = (
        await db.execute(
            select(
                func.count(S.id),
                func.avg(S.overall_score),
                func.max(S.overall_score),
                func.avg(S.relevance_avg),
                func.avg(S.grammar_avg),
                func.avg(S.fluency_avg),
                func.avg(S.keyword_avg),
            ).where(*completed)
        )
    ).one()
    by_status = {
        InterviewStatus(status).value: count
        for status, count in await db.execute(
            select(S.status, func.count(S.id)).where(S.user_id == user_id).group_by(S.status)
        )
    }
    recent = await db.execute(
        select(
            S.id, S.title, S.completed_at, S.overall_score, S.relevance_avg, S.grammar_avg, S.fluency_avg, S.keyword_avg
        )
        .where(*completed)
        .order_by(S.completed_at.desc())
        .limit(trend_limit)
    )
    trend = [TrendPoint(*values) for values in reversed(recent.all())]

    def rounded(value: float | None) -> float | None:
        return None if value is None else round(float(value), 2)

    return UserStatistics(
        total_interviews=row[0],
        average_score=rounded(row[1]),
        best_score=rounded(row[2]),
        relevance_avg=rounded(row[3]),
        grammar_avg=rounded(row[4]),
        fluency_avg=rounded(row[5]),
        keyword_avg=rounded(row[6]),
        sessions_by_status=by_status,
        trend=trend,
    )
