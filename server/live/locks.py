"""One live connection per interview session, wherever it lands: session leases.

A connection streams into a session only while it holds that session's lease. Two
implementations share one small interface:

- `LocalSessionLocks`: an in-process registry (the embedded default, one server process);
- `RedisSessionLocks`: a Redis key per session, `SET NX PX ttl`, refreshed by a heartbeat every
  third of the TTL and deleted on release (compare-and-delete, so a holder never frees a lease
  it no longer owns). A node killed with `kill -9` stops refreshing: its lease expires after at
  most one TTL and a reconnect on another node takes the session over.

Contract of `acquire(session_id)`: a `Lease`, or None when another connection holds the session.
It waits (bounded) instead of refusing when the holder is going away: a holder marked
`draining` (its socket dropped, it is storing its last finals) is waited for up to
`reconnect_wait_s`; a Redis holder that stops heartbeating (its node died) is waited for until its
key expires. A live holder is recognised by its heartbeat and refused at once (after at most one
heartbeat interval of watching). `LockUnavailable` means Redis cannot be reached: the caller says
"try again" rather than risk two writers.

A Redis restart loses the keys (no persistence is assumed): the heartbeat of a lease whose key has
vanished claims it again, so interviews in progress keep their leases; a lease whose key now
belongs to someone else is `lost`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from typing import Protocol

log = logging.getLogger("server.live.locks")

LIVE, DRAINING = "live", "draining"


class LockUnavailable(Exception):
    """The lock service (Redis) cannot be reached: exclusivity cannot be checked right now."""


class Lease(Protocol):
    #: Set when the lease was taken over by another holder (only after a Redis restart race).
    lost: asyncio.Event

    async def mark_draining(self) -> None:
        """The connection is gone but still storing finals: a reconnect should wait, not be refused."""

    async def release(self) -> None:
        """Give the session back (idempotent)."""


class SessionLocks(Protocol):
    async def acquire(self, session_id: uuid.UUID) -> Lease | None: ...

    async def close(self) -> None: ...


class _LocalLease:
    def __init__(self, owner: LocalSessionLocks, session_id: uuid.UUID) -> None:
        self._owner = owner
        self._session_id = session_id
        self.lost = asyncio.Event()
        self.draining = False
        self.released = asyncio.Event()

    async def mark_draining(self) -> None:
        self.draining = True

    async def release(self) -> None:
        if self._owner._held.get(self._session_id) is self:
            del self._owner._held[self._session_id]
        self.released.set()


class LocalSessionLocks:
    """Leases in this process only (no Redis): enough when one process serves everything."""

    def __init__(self, reconnect_wait_s: float = 20.0) -> None:
        self._held: dict[uuid.UUID, _LocalLease] = {}
        self._reconnect_wait_s = reconnect_wait_s

    async def acquire(self, session_id: uuid.UUID) -> Lease | None:
        holder = self._held.get(session_id)
        if holder is not None and holder.draining:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(holder.released.wait(), self._reconnect_wait_s)
        if session_id in self._held:
            return None
        lease = _LocalLease(self, session_id)
        self._held[session_id] = lease
        return lease

    async def close(self) -> None:
        self._held.clear()


# KEYS[1] lease key; ARGV: token, ttl ms, new state. Refreshes our own lease (and sets its
# state); re-claims it if the key vanished (Redis restarted); 0 if someone else holds it.
_REFRESH = """
local value = redis.call('GET', KEYS[1])
if value == false then
  redis.call('SET', KEYS[1], ARGV[1] .. '|' .. ARGV[3], 'PX', ARGV[2])
  return 2
end
if string.sub(value, 1, string.len(ARGV[1]) + 1) == ARGV[1] .. '|' then
  redis.call('SET', KEYS[1], ARGV[1] .. '|' .. ARGV[3], 'PX', ARGV[2])
  return 1
end
return 0
"""

# KEYS[1] lease key; ARGV[1] token. Delete only our own lease.
_RELEASE = """
local value = redis.call('GET', KEYS[1])
if value and string.sub(value, 1, string.len(ARGV[1]) + 1) == ARGV[1] .. '|' then
  return redis.call('DEL', KEYS[1])
