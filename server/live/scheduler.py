"""Shares one transcriber between every live stream, off the event loop, finals first.

The model runs in a small thread pool (`workers` slots; CTranslate2 releases the GIL). Final
decodes wait for a slot in arrival order and always run: they are the transcript. Partial decodes
never wait: `try_partial_slot` hands one out only when a slot is free *and* no final is waiting,
otherwise the caller drops that partial and asks again with newer audio later. Under load the
partial cadence therefore falls by itself instead of building a queue (and latency) behind
finals, which is the failure mode of servers whose lag grows with every extra client.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from streaming.transcriber import Transcriber


#: Upper bounds (seconds) of the decode-latency histogram buckets.
LATENCY_BUCKETS = (0.05, 0.1, 0.2, 0.35, 0.5, 1.0, 2.0, 5.0)


@dataclass
class SchedulerStats:
    """Cumulative counters for /metrics and the benchmark."""

    finals: int = 0
    partials: int = 0
    partials_skipped: int = 0
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


class DecodeScheduler:
    def __init__(self, transcriber: Transcriber, workers: int = 1) -> None:
        self._transcriber = transcriber
        self._workers = workers
        self._busy = 0
        self._waiting_finals: deque[asyncio.Future[None]] = deque()
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="decode")
        self._released = asyncio.Event()
        self.stats = SchedulerStats()

    @property
    def queue_depth(self) -> int:
        return len(self._waiting_finals)

    @property
    def busy(self) -> int:
        return self._busy

    def try_partial_slot(self) -> bool:
        """Take a slot for a partial decode if one is free and no final waits; never blocks."""
        if self._busy < self._workers and not self._waiting_finals:
            self._busy += 1
            return True
        self.stats.partials_skipped += 1
        return False

    async def final_slot(self) -> None:
        """Wait (FIFO) for a slot for a final decode."""
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

    def release(self) -> None:
        while self._waiting_finals:
            waiter = self._waiting_finals.popleft()
            if not waiter.done():
                waiter.set_result(None)  # hand the slot straight to the oldest final
                return
        self._busy -= 1
        self._released.set()
        self._released = asyncio.Event()

    async def slot_released(self) -> None:
        """Wait until some decode finishes (to retry a skipped partial)."""
        await self._released.wait()

    async def run(self, audio: Any, *, prompt: str | None, hotwords: str | None, final: bool) -> Any:
        """Transcribe in the pool; the caller must hold a slot (and release it afterwards)."""
        loop = asyncio.get_running_loop()
        started = time.perf_counter()
        result = await loop.run_in_executor(
            self._executor, lambda: self._transcriber.transcribe(audio, prompt=prompt, hotwords=hotwords)
        )
        self.stats.observe(time.perf_counter() - started, len(audio) / 16000)
        if final:
            self.stats.finals += 1
        else:
            self.stats.partials += 1
        return result

    def shutdown(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=False)
