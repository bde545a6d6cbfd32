"""LiveInterview: the control of one candidate's interview over one WebSocket connection.

This module is the control: the connection's state, its inputs (audio frames, control messages
handled one at a time), the phase (`interview.phases`, one table, one function), starting,
finishing, ending, cancellation and disconnection. Its other jobs live beside it, as mixins of
the one class (they share this state, declared in `__init__`):

- `server/live/answer_lifecycle.py`: opening an answer (an `AnswerRecorder`: stream, WAV,
  sidecar, spool, replay), closing it (stored, scored, a follow-up maybe chosen), abandoning
  it, "try again", the time limit;
- `server/live/progression.py`: the interview's progress (`interview.progress`, read and written
  through `server/progress.py`), asking the questions (numbered as the candidate sees them, with
  the interviewer's voice), going on, completing the session.

Closing an answer loads the session once; the rest of the way (scoring, the follow-up, the next
question) works on what that load returned.

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

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from interview.phases import Phase, change_phase
from interview.progress import InterviewProgress
from persistence import interviews
from persistence.errors import NotFound
from persistence.models import InterviewQuestion, InterviewStatus
from server.live import protocol as wire
from server.live.answer_lifecycle import AnswerLifecycle
from server.live.audio_store import delete_answer_audio, delete_session_audio
from server.live.control import CloseReason
from server.live.options import LiveOptions
from server.live.progression import Progression, _SessionClosed
from server.live.recorder import BYTES_PER_SECOND, AnswerRecorder, DecodingStalled
from server.live.retrying import OutageRetry
from server.live.scheduler import DecodeScheduler
from server.live.spool import WriteSpool
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


class LiveInterview(AnswerLifecycle, Progression):
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
        #: The session's role and company as the decoder is told them (set with the questions).
        self.decoder_intro = ""
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
