"""LiveInterview: the control of one candidate's interview over one WebSocket connection.

It changes the connection's phase (`interview.phases`, one table, one function), keeps the
interview's progress (`interview.progress`, read and written through `server/progress.py`),
asks the questions (numbered as the candidate sees them, with the interviewer's voice), and
hands the open answer to an `AnswerRecorder` (server/live/recorder.py: stream, WAV, sidecar,
spool, replay). Closing an answer loads the session once; the rest of the way (scoring, the
follow-up, the next question) works on what that load returned.

Concurrency: the socket's receive loop calls `on_audio` inline and queues control messages,
which one task handles in order (`run_controls`); the recorder's pump is one task per open
answer. Everything the candidate should see goes through `emit`, which numbers the events and
also publishes them to the session's watchers.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import selectinload

from interview.phases import Phase, change_phase
from interview.progress import InterviewProgress, QuestionState
from persistence import answers, interviews, preferences, reviews
from persistence.errors import NotFound
from persistence.models import InterviewQuestion, InterviewSession, InterviewStatus
from server.live import protocol as wire
from server.live.audio_store import attempt_path, delete_answer_audio, delete_session_audio
from server.live.control import CloseReason
from server.live.options import LiveOptions
from server.live.recorder import BYTES_PER_SECOND, AnswerRecorder, DecodingStalled, RecorderDeps
from server.live.retrying import OutageRetry
from server.live.scheduler import DecodeScheduler
from server.live.spool import WriteSpool
from server.progress import read_progress, save_progress
from server.routes_voice import voice_path
from server.voice import InterviewerVoice
from streaming.options import StreamingOptions

log = logging.getLogger("server.live")

Emit = Callable[[wire.ServerEvent], None]
POLICY_VIOLATION = 1008
TRY_AGAIN_LATER = 1013


@dataclass
class LiveDeps:
    db_sessions: async_sessionmaker[AsyncSession]
    scheduler: DecodeScheduler
    streaming: StreamingOptions
    options: LiveOptions
    audio_dir: Path
    #: Called (in the background) when a question is asked: (question); prepares its scoring.
    before_answer: Callable[[InterviewQuestion], Awaitable[None]] | None = None
    #: Called after an answer with words is stored: (owner, question, words, audio seconds,
    #: emit, progress=, pauses=, may_follow_up=, on_follow_up=) -> (progress, follow-up row or
    #: None); scores the answer, emits the scores, may insert a follow-up question.
    after_answer: Callable[..., Awaitable[Any]] | None = None
    #: Called when the session completes: (owner, session, emit); emits the feedback report.
    after_session: Callable[..., Awaitable[None]] | None = None
    #: Keeps per-final database writes through a database outage; None: write directly.
    spool: WriteSpool | None = None
    #: The interviewer's voice; None: questions are text only.
    voice: InterviewerVoice | None = None


class _SessionClosed(Exception):
    """The session was cancelled (or deleted) while this connection was using it."""


class LiveInterview:
    def __init__(self, *, session_id: uuid.UUID, user_id: uuid.UUID, deps: LiveDeps, emit: Emit) -> None:
        self.session_id = session_id
        self.user_id = user_id
        self.deps = deps
        self._emit = emit
        self.phase = Phase.WAITING
        #: Set when the socket is gone (finals still being stored), then `closed` when done.
        self.disconnecting = False
        self.closed = asyncio.Event()
        self.fatal = asyncio.Event()
        #: The close code the socket handler uses once `fatal` is set.
        self.close_code = POLICY_VIOLATION
        #: The open (or last closed) question, and the session's questions by id.
        self.question: InterviewQuestion | None = None
        self.questions: dict[str, InterviewQuestion] = {}
        self.progress = InterviewProgress()
        self.recorder: AnswerRecorder | None = None
        self._preparing: asyncio.Task[None] | None = None  # held so the task is not collected
        self._dropping = False
        #: Seconds of audio refused by backpressure on this connection (see `on_audio`).
        self.audio_dropped_seconds = 0.0
        self._warned = False
        self._limit_reached = False
        self._controls: asyncio.Queue[wire.ClientMessage] = asyncio.Queue(maxsize=32)
        self._dropped_audio_notice = False
        #: `end` arrived (it may still wait in the queue): no follow-up is created from now on.
        self.end_requested = False
        self._voice_on = True
        #: The connection's outbound event queue (its depth is reported by /metrics).
        self.outbox: asyncio.Queue[str] | None = None
        #: The session lease this connection holds (set by the socket handler).
        self.lease: Any = None
        self.connection_id: uuid.UUID | None = None
        #: True while a control message (start, answer_done, ...) is being handled.
        self.handling = False
        self._disconnected = False
        self._outage = OutageRetry(deps.spool, lambda code, message: self.error(code, message))
        #: Set when the session was deleted or cancelled under this connection: nothing more is
        #: stored, and the socket closes with `session_closed` (see server/live/control.py).
        self.session_closed: CloseReason | None = None

    # --- events -------------------------------------------------------------------------------

    def emit(self, event: wire.ServerEvent) -> None:
        if event.question is None and self.question is not None:
            event.question = self.question.question_number
        self._emit(event)

    def error(self, code: str, message: str, *, fatal: bool = False, close_code: int = POLICY_VIOLATION) -> None:
        """Tell the client; a fatal error also asks the socket handler to close the connection
        (with `close_code`)."""
        self.emit(wire.ErrorEvent(code=code, message=message, fatal=fatal))
        if fatal and not self.fatal.is_set():
            self.close_code = close_code
            self.fatal.set()

    def _to(self, target: Phase) -> None:
        self.phase = change_phase(self.phase, target)

    # --- inputs from the socket ---------------------------------------------------------------

    def on_audio(self, pcm: bytes) -> None:
        """One binary frame. Accepted only while a question is open. Never waits: the socket's
        reader must stay free for pings and control messages whatever the decode backlog.

        Backpressure: while the stream holds more than `max_backlog_seconds` of audio still to
        decode (a client sending faster than real time, or decoding far behind), frames are
        dropped, neither recorded nor transcribed (the recording and the transcript keep one
        timeline), and the client is told once per episode (`audio_dropped`). Silence and noise
        that need no decode never count: a candidate may think for the whole time limit."""
        if self._limit_reached:
            return
        recorder = self.recorder
        if self.phase is not Phase.ANSWERING or recorder is None or recorder.writer is None:
            if not self._dropped_audio_notice:
                self._dropped_audio_notice = True
                self.error(
                    "audio_not_expected", 'audio is accepted only after a question event; send {"type": "start"} first'
                )
            return
        self._dropped_audio_notice = False
        if recorder.buffered_seconds > self.deps.options.max_backlog_seconds:
            self.audio_dropped_seconds += len(pcm) / BYTES_PER_SECOND
            if not self._dropping:
                self._dropping = True
                log.warning("decoding is %.0f s behind: dropping audio", recorder.buffered_seconds)
                self.error(
                    "audio_dropped",
                    "transcription is behind: audio is being dropped until it catches up (send audio at real time)",
                )
            return
        self._dropping = False
        recorder.feed(pcm)
        self._check_time_limit()

    def on_control(self, message: wire.ClientMessage) -> None:
        if isinstance(message, wire.Ping):
            self.emit(wire.Pong(id=message.id))
            return
        if isinstance(message, wire.End):
            self.end_requested = True  # at once: an answer being scored now gets no follow-up
        try:
            self._controls.put_nowait(message)
        except asyncio.QueueFull:
            self.error("too_many_messages", "control messages are arriving faster than they can be handled")

    async def run_controls(self) -> None:
        """Handle control messages one at a time, in order (runs for the connection's lifetime)."""
        while True:
            message = await self._controls.get()
            self.handling = True
            try:
                await self._handle(message)
            except DecodingStalled:
                return  # the fatal error is out; the socket closes and a reconnect resumes
            except NotFound:
                self.close_session(CloseReason.DELETED)  # deleted before the message came
                return
            except _SessionClosed:
                self.close_session(CloseReason.CANCELLED)
                return
            finally:
                self.handling = False

    async def _handle(self, message: wire.ClientMessage) -> None:
        if isinstance(message, wire.Start):
            await self.start()
        elif isinstance(message, wire.AnswerDone):
            await self.finish_answer(skipped=False)
        elif isinstance(message, wire.Skip):
            await self.finish_answer(skipped=True)
        elif isinstance(message, wire.Repeat):
            self._ask_current()
        elif isinstance(message, wire.Retry):
            await self.retry()
        elif isinstance(message, wire.End):
            await self.end()
        elif isinstance(message, wire.Auth):
            self.error("already_authenticated", "this connection is already authenticated")

    # --- lifecycle ----------------------------------------------------------------------------

    async def start(self) -> None:
        """Start or resume: move the session to in_progress and open its current question."""
        if self.phase is not Phase.WAITING:
            self.error("already_started", "the interview is already running on this connection")
            return

        async def begin() -> InterviewStatus:
            async with self.deps.db_sessions.begin() as db:
                session = await self.load_session(db)
                if session.status in (InterviewStatus.COMPLETED, InterviewStatus.CANCELLED):
                    return session.status
                await interviews.change_status(db, session, InterviewStatus.IN_PROGRESS)
                self._take(session)
                return session.status

        status = await self._outage.run(begin)
        if status in (InterviewStatus.COMPLETED, InterviewStatus.CANCELLED):
            self.error("session_closed", f"this interview is {status.value}", fatal=True)
            self._to(Phase.ENDED)
            return
        current = self.progress.current()
        if current is None:
            await self._complete_session()
            return
        await self._open_answer(self.questions[current.question_id])

    async def finish_answer(self, *, skipped: bool) -> None:
        """Close the open answer: flush finals, store it, score it (not when skipped), then ask
        the next question (a follow-up first, if one was chosen) or complete the session."""
        if self.phase is not Phase.ANSWERING:
            self.error("no_open_answer", "there is no answer in progress")
            return
        await self._close_answer(skipped=skipped)
        await self._advance()

    async def end(self) -> None:
        """End the interview now: keep the open answer (one with no audio at all stays
        unanswered), score it without a follow-up, complete the session."""
        self.end_requested = True
        if self.phase is Phase.ANSWERING and self.recorder is not None and self.recorder.heard_nothing():
            self._abandon_answer()
        elif self.phase is Phase.ANSWERING:
            await self._close_answer(skipped=False)
        if self.phase is not Phase.ENDED:
            await self._complete_session()

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

    def close_session(self, reason: CloseReason) -> None:
        """The session was deleted or cancelled (by its owner, through any node): store nothing
        more, tell the client, and have the socket closed (1008 `session_closed`). The open
        answer's audio is thrown away by `disconnect`. Idempotent."""
        if self.session_closed is not None:
            return
        self.session_closed = reason
        if self.recorder is not None:
            self.recorder.cancel_pump()
        self.error("session_closed", f"this interview was {reason.value}", fatal=True)

    async def disconnect(self) -> None:
        """The socket is gone (or the server is stopping): finalise what was heard and persist
        it, keeping the answer open (unanswered) so that a reconnect continues it. Runs to the
        end even if the handler is being cancelled: the finals in flight are stored first.
        Idempotent."""
        if self.session_closed is not None:
            await self._discard()
            return
        if self.recorder is None or self._disconnected:
            return
        self._disconnected = True
        await self.recorder.suspend()
        self.recorder = None
        if self.phase is not Phase.ENDED:
            self._to(Phase.ENDED)

    async def _discard(self) -> None:
        """After `close_session`: stop the pump, close the recording and delete what must go
        (the session's whole audio directory when it was deleted, else the open answer's files)."""
        self._disconnected = True
        if self.phase is not Phase.ENDED:
            self._to(Phase.ENDED)
        open_answer = await self.recorder.discard() if self.recorder is not None else None
        self.recorder = None
        if self.session_closed is not None and self.session_closed.purges_files:
            await asyncio.to_thread(delete_session_audio, self.deps.audio_dir, self.user_id, self.session_id)
        elif open_answer is not None:
            await asyncio.to_thread(delete_answer_audio, open_answer)

    def _abandon_answer(self) -> None:
        """Close an answer that never received audio without recording it (no empty answers)."""
        assert self.recorder is not None
        self._to(Phase.CLOSING)
        self.recorder.abandon()
        self.recorder = None

    # --- internals ----------------------------------------------------------------------------

    def _take(self, session: InterviewSession) -> None:
        """Adopt a fresh load of the session: its questions and its progress."""
        self.questions = {str(q.id): q for q in session.questions}
        self.progress = read_progress(session)

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
