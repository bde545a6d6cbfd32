"""The interview's progression, for `LiveInterview` (server/live/interview.py): adopting a fresh
load of the session (its questions and progress), asking the open question (numbered as the
candidate sees it, with the interviewer's voice prepared ahead), going on to the next question,
and completing the session with its report.

A mixin: `LiveInterview` owns the state these methods use (declared there, in `__init__`).
"""

from __future__ import annotations

import logging

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from interview.phases import Phase
from interview.progress import InterviewProgress
from persistence import interviews
from persistence.errors import NotFound
from persistence.models import InterviewQuestion, InterviewSession, InterviewStatus
from server.live import protocol as wire
from server.progress import read_progress
from server.routes_voice import voice_path
from streaming.vocabulary import decoder_intro

log = logging.getLogger("server.live")


class _SessionClosed(Exception):
    """The session was cancelled (or deleted) while this connection was using it."""


class Progression:
    """Asking, moving on and completing (see the module docstring)."""

    def _take(self, session: InterviewSession) -> None:
        """Adopt a fresh load of the session: its questions and its progress."""
        self.questions = {str(q.id): q for q in session.questions}
        self.progress = read_progress(session)
        self.decoder_intro = decoder_intro(session.target_role, session.target_company)

    def _voice_available(self) -> bool:
        return self.deps.voice is not None and self.deps.voice.available and self._voice_on

    def _prepare_voice(self, question: InterviewQuestion) -> None:
        """Speak the open question (usually cached already) and the one after it, ahead."""
        if not self._voice_available():
            return
        assert self.deps.voice is not None
        self.deps.voice.prepare(question.question_text)
        upcoming = self.progress.upcoming(question.id)
        if upcoming is not None and upcoming.question_id in self.questions:
            self.deps.voice.prepare(self.questions[upcoming.question_id].question_text)

    def _ask_current(self) -> None:
        question = self.question
        if question is None or self.phase is not Phase.ANSWERING:
            self.error("no_open_question", "there is no question to repeat")
            return
        numbering = self.progress.numbering(question.id)
        self.emit(
            wire.QuestionAsked(
                number=numbering.number,
                of=numbering.of,
                text=question.question_text,
                category=question.category,
                difficulty=question.difficulty,
                time_limit=question.time_limit or 120,
                follow_up=numbering.follow_up,
                follow_up_index=numbering.follow_up_index,
                question_id=str(question.id),
                attempt=self.progress.get(question.id).attempt,
                voice_url=voice_path(self.session_id, question.id) if self._voice_available() else None,
            )
        )

    def _follow_up_chosen(self, text: str) -> None:
        if self._voice_available():
            assert self.deps.voice is not None
            self.deps.voice.prepare(text)

    async def _advance(self) -> None:
        following = self.progress.current()
        if following is None:
            await self._complete_session()
        else:
            await self._open_answer(self.questions[following.question_id])

    async def _complete_session(self) -> None:
        async def complete() -> tuple[InterviewSession, int | None, int | None]:
            async with self.deps.db_sessions.begin() as db:
                session = await self.load_session(db)
                if session.status is InterviewStatus.CANCELLED:
                    raise _SessionClosed()  # no session_complete, no report
                if session.status is InterviewStatus.IN_PROGRESS:
                    await interviews.change_status(db, session, InterviewStatus.COMPLETED)
                session.questions_answered = read_progress(session).answered_planned
                return session, session.questions_answered, session.total_duration

        session, answered, duration = await self._outage.run(complete)
        if self.phase is not Phase.ENDED:
            self._to(Phase.ENDED)
        self.emit(wire.SessionComplete(questions_answered=answered or 0, total_duration=duration))
        self.question = None
        if self.deps.after_session is not None and self.session_closed is None:
            try:
                await self.deps.after_session(self, session, self.emit)
            except Exception:
                log.exception("building the report of session %s failed", self.session_id)
                self.error("feedback_failed", "the feedback report could not be built; the answers are saved")

    async def _set_answered_count(self, db: AsyncSession, progress: InterviewProgress) -> None:
        await db.execute(
            update(InterviewSession)
            .where(InterviewSession.id == self.session_id)
            .values(questions_answered=progress.answered_planned)
        )

    async def load_session(self, db: AsyncSession) -> InterviewSession:
        session = await db.scalar(
            select(InterviewSession)
            .where(InterviewSession.id == self.session_id, InterviewSession.user_id == self.user_id)
            .options(selectinload(InterviewSession.questions))
            .execution_options(populate_existing=True)
        )
        if session is None:
            raise NotFound("interview session not found")
        return session
