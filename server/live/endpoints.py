"""The two WebSocket endpoints: the candidate's interview socket and the read-only watch socket.

Handshake order on the interview socket (each failure closes before any audio is accepted):
server stopping (1012) -> Origin allow-list (1008) -> admission control (1013 when the server
is full) -> token from the `token` query parameter or a first `{"type": "auth"}` message (1008
`token_missing`, `token_invalid`, `token_expired`, `token_revoked`, `unauthorized`: the HTTP 401
codes) -> ownership of the session (1008 `not_found`, alike for a malformed id, an unknown one
and another user's; 1013 while the database is unreachable) -> the session's
lease, one live connection per session across every node (4409; 1013 while Redis is
unreachable) -> `ready`.

Shutdown (SIGTERM, see server/serve.py): the socket stops taking audio, the open answer's last
utterance is finalised and stored, those finals are sent, then the socket closes with 1012.
A socket whose token is revoked while it is open (log-out, password change: server/socket_tokens.py)
winds down the same way and closes with 1008 `token_revoked`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from litestar import WebSocket, websocket
from litestar.channels import ChannelsPlugin
from litestar.exceptions import WebSocketDisconnect
from litestar.params import FromPath

from persistence import interviews
from persistence.errors import NotFound
from server.auth import ACCESS, WATCH, TokenClaims, active_user
from server.dbhealth import database_unavailable
from server.errors import AuthError, TokenExpired, TokenInvalid, TokenMissing, spec_for
from server.live import protocol as wire
from server.live.control import CloseReason, publish_take_over
from server.live.interview import LiveInterview
from server.live.locks import LockUnavailable
from server.live.origins import origin_allowed
from server.live.pubsub import RESYNC
from server.logs import bind_session
from server.progress import snapshot_questions

log = logging.getLogger("server.live")

POLICY_VIOLATION = 1008
TOO_BIG = 1009
TRY_AGAIN_LATER = 1013
SERVICE_RESTART = 1012
SESSION_BUSY = 4409
AUTH_TIMEOUT_SECONDS = 10
#: Longest a close (its error event, then the close frame) may take: a peer that stopped reading
#: (a dead but open connection) must not hold the handler, and the session's lease, forever.
CLOSE_TIMEOUT_SECONDS = 2.0
#: How long a connection being taken over lets an answer it is closing finish (half the newer
#: connection's wait, LocalSessionLocks/RedisSessionLocks reconnect_wait_s).
TAKE_OVER_CONTROL_WAIT_SECONDS = 10.0
#: How a socket whose token was revoked closes (after its last finals, on the interview socket).
TOKEN_REVOKED = (POLICY_VIOLATION, "token_revoked", "you were signed out (log-out or password change): sign in again")


def channel_name(session_id: uuid.UUID) -> str:
    return f"session:{session_id}"


async def _close(socket: WebSocket, code: int, error_code: str, message: str) -> None:
    """Tell the client why (an error event), then close with `code` (counted for /metrics)."""
    counters = socket.app.state.live_counters
    counters[error_code] = counters.get(error_code, 0) + 1
    log.info("closing socket %s with %d (%s)", socket.url.path, code, error_code)
    with contextlib.suppress(Exception):
        async with asyncio.timeout(CLOSE_TIMEOUT_SECONDS):
            await socket.send_text(wire.encode_event(wire.ErrorEvent(code=error_code, message=message, fatal=True)))
            await socket.close(code=code, reason=message[:120])


async def _refuse(socket: WebSocket, error: AuthError | NotFound) -> None:
    """Close with the error's code and close code from server/errors.py's table: the same
    `code` an HTTP request would get (token_expired, not_found, ...), so a client knows what to do."""
    spec = spec_for(error)
    assert spec is not None, error
    await _close(socket, spec.ws_close, spec.code, str(error))


def _session_id(raw: str) -> uuid.UUID:
    """The path's session id. Not one at all is `not_found`, like an unknown or another user's id
    (the route takes any string so that a malformed id gets this answer, not a bare HTTP 403)."""
    try:
        return uuid.UUID(raw)
    except ValueError:
        raise NotFound(f"interview session not found: {raw[:40]!r} is not a session id") from None


async def _token_from(socket: WebSocket) -> str:
    given = socket.query_params.getall("token", [])
    if len(given) > 1:
        raise TokenInvalid(f"the query parameter 'token' is given {len(given)} times: give it once")
    if given and given[0]:
        return given[0]
    raw = await asyncio.wait_for(socket.receive_text(), AUTH_TIMEOUT_SECONDS)
    message = wire.decode_client_message(raw)
    if not isinstance(message, wire.Auth):
        raise TokenMissing('no token: the first message must be {"type": "auth", "token": ...}')
    return message.token


async def _authenticate(socket: WebSocket, kinds: tuple[str, ...]) -> TokenClaims:
    """The claims of a valid token of one of `kinds`; otherwise the AuthError that says why
    (TokenMissing, TokenInvalid, TokenExpired, TokenRevoked)."""
    try:
        token = await _token_from(socket)
    except (TimeoutError, wire.ProtocolError) as error:
        raise TokenMissing(f"no token: {error or f'no auth message within {AUTH_TIMEOUT_SECONDS} s'}") from None
    tokens = socket.app.state.tokens
    refusals: list[AuthError] = []
    for kind in kinds:
        try:
            claims = tokens.decode(token, kind)
        except AuthError as error:
            refusals.append(error)
            continue
        await tokens.check(claims)  # revoked (signed out, share withdrawn): TokenRevoked
        return claims
    expired = [error for error in refusals if isinstance(error, TokenExpired)]
    raise (expired or refusals)[0]


@websocket("/ws/sessions/{session_id:str}")
async def interview_socket(socket: WebSocket, session_id: FromPath[str]) -> None:
    state = socket.app.state
    settings = state.settings
    await socket.accept()
    if state.shutting_down.is_set():
        await _close(socket, SERVICE_RESTART, "server_restarting", "the server is restarting: reconnect to resume")
        return
    if not origin_allowed(socket, settings.allowed_origins):
        await _close(socket, POLICY_VIOLATION, "origin_not_allowed", "this origin may not open interview sockets")
        return
    registry: dict[uuid.UUID, LiveInterview] = state.live_sessions
    if len(registry) >= settings.live.max_live_streams:
        await _close(socket, TRY_AGAIN_LATER, "server_full", "the server is at capacity: please try again in a minute")
        return
    try:
        claims = await _authenticate(socket, (ACCESS,))
        user_id = claims.subject
        session_uuid = _session_id(session_id)
        async with state.db_sessions() as db:
            await active_user(db, user_id)
            session = await interviews.get_owned_session(db, user_id, session_uuid, with_details=True)
            session_status, num_questions = session.status.value, len(session.questions)
    except (AuthError, NotFound) as error:
        await _refuse(socket, error)
        return
    except WebSocketDisconnect:
        return
    except Exception as error:
        if not database_unavailable(error):
            raise
        log.warning("interview socket %s: database unavailable (%s)", session_id, type(error).__name__)
        await _close(
            socket, TRY_AGAIN_LATER, "database_unavailable", "the database is unavailable: please try again in a moment"
        )
        return
    try:
        # The newest connection of the owner wins: one that is dead but still open (no ping
        # timeout yet) gives way at once, closed with 4409 after storing what it heard.
        connection_id = uuid.uuid4()
        publish_take_over(state.channels, session_uuid, connection_id)
        lease = await state.session_locks.acquire(session_uuid, take_over=True)
    except LockUnavailable as error:
        log.warning("interview socket %s: %s", session_uuid, error)
        await _close(
            socket,
            TRY_AGAIN_LATER,
            "lock_unavailable",
            "sessions cannot be checked right now: please try again in a moment",
        )
        return
    if lease is None:
        await _close(
            socket, SESSION_BUSY, "session_busy", "this interview is already streaming from another connection"
        )
        return
    with bind_session(session_uuid), state.socket_tokens.watching(claims) as revoked:
        try:
            await _run_interview(
                socket, session_uuid, user_id, lease, session_status, num_questions, connection_id, revoked
            )
        finally:
            await lease.release()


async def _run_interview(
    socket: WebSocket,
    session_id: uuid.UUID,
    user_id: uuid.UUID,
    lease,
    session_status: str,
    num_questions: int,
    connection_id: uuid.UUID,
    revoked: asyncio.Event,
) -> None:
    """The connection's life once it holds the session's lease; returns when it is closed and
    everything heard is stored. `revoked` is set when the connection's token is revoked."""
    state = socket.app.state
    settings = state.settings
    registry: dict[uuid.UUID, LiveInterview] = state.live_sessions
    outbox: asyncio.Queue[str] = asyncio.Queue(maxsize=settings.live.outbox_size)
    too_slow = asyncio.Event()
    channels: ChannelsPlugin = state.channels
    sequence = 0

    def emit(event: wire.ServerEvent) -> None:
        nonlocal sequence
        sequence += 1
        event.seq = sequence
        text = wire.encode_event(event)
        channels.publish(text, channel_name(session_id))
        try:
            outbox.put_nowait(text)
        except asyncio.QueueFull:
            if not isinstance(event, wire.Partial):  # partials are superseded anyway; finals are stored
                too_slow.set()

    live = LiveInterview(session_id=session_id, user_id=user_id, deps=state.live_deps, emit=emit)
    live.outbox = outbox
    live.lease = lease  # a take-over message of another node reaches it here (server/live/control.py)
    live.connection_id = connection_id
    registry[session_id] = live
    log.info("interview socket open (user %s, %d live on this node)", user_id, len(registry))
    emit(
        wire.Ready(
            max_frame_bytes=settings.live.max_frame_bytes, session_status=session_status, num_questions=num_questions
        )
    )

    async def send_loop() -> None:
        while True:
            text = await outbox.get()
            try:
                await socket.send_text(text)
            except RuntimeError:  # another path sent the close (frame_too_big): the view ends here
                return

    async def receive_loop() -> None:
        while True:
            message = await socket.receive()
            if message["type"] == "websocket.disconnect":
                return
            data = message.get("bytes")
            if data is not None:
                if len(data) > settings.live.max_frame_bytes:
                    await _close(
                        socket,
                        TOO_BIG,
                        "frame_too_big",
                        f"audio frames are limited to {settings.live.max_frame_bytes} bytes",
                    )
                    return
                live.on_audio(data)  # never waits (backpressure drops, see LiveInterview)
                continue
            try:
                live.on_control(wire.decode_client_message(message.get("text") or ""))
            except wire.ProtocolError as error:
                live.error(error.code, str(error))

    receiving = asyncio.create_task(receive_loop(), name="ws-receive")
    controls = asyncio.create_task(live.run_controls(), name="ws-controls")
    sending = asyncio.create_task(send_loop(), name="ws-send")
    watchers = [
        asyncio.create_task(too_slow.wait(), name="ws-too-slow"),
        asyncio.create_task(state.shutting_down.wait(), name="ws-shutdown"),
        asyncio.create_task(live.fatal.wait(), name="ws-fatal"),
        asyncio.create_task(lease.lost.wait(), name="ws-lease-lost"),
        asyncio.create_task(lease.taken_over.wait(), name="ws-taken-over"),
        asyncio.create_task(revoked.wait(), name="ws-token-revoked"),
    ]
    tasks = [receiving, controls, sending, *watchers]
    try:
        done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        log.info("interview socket ending (%s)", ", ".join(sorted(task.get_name() for task in done)))
        for task in done:
            if not task.cancelled() and task.exception() and not isinstance(task.exception(), WebSocketDisconnect):
                log.error("interview socket %s failed", session_id, exc_info=task.exception())
        if live.fatal.is_set():
            await _deliver(socket, outbox)  # the error event says why: deliver it first
            with contextlib.suppress(Exception):
                async with asyncio.timeout(CLOSE_TIMEOUT_SECONDS):
                    await socket.close(code=live.close_code, reason="interview closed")
        elif too_slow.is_set():
            await _close(
                socket, TRY_AGAIN_LATER, "client_too_slow", "the client is not reading events: reconnect to resume"
            )
        elif lease.taken_over.is_set():
            # No more audio; an answer being closed (stored, scored) finishes first, bounded:
            # the newer connection waits for this one to release the session.
            receiving.cancel()
            await _let_control_finish(live, controls, TAKE_OVER_CONTROL_WAIT_SECONDS)
            await _close(
                socket, SESSION_BUSY, "session_taken_over", "this interview was taken over by a newer connection"
            )
        elif lease.lost.is_set():
            await _close(socket, SESSION_BUSY, "session_busy", "this interview was taken over by another connection")
        elif revoked.is_set() and not receiving.done():
            log.info("interview socket %s: its token was revoked", session_id)
            await _shut_down(socket, live, receiving, controls, sending, outbox, closing=TOKEN_REVOKED)
        elif state.shutting_down.is_set() and not receiving.done():
            await _shut_down(socket, live, receiving, controls, sending, outbox)
    finally:
        live.disconnecting = True
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        with contextlib.suppress(Exception):
            await lease.mark_draining()  # a reconnect elsewhere waits for the finals below
        try:
            await live.disconnect()
        finally:
            registry.pop(session_id, None)
            live.closed.set()
            log.info("interview socket closed")
            with contextlib.suppress(Exception):
                async with asyncio.timeout(CLOSE_TIMEOUT_SECONDS):
                    await socket.close()


