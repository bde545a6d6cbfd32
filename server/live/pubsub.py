"""Live events across nodes: a Litestar channels backend on Redis pub/sub that survives Redis
restarts, and the choice between it and the in-process memory backend.

Litestar's own `RedisChannelsPubSubBackend` ends its event stream on the first connection error,
and ChannelsPlugin's publish and subscribe workers die with it (events then pile up in the
plugin's unbounded publish queue). This backend keeps the same contract (channels in, `(channel,
payload)` out) but never lets a Redis error escape:

- `publish` drops the event while Redis is unreachable (live events are a view of what is stored
  in the database, not the record) and counts it; after a failure it does not try again for
  `retry_after_s`, so an outage cannot stall the publish worker on connection attempts.
- `stream_events` reconnects with capped exponential back-off, subscribes again to every channel
  still wanted, and then yields `RESYNC` once per channel: watchers re-read the session from
  the database (a fresh snapshot), so what they missed during the outage is not lost to them.

redis-py's asyncio `PubSub` is not safe for concurrent use: two first subscribes each open a
connection (one channel then sits on a connection nobody reads, and leaks), and a subscribe
that reconnects a dropped connection while the reader (or redis-py's own retry inside the
read) reconnects it too reads one socket from two tasks (`RuntimeError: readuntil() called
while another coroutine is already waiting`, raised into a watcher's handler). So one lock
guards every use of the pub/sub object (each read, subscribe, unsubscribe, reconnect, close),
and subscriptions are reconciled rather than replayed: subscribers change the set of channels
wanted, and whoever holds the lock makes the connection's set (`_subscribed`) equal to it, so
the end state is what is wanted whatever the order in which concurrent calls ran. The reader
holds the lock for at most `READ_SLICE_S` at a time, which bounds how long a subscribe waits
(tests/server/test_pubsub_races.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncGenerator, Iterable
from typing import Any

from litestar.channels import ChannelsPlugin
from litestar.channels.backends.base import ChannelsBackend
from litestar.channels.backends.memory import MemoryChannelsBackend

log = logging.getLogger("server.live.pubsub")

#: Payload delivered to a channel's subscribers after a reconnect: "you may have missed events".
RESYNC = b"\x00resync"

#: The reader's longest wait for a message while it holds the connection's lock: a subscribe
#: waits at most this long for its turn; an idle node wakes this often (cheap: no traffic).
READ_SLICE_S = 0.1


def redis_errors() -> tuple[type[BaseException], ...]:
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError

    return (RedisConnectionError, RedisTimeoutError, OSError, TimeoutError)


class ResilientRedisChannelsBackend(ChannelsBackend):
    def __init__(self, redis: Any, *, retry_after_s: float = 1.0, max_backoff_s: float = 5.0) -> None:
        self._redis = redis
        self._errors = redis_errors()
        self._retry_after_s = retry_after_s
        self._max_backoff_s = max_backoff_s
        self._wanted: set[str] = set()  # what the subscribers ask for
        self._subscribed: set[str] = set()  # what the pub/sub connection was told (under _lock)
        self._lock = asyncio.Lock()  # one task at a time uses self._pubsub (see the module's doc)
        self._has_channels = asyncio.Event()
        self._pubsub: Any = None
        self._down_until = 0.0
        self._closed = False
        self.connected = True
        self.publish_failures = 0
        self.reconnects = 0

    async def on_startup(self) -> None:
        self._pubsub = self._redis.pubsub()

    async def on_shutdown(self) -> None:
        # A subscriber ending after the plugin stopped (the node's control listener stops after
        # the lifespans) must not open a new connection just to unsubscribe.
        self._closed = True
        async with self._lock:
            if self._pubsub is not None:
                with contextlib.suppress(Exception):
                    await self._pubsub.aclose()

    async def publish(self, data: bytes, channels: Iterable[str]) -> None:
        if time.monotonic() < self._down_until:
            self.publish_failures += 1
            return
        try:
            for channel in set(channels):
                await self._redis.publish(channel, data)
        except self._errors as error:
            self.publish_failures += 1
            self._down_until = time.monotonic() + self._retry_after_s
            if self.connected:
                log.warning("Redis publish failed (%s): live events are dropped until it is back", error)
            self.connected = False

    async def subscribe(self, channels: Iterable[str]) -> None:
        """Returns once the SUBSCRIBE is sent, or failed (then the reader's reconnect sends it)."""
        self._wanted |= set(channels)
        await self._reconcile()
        # Only now: reading before the first subscribe is done fails ("connection not set") and
        # would replace the pub/sub connection while it is being opened.
        self._has_channels.set()

    async def unsubscribe(self, channels: Iterable[str]) -> None:
        self._wanted -= set(channels)
        if not self._wanted:
            self._has_channels.clear()
        if not self._closed:
            await self._reconcile()

    async def _reconcile(self) -> None:
        async with self._lock:
            with contextlib.suppress(*self._errors, RuntimeError):  # the reader retries, or reconnects
                await self._reconcile_locked()

    async def _reconcile_locked(self) -> None:
        """Subscribe the connection to the channels wanted and only those (the caller holds the lock)."""
        if self._closed:
            return
        added, removed = self._wanted - self._subscribed, self._subscribed - self._wanted
        if added:
            await self._pubsub.subscribe(*sorted(added))
            self._subscribed |= added
        if removed:
            await self._pubsub.unsubscribe(*sorted(removed))
            self._subscribed -= removed

    async def stream_events(self) -> AsyncGenerator[tuple[str, bytes], None]:
        backoff = 0.1
        while True:
            await self._has_channels.wait()
            try:
                async with self._lock:
                    if self._wanted != self._subscribed:  # a subscribe whose command failed
                        await self._reconcile_locked()
                    message = await self._pubsub.get_message(ignore_subscribe_messages=True, timeout=READ_SLICE_S)
            except (*self._errors, RuntimeError) as error:  # RuntimeError: never connected yet
                if self.connected:
                    log.warning("Redis subscription lost (%s): reconnecting", error)
                self.connected = False
                await asyncio.sleep(backoff)
                backoff = min(self._max_backoff_s, backoff * 2)
                if await self._reconnect():
                    backoff = 0.1
                    for channel in sorted(self._wanted):
                        yield channel, RESYNC
                continue
            if not self.connected:
                self.connected = True
                self._down_until = 0.0
            if message is None or message.get("type") != "message":
                continue
            channel = message["channel"]
            channel = channel.decode() if isinstance(channel, bytes) else channel
            if channel in self._wanted:  # an unsubscribe is acknowledged later than it is asked
                yield channel, message["data"]

    async def _reconnect(self) -> bool:
        """A fresh pub/sub connection subscribed to every wanted channel; False if Redis is still away."""
        async with self._lock:
            old, self._pubsub = self._pubsub, self._redis.pubsub()
            self._subscribed = set()
            with contextlib.suppress(Exception):
                await old.aclose()
            try:
                await self._redis.ping()
                await self._reconcile_locked()
            except (*self._errors, RuntimeError):
                return False
        self.connected = True
        self._down_until = 0.0
        self.reconnects += 1
        log.info("Redis subscription restored (%d channels)", len(self._wanted))
        return True

    async def get_history(self, channel: str, limit: int | None = None) -> list[bytes]:
        raise NotImplementedError("live events keep no history: watchers start from a database snapshot")


def create_redis(url: str) -> Any:
    """An asyncio Redis client with short timeouts: an unreachable Redis must fail fast, not hang."""
    from redis.asyncio import Redis
    from redis.asyncio.retry import Retry
    from redis.backoff import ExponentialBackoff

    # One quick retry per command: a Redis restart must not stall a call for seconds (redis-py's
    # default retries with back-off up to 10 s); our own loops (pub/sub reconnect, lease
    # heartbeat) do the long-term retrying.
    return Redis.from_url(
        url,
        socket_connect_timeout=2.0,
        socket_timeout=5.0,
        health_check_interval=10,
        retry=Retry(ExponentialBackoff(cap=0.5, base=0.05), 1),
    )


def channels_plugin(redis: Any | None) -> tuple[ChannelsPlugin, ChannelsBackend]:
    """The app's ChannelsPlugin: Redis pub/sub when a client is given, the memory backend otherwise."""
    backend: ChannelsBackend = ResilientRedisChannelsBackend(redis) if redis is not None else MemoryChannelsBackend()
    # A slow watcher must not grow memory without bound: past the backlog, its oldest events go.
    plugin = ChannelsPlugin(
        backend=backend,
        arbitrary_channels_allowed=True,
        subscriber_max_backlog=1000,
        subscriber_backlog_strategy="dropleft",
    )
    return plugin, backend
