"""LanguageTool for grammar scoring: a supervised local HTTP server and an HTTP checker.

`LanguageToolSupervisor` runs `org.languagetool.server.HTTPServer` (LanguageTool 6.6 jars in
var/languagetool/lib, fetched by scripts/languagetool/pom.xml) as an asyncio subprocess. `start()`
returns at once; readiness is polled in the background (the JVM needs several seconds to load
the English models), so the app accepts connections meanwhile and answers are scored without
grammar until `ready` (scoring flags grammar as unavailable, it never invents a score). A crashed
server is restarted with exponential back-off.

`LanguageToolChecker` implements scoring's `GrammarChecker` over HTTP with language_tool_python,
with a short timeout, and raises scoring's `GrammarUnavailable` when the server cannot answer.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Iterable
from pathlib import Path

import httpx

from scoring.errors import GrammarUnavailable
from scoring.grammar import DISABLED_CATEGORIES, DISABLED_RULES, GrammarMatch

log = logging.getLogger("server.languagetool")

MAIN_CLASS = "org.languagetool.server.HTTPServer"


class LanguageToolSupervisor:
    """Owns one LanguageTool server process on 127.0.0.1:`port` (see the module docstring)."""

    def __init__(
        self,
        jar_dir: Path,
        port: int,
        java: str = "java",
        *,
        max_heap: str = "1g",
        ready_timeout_s: float = 120.0,
        max_backoff_s: float = 30.0,
    ) -> None:
        self.jar_dir = Path(jar_dir)
        self.port = port
        self.java = java
        self.max_heap = max_heap
        self.ready_timeout_s = ready_timeout_s
        self.max_backoff_s = max_backoff_s
        self.restarts = 0
        self._process: asyncio.subprocess.Process | None = None
        self._ready = asyncio.Event()
        self._stopping = False
        self._task: asyncio.Task[None] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ready(self) -> bool:
        """True while the server process is up and answered its last readiness probe."""
        return self._ready.is_set()

    @property
    def pid(self) -> int | None:
        return None if self._process is None else self._process.pid

    def command(self) -> list[str]:
        classpath = str(self.jar_dir / "*")
        return [self.java, f"-Xmx{self.max_heap}", "-cp", classpath, MAIN_CLASS, "--port", str(self.port)]

    async def start(self) -> None:
        """Spawn the server and return at once; supervision continues in a background task."""
        if self._task is not None:
            return
        if not any(self.jar_dir.glob("languagetool-server*.jar")):
            raise FileNotFoundError(f"no LanguageTool server jar in {self.jar_dir} (run scripts/setup.sh)")
        self._stopping = False
        await self._spawn()
        self._task = asyncio.create_task(self._supervise(), name="languagetool-supervisor")

    async def wait_ready(self, timeout: float | None = None) -> bool:
        """Wait until ready (True) or until `timeout` seconds pass (False)."""
        try:
            await asyncio.wait_for(self._ready.wait(), timeout)
        except TimeoutError:
            return False
        return True

    async def stop(self) -> None:
        """Stop supervising and terminate the server (SIGTERM, then SIGKILL after 5 s)."""
        self._stopping = True
        self._ready.clear()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await self._terminate()

    async def _spawn(self) -> None:
        log.info("starting LanguageTool on port %d", self.port)
        self._process = await asyncio.create_subprocess_exec(
            *self.command(),
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )

    async def _terminate(self) -> None:
        process, self._process = self._process, None
        if process is None or process.returncode is not None:
            return
        process.terminate()
        try:
            await asyncio.wait_for(process.wait(), 5.0)
        except TimeoutError:
            process.kill()
            await process.wait()

    async def _supervise(self) -> None:
        backoff = 1.0
        while not self._stopping:
            process = self._process
            assert process is not None
            if await self._probe_until_ready(process):
                self._ready.set()
                backoff = 1.0
                log.info("LanguageTool ready at %s", self.url)
                await process.wait()
            self._ready.clear()
            if self._stopping:
                return
            log.warning("LanguageTool exited or never became ready; restarting in %.0f s", backoff)
            await self._terminate()
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, self.max_backoff_s)
            self.restarts += 1
            await self._spawn()

    async def _probe_until_ready(self, process: asyncio.subprocess.Process) -> bool:
        """Ready = the HTTP endpoint answers *and* one English check has run. LanguageTool loads
        the English rules lazily on the first check (several seconds), which would otherwise
        make the first candidate's grammar check time out."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.ready_timeout_s
        async with httpx.AsyncClient(timeout=2.0) as client:
            while loop.time() < deadline and process.returncode is None:
                with contextlib.suppress(httpx.HTTPError):
                    response = await client.get(f"{self.url}/v2/languages")
                    if response.status_code == 200:
                        break
                await asyncio.sleep(0.25)
            else:
                return False
            with contextlib.suppress(httpx.HTTPError):
                warm = await client.post(
                    f"{self.url}/v2/check",
                    data={"language": "en-US", "text": "We was late for the meeting."},
                    timeout=max(1.0, deadline - loop.time()),
                )
                return warm.status_code == 200
        return False


class LanguageToolChecker:
    """scoring.grammar.GrammarChecker backed by a LanguageTool HTTP server at `url`.

    Thread-safe; `check` blocks (call it from a worker thread). The rules and categories that
    make no sense for speech transcripts are disabled on the server side (scoring.grammar
    documents the list) and filtered again by scoring.
    """

    def __init__(
        self,
        url: str,
        disabled_rules: Iterable[str] = DISABLED_RULES,
        language: str = "en-US",
        *,
        disabled_categories: Iterable[str] = DISABLED_CATEGORIES,
        timeout_s: float = 3.0,
    ) -> None:
        self.url = url.rstrip("/") + "/"
        self.language = language
        self.disabled_rules = frozenset(disabled_rules)
        self.disabled_categories = frozenset(disabled_categories)
        self.timeout_s = timeout_s
        self._tool = None
        self._lock = threading.Lock()

    def _client(self):
        # Built on first use: language_tool_python asks the server for its languages in the
        # constructor, which must not happen while the server is still starting up.
        with self._lock:
            if self._tool is None:
                import language_tool_python

                class _ShortTimeout(language_tool_python.LanguageTool):
                    _TIMEOUT = self.timeout_s  # the library's default is 300 s

                tool = _ShortTimeout(language=self.language, remote_server=self.url)
                tool.disabled_rules = set(self.disabled_rules)
                tool.disabled_categories = set(self.disabled_categories)
                self._tool = tool
            return self._tool

    def check(self, text: str) -> list[GrammarMatch]:
        """Matches for `text`; raises GrammarUnavailable if the server cannot answer."""
        if not text.strip():
            return []
        from language_tool_python.exceptions import LanguageToolError

        try:
            matches = self._client().check(text)
        except (LanguageToolError, OSError, ValueError, KeyError) as error:
            raise GrammarUnavailable(f"LanguageTool at {self.url} did not answer: {error}") from error
        return [
            GrammarMatch(
                offset=m.offset,
                length=m.error_length,
                message=m.message,
                replacements=tuple(m.replacements),
                rule_id=m.rule_id,
                category=m.category,
            )
            for m in matches
        ]

    def close(self) -> None:
        with self._lock:
            self._tool = None