end
return 0
"""

#: Redis errors that mean "not reachable right now" (redis-py's ConnectionError and TimeoutError
#: derive from RedisError; OSError covers refused sockets raised before redis-py wraps them).
def _redis_errors() -> tuple[type[BaseException], ...]:
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError

    return (RedisConnectionError, RedisTimeoutError, OSError, TimeoutError)


class _RedisLease:
    def __init__(self, locks: RedisSessionLocks, key: str, token: str) -> None:
        self._locks = locks
        self._key = key
        self._token = token
        self._state = LIVE
        self.lost = asyncio.Event()
        self._released = False
        self._heartbeat = asyncio.create_task(self._beat(), name=f"lease-{key}")

    async def _refresh(self) -> int:
        return int(await self._locks._refresh(keys=[self._key], args=[self._token, self._locks.ttl_ms, self._state]))

    async def _beat(self) -> None:
        failing = False
        while True:
            await asyncio.sleep(self._locks.ttl_ms / 3000)
            try:
                outcome = await self._refresh()
            except self._locks.errors as error:
                self._locks.heartbeat_failures += 1
                if not failing:  # once per outage, not every beat
                    log.warning("session lease %s: Redis unreachable (%s); keeping the lease locally", self._key, error)
                failing = True
                continue
            if failing or outcome == 2:
                log.info("session lease %s: Redis reachable again (%s)", self._key, "re-claimed" if outcome == 2 else "kept")
            failing = False
            if outcome == 0:
                log.error("session lease %s: taken over by another holder", self._key)
                self.lost.set()
                return

    async def mark_draining(self) -> None:
        self._state = DRAINING
        with contextlib.suppress(*self._locks.errors):
            await self._refresh()

    async def release(self) -> None:
        if self._released:
            return
        self._released = True
        self._heartbeat.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._heartbeat
        try:
            await self._locks._release(keys=[self._key], args=[self._token])
        except self._locks.errors as error:
            # It expires by itself within one TTL.
            log.warning("session lease %s: could not release (%s); it will expire", self._key, error)


class RedisSessionLocks:
    """Leases in Redis, shared by every node (see the module docstring for the rules)."""

    def __init__(self, redis, *, ttl_s: float = 5.0, reconnect_wait_s: float = 20.0, prefix: str = "interview:lease:") -> None:
        self._redis = redis
        self.ttl_ms = int(ttl_s * 1000)
        self._reconnect_wait_s = reconnect_wait_s
        self._prefix = prefix
        self._refresh = redis.register_script(_REFRESH)
        self._release = redis.register_script(_RELEASE)
        self.errors = _redis_errors()
        self.heartbeat_failures = 0

    def key(self, session_id: uuid.UUID) -> str:
        return f"{self._prefix}{session_id}"

    async def acquire(self, session_id: uuid.UUID) -> Lease | None:
        key = self.key(session_id)
        token = uuid.uuid4().hex
        started = time.monotonic()
        last_ttl: int | None = None
        interval_s = self.ttl_ms / 3000
        try:
            while True:
                if await self._redis.set(key, f"{token}|{LIVE}", nx=True, px=self.ttl_ms):
                    return _RedisLease(self, key, token)
                value, ttl = await asyncio.gather(self._redis.get(key), self._redis.pttl(key))
                if value is None:
                    continue  # released between the two calls: try again at once
                waited = time.monotonic() - started
                state = value.decode().partition("|")[2] if isinstance(value, bytes) else str(value).partition("|")[2]
                if state == DRAINING:
                    if waited > self._reconnect_wait_s:
                        return None
                elif last_ttl is not None and ttl > last_ttl + 50:
                    return None  # the holder refreshed its lease: it is alive
                elif waited > interval_s * 1.5 and ttl > self.ttl_ms - interval_s * 1000 * 0.5:
                    return None  # a fresh-looking lease after a full heartbeat of watching: alive
                elif waited > self.ttl_ms / 1000 + 1.0:
                    return None  # should have expired by now: someone keeps it
                last_ttl = ttl
                await asyncio.sleep(0.1)
        except self.errors as error:
            raise LockUnavailable(f"the session lock service is unreachable: {error}") from error

    async def close(self) -> None:
        """The Redis client is owned by the app; nothing of ours to close."""
