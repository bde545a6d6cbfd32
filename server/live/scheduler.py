"""Shares one transcriber between every live stream, off the event loop: finals first, and the
partials shared out fairly.

The model runs in a small thread pool (`workers` slots; CTranslate2 releases the GIL).

* Finals, and closing decodes (an utterance decoded during its end-of-utterance silence, which
  will most likely be its final: streaming/stream.py), wait for a slot in arrival order and
  always run: they are the transcript, and their latency is what the candidate sees.
* A partial runs only when no final or closing waits. When no slot is free the stream joins a
  queue of streams that want a partial, ordered by how long they have been waiting; a freed slot
  goes to the longest-waiting one. A stream waits with its place kept while its audio grows, and
  takes the audio it has *when its turn comes*, so no decode ever runs on stale audio and nothing
  builds up behind the finals. It keeps its place when its utterance ends before the turn came
  (its next utterance's partial is not sent to the back); only a partial turn does that.
  Under load every stream's partial cadence stretches to the same round (one turn per stream)
  instead of the quickest pumps taking every free slot and starving the others, which is how a
  first partial could wait 15 s at 8 streams.
* A stream has at most one decode in flight (its pump runs one `step` at a time).
* Recordings (uploads, `run_due`) come last: each of their decodes waits in a queue of its own
  (FIFO) that gets a slot only when no live final waits and no live stream waits for a partial.
  An upload is a whole answer decoded at once and nobody watches it word by word, while a live
  final is what a candidate is waiting for. So that a busy server still finishes an upload, a
  waiting upload decode lets at most `upload_patience` partial turns go before it (finals
  always go first).

This is the one async driver of `AnswerStream`: which decodes are due (and whether a partial is
wanted at all) is the stream's own policy (`StreamingOptions`); the scheduler only decides when
each runs. `step` serves a live stream (the interview's pump calls it in a loop); `run_due` a
recording fed as fast as it decodes (uploads: `server/live/recording.py`), whose every job is
needed, so none is skipped, but each waits in the uploads' queue. `streaming.offline.run_due_jobs`
is the synchronous twin for the offline tools.
"""

from __future__ import annotations

import asyncio
import time
import weakref
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from streaming.events import Event
from streaming.stream import AnswerStream, DecodeJob
from streaming.transcriber import Transcriber

#: Upper bounds (seconds) of the decode-latency histogram buckets.
LATENCY_BUCKETS = (0.05, 0.1, 0.2, 0.35, 0.5, 1.0, 2.0, 5.0)


@dataclass
class SchedulerStats:
    """Cumulative counters for /metrics and the benchmark.

    `finals` counts every decode ranked as a final (closing decodes included); `partials_skipped`
    counts partial *updates* that were due but never decoded (AnswerStream.pop_partials_skipped),
    not attempts to get a slot.
    """

    finals: int = 0
    partials: int = 0
    uploads: int = 0  # decodes of recordings (run_due); also counted in finals or partials
    partials_skipped: int = 0
    finals_reused: int = 0  # finals delivered from a closing decode, without decoding again
    decode_seconds_total: float = 0.0
    audio_seconds_total: float = 0.0
    latency_buckets: list[int] = field(default_factory=lambda: [0] * len(LATENCY_BUCKETS))

    def observe(self, decode_seconds: float, audio_seconds: float) -> None:
        self.decode_seconds_total += decode_seconds
        self.audio_seconds_total += audio_seconds
        for index, bound in enumerate(LATENCY_BUCKETS):
            if decode_seconds <= bound:
                self.latency_buckets[index] += 1

    @property
    def decodes(self) -> int:
        return self.finals + self.partials

    def real_time_factor(self) -> float | None:
        """Decode time per second of audio decoded (re-decodes of a growing utterance count again)."""
        return self.decode_seconds_total / self.audio_seconds_total if self.audio_seconds_total else None


@dataclass(eq=False)
class _UploadWaiter:
    future: asyncio.Future[None]
    passed: int = 0  # partial turns handed out while it waited


