"""server.languagetool.LanguageToolSupervisor against the real LanguageTool jars: start() does
not block, the server becomes ready, a crash is restarted, stop() ends the process."""

from __future__ import annotations

import asyncio
import os
import signal
import time

import pytest

from server.languagetool import LanguageToolChecker, LanguageToolSupervisor
from tests.scoring.conftest import LT_JARS, free_port

pytestmark = [pytest.mark.languagetool, pytest.mark.slow]


async def test_start_is_non_blocking_then_ready_restarts_after_a_crash_and_stops() -> None:
    supervisor = LanguageToolSupervisor(LT_JARS, free_port())
    began = time.monotonic()
    await supervisor.start()
    try:
        assert time.monotonic() - began < 2.0 and not supervisor.ready
        assert await supervisor.wait_ready(timeout=180)
        checker = LanguageToolChecker(supervisor.url)
        assert [m.rule_id for m in await asyncio.to_thread(checker.check, "We was late.")] == ["PERS_PRONOUN_AGREEMENT"]
        first_pid = supervisor.pid
        os.kill(first_pid, signal.SIGKILL)
        for _ in range(100):  # the supervisor notices the exit and drops readiness
            if not supervisor.ready:
                break
            await asyncio.sleep(0.05)
        assert not supervisor.ready
        assert await supervisor.wait_ready(timeout=180)
        assert supervisor.pid != first_pid and supervisor.restarts == 1
        assert await asyncio.to_thread(checker.check, "He don't know.")
    finally:
        await supervisor.stop()
    assert supervisor.pid is None and not supervisor.ready


async def test_missing_jars_fail_fast(tmp_path) -> None:
    with pytest.raises(FileNotFoundError):
        await LanguageToolSupervisor(tmp_path, free_port()).start()
