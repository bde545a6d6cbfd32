"""Database writes of live answers that survive a database outage.

Every final segment is appended to the answer's sidecar on the (shared) audio storage before it
is sent, then written to the database. When the database is unavailable that second write is
kept here instead of failing the stream: one pending write per key (an answer's progress is
idempotent, so the latest supersedes older ones), retried in the background with capped
exponential back-off until the database is back. `/metrics` shows how many are waiting.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Hashable

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.dbhealth import database_unavailable

log = logging.getLogger("server.live.spool")

Write = Callable[[AsyncSession], Awaitable[None]]


class WriteSpool:
    def __init__(
        self,
        db_sessions: async_sessionmaker[AsyncSession],
        *,
        attempt_timeout_s: float = 5.0,
        first_retry_s: float = 0.2,
        max_retry_s: float = 5.0,
    ) -> None:
        self._db_sessions = db_sessions
        self._timeout = attempt_timeout_s
        self._first_retry = first_retry_s
        self._max_retry = max_retry_s
        self._pending: dict[Hashable, Write] = {}
        self._wake = asyncio.Event()
        self._empty = asyncio.Event()
        self._empty.set()
        self._task: asyncio.Task[None] | None = None
        self.spooled_total = 0
        self.retries_total = 0

    @property
    def pending(self) -> int:
        return len(self._pending)

    async def write(self, key: Hashable, write: Write) -> bool:
        """Run `write` in one transaction now; if the database is unavailable, keep it (replacing
        an older write with the same key) for the background retrier. True if written now.
        While writes are waiting, new ones queue behind them without a doomed attempt each."""
        if not self._pending:
            try:
                await self._attempt(write)
                return True
            except Exception as error:
                if not database_unavailable(error):
                    raise
                log.warning("database unavailable (%s): spooling writes until it is back", type(error).__name__)
        self._pending.pop(key, None)
        self._pending[key] = write
        self.spooled_total += 1
        self._empty.clear()
        self._wake.set()
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._retry_forever(), name="write-spool")
        return False

    async def _attempt(self, write: Write) -> None:
        async with asyncio.timeout(self._timeout):
            async with self._db_sessions.begin() as db:
                await write(db)

    async def _retry_forever(self) -> None:
        delay = self._first_retry
        while True:
            await self._wake.wait()
            while self._pending:
                key, write = next(iter(self._pending.items()))
                try:
                    await self._attempt(write)
                except Exception as error:
                    if database_unavailable(error):
                        self.retries_total += 1
                        await asyncio.sleep(delay)
                        delay = min(self._max_retry, delay * 2)
                        continue
                    log.exception("a spooled write (%s) failed for good and is dropped", key)
                if self._pending.get(key) is write:
                    del self._pending[key]
                delay = self._first_retry
            log.info("database writes caught up")
            self._wake.clear()
            self._empty.set()

    async def flush(self, timeout: float) -> bool:
        """Wait (bounded) until nothing is pending; True if everything was written."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._empty.wait(), timeout)
        return not self._pending

    async def close(self, timeout: float = 5.0) -> None:
        if not await self.flush(timeout):
            # Not lost: every final is also in its answer's sidecar, which a resume reads.
            log.error(
                "%d database writes still pending at shutdown (kept in the answers' sidecars)", len(self._pending)
            )
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