class DecodeScheduler:
    """`workers` decodes at once; ranks live finals, then live partials, then recordings (see
    the module docstring). `upload_patience`: partial turns a waiting upload decode lets go
    before it (at least 1)."""

    def __init__(self, transcriber: Transcriber, workers: int = 1, *, upload_patience: int = 4) -> None:
        if upload_patience < 1:
            raise ValueError("upload_patience must be at least 1")
        self._transcriber = transcriber
        self._workers = workers
        self._upload_patience = upload_patience
        self._busy = 0
        self._waiting_finals: deque[asyncio.Future[None]] = deque()
        self._waiting_uploads: deque[_UploadWaiter] = deque()
        # Streams waiting for a partial turn, oldest first. The value is the future a waiting
        # pump awaits (None while it is looking at new audio: it keeps its place, but a slot is
        # only ever handed to a pump that is waiting for it). Weak keys: an abandoned stream
        # never holds a place.
        self._partial_queue: weakref.WeakKeyDictionary[AnswerStream, asyncio.Future[None] | None] = (
            weakref.WeakKeyDictionary()
        )
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="decode")
        self.stats = SchedulerStats()

    @property
    def queue_depth(self) -> int:
        """Finals (and closing decodes) waiting for a slot."""
        return len(self._waiting_finals)

    @property
    def uploads_waiting(self) -> int:
        """Decodes of recordings (uploads) waiting for a slot."""
        return len(self._waiting_uploads)

    @property
    def partials_waiting(self) -> int:
        """Streams waiting for a partial turn."""
        return len(self._partial_queue)

    @property
    def busy(self) -> int:
        return self._busy

    # --- the per-stream policy ------------------------------------------------------------------

    async def step(self, stream: AnswerStream, wake: asyncio.Event) -> list[Event]:
        """Run `stream`'s next due decode once its turn comes and return the transcript events it
        produced; return [] at once if the stream is drained, or after `wake` (set whenever the
        stream got audio or was finished) when nothing could run yet. Call it in a loop until
        `stream.is_drained`; at most one call per stream at a time."""
        try:
            wake.clear()  # whatever arrives from here on wakes us again: nothing is missed
            job = stream.next_job()
            if job is not None and job.known is not None:
                return self._reuse(stream, job)
            if job is None:
                if stream.is_drained:
                    self._leave_partial_queue(stream)
                else:
                    await wake.wait()
                return []
            if job.kind == "partial":
                if not self._take_partial_turn(stream):
                    stream.discard(job)
                    if not await self._await_partial_turn(stream, wake):
                        return []  # new audio: look again (keeping the place in the queue)
                    # The turn came: decode the audio as it is now, whatever is due now.
                    job = stream.next_job()
                    if job is None or job.known is not None:
                        self.release()
                        return [] if job is None else self._reuse(stream, job)
            else:
                await self.final_slot()  # a place in the partial queue is kept meanwhile
            try:
                result = await self.run(
                    job.audio, prompt=job.prompt, hotwords=job.hotwords, final=job.kind != "partial"
                )
            finally:
                self.release()
            return stream.complete(job, result)
        except BaseException:
            self._leave_partial_queue(stream)
            raise
        finally:
            self.stats.partials_skipped += stream.pop_partials_skipped()

    async def run_due(self, stream: AnswerStream) -> list[Event]:
        """Run every decode `stream` (a recording: an upload) has due now, each after waiting
        for a slot in the uploads' queue, behind the live streams (see the module docstring),
        so a recording takes turns with live streams instead of holding the model."""
        events: list[Event] = []
        try:
            while (job := stream.next_job()) is not None:
                if job.known is not None:
                    events.extend(self._reuse(stream, job))
                    continue
                await self.upload_slot()
                try:
                    result = await self.run(
                        job.audio, prompt=job.prompt, hotwords=job.hotwords, final=job.kind != "partial"
                    )
                finally:
                    self.release()
                self.stats.uploads += 1
                events.extend(stream.complete(job, result))
        finally:
            self.stats.partials_skipped += stream.pop_partials_skipped()
        return events

    def _reuse(self, stream: AnswerStream, job: DecodeJob) -> list[Event]:
        self.stats.finals_reused += 1
        assert job.known is not None
        return stream.complete(job, job.known)

    # --- slots ----------------------------------------------------------------------------------

    def _slot_free(self) -> bool:
        return self._busy < self._workers and not self._waiting_finals and not self._upload_due()

    def _upload_due(self) -> bool:
        """The oldest waiting upload decode has let enough partial turns go: it is next."""
        return bool(self._waiting_uploads) and self._waiting_uploads[0].passed >= self._upload_patience

    def _partials_wanted(self) -> bool:
        return any(waiter is not None and not waiter.done() for waiter in self._partial_queue.values())

    def _take_partial_turn(self, stream: AnswerStream) -> bool:
        """A slot for `stream`'s partial now, if one is free, no final waits and no stream that
        is waiting for a partial has waited longer."""
        if not self._slot_free():
            if self._busy < self._workers and not self._waiting_finals and self._upload_due():
                self._busy += 1  # an upload decode has let enough turns go: the free slot is its
                if not self._hand_to_upload():
                    self._busy -= 1
            return False
        for other, waiter in self._partial_queue.items():
            if other is stream:
                break
            if waiter is not None and not waiter.done():
                return False  # someone older is waiting for this slot
        self._busy += 1
        self._partial_queue.pop(stream, None)
        self._count_partial_turn()
        return True

    def _count_partial_turn(self) -> None:
        for upload in self._waiting_uploads:
            upload.passed += 1

    async def _await_partial_turn(self, stream: AnswerStream, wake: asyncio.Event) -> bool:
        """Wait for a slot handed over by `release` (True: the slot is ours) or for `wake`
        (False: the place in the queue is kept)."""
        waiter = asyncio.get_running_loop().create_future()
        self._partial_queue[stream] = waiter  # a new stream joins at the back; others keep their place
        woken = asyncio.ensure_future(wake.wait())
        try:
            await asyncio.wait((waiter, woken), return_when=asyncio.FIRST_COMPLETED)
        finally:
            woken.cancel()
        if waiter.done():
            self._partial_queue.pop(stream, None)
            return True
        waiter.cancel()
        if stream in self._partial_queue:
            self._partial_queue[stream] = None
        return False

    def _leave_partial_queue(self, stream: AnswerStream) -> None:
        waiter = self._partial_queue.pop(stream, None)
        if waiter is not None and waiter.done() and not waiter.cancelled():
            self.release()  # a slot was handed to us that we will not use

    async def final_slot(self) -> None:
        """Wait (FIFO) for a slot for a final decode; finals go before every partial."""
        if self._busy < self._workers and not self._waiting_finals:
            self._busy += 1
            return
        waiter = asyncio.get_running_loop().create_future()
        self._waiting_finals.append(waiter)
        try:
            await waiter  # the slot is handed over by release()
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self.release()  # we were handed a slot but will not use it
            else:
                self._waiting_finals.remove(waiter)
            raise

    async def upload_slot(self) -> None:
        """Wait for a slot for a recording's decode: after every waiting live final, and after
        the live streams waiting for a partial (at most `upload_patience` of their turns)."""
        free = self._busy < self._workers and not self._waiting_finals and not self._waiting_uploads
        if free and not self._partials_wanted():
            self._busy += 1
            return
        upload = _UploadWaiter(asyncio.get_running_loop().create_future())
        self._waiting_uploads.append(upload)
        try:
            await upload.future  # the slot is handed over by release()
        except asyncio.CancelledError:
            if upload.future.done() and not upload.future.cancelled():
                self.release()
            else:
                self._waiting_uploads.remove(upload)
            raise

    def release(self) -> None:
        """Give a slot back: to the oldest waiting final, else to the oldest upload decode that
        has waited `upload_patience` partial turns, else to the stream that has waited longest
        for a partial, else to the oldest upload decode, else free it."""
        while self._waiting_finals:
            waiter = self._waiting_finals.popleft()
            if not waiter.done():
                waiter.set_result(None)  # hand the slot straight to the oldest final
                return
        if self._upload_due() and self._hand_to_upload():
            return
        for waiter in self._partial_queue.values():
            if waiter is not None and not waiter.done():
                waiter.set_result(None)  # the slot now belongs to that pump
                self._count_partial_turn()
                return
        if self._hand_to_upload():
            return
        self._busy -= 1

    def _hand_to_upload(self) -> bool:
        while self._waiting_uploads:
            upload = self._waiting_uploads.popleft()
            if not upload.future.done():
                upload.future.set_result(None)
                return True
        return False

    async def run(self, audio: Any, *, prompt: str | None, hotwords: str | None, final: bool) -> Any:
        """Transcribe in the pool; the caller must hold a slot (and release it afterwards)."""
        loop = asyncio.get_running_loop()
        started = time.perf_counter()
        result = await loop.run_in_executor(
            self._executor,
            lambda: self._transcriber.transcribe(audio, prompt=prompt, hotwords=hotwords, partial=not final),
        )
        self.stats.observe(time.perf_counter() - started, len(audio) / 16000)
        if final:
            self.stats.finals += 1
        else:
            self.stats.partials += 1
        return result

    def shutdown(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=False)
