"""Closing a session's sockets on every node: deletion, cancellation, account deletion, and
withdrawn share links (which close only the watchers that came with a share token).

The HTTP route that deletes or cancels a session (or deletes an account) may land on any node,
while the session's interview socket and its watchers may be open on others. The route
publishes one `SessionsClosed` message on the node-wide control channel of the app's
ChannelsPlugin (Redis pub/sub with several nodes, in-process memory otherwise); every node
listens (`ControlListener`) and closes what it serves of those sessions with 1008
`session_closed`. A node holding the live interview stops it without storing anything more, and
(when the session is gone) deletes its audio directory once its writer is closed, so a final
written after the route deleted the files is deleted too.

The same channel carries `TakeOver`: a newer connection of a session's owner makes the current
one give way at once (the session lease's claim, server/live/locks.py, is the slower fallback);
and `Revoked`: a token revocation, whose sockets close (server/socket_tokens.py).

The route also deletes the files itself (the storage is shared): nothing depends on a message
arriving when no socket is open. A message lost in a Redis outage leaves the socket open, but
it can store nothing: the session's rows are gone (or cancelled, which the interview checks
before every write that closes an answer).
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import logging
import uuid
from collections.abc import Iterable
from typing import Any

import msgspec
from litestar.channels import ChannelsPlugin

from server.live.audio_store import attempt_path, delete_answer_audio, delete_session_audio, delete_user_audio
from server.socket_tokens import Revoked

log = logging.getLogger("server.live.control")

CONTROL_CHANNEL = "interview:control"


class CloseReason(enum.Enum):
    DELETED = "deleted"  # the session (or its owner's account) is gone: its files go too
    CANCELLED = "cancelled"  # the session stays, cancelled: only the open answer's files go
    SHARES_WITHDRAWN = "shares_withdrawn"  # only watchers holding a share token close

    @property
    def purges_files(self) -> bool:
        return self is CloseReason.DELETED


class SessionsClosed(msgspec.Struct, frozen=True, tag="closed"):
    session_ids: list[uuid.UUID]
    reason: CloseReason


class TakeOver(msgspec.Struct, frozen=True, tag="take_over"):
    """A newer connection of the session's owner is taking the session over: its current
    connection, wherever it is, gives way now instead of at its lease's next heartbeat."""

    session_id: uuid.UUID
    #: The newer connection (it must not take itself over if it got the lease first).
    connection_id: uuid.UUID


_decoder = msgspec.json.Decoder(SessionsClosed | TakeOver | Revoked)


def publish_sessions_closed(channels: ChannelsPlugin, session_ids: Iterable[uuid.UUID], reason: CloseReason) -> None:
    """Tell every node (this one included) to close these sessions' sockets."""
    ids = list(session_ids)
    if ids:
        channels.publish(msgspec.json.encode(SessionsClosed(ids, reason)), CONTROL_CHANNEL)


def publish_revoked(channels: ChannelsPlugin, key: str, value: int) -> None:
    """Tell every node that the revocation store's `key` now holds `value` (TokenService.on_revoked)."""
    channels.publish(msgspec.json.encode(Revoked(key, value)), CONTROL_CHANNEL)


def publish_take_over(channels: ChannelsPlugin, session_id: uuid.UUID, connection_id: uuid.UUID) -> None:
    channels.publish(msgspec.json.encode(TakeOver(session_id, connection_id)), CONTROL_CHANNEL)


class WatchClosed(asyncio.Event):
    """Set when a watcher must close; `reason` says why."""

    def __init__(self, shared: bool) -> None:
        super().__init__()
        self.shared = shared  # the watcher came with a share token, not the owner's
        self.reason: CloseReason | None = None


