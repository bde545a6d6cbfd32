"""AnswerRecorder: one open answer of a live interview, from its first byte to its last final.

It owns the answer's `streaming.AnswerStream`, its WAV (`audio_store`), the decode pump that
hands the stream's jobs to the shared DecodeScheduler, the sidecar of finals, the per-final
database write (through the spool during a database outage), the replay of recorded audio no
final settled (a resume after a crash), the backlog limit and the time limit. It knows nothing
of questions' order, scores or the session: `server/live/interview.py` drives it.

Every attempt at a question has its own recording (`audio_store.attempt_path`): attempt 1 at
`<question>.wav`, attempt n at `<question>-attempt<n>.wav` beside it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from persistence import answers
from server.live import protocol as wire
from server.live.audio_store import (
    BYTES_PER_SAMPLE,
    SAMPLE_RATE,
    AnswerAudioWriter,
    append_segment,
    load_stored_answer,
    read_pcm,
)
from server.live.options import LiveOptions
from server.live.scheduler import DecodeScheduler
from server.live.spool import WriteSpool
from streaming import events as stream_events
from streaming.events import AnswerComplete
from streaming.options import StreamingOptions
from streaming.stream import AnswerStream

log = logging.getLogger("server.live")

BYTES_PER_SECOND = SAMPLE_RATE * BYTES_PER_SAMPLE


class DecodingStalled(Exception):
    """The open answer's last decodes did not finish within `drain_timeout_s`."""


@dataclass
class RecorderDeps:
    db_sessions: async_sessionmaker[AsyncSession]
    scheduler: DecodeScheduler
    streaming: StreamingOptions
    options: LiveOptions
    spool: WriteSpool | None


@dataclass(frozen=True)
class ClosedAnswer:
    complete: AnswerComplete
    audio: answers.AnswerAudio | None
    #: Silences between the candidate's utterances, (start, end) seconds into the answer (VAD).
    pauses: tuple[tuple[float, float], ...]


