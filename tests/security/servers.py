"""A real uvicorn server on its own thread and event loop, for synchronous clients (schemathesis
drives `requests`, which would block a server sharing the test's event loop)."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Iterator
from typing import Any

import uvicorn

from tests.support.live_server import free_port


@contextlib.contextmanager
def serve_in_thread(app: Any) -> Iterator[str]:
    """Run `app` under uvicorn on a free loopback port in a background thread; yields its base URL.
    The app's lifespan runs in that thread's loop, so its database engine lives there too."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", ws_max_size=1 << 20, lifespan="on")
    )
    failure: list[BaseException] = []

    def run() -> None:
        try:
            asyncio.run(server.serve())
        except BaseException as error:  # reported to the test below instead of dying silently
            failure.append(error)

    thread = threading.Thread(target=run, name=f"uvicorn-{port}", daemon=True)
    thread.start()
    started = threading.Event()
    while not server.started:
        if failure or not thread.is_alive():
            raise RuntimeError("the server did not start") from (failure[0] if failure else None)
        started.wait(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=60)
