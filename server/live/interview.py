"""LiveInterview: drives one candidate's interview over one WebSocket connection.

It owns the answer being recorded (a `streaming.AnswerStream`, its WAV writer) and the decode
pump that feeds the stream's jobs to the shared DecodeScheduler. It persists every final
segment as it is produced (database row + sidecar file), so nothing transcribed is lost when the
socket drops, and rebuilds the open answer from storage when the candidate reconnects.

Concurrency: the socket's receive loop calls `on_audio` inline and queues control messages,
which one task handles in order (`run_controls`); the pump is one task per open answer.
Everything the candidate should see goes through `emit`, which numbers the events and also
publishes them to the session's watchers.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import logging
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import selectinload
from sqlalchemy import select

from persistence import answers, interviews
from persistence.errors import NotFound
from persistence.models import InterviewQuestion, InterviewSession, InterviewStatus
from server.live import protocol as wire
from server.live.audio_store import (
    BYTES_PER_SAMPLE,
    SAMPLE_RATE,
    AnswerAudioWriter,
    answer_path,
    append_segment,
    delete_answer_audio,
    delete_session_audio,
    load_stored_answer,
    read_pcm,
)
from server.dbhealth import database_unavailable
from server.live.control import CloseReason
from server.live.options import LiveOptions
from server.live.scheduler import DecodeScheduler
from server.live.spool import WriteSpool
from streaming import events as stream_events
from streaming.options import StreamingOptions
from streaming.stream import AnswerStream

log = logging.getLogger("server.live")

Emit = Callable[[wire.ServerEvent], None]
POLICY_VIOLATION = 1008
TRY_AGAIN_LATER = 1013
BYTES_PER_SECOND = SAMPLE_RATE * BYTES_PER_SAMPLE


class Phase(enum.Enum):
    WAITING = "waiting"  # connected, interview not started by this connection yet
    ANSWERING = "answering"  # a question is open and audio is accepted
    FINISHING = "finishing"  # the answer is closed, final decodes are draining
    ENDED = "ended"


@dataclass
class LiveDeps:
    db_sessions: async_sessionmaker[AsyncSession]
    scheduler: DecodeScheduler
    streaming: StreamingOptions
    options: LiveOptions
    audio_dir: Path
    #: Called (in the background) when a question is asked: (question); prepares its scoring.
    before_answer: Callable[[InterviewQuestion], Awaitable[None]] | None = None
    #: Called after each answer with words is stored: (owner, question, timed words, audio
    #: seconds, emit); may emit events (scores) and insert the next question (a follow-up).
    after_answer: Callable[..., Awaitable[None]] | None = None
    #: Called when the session completes: (owner, session, emit); emits the feedback report.
    after_session: Callable[..., Awaitable[None]] | None = None
    #: Keeps per-final database writes through a database outage; None: write directly.
    spool: WriteSpool | None = None


class _DecodingStalled(Exception):
    """The open answer's last decodes did not finish within `drain_timeout_s`."""


class _SessionClosed(Exception):
    """The session was cancelled (or deleted) while this connection was using it."""


