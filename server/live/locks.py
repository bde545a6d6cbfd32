"""One live connection per interview session, wherever it lands: session leases.

A connection streams into a session only while it holds that session's lease. Two
implementations share one small interface:

- `LocalSessionLocks`: an in-process registry (the embedded default, one server process);
- `RedisSessionLocks`: a Redis key per session, `SET NX PX ttl`, refreshed by a heartbeat every
  third of the TTL and deleted on release (compare-and-delete, so a holder never frees a lease
  it no longer owns). A node killed with `kill -9` stops refreshing: its lease expires after at
  most one TTL and a reconnect on another node takes the session over.

Contract of `acquire(session_id, take_over=False)`: a `Lease`, or None when another connection
holds the session. It waits (bounded) instead of refusing when the holder is going away: a holder
marked `draining` (its socket dropped, it is storing its last finals) is waited for up to
`reconnect_wait_s`; a Redis holder that stops heartbeating (its node died) is waited for until its
key expires. A live holder is recognised by its heartbeat and refused at once (after at most one
heartbeat interval of watching). `LockUnavailable` means Redis cannot be reached: the caller says
"try again" rather than risk two writers.

Take-over (issue 11, finding 5): a connection of the session's owner that asks `take_over=True`
(the interview socket: the newest connection wins, since a dead but open one cannot be told from
a live one before the ping timeout) makes a holder that was itself acquired with `take_over=True`
give way: the holder's `taken_over` event is set (in-process at once; through Redis a claim key
beside the lease, seen by the holder's next heartbeat, within a third of the TTL, and sooner when
the caller also signals the holder's node, see server/live/control.py); the holder closes,
stores what it heard, marks itself draining and releases; the acquirer waits for that, up to
`reconnect_wait_s`. A lease acquired without `take_over` (an upload) is never taken over.

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

#: Lease states: a live connection (may be taken over), one storing its last finals, and a holder
#: that is never taken over (an upload).
LIVE, DRAINING, HELD = "live", "draining", "held"
CLAIM_SUFFIX = ":takeover"


class LockUnavailable(Exception):
    """The lock service (Redis) cannot be reached: exclusivity cannot be checked right now."""


class Lease(Protocol):
    #: Set when the lease was taken over by another holder (only after a Redis restart race).
    lost: asyncio.Event
    #: Set when a newer connection of the session asked to take it over: finish and release.
    taken_over: asyncio.Event

    async def mark_draining(self) -> None:
        """The connection is gone but still storing finals: a reconnect should wait, not be refused."""

    async def release(self) -> None:
        """Give the session back (idempotent)."""


class SessionLocks(Protocol):
    async def acquire(self, session_id: uuid.UUID, *, take_over: bool = False) -> Lease | None: ...

    async def close(self) -> None: ...


class _LocalLease:
    def __init__(self, owner: LocalSessionLocks, session_id: uuid.UUID, *, yields: bool) -> None:
        self._owner = owner
        self._session_id = session_id
        self.yields = yields
        self.lost = asyncio.Event()
        self.taken_over = asyncio.Event()
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

    async def acquire(self, session_id: uuid.UUID, *, take_over: bool = False) -> Lease | None:
        holder = self._held.get(session_id)
        if holder is not None and take_over and holder.yields:
            holder.taken_over.set()
        if holder is not None and (holder.draining or holder.taken_over.is_set()):
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(holder.released.wait(), self._reconnect_wait_s)
        if session_id in self._held:
            return None
        lease = _LocalLease(self, session_id, yields=take_over)
        self._held[session_id] = lease
        return lease

    async def close(self) -> None:
        self._held.clear()


# KEYS[1] lease key, KEYS[2] its take-over claim; ARGV: token, ttl ms, new state. Refreshes our
# own lease (and sets its state); re-claims it if the key vanished (Redis restarted); 0 if someone
# else holds it; 3 (refreshed) when another connection claims a take-over.
_REFRESH = """
local value = redis.call('GET', KEYS[1])
if value == false then
  redis.call('SET', KEYS[1], ARGV[1] .. '|' .. ARGV[3], 'PX', ARGV[2])
  return 2
