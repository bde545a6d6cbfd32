"""How the browser tests and the voice benchmarks start Debian's Chromium through Playwright: one
list of switches, so a flag a CI machine needs (no sandbox as root, no GPU, no /dev/shm) is
added once for all of them."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

#: The Chromium binary (Debian's package); TEST_CHROMIUM points elsewhere.
CHROMIUM = os.environ.get("TEST_CHROMIUM", "/usr/bin/chromium")

#: Every launch: root in a container (no sandbox), no GPU, a small /dev/shm, and nothing that
#: reaches the network on its own (the workplace allows loopback only).
BASE_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
)


def chromium_args(*extra_args: str, fake_microphone: Path | None = None) -> list[str]:
    """BASE_ARGS, then `extra_args`; with `fake_microphone`, the permission is granted and the
    microphone is a fake device playing that WAV (Chromium loops it)."""
    args = [*BASE_ARGS, *extra_args]
    if fake_microphone is not None:
        args += [
            "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-audio-capture={fake_microphone}",
        ]
    return args


async def launch(playwright: Any, *extra_args: str, fake_microphone: Path | None = None) -> Any:
    """A headless Chromium browser (Playwright's `Browser`) started with `chromium_args`."""
    return await playwright.chromium.launch(
        executable_path=CHROMIUM, args=chromium_args(*extra_args, fake_microphone=fake_microphone)
    )