class AnswerRecorder:
    """Events go out through `emit`; `on_database_down` is told when a final could not be
    written (it is kept in the spool and on disk)."""

    def __init__(
        self,
        deps: RecorderDeps,
        *,
        question_id: uuid.UUID,
        path: Path,
        context_prompt: str,
        hotwords: str | None,
        emit: Callable[[wire.ServerEvent], None],
        intro: str = "",
        on_database_down: Callable[[], None],
        is_closed: Callable[[], bool],
    ) -> None:
        self.deps = deps
        self.question_id = question_id
        self.path = path
        self._emit = emit
        self._on_database_down = on_database_down
        self._is_closed = is_closed
        self.stored = load_stored_answer(path)
        prior = self.stored.final_segments()
        self.prior_transcript = " ".join(segment.text for segment in prior)
        # Audio recorded after the last settled final was heard but never finalised (its node
        # died): it goes through the stream again, bounded by half the backlog limit so that
        # the candidate's new audio still fits beside it.
        self._replay_from = max(
            self.stored.covered_seconds, self.stored.audio_seconds - deps.options.max_backlog_seconds / 2
        )
        self.stream = AnswerStream(
            deps.streaming,
            context_prompt=context_prompt,
            hotwords=hotwords,
            prior_segments=prior,
            audio_offset=self._replay_from,
            intro=intro,
        )
        self.writer: AnswerAudioWriter | None = AnswerAudioWriter(path)
        self._wake = asyncio.Event()
        self._pump: asyncio.Task[None] | None = None
        #: Where the VAD heard utterances start and stop (seconds into the answer).
        self._starts: list[float] = []
        self._stops: list[float] = []

    @property
    def resumed(self) -> bool:
        return bool(self.prior_transcript or self.stored.audio_seconds)

    def start(self) -> None:
        """Replay what no final settled, then run the pump."""
        if self.stored.audio_seconds > self._replay_from:
            log.info(
                "replaying %.1f s of unfinalised audio of question %s",
                self.stored.audio_seconds - self._replay_from,
                self.question_id,
            )
            self._emit_stream(self.stream.feed(read_pcm(self.path, self._replay_from)))
        self._pump = asyncio.create_task(self._run_pump(), name=f"pump-{self.question_id}")

    # --- audio --------------------------------------------------------------------------------

    @property
    def buffered_seconds(self) -> float:
        return self.stream.buffered_seconds

    @property
    def audio_seconds(self) -> float:
        return self.stream.audio_duration

    def feed(self, pcm: bytes) -> None:
        assert self.writer is not None
        self.writer.append(pcm)
        self._emit_stream(self.stream.feed(pcm))
        self._wake.set()

    def heard_nothing(self) -> bool:
        return not self.stream.segments and (self.writer is None or self.writer.duration == 0)

    # --- closing ------------------------------------------------------------------------------

    async def close(self) -> ClosedAnswer:
        """Finish the stream, wait (bounded) for its last finals, close the WAV.
        DecodingStalled when the decodes do not finish in time (nothing is lost: a resume
        transcribes what no stored final covers)."""
        self._emit_stream(self.stream.finish())
        self._wake.set()
        await self._drain()
        complete = self.stream.answer_complete()
        return ClosedAnswer(complete, self._close_writer(), self.pauses())

    async def suspend(self) -> None:
        """The socket is gone: finalise and store what was heard, keep the answer open."""
        self._emit_stream(self.stream.finish())
        self._wake.set()
        with contextlib.suppress(asyncio.CancelledError, DecodingStalled):
            await self._drain()
        self._close_writer()

    def abandon(self) -> None:
        """Close an answer that never received audio without recording it (no empty answers)."""
        self.stream.finish()
        self._wake.set()
        if self._pump is not None:
            self._pump.cancel()
        if self.writer is not None:
            self.writer.close()
            self.writer = None
            self.path.unlink(missing_ok=True)

    async def discard(self) -> Path | None:
        """Stop at once, storing nothing more; the open recording's path (for deletion)."""
        if self._pump is not None:
            self._pump.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._pump
        if self.writer is None:
            return None
        self.writer.close()
        self.writer = None
        return self.path

    def cancel_pump(self) -> None:
        if self._pump is not None:
            self._pump.cancel()

    def pauses(self) -> tuple[tuple[float, float], ...]:
        """The silences between utterances: each stop to the next start."""
        out = []
        for stop in self._stops:
            following = next((start for start in self._starts if start >= stop), None)
            if following is not None and following > stop:
                out.append((round(stop, 2), round(following, 2)))
        return tuple(out)

    # --- the pump -----------------------------------------------------------------------------

    async def _drain(self) -> None:
        pump = self._pump
        if pump is None or pump.done():
            return
        try:
            await asyncio.wait_for(asyncio.shield(pump), self.deps.options.drain_timeout_s)
        except TimeoutError:
            log.error(
                "the last decodes of question %s did not finish in %.0f s",
                self.question_id,
                self.deps.options.drain_timeout_s,
            )
            pump.cancel()
            raise DecodingStalled() from None

    async def _run_pump(self) -> None:
        """Feed the stream's decode jobs to the scheduler until the answer is drained."""
        stream = self.stream
        while not stream.is_drained:
            for event in await self.deps.scheduler.step(stream, self._wake):
                if isinstance(event, stream_events.FinalSegment):
                    await self._store_final(event)
                self._emit_stream((event,))

    def _emit_stream(self, events: Sequence[stream_events.Event]) -> None:
        """Send the stream's events, remembering where the VAD heard utterances start and stop."""
        for event in events:
            if isinstance(event, stream_events.SpeechStopped):
                self._stops.append(event.at)
            elif isinstance(event, stream_events.SpeechStarted):
                self._starts.append(event.at)
            self._emit(wire.from_stream_event(event))

    async def _store_final(self, segment: stream_events.FinalSegment) -> None:
        if self._is_closed() or self.writer is None:
            return
        self.writer.flush()
        # How far into the answer's audio this final settles everything: the VAD stop that ended
        # its utterance (silence after it), or its last word when it was cut from a longer one.
        # A resume after a crash transcribes the recording again from there (see __init__).
        covered = min((stop for stop in self._stops if stop >= segment.end - 0.05), default=segment.end)
        append_segment(self.writer.path, segment, covered_to=max(covered, segment.end))
        transcript = " ".join(s.text for s in self.stream.segments) or segment.text
        question_id, audio = self.question_id, self._audio_info()

        async def write(db: AsyncSession) -> None:
            await answers.record_progress(db, question_id, transcript, audio)

        if self.deps.spool is None:
            async with self.deps.db_sessions.begin() as db:
                await write(db)
        elif not await self.deps.spool.write(("progress", question_id), write):
            self._on_database_down()

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
