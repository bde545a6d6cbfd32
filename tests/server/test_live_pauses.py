"""A candidate who thinks, or sits in a noisy room, never stalls the interview (issue 11, finding 1).

Through the real command-line server in a child process (real tiny.en, SQLite), at real-time
pace: one sentence, 40 s of silence, 40 s of loud noise, then speech that must still be
transcribed, with a ping every two seconds answered throughout and an `answer_done` that
completes. The old backpressure counted silence as backlog and waited, reading nothing, for a
decode that silence never causes: 30 s after the last final the socket stopped answering.
Then the same noise faster than real time: refused with `audio_dropped`, never a stall.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import numpy as np
import pytest
import websockets

from tests.security.servers import spawn_server
from tests.support.speech import synthesize, to_pcm16
from tests.support.text import normalise_words

pytestmark = [pytest.mark.model, pytest.mark.slow]

FIRST = ("I have five years of experience building backend services in Python.",)
LAST = ("Last year I moved our payment system to Kubernetes.",)
QUESTIONS = [
    {"text": "Tell me about your backend experience.", "expected_topics": ["Python", "Kubernetes"], "time_limit": 300},
    {"text": "What did you migrate last year?", "expected_topics": ["Kubernetes"], "time_limit": 300},
]
FRAME_SECONDS = 0.1
#: Pings in flight before the test calls the socket stalled (20 s without an answer; a healthy
#: server answers each within milliseconds). A bound for failing fast, not a speed measurement.
MAX_UNANSWERED_PINGS = 10
#: Longer than the 30 s after which the old backpressure stopped reading (a minute until the CI
#: budget asked for less: the stall came at 30 s, so 40 s still shows it).
SILENCE_S = 40
#: Longer than one 30 s Whisper window, so a noise "utterance" outgrows one decode window.
NOISE_S = 40


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[str]:
    with spawn_server(tmp_path_factory.mktemp("pauses")) as (base, _process):
        yield base


def _session(base: str) -> tuple[str, str]:
    email = f"{uuid.uuid4().hex[:10]}@example.com"
    tokens = httpx.post(
        f"{base}/api/auth/register", json={"email": email, "password": "long password", "full_name": "P"}, timeout=30
    ).json()
    created = httpx.post(
        f"{base}/api/sessions",
        json={"title": "pauses", "num_questions": len(QUESTIONS), "custom_questions": QUESTIONS},
        headers={"Authorization": f"Bearer {tokens['access_token']}"},
        timeout=30,
    )
    assert created.status_code == 201, created.text
    return tokens["access_token"], created.json()["id"]


def _noise(seconds: float, seed: int) -> np.ndarray:
    """Loud broadband noise (a fan, a street) with a slow swell, the kind a VAD takes for speech."""
    rng = np.random.default_rng(seed)
    samples = int(seconds * 16000)
    swell = 0.6 + 0.4 * np.sin(2 * np.pi * 0.3 * np.arange(samples) / 16000)
    return np.clip(rng.standard_normal(samples) * 0.25 * swell, -1, 1).astype(np.float32)


@dataclass
class PacedClient:
    """Reads every event in the background and pings every two seconds while it streams."""

    socket: websockets.ClientConnection
    events: list[dict[str, Any]] = field(default_factory=list)
    pings_sent: int = 0
    most_unanswered: int = 0
    _arrived: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def pongs(self) -> int:
        return sum(1 for event in self.events if event["type"] == "pong")

    async def read_forever(self) -> None:
        async for raw in self.socket:
            self.events.append(json.loads(raw))
            self._arrived.set()

    async def wait_for(self, kind: str, after: int = 0, timeout: float = 180) -> dict[str, Any]:
        """The first event of `kind` at index >= `after` (a bound to fail fast, not a timing check)."""
        async with asyncio.timeout(timeout):
            while True:
                for event in self.events[after:]:
                    if event["type"] == kind:
                        return event
                self._arrived.clear()
                await self._arrived.wait()

    async def ping(self) -> None:
        self.most_unanswered = max(self.most_unanswered, self.pings_sent - self.pongs)
        assert self.pings_sent - self.pongs <= MAX_UNANSWERED_PINGS, (
            f"{self.pings_sent - self.pongs} pings unanswered: the socket stalled"
        )
        self.pings_sent += 1
        await self.socket.send(json.dumps({"type": "ping", "id": self.pings_sent}))

    async def stream(self, pcm: bytes, *, realtime: bool = True) -> None:
        """Send `pcm` in 100 ms frames at real-time pace (by the clock, so no drift), pinging
        every 2 s; or as fast as the socket takes it."""
        loop = asyncio.get_running_loop()
        step = int(FRAME_SECONDS * 16000) * 2
        started = loop.time()
        next_ping = started
        for index, begin in enumerate(range(0, len(pcm), step)):
            if loop.time() >= next_ping:
                await self.ping()
                next_ping += 2.0
            await self.socket.send(pcm[begin : begin + step])
            if realtime:
                await asyncio.sleep(max(0.0, started + (index + 1) * FRAME_SECONDS - loop.time()))
        await self.ping()

    async def all_pongs(self) -> None:
        async with asyncio.timeout(30):
            while self.pongs < self.pings_sent:
                self._arrived.clear()
                await self._arrived.wait()


async def _open(base: str) -> tuple[PacedClient, asyncio.Task[None]]:
    token, session_id = _session(base)
    socket = await websockets.connect(
        base.replace("http://", "ws://") + f"/ws/sessions/{session_id}?token={token}", max_size=1 << 22
    )
    client = PacedClient(socket)
    reader = asyncio.create_task(client.read_forever())
    await client.wait_for("ready")
    await client.socket.send(json.dumps({"type": "start"}))
    await client.wait_for("question")
    return client, reader


async def test_long_silence_and_long_noise_at_real_time_never_stall(server) -> None:
    client, reader = await _open(server)
    try:
        await client.stream(to_pcm16(np.concatenate([synthesize(FIRST), np.zeros(16000, np.float32)])))
        await client.wait_for("final")
        await client.stream(to_pcm16(np.zeros(SILENCE_S * 16000, np.float32)))  # thinking
        await client.stream(to_pcm16(_noise(NOISE_S, seed=11)))  # a loud room
        mark = len(client.events)
        await client.stream(
            to_pcm16(np.concatenate([np.zeros(8000, np.float32), synthesize(LAST), np.zeros(24000, np.float32)]))
        )
        await client.all_pongs()
        final = await client.wait_for("final", after=mark)
        assert "kubernetes" in normalise_words(final["text"]) or "payment" in normalise_words(final["text"]), final
        await client.socket.send(json.dumps({"type": "answer_done"}))
        complete = await client.wait_for("answer_complete")
        words = set(normalise_words(complete["transcript"]))
        assert {"python", "backend"} & words and {"kubernetes", "payment"} & words, complete["transcript"]
        assert complete["audio_duration"] > SILENCE_S + NOISE_S + 5  # nothing was dropped at real time
        assert not [event for event in client.events if event["type"] == "error"], [
            e for e in client.events if e["type"] == "error"
        ]
        following = await client.wait_for("question", after=mark)  # question 2, or a follow-up to 1
        assert (following["number"], following["follow_up"]) in {(2, False), (1, True)}, following
    finally:
        await client.socket.close()
        reader.cancel()


async def test_noise_faster_than_real_time_is_refused_not_stalled(server) -> None:
    client, reader = await _open(server)
    try:
        await client.stream(to_pcm16(_noise(120, seed=12)), realtime=False)
        await client.all_pongs()  # the reader kept reading: the pings behind the audio came back
        dropped = await client.wait_for("error")
        assert dropped["code"] == "audio_dropped" and not dropped["fatal"]
        await client.socket.send(json.dumps({"type": "answer_done"}))
        complete = await client.wait_for("answer_complete")
        assert complete["audio_duration"] < 120  # what backpressure refused is not in the answer
        mark = client.events.index(complete) + 1
        assert (await client.wait_for("question", after=mark))["number"] == 2
        await client.stream(to_pcm16(np.concatenate([synthesize(LAST), np.zeros(24000, np.float32)])))
        await client.socket.send(json.dumps({"type": "answer_done"}))
        second = await client.wait_for("answer_complete", after=mark)
        assert {"kubernetes", "payment"} & set(normalise_words(second["transcript"])), second["transcript"]
    finally:
        await client.socket.close()
        reader.cancel()