class _StillSpooled(Exception):
    """Earlier writes are still waiting for the database: later ones must wait their turn."""


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
        self.question: InterviewQuestion | None = None
        self.num_questions = 0
        self.stream: AnswerStream | None = None
        self.writer: AnswerAudioWriter | None = None
        self._pump: asyncio.Task[None] | None = None
        self._preparing: asyncio.Task[None] | None = None  # held so the task is not collected
        self._wake = asyncio.Event()
        self._dropping = False
        #: Seconds of audio refused by backpressure on this connection (see `on_audio`).
        self.audio_dropped_seconds = 0.0
        self._warned = False
        self._limit_reached = False
        self._controls: asyncio.Queue[wire.ClientMessage] = asyncio.Queue(maxsize=32)
        self._dropped_audio_notice = False
        #: Question numbers that are follow-ups to an earlier answer (from metadata.progress).
        self._follow_up_numbers: set[int] = set()
        #: The connection's outbound event queue (its depth is reported by /metrics).
        self.outbox: asyncio.Queue[str] | None = None
        #: The session lease this connection holds (set by the socket handler).
        self.lease: Any = None
        self.connection_id: uuid.UUID | None = None
        #: True while a control message (start, answer_done, ...) is being handled.
        self.handling = False
        self._disconnected = False
        #: Where the VAD heard utterances of the open answer stop (seconds into the answer).
        self._stops: list[float] = []
        self._told_db_down = False
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
        if self.phase is not Phase.ANSWERING or self.stream is None or self.writer is None:
            if not self._dropped_audio_notice:
                self._dropped_audio_notice = True
                self.error("audio_not_expected", "audio is accepted only after a question event; send {\"type\": \"start\"} first")
            return
        self._dropped_audio_notice = False
        if self.stream.buffered_seconds > self.deps.options.max_backlog_seconds:
            self.audio_dropped_seconds += len(pcm) / BYTES_PER_SECOND
            if not self._dropping:
                self._dropping = True
                log.warning("decoding is %.0f s behind: dropping audio", self.stream.buffered_seconds)
                self.error(
                    "audio_dropped",
                    "transcription is behind: audio is being dropped until it catches up (send audio at real time)",
                )
            return
        self._dropping = False
        self.writer.append(pcm)
        self._emit_stream(self.stream.feed(pcm))
        self._wake.set()
        self._check_time_limit()

    def on_control(self, message: wire.ClientMessage) -> None:
        if isinstance(message, wire.Ping):
            self.emit(wire.Pong(id=message.id))
            return
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
            except _DecodingStalled:
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

        async def begin() -> tuple[InterviewStatus, InterviewQuestion | None]:
            async with self.deps.db_sessions.begin() as db:
                session = await self.load_session(db)
                if session.status in (InterviewStatus.COMPLETED, InterviewStatus.CANCELLED):
                    return session.status, None
                await interviews.change_status(db, session, InterviewStatus.IN_PROGRESS)
                self.num_questions = len(session.questions)
                self._follow_up_numbers = _follow_up_numbers(session)
                return session.status, _current_question(session)

        status, question = await self._retrying(begin)
        if status in (InterviewStatus.COMPLETED, InterviewStatus.CANCELLED):
            self.error("session_closed", f"this interview is {status.value}", fatal=True)
            self.phase = Phase.ENDED
            return
        if question is None:
            await self._complete_session()
            return
        await self._open_answer(question)

    async def finish_answer(self, *, skipped: bool) -> None:
        """Close the open answer: flush finals, store it, then ask the next question (or complete)."""
        if self.phase is not Phase.ANSWERING:
            self.error("no_open_answer", "there is no answer in progress")
            return
        await self._close_answer(skipped=skipped)
        await self._advance()

    async def end(self) -> None:
        """End the interview early: keep the open answer (one with no audio at all stays
        unanswered), then complete the session."""
        if self.phase is Phase.ANSWERING and self._heard_nothing():
            self._abandon_answer()
        elif self.phase is Phase.ANSWERING:
            await self._close_answer(skipped=False)
        if self.phase is not Phase.ENDED:
            await self._complete_session()

    def close_session(self, reason: CloseReason) -> None:
        """The session was deleted or cancelled (by its owner, through any node): store nothing
        more, tell the client, and have the socket closed (1008 `session_closed`). The open
        answer's audio is thrown away by `disconnect`. Idempotent."""
        if self.session_closed is not None:
            return
        self.session_closed = reason
        if self._pump is not None:
            self._pump.cancel()
        self.error("session_closed", f"this interview was {reason.value}", fatal=True)

    async def disconnect(self) -> None:
        """The socket is gone (or the server is stopping): finalise what was heard and persist
        it, keeping the answer open (unanswered) so that a reconnect continues it. Runs to the
        end even if the handler is being cancelled: the finals in flight are stored first.
        Idempotent."""
        if self.session_closed is not None:
            await self._discard()
            return
        if self.stream is None or self._disconnected:
            return
        self._disconnected = True
        self._emit_stream(self.stream.finish())  # speech_stopped at the end of what was heard
        self._wake.set()
        with contextlib.suppress(asyncio.CancelledError, _DecodingStalled):
            await self._drain_pump()
        self._close_writer()
        self.phase = Phase.ENDED

    async def _discard(self) -> None:
        """After `close_session`: stop the pump, close the recording and delete what must go
        (the session's whole audio directory when it was deleted, else the open answer's files)."""
        self._disconnected = True
        self.phase = Phase.ENDED
        if self._pump is not None:
            self._pump.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._pump
        open_answer = self.writer.path if self.writer is not None else None
        if self.writer is not None:
            self.writer.close()
            self.writer = None
        self.stream = None
        if self.session_closed is not None and self.session_closed.purges_files:
            await asyncio.to_thread(delete_session_audio, self.deps.audio_dir, self.user_id, self.session_id)
        elif open_answer is not None:
            await asyncio.to_thread(delete_answer_audio, open_answer)

    def _heard_nothing(self) -> bool:
        stream = self.stream
        return stream is not None and not stream.segments and (self.writer is None or self.writer.duration == 0)

    def _abandon_answer(self) -> None:
        """Close an answer that never received audio without recording it (no empty answers)."""
        assert self.stream is not None
        self.stream.finish()
        self._wake.set()
        if self._pump is not None:
            self._pump.cancel()
        if self.writer is not None:
            path = self.writer.path
            self.writer.close()
            self.writer = None
            path.unlink(missing_ok=True)
        self.stream = None

    # --- internals ----------------------------------------------------------------------------

    async def _open_answer(self, question: InterviewQuestion) -> None:
        path = answer_path(self.deps.audio_dir, self.user_id, self.session_id, question.id)
        stored = load_stored_answer(path)
        prior = stored.final_segments()
        # Audio recorded after the last settled final was heard but never finalised (its node
        # died): it goes through the stream again, bounded by half the backlog limit so that
        # the candidate's new audio still fits beside it.
        replay_from = max(stored.covered_seconds, stored.audio_seconds - self.deps.options.max_backlog_seconds / 2)
        self.question = question
        self._stops = []
        self.stream = AnswerStream(
            self.deps.streaming,
            context_prompt=question.question_text,
            hotwords=" ".join(question.expected_topics or []) or None,
            prior_segments=prior,
            audio_offset=replay_from,
        )
        self.writer = AnswerAudioWriter(path)
        if self.deps.before_answer is not None:
            self._preparing = asyncio.create_task(self.deps.before_answer(question), name=f"prepare-{question.id}")
        self._warned = False
        self._limit_reached = False
        self.phase = Phase.ANSWERING
        self._ask_current()
        if prior or stored.audio_seconds:
            self.emit(
                wire.Resumed(
                    transcript=" ".join(segment.text for segment in prior),
                    segments=stored.segments,
                    audio_duration=stored.audio_seconds,
                )
            )
        if stored.audio_seconds > replay_from:
            log.info("replaying %.1f s of unfinalised audio of question %s", stored.audio_seconds - replay_from, question.id)
            self._emit_stream(self.stream.feed(read_pcm(path, replay_from)))
        self._pump = asyncio.create_task(self._run_pump(), name=f"pump-{question.id}")

    def _ask_current(self) -> None:
        question = self.question
        if question is None or self.phase is not Phase.ANSWERING:
            self.error("no_open_question", "there is no question to repeat")
            return
        self.emit(
            wire.QuestionAsked(
                number=question.question_number,
                of=self.num_questions,
                text=question.question_text,
                category=question.category,
                difficulty=question.difficulty,
                time_limit=question.time_limit or 120,
                follow_up=question.question_number in self._follow_up_numbers,
            )
        )

    async def _close_answer(self, *, skipped: bool) -> InterviewQuestion:
        assert self.stream is not None and self.question is not None
        self.phase = Phase.FINISHING
        self._emit_stream(self.stream.finish())
        self._wake.set()
        try:
            await self._drain_pump()
        except _DecodingStalled:
            # Nothing is lost: the recording is on disk and a resume transcribes what no stored
            # final covers. Closing the answer now would store it without those words.
            self.error(
                "transcription_stalled",
                "transcription did not finish in time: reconnect to resume this answer",
                fatal=True,
                close_code=TRY_AGAIN_LATER,
            )
            raise
        complete = self.stream.answer_complete()
        audio = self._close_writer()
        question = self.question

        async def store() -> None:
            async with self.deps.db_sessions.begin() as db:
                await answers.record_answer(
                    db,
                    question.id,
                    answers.AnswerTranscript(
                        text=complete.transcript, confidence=complete.confidence, word_count=complete.word_count
                    ),
                    audio,
                )
                session = await self.load_session(db)
                if session.status is InterviewStatus.CANCELLED:
                    raise _SessionClosed()  # rolls the answer back: nothing more is stored
                if skipped and complete.word_count == 0:
                    skipped_numbers = set(_progress(session).get("skipped", []))
                    await answers.set_progress(db, session, skipped=sorted(skipped_numbers | {question.question_number}))
                session.questions_answered = await answers.count_answered(db, self.session_id)

        await self._retrying(store)
        self.emit(
            wire.AnswerComplete(
                transcript=complete.transcript,
                word_count=complete.word_count,
                audio_duration=round(complete.audio_duration, 2),
                confidence=complete.confidence,
                skipped=skipped and complete.word_count == 0,
            )
        )
        self.stream = None
        if self.deps.after_answer is not None and complete.word_count > 0 and self.session_closed is None:
            async with self.deps.db_sessions() as db:
                stored = await db.get(InterviewQuestion, question.id)
            words = [word for segment in complete.segments for word in segment.words]
            try:
                await self.deps.after_answer(self, stored, words, complete.audio_duration, self.emit)
            except Exception:  # scoring must never cost the candidate the interview
                log.exception("reviewing answer %s failed", question.id)
                self.error("scoring_failed", "this answer could not be scored; it is saved and the interview goes on")
        return question

    async def _advance(self) -> None:
        async def read() -> InterviewQuestion | None:
            async with self.deps.db_sessions() as db:
                session = await self.load_session(db)
                self.num_questions = len(session.questions)
                self._follow_up_numbers = _follow_up_numbers(session)
                return _current_question(session)

        following = await self._retrying(read)
        if following is None:
            await self._complete_session()
        else:
            await self._open_answer(following)

    async def _complete_session(self) -> None:
        async def complete() -> tuple[int | None, int | None]:
            async with self.deps.db_sessions.begin() as db:
                session = await self.load_session(db)
                if session.status is InterviewStatus.CANCELLED:
                    raise _SessionClosed()  # no session_complete, no report
                if session.status is InterviewStatus.IN_PROGRESS:
                    await interviews.change_status(db, session, InterviewStatus.COMPLETED)
                session.questions_answered = await answers.count_answered(db, self.session_id)
                return session.questions_answered, session.total_duration

        answered, duration = await self._retrying(complete)
        self.phase = Phase.ENDED
        self.question = None
        self.emit(wire.SessionComplete(questions_answered=answered or 0, total_duration=duration))
        if self.deps.after_session is not None and self.session_closed is None:
            async with self.deps.db_sessions() as db:
                session = await self.load_session(db)
            try:
                await self.deps.after_session(self, session, self.emit)
            except Exception:
                log.exception("building the report of session %s failed", self.session_id)
                self.error("feedback_failed", "the feedback report could not be built; the answers are saved")

    async def _drain_pump(self) -> None:
        """Wait (at most `drain_timeout_s`) for the pump to deliver the finished stream's last
        finals; past it the pump is cancelled and `_DecodingStalled` raised."""
        pump = self._pump
        if pump is None or pump.done():
            return
        try:
            await asyncio.wait_for(asyncio.shield(pump), self.deps.options.drain_timeout_s)
        except TimeoutError:
            log.error("the last decodes of question %s did not finish in %.0f s", self.question and self.question.id, self.deps.options.drain_timeout_s)
            pump.cancel()
            raise _DecodingStalled() from None

    async def _run_pump(self) -> None:
        """Feed the stream's decode jobs to the scheduler until the answer is drained."""
        stream = self.stream
        assert stream is not None
        scheduler = self.deps.scheduler
        while not stream.is_drained:
            for event in await scheduler.step(stream, self._wake):
                if isinstance(event, stream_events.FinalSegment):
                    await self._store_final(event)
                self._emit_stream((event,))

    def _emit_stream(self, events: Sequence[stream_events.Event]) -> None:
        """Send the stream's events, remembering where the VAD heard each utterance stop."""
        for event in events:
            if isinstance(event, stream_events.SpeechStopped):
                self._stops.append(event.at)
            self.emit(wire.from_stream_event(event))

    async def _store_final(self, segment: stream_events.FinalSegment) -> None:
        assert self.stream is not None and self.question is not None and self.writer is not None
        if self.session_closed is not None:
            return
        self.writer.flush()
        # How far into the answer's audio this final settles everything: the VAD stop that ended
        # its utterance (silence after it), or its last word when it was cut from a longer one.
        # A resume after a crash transcribes the recording again from there (see _open_answer).
        covered = min((stop for stop in self._stops if stop >= segment.end - 0.05), default=segment.end)
        append_segment(self.writer.path, segment, covered_to=max(covered, segment.end))
        transcript = " ".join(s.text for s in self.stream.segments) or segment.text
        question_id, audio = self.question.id, self._audio_info()

        async def write(db: AsyncSession) -> None:
            await answers.record_progress(db, question_id, transcript, audio)

        if self.deps.spool is None:
            async with self.deps.db_sessions.begin() as db:
                await write(db)
        elif not await self.deps.spool.write(("progress", question_id), write):
            self._database_down()

    def _database_down(self) -> None:
        """Tell the candidate once per outage that nothing is lost (it is on the shared storage)."""
        if not self._told_db_down:
            self._told_db_down = True
            self.error(
                "database_unavailable",
                "the database is unavailable: your answer is kept and will be saved as soon as it is back",
            )

    async def _retrying(self, operation: Callable[[], Awaitable[Any]]) -> Any:
        """Run a database operation of the interview flow, waiting out a database outage with
        capped back-off (the candidate is told once; the socket stays open). Spooled writes of
        this node go first, so an answer is never closed before its own last progress."""
        delay = 0.5
        while True:
            try:
                spool = self.deps.spool
                if spool is not None and spool.pending and not await spool.flush(delay):
                    raise _StillSpooled()
                result = await operation()
                self._told_db_down = False
                return result
            except Exception as error:
                if not isinstance(error, _StillSpooled) and not database_unavailable(error):
                    raise
                log.warning("database unavailable (%s): retrying in %.1f s", type(error).__name__, delay)
                self._database_down()
                await asyncio.sleep(delay)
                delay = min(5.0, delay * 2)

    def _check_time_limit(self) -> None:
        assert self.stream is not None and self.question is not None
        limit = float(self.question.time_limit or 120)
        elapsed = self.stream.audio_duration
        if not self._warned and elapsed >= limit - self.deps.options.time_warning_seconds:
            self._warned = True
            self.emit(wire.TimeWarning(remaining=round(max(0.0, limit - elapsed), 1)))
        if elapsed >= limit and not self._limit_reached:
            # Gently: the answer is closed and kept, never thrown away; later audio is ignored.
            self._limit_reached = True
            self.error("time_limit_reached", "the time for this answer is up: it has been saved")
            self.on_control(wire.AnswerDone())

    def _audio_info(self) -> answers.AnswerAudio:
        assert self.writer is not None
        return answers.AnswerAudio(
            path=str(self.writer.path), duration_seconds=self.writer.duration, size_bytes=self.writer.size_bytes
        )

    def _close_writer(self) -> answers.AnswerAudio | None:
        if self.writer is None:
            return None
        self.writer.close()
        info = self._audio_info()
        self.writer = None
        return info

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


def _current_question(session: InterviewSession) -> InterviewQuestion | None:
    """The first question neither answered nor skipped."""
    skipped = set(_progress(session).get("skipped", []))
    for question in session.questions:
        if question.answered_at is None and question.question_number not in skipped:
            return question
    return None


def _progress(session: InterviewSession) -> dict[str, Any]:
    """`metadata.progress`: {"skipped": [numbers], "follow_ups": {number: parent number}}."""
    return (session.meta or {}).get("progress") or {}


def _follow_up_numbers(session: InterviewSession) -> set[int]:
    return {int(number) for number in _progress(session).get("follow_ups", {})}

