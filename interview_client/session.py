"""One interview over the documented API and protocol (docs/protocol.md): sign in, create or
resume a session, stream answers, collect what the server sends."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import websockets

from interview_client.audio import paced

Event = dict[str, Any]


class ClientError(Exception):
    """Something the user must fix or know (bad credentials, unknown session, a fatal server
    error); the message says what, the command exits with status 1."""


@dataclass(frozen=True)
class Account:
    email: str
    password: str
    full_name: str = "Interview client"


@dataclass(frozen=True)
class NewSession:
    title: str = "Practice interview"
    num_questions: int = 3
    target_role: str | None = None
    difficulty: str | None = None

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"title": self.title, "num_questions": self.num_questions}
        if self.target_role:
            body["target_role"] = self.target_role
        if self.difficulty:
            body["difficulty"] = self.difficulty
        return body


def _detail(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:200]
    if not isinstance(body, dict):
        return str(body)
    detail = str(body.get("detail") or body)
    return f"{body['code']}: {detail}" if body.get("code") else detail  # e.g. "token_revoked: ..."


@dataclass(frozen=True)
class TokenPair:
    """What sign-in and refresh return: the access token, the refresh token that replaces it
    once (each works once: the server rotates them), and when the access token expires
    (seconds on the event loop's clock)."""

    access: str
    refresh: str
    expires_at: float

    @classmethod
    def from_response(cls, body: dict[str, Any]) -> TokenPair:
        expires_in = float(body.get("expires_in") or 0)
        now = asyncio.get_running_loop().time()
        return cls(body["access_token"], body["refresh_token"], now + expires_in)


class Unauthorized(ClientError):
    """The server refused the access token (expired, revoked)."""


#: Refresh when less than this share of the access token's lifetime (at most a minute) is left.
REFRESH_MARGIN = 0.1


class Credentials:
    """The account's tokens for the whole run. `access_token()` is a valid access token: the
    one in hand, or, once it has expired (or the server refused it), a new pair from
    POST /api/auth/refresh with the latest refresh token (the server rotates it: the one just
    used is spent, and presenting it again would revoke the sign-in)."""

    def __init__(self, http: httpx.AsyncClient, tokens: TokenPair) -> None:
        self.http = http
        self.tokens = tokens
        self.refreshes = 0
        self._lifetime = max(tokens.expires_at - asyncio.get_running_loop().time(), 0.0)
        self._lock = asyncio.Lock()

    async def access_token(self, *, force_refresh: bool = False) -> str:
        async with self._lock:  # one refresh at a time: a refresh token works once
            margin = min(60.0, REFRESH_MARGIN * self._lifetime)
            if force_refresh or asyncio.get_running_loop().time() >= self.tokens.expires_at - margin:
                await self._refresh()
            return self.tokens.access

    async def _refresh(self) -> None:
        response = await self.http.post("/api/auth/refresh", json={"refresh_token": self.tokens.refresh})
        if response.status_code in (429, 503):  # rate limited, or the revocation store is down: later
            raise Disconnected(f"token refresh deferred ({response.status_code}): {_detail(response)}")
        if response.status_code != 200:
            raise ClientError(
                f"token refresh refused ({response.status_code}): {_detail(response)}; "
                "sign in again (with --session ID to resume)"
            )
        self.tokens = TokenPair.from_response(response.json())
        self._lifetime = max(self.tokens.expires_at - asyncio.get_running_loop().time(), 0.0)
        self.refreshes += 1


async def sign_in(http: httpx.AsyncClient, account: Account, *, register: bool) -> TokenPair:
    """A token pair: log in, or with `register` create the account first (an existing
    account is then simply logged in)."""
    if register:
        created = await http.post(
            "/api/auth/register",
            json={"email": account.email, "password": account.password, "full_name": account.full_name},
        )
        if created.status_code == 201:
            return TokenPair.from_response(created.json())
        if created.status_code != 409:
            raise ClientError(f"sign-up refused ({created.status_code}): {_detail(created)}")
    login = await http.post("/api/auth/login", json={"email": account.email, "password": account.password})
    if login.status_code != 200:
        raise ClientError(f"sign-in refused ({login.status_code}): {_detail(login)}")
    return TokenPair.from_response(login.json())


async def open_session(http: httpx.AsyncClient, token: str, session_id: str | None, new: NewSession) -> dict[str, Any]:
    """The session to run: `session_id` (resumed where it stopped), or a new one."""
    headers = {"Authorization": f"Bearer {token}"}
    if session_id:
        found = await http.get(f"/api/sessions/{session_id}", headers=headers)
        if found.status_code != 200:
            raise ClientError(f"session {session_id} not found ({found.status_code}): {_detail(found)}")
        return found.json()
    created = await http.post("/api/sessions", json=new.to_json(), headers=headers)
    if created.status_code != 201:
        raise ClientError(f"could not create a session ({created.status_code}): {_detail(created)}")
    return created.json()


#: Close codes and fatal error codes after which the interview can go on on a new connection
#: (docs/protocol.md: 1012 the node restarts, 1013 try again later; no close frame: the network).
RETRY_CLOSE_CODES = {1012, 1013, 1006, 1011}
RETRY_ERROR_CODES = {
    "server_restarting",
    "server_full",
    "database_unavailable",
    "lock_unavailable",
    "client_too_slow",
    "session_busy",
}
#: Fatal error codes of a refused token (docs/protocol.md, "Connecting"): refresh it and try once more.
AUTH_ERROR_CODES = {"unauthorized", "token_missing", "token_invalid", "token_expired", "token_revoked"}
RECONNECT_DELAYS_S = (0.5, 1.0, 2.0, 4.0, 8.0, 8.0)


class Disconnected(ClientError):
    """The connection ended in a way that a reconnect may cure (see RETRY_*)."""


@dataclass
class Conversation:
    """The interview socket: a reader task hands every event to `on_event` (printing) and keeps
    it for `until`, while audio is sent. Reading all the time matters: a client that stops
    reading is closed by the server with 1013 (client_too_slow). When a node restarts or the
    network drops, `answer` reconnects (through the same URL, so a load balancer picks a live
    node), sends `start`, and re-sends the audio the server had not stored (`resumed`). Each
    connection authenticates with a valid access token from `credentials` (refreshed when the
    one in hand has expired), so a reconnect works however long the interview has run."""

    url: str
    credentials: Credentials
    on_event: Callable[[Event], None]
    events: list[Event] = field(default_factory=list)
    reconnects: int = 0
    socket: websockets.ClientConnection | None = None
    _reader: asyncio.Task | None = None
    _arrived: asyncio.Condition = field(default_factory=asyncio.Condition)
    _closed: websockets.ConnectionClosed | Exception | None = None

    async def open(self) -> None:
        """Connect, authenticate with the first message (the token stays out of URLs and access
        logs), wait for `ready`. A token the server refuses (it expired by the server's clock,
        not yet by ours) is refreshed once and tried again."""
        for force_refresh in (False, True):
            token = await self.credentials.access_token(force_refresh=force_refresh)
            self._closed = None
            self.socket = await websockets.connect(self.url, max_size=1 << 22, open_timeout=30)
            self._reader = asyncio.create_task(self._read(self.socket), name="interview-client-reader")
            mark = len(self.events)
            await self.send(type="auth", token=token)
            try:
                await self.until("ready", after=mark, timeout=60)
                return
            except Unauthorized:
                await self.close()
                if force_refresh:
                    raise

    async def close(self) -> None:
        if self.socket is not None:
            await self.socket.close()
        if self._reader is not None:
            await asyncio.gather(self._reader, return_exceptions=True)

    async def _read(self, socket: websockets.ClientConnection) -> None:
        try:
            async for raw in socket:
                if isinstance(raw, bytes):
                    continue  # the protocol sends text only
                event = json.loads(raw)
                self.on_event(event)
                async with self._arrived:
                    self.events.append(event)
                    self._arrived.notify_all()
        except websockets.ConnectionClosed as closed:
            self._closed = closed
        finally:
            self._closed = self._closed or ConnectionError("the socket closed")
            async with self._arrived:
                self._arrived.notify_all()

    async def send(self, **message: Any) -> None:
        assert self.socket is not None
        await self.socket.send(json.dumps(message))

    def _disconnected(self, waiting_for: str) -> ClientError:
        closed = self._closed
        code = closed.rcvd.code if isinstance(closed, websockets.ConnectionClosed) and closed.rcvd else 1006
        error = Disconnected if code in RETRY_CLOSE_CODES else ClientError
        return error(f"the connection closed ({code}) while waiting for {waiting_for}")

    async def until(self, *kinds: str, after: int = 0, timeout: float = 300) -> Event:
        """The first event of one of `kinds` at index `after` or later. A fatal `error` event or a
        closed socket before it is a ClientError (`Disconnected` when a reconnect may help)."""

        def found() -> Event | None:
            for event in self.events[after:]:
                if event["type"] in kinds:
                    return event
                if event["type"] == "error" and event.get("fatal"):
                    error = (
                        Unauthorized
                        if event["code"] in AUTH_ERROR_CODES
                        else Disconnected
                        if event["code"] in RETRY_ERROR_CODES
                        else ClientError
                    )
                    raise error(f"the server ended the connection: {event['code']}: {event['message']}")
            return None

        async def wait() -> Event:
            async with self._arrived:
                while (event := found()) is None:
                    if self._closed is not None:
                        raise self._disconnected("/".join(kinds))
                    await self._arrived.wait()
                return event

        return await asyncio.wait_for(wait(), timeout)

    def of_type(self, kind: str) -> list[Event]:
        return [event for event in self.events if event["type"] == kind]

    async def begin(self) -> Event:
        """`start`; the first `question` (or `session_complete` for a finished session)."""
        return await self._retrying(self._start)

    async def pass_follow_ups(self, upcoming: Event) -> Event:
        """Skip the follow-up questions the interviewer asks (each AUDIO answers a planned
        question, so there is none for a follow-up); returns the next planned `question` or
        `session_complete`."""
        while upcoming["type"] == "question" and upcoming.get("follow_up"):
            mark = len(self.events)
            await self.send(type="skip")
            upcoming = await self.until("question", "session_complete", after=mark)
        return upcoming

    async def _start(self) -> Event:
        mark = len(self.events)
        await self.send(type="start")
        return await self.until("question", "session_complete", after=mark)

    async def _retrying(self, step: Callable[[], Any]) -> Any:
        for delay in (0.0, *RECONNECT_DELAYS_S):
            if delay:
                await asyncio.sleep(delay)
                try:
                    await self.close()
                    await self.open()
                except (OSError, websockets.InvalidHandshake, TimeoutError, Disconnected, httpx.TransportError):
                    continue
                self.reconnects += 1
            try:
                return await step()
            except (Disconnected, websockets.ConnectionClosed):
                continue
        raise ClientError("the server could not be reached again; the answers so far are stored, resume with --session")

    async def answer(self, question: Event, frames: AsyncIterator[bytes], speed: float) -> Event:
        """Stream one answer to `question`, say it is done, and return what follows its
        `answer_complete` (and its score): the next `question` or `session_complete`."""
        source = paced(frames, speed)
        sent = bytearray()  # this answer's audio, to re-send what a dead node had not stored
        resend_from: int | None = None

        async def step() -> Event:
            nonlocal resend_from
            mark = len(self.events)
            if resend_from is not None:  # a new connection: `start` again, then the rest
                asked = await self._start()
                if asked["type"] == "session_complete" or asked["number"] != question["number"]:
                    return asked  # the answer was closed and stored before the drop
                await self.send(type="ping", id="resume")
                await self.until("pong", after=mark)
                resumed = [e for e in self.events[mark:] if e["type"] == "resumed"]
                stored = int(resumed[-1]["audio_duration"] * 16000) * 2 if resumed else 0
                await self._send_audio(bytes(sent[stored:]))
                mark = len(self.events)
            resend_from = 0
            assert self.socket is not None
            async for frame in source:
                sent.extend(frame)
                await self.socket.send(frame)
            await self.send(type="answer_done")
            complete = await self.until("answer_complete", after=mark)
            return await self.until("question", "session_complete", after=self.events.index(complete) + 1)

        return await self._retrying(step)

    async def _send_audio(self, pcm: bytes, frame: int = 32000) -> None:
        assert self.socket is not None
        for start in range(0, len(pcm), frame):
            await self.socket.send(pcm[start : start + frame])


def ws_url(server: str, session_id: str) -> str:
    base = server.rstrip("/")
    scheme = "wss://" if base.startswith("https://") else "ws://"
    return scheme + base.split("://", 1)[1] + f"/ws/sessions/{session_id}"


async def connect(
    server: str, session_id: str, credentials: Credentials, on_event: Callable[[Event], None]
) -> Conversation:
    conversation = Conversation(ws_url(server, session_id), credentials, on_event)
    await conversation.open()
    return conversation
