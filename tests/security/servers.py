"""Real servers for synchronous clients: uvicorn on its own thread and event loop (schemathesis
drives `requests`, which would block a server sharing the test's event loop), or the real command
line in a child process (whose memory and survival the hostile tests watch)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import psutil
import uvicorn

from tests.support.live_server import free_port

REPO = Path(__file__).resolve().parents[2]


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


@contextlib.contextmanager
def spawn_server(data_dir: Path, **environment: str) -> Iterator[tuple[str, psutil.Process]]:
    """`interview-server run` in a child process (SQLite in `data_dir` unless `DATABASE_URL` is
    among `environment`, its own model), so its memory can be measured and its survival checked.
    Yields (base URL, the process)."""
    port = free_port()
    database_url = environment.pop("DATABASE_URL", None)
    env = {
        **os.environ,
        "DATA_DIR": str(data_dir),
        "JWT_SECRET": "hostile-" + "s" * 40,
        "BCRYPT_ROUNDS": "4",
        "LOGIN_RATE_LIMIT_PER_MINUTE": "10000",
        "LANGUAGETOOL_URL": "http://127.0.0.1:9",  # grammar unavailable: not what is tested here
        "LOG_LEVEL": "warning",
        **environment,
    }
    env.pop("DATABASE_URL", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    log = (data_dir / "server.log").open("wb")
    child = subprocess.Popen(
        [sys.executable, "-m", "server.cli", "run", "--host", "127.0.0.1", "--port", str(port)],
        cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180  # migrations and loading two models; not an assertion
        while True:
            if child.poll() is not None:
                raise RuntimeError(
                    f"the server exited with {child.returncode}: {(data_dir / 'server.log').read_text()[-2000:]}"
                )
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError("the server did not start")
            time.sleep(0.2)
        yield base, psutil.Process(child.pid)
    finally:
        child.send_signal(signal.SIGTERM)
        try:
            child.wait(timeout=60)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
        log.close()
