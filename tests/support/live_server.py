"""A real uvicorn server in the test's event loop, and a small WebSocket interview client."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import uvicorn
import websockets


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.asynccontextmanager
async def serve(app: Any) -> AsyncIterator[str]:
    """Run `app` under uvicorn on a free loopback port; yields its base URL (http://...)."""
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", ws_max_size=1 << 20, lifespan="on")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


@dataclass
class InterviewClient:
    """Records every event it receives; helpers wait for a given event type."""

    connection: websockets.ClientConnection
    events: list[dict[str, Any]] = field(default_factory=list)

    async def send(self, **message: Any) -> None:
        await self.connection.send(json.dumps(message))

    async def next_event(self, timeout: float = 60) -> dict[str, Any]:
        raw = await asyncio.wait_for(self.connection.recv(), timeout)
        event = json.loads(raw)
        self.events.append(event)
        return event

    async def wait_for(self, kind: str, timeout: float = 120) -> dict[str, Any]:
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            remaining = deadline - asyncio.get_running_loop().time()
            event = await self.next_event(max(0.1, remaining))
            if event["type"] == kind:
                return event

    async def start(self) -> dict[str, Any]:
        """Send `start`; the `question` event it opens (the interview's first, or the resumed one)."""
        await self.send(type="start")
        return await self.wait_for("question")

    async def stream(self, pcm: bytes, *, chunk: int = 3200, realtime_factor: float | None = None) -> None:
        """Send PCM in `chunk`-byte frames; at `realtime_factor` x real time, or as fast as possible."""
        for start in range(0, len(pcm), chunk):
            await self.connection.send(pcm[start : start + chunk])
            if realtime_factor:
                await asyncio.sleep(chunk / 32000 / realtime_factor)

    def of_type(self, kind: str) -> list[dict[str, Any]]:
        return [event for event in self.events if event["type"] == kind]


def ws_url(base: str, path: str) -> str:
    return base.replace("http://", "ws://") + path


#: The metrics token of the test servers (METRICS_TOKEN): /metrics is not public.
METRICS_TOKEN = "test-metrics-token-" + "m" * 16
METRICS_HEADERS = {"Authorization": f"Bearer {METRICS_TOKEN}"}


def parse_metrics(text: str) -> dict[str, float]:
    """Prometheus text exposition as {"name{labels}": value}."""
    samples = (line.rsplit(" ", 1) for line in text.splitlines() if line and not line.startswith("#"))
    return {name: float(value) for name, value in samples}
