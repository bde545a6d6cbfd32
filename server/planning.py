"""Choosing a new session's questions: the user's profile and recent history, handed to the pure
planner in interview, turned into `interview_questions` rows."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from interview import CustomQuestion, PlanRequest, default_question_bank, plan_session
from persistence.models import InterviewQuestion, InterviewSession, User
from server.schemas import CreateSessionRequest

#: Questions asked in this many of the user's latest sessions are not asked again (if avoidable).
RECENT_SESSIONS = 5


async def recently_asked(db: AsyncSession, user_id: uuid.UUID, sessions: int = RECENT_SESSIONS) -> frozenset[str]:
    latest = (
        select(InterviewSession.id)
        .where(InterviewSession.user_id == user_id)
        .order_by(InterviewSession.created_at.desc())
        .limit(sessions)
        .scalar_subquery()
    )
    texts = await db.scalars(select(InterviewQuestion.question_text).where(InterviewQuestion.session_id.in_(latest)))
    return frozenset(texts)


async def plan_questions(db: AsyncSession, user: User, request: CreateSessionRequest) -> list[dict[str, Any]]:
    """Question rows (without numbers: the order is the numbering) for a new session."""
    plan = plan_session(
        default_question_bank(),
        PlanRequest(
            interview_type=request.interview_type,
            difficulty=request.difficulty,
            num_questions=request.num_questions,
            target_role=request.target_role or user.target_role,
            target_company=request.target_company or user.target_company,
            experience_years=user.experience_years,
            skills=tuple(user.skills or ()),
            recently_seen=await recently_asked(db, user.id),
            custom_questions=tuple(
                CustomQuestion(
                    text=q.text, category=q.category, expected_topics=tuple(q.expected_topics), time_limit=q.time_limit
                )
                for q in request.custom_questions
            ),
        ),
        seed=request.seed or uuid.uuid4().hex,
    )
    rows = []
    for question in plan:
        row = question.as_row()
        row.pop("question_number")
        rows.append(row)
    return rows
