"""Token revocation that holds on every node: refresh-token rotation with reuse detection,
sign-out everywhere, and withdrawn share links.

Nothing here adds to the database (its schema is fixed: no table or column can hold it). The
state is small and expires on its own, so it lives in Redis when REDIS_URL is set (every node
sees it), and otherwise (the embedded default, one node) in an in-process twin that appends every
change to `DATA_DIR/revocations.jsonl` and replays it at start, so a restart forgets nothing:

- `used:<jti>`: a refresh token that has been exchanged, kept until the token would have expired.
  Exchanging it again is *reuse*: someone holds a copy. Its whole family is revoked.
- `family:<fam>`: a revoked family (the chain of refresh tokens that started at one sign-in, and
  the access tokens issued with them), kept for the refresh-token lifetime.
- `user:<id>`: a cut-off time (ms); every token of the user issued before it is refused (log-out,
  password change, account deletion). Kept for the refresh-token lifetime: older tokens have
  expired by then anyway.
- `share:<session id>`: the same cut-off for the session's share (watch) tokens.

Tokens carry `fam` and `iat_ms` claims for these checks (server/auth.py `TokenService`).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from redis.exceptions import RedisError

log = logging.getLogger("server.revocation")


class RevocationUnavailable(Exception):
    """The store (Redis) cannot be reached: a refresh cannot be recorded, so it is refused."""


class RevocationStore(Protocol):
    async def first_use(self, key: str, ttl_s: float) -> bool:
        """Record `key`; True only for the first caller, on any node (atomic)."""

    async def raise_to(self, key: str, value: int, ttl_s: float) -> None:
        """Set `key` to at least `value` (a cut-off only moves forward), expiring after `ttl_s`."""

    async def read(self, keys: list[str]) -> list[int | None]:
        """The values of `keys` (None where unset or expired)."""


class MemoryRevocationStore:
    """The in-process twin: the same contract for a single node."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._values: dict[str, tuple[int, float]] = {}
        self._clock = clock
        self._lock = asyncio.Lock()

    def _live(self, key: str) -> int | None:
        entry = self._values.get(key)
        if entry is None:
            return None
        if entry[1] <= self._clock():
            del self._values[key]
            return None
        return entry[0]

    async def first_use(self, key: str, ttl_s: float) -> bool:
        async with self._lock:
            if self._live(key) is not None:
                return False
            self._values[key] = (1, self._clock() + ttl_s)
            return True

    async def raise_to(self, key: str, value: int, ttl_s: float) -> None:
        async with self._lock:
            current = self._live(key)
            self._values[key] = (max(value, current or value), self._clock() + ttl_s)
        if len(self._values) > 10_000:  # bounded: drop what has expired
            for stale in [k for k in list(self._values) if self._live(k) is None]:
                self._values.pop(stale, None)

    async def read(self, keys: list[str]) -> list[int | None]:
        return [self._live(key) for key in keys]


class FileRevocationStore(MemoryRevocationStore):
    """The in-process twin made durable for the embedded default (one node, no Redis): every
    change is appended to a JSON-lines log (key, value, expiry in Unix seconds) and the log is
    replayed when the process starts. Expiry runs on the wall clock, which a restart keeps (the
    monotonic clock does not). Every value only grows (a first use is 1, a cut-off moves forward),
    so replaying keeps each key's largest value and latest expiry, whatever order lines landed in.
    The log is rewritten with only the live entries at start and when it has grown to several
    times their number. Written without fsync: it survives the process (a restart, kill -9), not
    a power cut."""

    def __init__(self, path: Path, clock: Callable[[], float] = time.time) -> None:
        super().__init__(clock=clock)
        self._path = path
        self._file_lock = asyncio.Lock()
        self._lines = 0
        self._replay()

    def _replay(self) -> None:
        self._path.parent.mkdir(parents=True, exist_ok=True)
        now = self._clock()
        try:
            lines = self._path.read_text().splitlines()
        except FileNotFoundError:
            lines = []
        for line in lines:
            try:
                key, value, expires = json.loads(line)
                value, expires = int(value), float(expires)
            except (ValueError, TypeError):
                log.warning("revocation log %s: unreadable line skipped (a write cut short?)", self._path)
                continue
            if expires > now and isinstance(key, str):
                held = self._values.get(key, (value, expires))
                self._values[key] = (max(value, held[0]), max(expires, held[1]))
        self._rewrite()

    def _rewrite(self) -> None:
        """Replace the log with the live entries (at start, before the event loop runs)."""
        self._write_all(self._live_entries())

    def _live_entries(self) -> list[tuple[str, int, float]]:
        now = self._clock()
        return [(key, value, expires) for key, (value, expires) in self._values.items() if expires > now]

    def _write_all(self, entries: list[tuple[str, int, float]]) -> None:
        """The log as exactly `entries`: written aside, then renamed (never half a log)."""
        aside = self._path.with_name(self._path.name + ".tmp")
        aside.write_text("".join(json.dumps(entry) + "\n" for entry in entries))
        os.replace(aside, self._path)
        self._lines = len(entries)

    def _append(self, entry: tuple[str, int, float]) -> None:
        with self._path.open("a") as log_file:
            log_file.write(json.dumps(entry) + "\n")

    async def _record(self, key: str) -> None:
        """Log the entry of `key` as it now is (file work off the event loop, one at a time)."""
        held = self._values.get(key)
        if held is None:
            return
        async with self._file_lock:
            if self._lines > 4 * len(self._values) + 1000:  # mostly dead lines: compact
                await asyncio.to_thread(self._write_all, self._live_entries())  # a snapshot, taken here
            else:
                await asyncio.to_thread(self._append, (key, *held))
                self._lines += 1

    async def first_use(self, key: str, ttl_s: float) -> bool:
        first = await super().first_use(key, ttl_s)
        if first:
            await self._record(key)
        return first

    async def raise_to(self, key: str, value: int, ttl_s: float) -> None:
        await super().raise_to(key, value, ttl_s)
        await self._record(key)


# KEYS[1]; ARGV: value, ttl ms. A cut-off never moves back (two nodes may race to set one).
_RAISE = """
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
local value = tonumber(ARGV[1])
if value > current then current = value end
redis.call('SET', KEYS[1], current, 'PX', ARGV[2])
return current
"""


class RedisRevocationStore:
    """The store in Redis, shared by every node (keys under `interview:revoked:`)."""

    def __init__(self, redis: Any, prefix: str = "interview:revoked:") -> None:
        self._redis = redis
        self._prefix = prefix
        self._raise = redis.register_script(_RAISE)

    async def first_use(self, key: str, ttl_s: float) -> bool:
        try:
            return bool(await self._redis.set(self._prefix + key, 1, nx=True, px=max(1, int(ttl_s * 1000))))
        except RedisError as error:
            raise RevocationUnavailable(f"Redis unreachable ({type(error).__name__})") from error

    async def raise_to(self, key: str, value: int, ttl_s: float) -> None:
        try:
            await self._raise(keys=[self._prefix + key], args=[value, max(1, int(ttl_s * 1000))])
        except RedisError as error:
            raise RevocationUnavailable(f"Redis unreachable ({type(error).__name__})") from error

    async def read(self, keys: list[str]) -> list[int | None]:
        try:
            values = await self._redis.mget([self._prefix + key for key in keys])
        except RedisError as error:
            raise RevocationUnavailable(f"Redis unreachable ({type(error).__name__})") from error
        return [None if value is None else int(value) for value in values]


def now_ms() -> int:
    return time.time_ns() // 1_000_000