async def _shut_down(
    socket: WebSocket,
    live: LiveInterview,
    receiving,
    controls,
    sending,
    outbox: asyncio.Queue[str],
    closing: tuple[int, str, str] = (
        SERVICE_RESTART,
        "server_restarting",
        "the server is restarting: reconnect to resume",
    ),
) -> None:
    """Graceful shutdown of one interview: no more audio, let a control in progress (an answer
    being closed) finish, finalise and store the open answer's last utterance, send everything
    queued, then close with `closing` (close code, error code, message; 1012 by default). The
    server bounds the whole drain (SHUTDOWN_GRACE_S)."""
    receiving.cancel()
    # An answer being closed finishes first, within half the grace period: one stuck on an
    # unreachable database is cut short and resumed later (its finals are already stored).
    await _let_control_finish(live, controls, socket.app.state.settings.cluster.shutdown_grace_s / 2)
    controls.cancel()
    await live.disconnect()
    sending.cancel()
    await asyncio.gather(receiving, controls, sending, return_exceptions=True)
    await _deliver(socket, outbox)
    await _close(socket, *closing)


async def _let_control_finish(live: LiveInterview, controls: asyncio.Task[None], timeout: float) -> None:
    """Wait (at most `timeout`) for the control message being handled, if any, to finish."""
    deadline = asyncio.get_running_loop().time() + timeout
    while live.handling and not controls.done() and asyncio.get_running_loop().time() < deadline:
        await asyncio.sleep(0.05)


