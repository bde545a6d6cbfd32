"""Database operations of a live interview that wait out a database outage.

The candidate is told once per outage (a non-fatal `database_unavailable`); the socket stays
open; spooled writes of this node go first, so an answer is never closed before its own last
progress (server/live/spool.py).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from server.dbhealth import database_unavailable
from server.live.spool import WriteSpool

log = logging.getLogger("server.live")


class _StillSpooled(Exception):
    """Earlier writes are still waiting for the database: later ones must wait their turn."""


class OutageRetry:
    def __init__(self, spool: WriteSpool | None, tell: Callable[[str, str], None]) -> None:
        self._spool = spool
        self._tell = tell
        self._told = False

    def database_down(self) -> None:
        """Tell the candidate once per outage that nothing is lost (it is on the shared storage)."""
        if not self._told:
            self._told = True
            self._tell(
                "database_unavailable",
                "the database is unavailable: your answer is kept and will be saved as soon as it is back",
            )

    async def run(self, operation: Callable[[], Awaitable[Any]]) -> Any:
        """`operation()`, retried with capped back-off (0.5 s doubling to 5 s) while the
        database is unreachable; any other error goes to the caller."""
        delay = 0.5
        while True:
            try:
                spool = self._spool
                if spool is not None and spool.pending and not await spool.flush(delay):
                    raise _StillSpooled()
                result = await operation()
                self._told = False
                return result
            except Exception as error:
                if not isinstance(error, _StillSpooled) and not database_unavailable(error):
                    raise
                log.warning("database unavailable (%s): retrying in %.1f s", type(error).__name__, delay)
                self.database_down()
                await asyncio.sleep(delay)
                delay = min(5.0, delay * 2)
