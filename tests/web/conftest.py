"""Browser tests: the real server (uvicorn, the real tiny.en model and MiniLM embedder, SQLite)
driven through Debian's Chromium with Playwright. The microphone is Chromium's fake capture
device playing a WAV of synthesised speech (Chromium loops the file).

Screenshots of every step go to tests/web/screenshots/ (git-ignored) for a human look.
"""

from __future__ import annotations

import os
import re
import shutil
import uuid
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

import numpy as np
import pytest

from server.app import create_app
from tests.support.chromium import CHROMIUM, launch
from tests.support.live_server import serve
from tests.support.speech import synthesize, write_wav

SCREENSHOTS = Path(__file__).parent / "screenshots"
IN_CI = os.environ.get("CI", "").lower() == "true"

#: What the candidate says (Piper voice), with pauses; Chromium loops it as the microphone.
ANSWER = (
    "I have five years of experience building backend services in Python.",
    0.7,
    "Last year I led the migration of our payment system to Kubernetes.",
    0.7,
    "We measured latency before and after the change, and it dropped by forty percent.",
)
#: Words of ANSWER that a transcript of any stretch of the looped recording contains some of.
ANSWER_WORDS = {
    "experience",
    "backend",
    "services",
    "python",
    "migration",
    "payment",
    "kubernetes",
    "latency",
    "percent",
    "measured",
}

pytestmark = [pytest.mark.model, pytest.mark.slow]


def pytest_collection_modifyitems(config, items) -> None:
    if not Path(CHROMIUM).is_file():
        if IN_CI:
            raise pytest.UsageError(f"CI=true but Chromium is not at {CHROMIUM}: the browser tests would be skipped")
        skip = pytest.mark.skip(reason=f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
        for item in items:
            if "tests/web/" in str(item.fspath):
                item.add_marker(skip)


@pytest.fixture(scope="session")
def answer_wav(tmp_path_factory) -> Path:
    """A 16 kHz WAV of the spoken answer with a little silence around it."""
    audio = synthesize(ANSWER)
    path = tmp_path_factory.mktemp("audio") / "answer.wav"
    write_wav(path, np.concatenate([np.zeros(8000, np.float32), audio, np.zeros(24000, np.float32)]), 16000)
    return path


@pytest.fixture(scope="session")
def screenshots() -> Path:
    shutil.rmtree(SCREENSHOTS, ignore_errors=True)
    SCREENSHOTS.mkdir(parents=True)
    return SCREENSHOTS


@pytest.fixture(scope="session")
async def playwright():
    from playwright.async_api import async_playwright

    async with async_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
async def browser(playwright, answer_wav):
    """Chromium whose microphone says ANSWER, permission granted."""
    browser = await launch(playwright, fake_microphone=answer_wav)
    yield browser
    await browser.close()


@pytest.fixture
async def server(settings, transcriber, embedder) -> AsyncIterator[str]:
    async with serve(create_app(settings, transcriber=transcriber, embedder=embedder)) as base:
        yield base


class Shots:
    """Numbered screenshots for one test: tests/web/screenshots/<test>-<n>-<step>.png."""

    def __init__(self, directory: Path, name: str) -> None:
        self.directory = directory
        self.name = re.sub(r"\W+", "-", name).strip("-")
        self.count = 0

    async def __call__(self, page, step: str, *, full_page: bool = True) -> Path:
        self.count += 1
        path = self.directory / f"{self.name}-{self.count:02d}-{step}.png"
        await page.screenshot(path=str(path), full_page=full_page)
        return path


@pytest.fixture
def shot(screenshots, request) -> Shots:
    return Shots(screenshots, request.node.name.removeprefix("test_"))


@pytest.fixture
async def context(browser):
    context = await browser.new_context(viewport={"width": 1100, "height": 900})
    yield context
    await context.close()


@pytest.fixture
async def page(context):
    yield await new_page(context)


async def new_page(context):
    """A page that records uncaught script errors and Content-Security-Policy violations (the
    browser reports them on the console) in `page.script_errors` (tests assert none)."""
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "console", lambda message: errors.append(message.text) if "Content Security Policy" in message.text else None
    )
    page.script_errors = errors
    return page


def unique_email() -> str:
    return f"candidate-{uuid.uuid4().hex[:10]}@example.com"


def words_of(text: str) -> set[str]:
    return set(re.findall(r"[a-z]+", text.lower()))


def spoken(text: str, expected: Sequence[str] | set[str] = ANSWER_WORDS, at_least: int = 2) -> bool:
    return len(words_of(text) & set(expected)) >= at_least


@pytest.fixture(scope="session")
async def migrated_database(tmp_path_factory):
    """The browser tests run on SQLite only (the API and persistence suites cover PostgreSQL)."""
    import asyncio

    from server import migrate
    from tests.conftest import TestDatabase, sqlite_url

    url = sqlite_url(tmp_path_factory.mktemp("web-sqlite"))
    await asyncio.to_thread(migrate.upgrade, url)
    return TestDatabase("sqlite", url)
