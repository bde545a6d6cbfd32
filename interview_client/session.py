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
    return str(body.get("detail") or body) if isinstance(body, dict) else str(body)


async def sign_in(http: httpx.AsyncClient, account: Account, *, register: bool) -> str:
    """An access token: log in, or with `register` create the account first (an existing
    account is then simply logged in)."""
    if register:
        created = await http.post(
            "/api/auth/register",
            json={"email": account.email, "password": account.password, "full_name": account.full_name},
        )
        if created.status_code == 201:
            return created.json()["access_token"]
        if created.status_code != 409:
            raise ClientError(f"sign-up refused ({created.status_code}): {_detail(created)}")
    login = await http.post("/api/auth/login", json={"email": account.email, "password": account.password})
    if login.status_code != 200:
        raise ClientError(f"sign-in refused ({login.status_code}): {_detail(login)}")
    return login.json()["access_token"]


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


@dataclass
class Conversation:
    """The interview socket: a reader task hands every event to `on_event` (printing) and keeps
    it for `until`, while audio is sent. Reading all the time matters: a client that stops
    reading is closed by the server with 1013 (client_too_slow)."""

    socket: websockets.ClientConnection
    on_event: Callable[[Event], None]
    events: list[Event] = field(default_factory=list)
    _arrived: asyncio.Condition = field(default_factory=asyncio.Condition)
    _closed: BaseException | None = None

    async def read_forever(self) -> None:
        try:
            async for raw in self.socket:
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
        await self.socket.send(json.dumps(message))

    async def until(self, *kinds: str, after: int = 0, timeout: float = 300) -> Event:
        """The first event of one of `kinds` at index `after` or later; a fatal `error` event or
        a closed socket before it is a ClientError."""

        def found() -> Event | None:
            for event in self.events[after:]:
                if event["type"] in kinds:
                    return event
                if event["type"] == "error" and event.get("fatal"):
                    raise ClientError(f"the server ended the interview: {event['code']}: {event['message']}")
            return None

        async def wait() -> Event:
            async with self._arrived:
                while (event := found()) is None:
                    if self._closed is not None:
                        raise ClientError(f"the connection closed while waiting for {'/'.join(kinds)}: {self._closed}")
                    await self._arrived.wait()
                return event

        return await asyncio.wait_for(wait(), timeout)

    def of_type(self, kind: str) -> list[Event]:
        return [event for event in self.events if event["type"] == kind]

    async def answer(self, frames: AsyncIterator[bytes], speed: float) -> Event:
        """Stream one answer, say it is done, and return what follows its `answer_complete`
        (and its score): the next `question` or `session_complete`."""
        mark = len(self.events)
        async for frame in paced(frames, speed):
            await self.socket.send(frame)
        await self.send(type="answer_done")
        complete = await self.until("answer_complete", after=mark)
        return await self.until("question", "session_complete", after=self.events.index(complete) + 1)


def ws_url(server: str, session_id: str) -> str:
    base = server.rstrip("/")
    scheme = "wss://" if base.startswith("https://") else "ws://"
    return scheme + base.split("://", 1)[1] + f"/ws/sessions/{session_id}"


async def connect(server: str, session_id: str, token: str, on_event: Callable[[Event], None]) -> tuple[Conversation, asyncio.Task]:
    """Open the interview socket, authenticate with the first message (the token stays out of
    URLs and access logs), wait for `ready`."""
    socket = await websockets.connect(ws_url(server, session_id), max_size=1 << 22, open_timeout=30)
    conversation = Conversation(socket, on_event)
    reader = asyncio.create_task(conversation.read_forever(), name="interview-client-reader")
    await conversation.send(type="auth", token=token)
    await conversation.until("ready", timeout=60)
    return conversation, reader