async def _deliver(socket: WebSocket, outbox: asyncio.Queue[str]) -> None:
    """Send what is queued, bounded: a client that does not read loses only the view (everything is stored)."""
    with contextlib.suppress(Exception):
        async with asyncio.timeout(CLOSE_TIMEOUT_SECONDS):
            while not outbox.empty():
                await socket.send_text(outbox.get_nowait())


@websocket("/ws/{path:path}")
async def unknown_socket(socket: WebSocket, path: FromPath[str]) -> None:
    """Any other path under /ws/: said in the protocol's words (1008 `not_found`), not as the bare
    HTTP 403 a WebSocket handshake without a route gets."""
    await socket.accept()
    await _close(socket, POLICY_VIOLATION, "not_found", "no such socket: /ws/sessions/{id} or /ws/sessions/{id}/watch")


@websocket("/ws/sessions/{session_id:str}/watch")
async def watch_socket(socket: WebSocket, session_id: FromPath[str]) -> None:
    """Read-only live events of a session, for its owner or a holder of its share token.
    First a `snapshot` event with the transcript so far, then every event as it happens."""
    state = socket.app.state
    await socket.accept()
    if not origin_allowed(socket, state.settings.allowed_origins):
        await _close(socket, POLICY_VIOLATION, "origin_not_allowed", "this origin may not open watch sockets")
        return
    try:
        claims = await _authenticate(socket, (ACCESS, WATCH))
        kind, subject = claims.kind, claims.subject
        session_uuid = _session_id(session_id)
        async with state.db_sessions() as db:
            if kind == ACCESS:
                await active_user(db, subject)
                session = await interviews.get_owned_session(db, subject, session_uuid, with_details=True)
            elif subject != session_uuid:
                raise TokenInvalid("this share token is for another session")
            else:
                session = await interviews.get_session_for_watch(db, session_uuid)
            snapshot = _snapshot(session)
    except (AuthError, NotFound) as error:
        await _refuse(socket, error)
        return
    except WebSocketDisconnect:
        return
    except Exception as error:
        if not database_unavailable(error):
            raise
        await _close(
            socket, TRY_AGAIN_LATER, "database_unavailable", "the database is unavailable: please try again in a moment"
        )
        return
    state.live_watchers += 1
    try:
        with bind_session(session_uuid), state.socket_tokens.watching(claims) as revoked:
            await _watch(socket, session_uuid, snapshot, revoked, shared=kind == WATCH)
    finally:
        state.live_watchers -= 1


