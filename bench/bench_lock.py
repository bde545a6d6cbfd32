"""The shared machine's benchmark lock: while the file exists, other developers start no new test
runs; runs already going finish, so the holder waits for the load to drop before measuring.

    with bench_lock(Path("/work/BENCH_LOCK"), max_wait_s=480):
        ...  # latency measurements

The lock is removed however the block ends (exception, SIGTERM, SIGINT, SIGHUP).
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def bench_lock(path: Path | None, *, idle_load: float = 0.5, max_wait_s: float = 480.0) -> Iterator[list[float]]:
    """Create `path` (refusing if it exists), wait until the 1-minute load average is below
    `idle_load` (at most `max_wait_s`), yield the load average at the start, remove the file.
    With `path` None nothing is locked and nothing waited for."""
    if path is None:
        yield [round(x, 2) for x in os.getloadavg()]
        return
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)  # FileExistsError if held
    os.write(fd, f"stream benchmark, pid {os.getpid()}, since {time.strftime('%H:%M:%SZ', time.gmtime())}\n".encode())
    os.close(fd)
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGHUP)}

    def _leave(signum, frame):
        raise SystemExit(128 + signum)

    for sig in previous:
        signal.signal(sig, _leave)
    try:
        deadline = time.monotonic() + max_wait_s
        while os.getloadavg()[0] >= idle_load and time.monotonic() < deadline:
            time.sleep(5)
        yield [round(x, 2) for x in os.getloadavg()]
    finally:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