end
if string.sub(value, 1, string.len(ARGV[1]) + 1) == ARGV[1] .. '|' then
  redis.call('SET', KEYS[1], ARGV[1] .. '|' .. ARGV[3], 'PX', ARGV[2])
  local claim = redis.call('GET', KEYS[2])
  if claim and claim ~= ARGV[1] then
    return 3
  end
  return 1
end
return 0
"""

# KEYS[1] take-over claim; ARGV[1] token. Drop our own claim once we hold the lease.
_DROP_CLAIM = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
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
    def __init__(self, locks: RedisSessionLocks, key: str, token: str, *, yields: bool) -> None:
        self._locks = locks
        self._key = key
        self._token = token
        self.yields = yields
        self._state = LIVE if yields else HELD
        self.lost = asyncio.Event()
        self.taken_over = asyncio.Event()
        self._released = False
        self._heartbeat = asyncio.create_task(self._beat(), name=f"lease-{key}")

    async def _refresh(self) -> int:
        return int(
            await self._locks._refresh(
                keys=[self._key, self._key + CLAIM_SUFFIX], args=[self._token, self._locks.ttl_ms, self._state]
            )
        )

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
                log.info(
                    "session lease %s: Redis reachable again (%s)", self._key, "re-claimed" if outcome == 2 else "kept"
                )
            failing = False
            if outcome == 0:
                log.error("session lease %s: taken over by another holder", self._key)
                self.lost.set()
                return
            if outcome == 3 and self._state == LIVE and not self.taken_over.is_set():
                log.info("session lease %s: a newer connection takes the session over", self._key)
                self.taken_over.set()

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

    def __init__(
        self, redis, *, ttl_s: float = 5.0, reconnect_wait_s: float = 20.0, prefix: str = "interview:lease:"
    ) -> None:
        self._redis = redis
        self.ttl_ms = int(ttl_s * 1000)
        self._reconnect_wait_s = reconnect_wait_s
        self._prefix = prefix
        self._refresh = redis.register_script(_REFRESH)
        self._release = redis.register_script(_RELEASE)
        self._drop_claim = redis.register_script(_DROP_CLAIM)
        self.errors = _redis_errors()
        self.heartbeat_failures = 0

    def key(self, session_id: uuid.UUID) -> str:
        return f"{self._prefix}{session_id}"

    async def acquire(self, session_id: uuid.UUID, *, take_over: bool = False) -> Lease | None:
        key = self.key(session_id)
        token = uuid.uuid4().hex
        started = time.monotonic()
        last_ttl: int | None = None
        interval_s = self.ttl_ms / 3000
        claim = key + CLAIM_SUFFIX
        try:
            while True:
                if await self._redis.set(key, f"{token}|{LIVE if take_over else HELD}", nx=True, px=self.ttl_ms):
                    # Ours, or a stale one of an acquirer that gave up: it must not take this
                    # lease over. (A competitor still waiting claims again within 0.1 s.)
                    await self._redis.delete(claim)
                    return _RedisLease(self, key, token, yields=take_over)
                value, ttl = await asyncio.gather(self._redis.get(key), self._redis.pttl(key))
                if value is None:
                    continue  # released between the two calls: try again at once
                waited = time.monotonic() - started
                state = value.decode().partition("|")[2] if isinstance(value, bytes) else str(value).partition("|")[2]
                if take_over and state == LIVE:
                    # Ask the holder to give way (its heartbeat sees the claim), then wait for it
                    # to drain and release, or for its key to expire if its node is dead.
                    if waited > self._reconnect_wait_s:
                        await self._drop_claim(keys=[claim], args=[token])
                        return None
                    await self._redis.set(claim, token, px=int(self._reconnect_wait_s * 1000) + 1000)
                elif state == DRAINING:
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