async def _watch(
    socket: WebSocket, session_id: uuid.UUID, snapshot: wire.Generic, revoked: asyncio.Event, *, shared: bool
) -> None:
    state = socket.app.state
    channels: ChannelsPlugin = state.channels
    sending = asyncio.Lock()  # the events and the pongs share the socket: one frame at a time

    async def send(text: str) -> None:
        async with sending:
            await socket.send_text(text)

    async with channels.start_subscription([channel_name(session_id)]) as subscriber:
        await send(wire.encode_event(snapshot))

        async def forward() -> None:
            async for message in subscriber.iter_events():
                if message == RESYNC:
                    await _resync(send, socket, session_id)
                    continue
                await send(message.decode() if isinstance(message, bytes) else message)

        async def drain_client() -> None:
            # Watchers are read-only: a `ping` is answered with its `pong` (so that a client can
            # tell a live socket from a stalled one, as on the interview socket); anything else
            # they send is ignored.
            while (received := await socket.receive())["type"] != "websocket.disconnect":
                try:
                    message = wire.decode_client_message(received["text"]) if received.get("text") else None
                except wire.ProtocolError:
                    continue
                if isinstance(message, wire.Ping):
                    await send(wire.encode_event(wire.Pong(id=message.id)))

        with state.watch_registry.watching(session_id, shared=shared) as session_closed:
            tasks = [
                asyncio.create_task(forward()),
                asyncio.create_task(drain_client()),
                asyncio.create_task(state.shutting_down.wait()),
                asyncio.create_task(session_closed.wait()),
                asyncio.create_task(revoked.wait()),
            ]
            try:
                await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            finally:
                for task in tasks:
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)
        if session_closed.is_set():
            if session_closed.reason is CloseReason.SHARES_WITHDRAWN:
                await _close(socket, POLICY_VIOLATION, "share_withdrawn", "the owner withdrew this share link")
            else:
                await _close(socket, POLICY_VIOLATION, "session_closed", "this interview was deleted or cancelled")
            return
        if revoked.is_set():  # a share token's revocation is its link's withdrawal
            if shared:
                await _close(socket, POLICY_VIOLATION, "share_withdrawn", "the owner withdrew this share link")
            else:
                await _close(socket, *TOKEN_REVOKED)
            return
        with contextlib.suppress(Exception):
            async with asyncio.timeout(CLOSE_TIMEOUT_SECONDS):
                await socket.close(code=SERVICE_RESTART if state.shutting_down.is_set() else 1000)


async def _resync(send: Callable[[str], Awaitable[None]], socket: WebSocket, session_id: uuid.UUID) -> None:
    """Redis came back after an outage and events may have been missed: send the watcher the
    session as stored now (a new `snapshot`); live events follow again."""
    try:
        async with socket.app.state.db_sessions() as db:
            session = await interviews.get_session_for_watch(db, session_id)
    except Exception as error:
        log.warning("watcher resync of %s failed (%s); live events continue", session_id, type(error).__name__)
        return
    await send(wire.encode_event(_snapshot(session)))


def _snapshot(session: Any) -> wire.Generic:
    """The session as stored: only the questions the candidate was asked, numbered as they saw
    them ("2 of 3", a follow-up with its question's number and its `follow_up_index`)."""
    of, questions = snapshot_questions(session)
    return wire.Generic(
        name="snapshot",
        data={
            "session_id": str(session.id),
            "status": session.status.value,
            "title": session.title,
            "of": of,
            "questions": questions,
        },
    )
