"""The answer lifecycle, for `LiveInterview` (server/live/interview.py): opening an answer (its
question marked asked, an `AnswerRecorder` for its attempt's recording), closing it (finals
flushed, stored, scored, a follow-up maybe chosen), abandoning one that heard nothing, trying an
answer again, and the answer's time limit.

A mixin: `LiveInterview` owns the state these methods use (declared there, in `__init__`).
"""

from __future__ import annotations

import asyncio
import logging
import uuid

from interview.phases import Phase
from interview.progress import QuestionState
from persistence import answers, preferences, reviews
from persistence.errors import NotFound
from persistence.models import InterviewQuestion, InterviewStatus
from server.live import protocol as wire
from server.live.audio_store import attempt_path
from server.live.progression import _SessionClosed
from server.live.recorder import AnswerRecorder, DecodingStalled, RecorderDeps
from server.progress import save_progress

log = logging.getLogger("server.live")

TRY_AGAIN_LATER = 1013


class AnswerLifecycle:
    """Open, close, abandon and retry answers (see the module docstring)."""

    async def retry(self) -> None:
        """ "Try this answer again": allowed while the question after the one just closed is open
        and nothing was said to it. That question is put back (a follow-up chosen from the
        answer is withdrawn: its row is deleted), the closed answer becomes an earlier attempt
        (kept in the progress with its transcript, scores and recording), and the question is
        asked again as a new attempt."""
        current = self.question
        recorder = self.recorder
        if self.phase is not Phase.ANSWERING or current is None or recorder is None or not recorder.heard_nothing():
            self.error("nothing_to_retry", "try again is possible right after an answer, before the next one starts")
            return
        previous = self.progress.previous(current.id)
        if previous is None or previous.state not in (QuestionState.ANSWERED, QuestionState.SKIPPED):
            self.error("nothing_to_retry", "there is no closed answer before this question")
            return
        withdraw = self.progress.get(current.id).is_follow_up
        self._abandon_answer()
        target_id = uuid.UUID(previous.question_id)

        async def reopen() -> InterviewQuestion:
            async with self.deps.db_sessions.begin() as db:
                target = await db.get(InterviewQuestion, target_id, populate_existing=True)
                if target is None:
                    raise NotFound("question not found")
                progress = self.progress
                if withdraw:
                    progress = progress.without_follow_up(current.id)
                    await reviews.remove_question(db, self.session_id, current.id)
                progress = progress.retried(target_id, answers.answer_snapshot(target))
                await answers.clear_answer(db, target_id)
                await save_progress(db, self.session_id, progress)
                await self._set_answered_count(db, progress)
                await db.refresh(target)
                self.progress = progress
                return target

        target = await self._outage.run(reopen)
        if withdraw:
            self.questions.pop(str(current.id), None)
        self.questions[str(target.id)] = target
        await self._open_answer(target)

    def _abandon_answer(self) -> None:
        """Close an answer that never received audio without recording it (no empty answers)."""
        assert self.recorder is not None
        self._to(Phase.CLOSING)
        self.recorder.abandon()
        self.recorder = None

    async def _open_answer(self, question: InterviewQuestion) -> None:
        entry = self.progress.get(question.id)

        async def mark_asked() -> bool:
            async with self.deps.db_sessions.begin() as db:
                if entry.state is not QuestionState.ASKED:
                    self.progress = self.progress.asked_now(question.id)
                    await save_progress(db, self.session_id, self.progress)
                prefs = await preferences.read_preferences(db, self.user_id)
                return bool(prefs["voice_enabled"])

        self._voice_on = await self._outage.run(mark_asked)
        self.question = question
        self.recorder = AnswerRecorder(
            RecorderDeps(
                self.deps.db_sessions, self.deps.scheduler, self.deps.streaming, self.deps.options, self.deps.spool
            ),
            question_id=question.id,
            path=attempt_path(self.deps.audio_dir, self.user_id, self.session_id, question.id, entry.attempt),
            context_prompt=question.question_text,
            hotwords=" ".join(question.expected_topics or []) or None,
            intro=self.decoder_intro,
            emit=self.emit,
            on_database_down=self._outage.database_down,
            is_closed=lambda: self.session_closed is not None,
        )
        if self.deps.before_answer is not None:
            self._preparing = asyncio.create_task(self.deps.before_answer(question), name=f"prepare-{question.id}")
        self._warned = False
        self._limit_reached = False
        self._to(Phase.ANSWERING)
        self._prepare_voice(question)
        self._ask_current()
        recorder = self.recorder
        if recorder.resumed:
            self.emit(
                wire.Resumed(
                    transcript=recorder.prior_transcript,
                    segments=recorder.stored.segments,
                    audio_duration=recorder.stored.audio_seconds,
                )
            )
        recorder.start()

    async def _close_answer(self, *, skipped: bool) -> None:
        assert self.recorder is not None and self.question is not None
        self._to(Phase.CLOSING)
        try:
            closed = await self.recorder.close()
        except DecodingStalled:
            # Nothing is lost: the recording is on disk and a resume transcribes what no stored
            # final covers. Closing the answer now would store it without those words.
            self.error(
                "transcription_stalled",
                "transcription did not finish in time: reconnect to resume this answer",
                fatal=True,
                close_code=TRY_AGAIN_LATER,
            )
            raise
        self.recorder = None
        complete = closed.complete
        question = self.question
        # Skip skips: whatever was said is kept (row and recording) but not scored; an answer
        # with no words at all is skipped too (there is nothing to score).
        skipped = skipped or complete.word_count == 0

        async def store() -> InterviewQuestion:
            async with self.deps.db_sessions.begin() as db:
                await answers.record_answer(
                    db,
                    question.id,
                    answers.AnswerTranscript(
                        text=complete.transcript, confidence=complete.confidence, word_count=complete.word_count
                    ),
                    closed.audio,
                )
                session = await self.load_session(db)  # the one load of this answer's way
                if session.status is InterviewStatus.CANCELLED:
                    raise _SessionClosed()  # rolls the answer back: nothing more is stored
                self._take(session)
                progress = self.progress.skipped(question.id) if skipped else self.progress.answered(question.id)
                await save_progress(db, self.session_id, progress)
                session.questions_answered = progress.answered_planned
                self.progress = progress
                return self.questions[str(question.id)]

        stored = await self._outage.run(store)
        self.question = stored
        self.emit(
            wire.AnswerComplete(
                transcript=complete.transcript,
                word_count=complete.word_count,
                audio_duration=round(complete.audio_duration, 2),
                confidence=complete.confidence,
                skipped=skipped,
            )
        )
        if self.deps.after_answer is None or skipped or self.session_closed is not None:
            return
        words = [word for segment in complete.segments for word in segment.words]
        try:
            progress, follow_up = await self.deps.after_answer(
                self,
                stored,
                words,
                complete.audio_duration,
                self.emit,
                progress=self.progress,
                pauses=closed.pauses,
                may_follow_up=lambda: not self.end_requested and self.session_closed is None,
                on_follow_up=self._follow_up_chosen,
            )
        except Exception:  # scoring must never cost the candidate the interview
            log.exception("reviewing answer %s failed", question.id)
            self.error("scoring_failed", "this answer could not be scored; it is saved and the interview goes on")
            return
        self.progress = progress
        if follow_up is not None:
            self.questions[str(follow_up.id)] = follow_up
            for row in self.questions.values():  # the follow-up moved later questions down
                if row.id != follow_up.id and row.question_number >= follow_up.question_number:
                    row.question_number += 1

    def _check_time_limit(self) -> None:
        """The answer's clock is its audio: the browser sends none while the interviewer speaks,
        so the time limit starts after the question was spoken."""
        assert self.recorder is not None and self.question is not None
        limit = float(self.question.time_limit or 120)
        elapsed = self.recorder.audio_seconds
        if not self._warned and elapsed >= limit - self.deps.options.time_warning_seconds:
            self._warned = True
            self.emit(wire.TimeWarning(remaining=round(max(0.0, limit - elapsed), 1)))
        if elapsed >= limit and not self._limit_reached:
            # Gently: the answer is closed and kept, never thrown away; later audio is ignored.
            self._limit_reached = True
            self.error("time_limit_reached", "the time for this answer is up: it has been saved")
            self.on_control(wire.AnswerDone())
