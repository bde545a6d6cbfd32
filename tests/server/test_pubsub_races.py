"""The Redis channels backend (server/live/pubsub.py) under concurrent subscriptions, against the
real Redis: subscriptions opened at the same instant (a node's control listener and the first
watchers at start-up), subscribe/unsubscribe churn of the same channels, and subscriptions
opened while the backend reconnects after its pub/sub connection was killed.

What must hold afterwards, read from Redis itself: the backend has exactly one pub/sub connection
(`CLIENT LIST`, by a client name unique to the test), every channel a subscriber still holds is
subscribed on it once (`PUBSUB NUMSUB`), no other channel is, and events reach every subscriber.
Channel names are unique per test: the Redis server is shared."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from litestar.channels import ChannelsPlugin, Subscriber
from redis.asyncio import Redis

from server.live.pubsub import RESYNC, ResilientRedisChannelsBackend, channels_plugin

REDIS_URL = os.environ.get("TEST_REDIS_URL")
pytestmark = [
    pytest.mark.redis,
    pytest.mark.skipif(
        not REDIS_URL and os.environ.get("CI", "").lower() != "true", reason="TEST_REDIS_URL is not set"
    ),
]

#: A bound on waiting for what must happen (an event delivered, a reconnect), never a speed test.
EVENTUALLY_S = 15.0


class Node:
    """One node's channels plugin on its own Redis client (named, so its connections can be found)."""

    def __init__(self, plugin: ChannelsPlugin, backend: ResilientRedisChannelsBackend, admin: Redis, name: str):
        self.plugin = plugin
        self.backend = backend
        self.admin = admin
        self.name = name

    async def pubsub_connections(self) -> list[dict[str, Any]]:
        clients = await self.admin.client_list(_type="pubsub")
        return [client for client in clients if client.get("name") == self.name]

    async def subscribers_of(self, *channels: str) -> dict[str, int]:
        counts = await self.admin.pubsub_numsub(*channels)
        return {(name.decode() if isinstance(name, bytes) else name): count for name, count in counts}


@pytest.fixture
async def node() -> AsyncIterator[Node]:
    assert REDIS_URL
    name = f"pubsub-race-{uuid.uuid4().hex[:10]}"
    redis = Redis.from_url(REDIS_URL, client_name=name, socket_connect_timeout=2.0, socket_timeout=5.0)
    admin = Redis.from_url(REDIS_URL)
    plugin, backend = channels_plugin(redis)
    assert isinstance(backend, ResilientRedisChannelsBackend)
    async with plugin:
        yield Node(plugin, backend, admin, name)
    await redis.aclose()
    await admin.aclose()


def _channels(count: int) -> list[str]:
    prefix = uuid.uuid4().hex[:10]
    return [f"test:race:{prefix}:{index}" for index in range(count)]


async def _next_event(subscriber: Subscriber, events: dict[int, AsyncIterator[bytes]]) -> bytes:
    """The subscriber's next event other than a resync marker, within EVENTUALLY_S."""
    iterator = events.setdefault(id(subscriber), aiter(subscriber.iter_events()))
    while True:
        payload = await asyncio.wait_for(anext(iterator), EVENTUALLY_S)
        if payload != RESYNC:
            return payload


async def _delivered(node: Node, subscribers: dict[str, Subscriber]) -> None:
    """An event published on each channel reaches its subscriber (published by another client)."""
    events: dict[int, AsyncIterator[bytes]] = {}
    for channel, subscriber in subscribers.items():
        await node.admin.publish(channel, f"to {channel}".encode())
        assert await _next_event(subscriber, events) == f"to {channel}".encode(), channel


async def test_two_subscriptions_opened_at_once_share_one_connection_and_both_receive(node: Node) -> None:
    first, second = _channels(2)
    subscribers = await asyncio.gather(node.plugin.subscribe([first]), node.plugin.subscribe([second]))

    assert len(await node.pubsub_connections()) == 1, "each subscription opened a connection of its own"
    assert await node.subscribers_of(first, second) == {first: 1, second: 1}
    await _delivered(node, dict(zip((first, second), subscribers, strict=True)))


async def test_subscriptions_opened_and_closed_at_once_leave_redis_subscribed_to_what_is_held(node: Node) -> None:
    pool = _channels(4)
    kept = await node.plugin.subscribe([pool[0]])  # one long-lived subscriber, like the control channel

    async def churn(channel: str, hold: int) -> None:
        async with node.plugin.start_subscription([channel]):
            for _ in range(hold):
                await asyncio.sleep(0)

    for round_number in range(20):  # bounded: every interleaving the scheduler offers in 20 rounds
        await asyncio.gather(*(churn(pool[(round_number + offset) % 4], hold=offset % 3) for offset in range(8)))
    # Mid-churn opens and closes, then the last word: one subscriber per channel stays on 1 and 2.
    held = dict(zip(pool[1:3], await asyncio.gather(*(node.plugin.subscribe([c]) for c in pool[1:3])), strict=True))
    await asyncio.gather(churn(pool[3], hold=0), churn(pool[1], hold=1), churn(pool[2], hold=2))

    assert len(await node.pubsub_connections()) == 1
    assert await node.subscribers_of(*pool) == {pool[0]: 1, pool[1]: 1, pool[2]: 1, pool[3]: 0}
    await _delivered(node, {pool[0]: kept, **held})
    # A channel nobody holds any more delivers nothing: its event would arrive before this marker.
    events: dict[int, AsyncIterator[bytes]] = {}
    await node.admin.publish(pool[3], b"nobody listens")
    await node.admin.publish(pool[0], b"marker")
    assert await _next_event(kept, events) == b"marker"
    assert node.backend._wanted == set(pool[:3])


async def test_subscriptions_opened_while_the_connection_is_lost_end_on_one_connection(node: Node) -> None:
    (control,) = _channels(1)
    kept = await node.plugin.subscribe([control])
    (connection,) = await node.pubsub_connections()
    await node.admin.client_kill_filter(_id=connection["id"])

    # Watchers keep arriving while the node notices the loss and reconnects (either redis-py's
    # retry inside the read or the backend's loop): 30 rounds span both.
    opened: dict[str, Subscriber] = {}
    for _ in range(30):
        batch = _channels(2)
        subscribers = await asyncio.gather(*(node.plugin.subscribe([channel]) for channel in batch))
        opened.update(zip(batch, subscribers, strict=True))
        await asyncio.sleep(0.02)

    wanted = dict.fromkeys([control, *opened], 1)
    settled = asyncio.get_running_loop().time() + EVENTUALLY_S
    while asyncio.get_running_loop().time() < settled:  # bounded: until the reconnect is done
        if len(await node.pubsub_connections()) == 1 and await node.subscribers_of(*wanted) == wanted:
            break
        await asyncio.sleep(0.1)
    connections = await node.pubsub_connections()
    assert len(connections) == 1, f"{len(connections)} pub/sub connections: the others leak"
    assert await node.subscribers_of(*wanted) == wanted
    await _delivered(node, {control: kept, **opened})
