"""Interview sessions and their questions, always read through their owner.

Every lookup takes the owner's id and raises NotFound for another user's row, so a caller
cannot leak someone else's data by forgetting a check.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from persistence.errors import NotFound
from persistence.lifecycle import transition
from persistence.models import InterviewQuestion, InterviewSession, InterviewStatus


@dataclass(frozen=True)
class Page:
    """One page of a listing; `total` counts every row that matches the filter."""

    items: Sequence[InterviewSession]
    total: int
    limit: int
    offset: int


async def create_session(
    db: AsyncSession,
    *,
    user_id: uuid.UUID,
    fields: Mapping[str, Any],
    questions: Iterable[Mapping[str, Any]] = (),
) -> InterviewSession:
    """Insert a session in status `created` with its questions numbered 1, 2, 3... in order."""
    session = InterviewSession(user_id=user_id, status=InterviewStatus.CREATED, **fields)
    session.questions = [
        InterviewQuestion(question_number=number, **question) for number, question in enumerate(questions, start=1)
    ]
    db.add(session)
    await db.flush()
    # Load every column now (server defaults included): a lazy load later would need the event loop.
    await db.refresh(session, attribute_names=[c.key for c in InterviewSession.__mapper__.column_attrs])
    return session


async def list_sessions(
    db: AsyncSession,
    user_id: uuid.UUID,
    *,
    status: InterviewStatus | None = None,
    limit: int = 20,
    offset: int = 0,
    with_questions: bool = False,
) -> Page:
    """The user's sessions, newest first (ties broken by id so pages never overlap), with their
    questions loaded when asked (one more query for the page)."""
    where = [InterviewSession.user_id == user_id]
    if status is not None:
        where.append(InterviewSession.status == status)
    total = await db.scalar(select(func.count()).select_from(InterviewSession).where(*where))
    query = (
        select(InterviewSession)
        .where(*where)
        .order_by(InterviewSession.created_at.desc(), InterviewSession.id.desc())
        .limit(limit)
        .offset(offset)
    )
    if with_questions:
        query = query.options(selectinload(InterviewSession.questions))
    rows = await db.scalars(query)
    return Page(items=list(rows), total=total or 0, limit=limit, offset=offset)


async def get_owned_session(
    db: AsyncSession, user_id: uuid.UUID, session_id: uuid.UUID, *, with_details: bool = False
) -> InterviewSession:
    """The session if `user_id` owns it, with questions and feedback loaded when asked."""
    query = select(InterviewSession).where(InterviewSession.id == session_id, InterviewSession.user_id == user_id)
    if with_details:
        query = query.options(selectinload(InterviewSession.questions), selectinload(InterviewSession.feedback))
    session = await db.scalar(query)
    if session is None:
        raise NotFound("interview session not found")
    return session


async def get_session_for_watch(db: AsyncSession, session_id: uuid.UUID) -> InterviewSession:
    """A session with its questions, for a holder of its share token (no owner check: the token
    itself names the session and was issued to its owner)."""
    session = await db.scalar(
        select(InterviewSession)
        .where(InterviewSession.id == session_id)
        .options(selectinload(InterviewSession.questions), selectinload(InterviewSession.feedback))
    )
    if session is None:
        raise NotFound("interview session not found")
    return session


async def get_owned_question(
    db: AsyncSession, user_id: uuid.UUID, session_id: uuid.UUID, question_id: uuid.UUID
) -> InterviewQuestion:
    question = await db.scalar(
        select(InterviewQuestion)
        .join(InterviewSession)
        .where(
            InterviewQuestion.id == question_id,
            InterviewQuestion.session_id == session_id,
            InterviewSession.user_id == user_id,
        )
    )
    if question is None:
        raise NotFound("question not found")
    return question


async def change_status(db: AsyncSession, session: InterviewSession, target: InterviewStatus) -> InterviewSession:
    """Apply a lifecycle transition (see persistence.lifecycle) and flush it."""
    transition(session, target)
    await db.flush()
    return session


async def delete_session(db: AsyncSession, session: InterviewSession) -> None:
    """Delete a session; its questions and feedback go with it (ON DELETE CASCADE)."""
    await db.delete(session)
    await db.flush()


async def owned_session_ids(db: AsyncSession, user_id: uuid.UUID) -> list[uuid.UUID]:
    """The ids of every session of one user (to close their sockets before the account goes)."""
    return list(await db.scalars(select(InterviewSession.id).where(InterviewSession.user_id == user_id)))