class WatchRegistry:
    """The watch sockets this node serves, by session: each waits on its own event."""

    def __init__(self) -> None:
        self._closers: dict[uuid.UUID, set[WatchClosed]] = {}

    @contextlib.contextmanager
    def watching(self, session_id: uuid.UUID, *, shared: bool = False):
        """Register one watcher; yields the event set when it must close."""
        closed = WatchClosed(shared)
        self._closers.setdefault(session_id, set()).add(closed)
        try:
            yield closed
        finally:
            closers = self._closers.get(session_id)
            if closers is not None:
                closers.discard(closed)
                if not closers:
                    del self._closers[session_id]

    def close(self, session_id: uuid.UUID, reason: CloseReason = CloseReason.DELETED) -> int:
        """Close the session's watchers (for SHARES_WITHDRAWN, only those with a share token)."""
        closers = [
            c for c in self._closers.get(session_id, set()) if c.shared or reason is not CloseReason.SHARES_WITHDRAWN
        ]
        for closed in closers:
            closed.reason = reason
            closed.set()
        return len(closers)


class ControlListener:
    """Consumes the control channel for one node for the app's lifetime."""

    def __init__(self, state: Any) -> None:
        self._state = state
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._listen(), name="live-control")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _listen(self) -> None:
        channels: ChannelsPlugin = self._state.channels
        async with channels.start_subscription([CONTROL_CHANNEL]) as subscriber:
            async for payload in subscriber.iter_events():
                try:
                    message = _decoder.decode(payload)
                except (msgspec.DecodeError, TypeError):
                    continue  # a resync marker after a Redis outage, or garbage: nothing to close
                self.apply(message)

    def apply(self, message: SessionsClosed | TakeOver | Revoked) -> None:
        """Close this node's sockets of the message's sessions, or tokens (idempotent)."""
        if isinstance(message, Revoked):
            self._state.socket_tokens.apply(message)
            return
        if isinstance(message, TakeOver):
            live = self._state.live_sessions.get(message.session_id)
            lease = getattr(live, "lease", None)
            if lease is not None and live.connection_id != message.connection_id and getattr(lease, "yields", True):
                lease.taken_over.set()
            return
        for session_id in message.session_ids:
            if message.reason is CloseReason.SHARES_WITHDRAWN:
                self._state.watch_registry.close(session_id, message.reason)
                continue
            live = self._state.live_sessions.get(session_id)
            if live is not None:
                log.info("session %s was %s: closing its interview socket", session_id, message.reason.value)
                live.close_session(message.reason)
            self._state.watch_registry.close(session_id, message.reason)


# --- what the HTTP routes call, after their transaction committed ------------------------------


async def sessions_deleted(state: Any, user_id: uuid.UUID, session_ids: Iterable[uuid.UUID]) -> None:
    """Sessions were deleted: close their sockets everywhere and delete their files."""
    ids = list(session_ids)
    publish_sessions_closed(state.channels, ids, CloseReason.DELETED)
    for session_id in ids:
        await asyncio.to_thread(delete_session_audio, state.settings.audio_dir, user_id, session_id)


async def user_deleted(state: Any, user_id: uuid.UUID, session_ids: Iterable[uuid.UUID]) -> None:
    """An account was deleted: close its sessions' sockets everywhere and delete all its files."""
    publish_sessions_closed(state.channels, session_ids, CloseReason.DELETED)
    await asyncio.to_thread(delete_user_audio, state.settings.audio_dir, user_id)


def shares_withdrawn(state: Any, session_id: uuid.UUID) -> None:
    """The owner withdrew the session's share links: watchers holding one close, on every node."""
    publish_sessions_closed(state.channels, [session_id], CloseReason.SHARES_WITHDRAWN)


async def session_cancelled(
    state: Any, user_id: uuid.UUID, session_id: uuid.UUID, open_attempts: Iterable[tuple[uuid.UUID, int]]
) -> None:
    """A session was cancelled: close its sockets everywhere and delete the files of the answers
    it will never store: for each open question (id, current attempt), that attempt's recording
    and sidecar. Stored answers keep their recordings (the rows still point at them), and so do
    the earlier attempts of a question being tried again (the report shows them)."""
    publish_sessions_closed(state.channels, [session_id], CloseReason.CANCELLED)
    audio_dir = state.settings.audio_dir
    for question_id, attempt in open_attempts:
        path = attempt_path(audio_dir, user_id, session_id, question_id, attempt)
        await asyncio.to_thread(delete_answer_audio, path)
