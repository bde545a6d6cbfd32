"""The one-process twins and the options of running several nodes: in-process session leases,
the cluster settings read from the environment, and JSON log lines with session ids and no
tokens. (The Redis leases and the nodes themselves: test_multinode.py and tests/faults.)"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from pathlib import Path

import pytest

from server.live.locks import LocalSessionLocks
from server.logs import JsonFormatter, _ContextFilter, bind_session
from server.settings import Settings, SettingsError


async def test_local_leases_refuse_a_live_holder_and_wait_for_a_draining_one() -> None:
    locks = LocalSessionLocks(reconnect_wait_s=5)
    session = uuid.uuid4()
    lease = await locks.acquire(session)
    assert lease is not None
    assert await locks.acquire(session) is None
    await lease.mark_draining()
    waiting = asyncio.create_task(locks.acquire(session))
    await asyncio.sleep(0.05)
    assert not waiting.done()
    await lease.release()
    successor = await waiting
    assert successor is not None
    await lease.release()  # releasing twice does not free the successor's lease
    assert await locks.acquire(session) is None
    await successor.release()
    assert await locks.acquire(uuid.uuid4()) is not None


async def test_local_leases_are_taken_over_by_a_newer_connection_never_an_uploads() -> None:
    locks = LocalSessionLocks(reconnect_wait_s=5)
    session = uuid.uuid4()
    lease = await locks.acquire(session, take_over=True)
    assert lease is not None
    taking = asyncio.create_task(locks.acquire(session, take_over=True))
    await asyncio.wait_for(lease.taken_over.wait(), 5)
    assert not taking.done()  # it waits for the holder to store what it heard and release
    await lease.mark_draining()
    await lease.release()
    successor = await taking
    assert successor is not None and not successor.taken_over.is_set()
    await successor.release()

    upload = await locks.acquire(session)  # acquired without take_over: never given away
    assert upload is not None
    assert await locks.acquire(session, take_over=True) is None
    assert not upload.taken_over.is_set()
    await upload.release()


def test_cluster_settings_come_from_the_environment() -> None:
    settings = Settings.from_env(
        {
            "DATA_DIR": "/srv/data",
            "AUDIO_DIR": "/mnt/shared/audio",
            "NODE_ID": "node-7",
            "SESSION_LOCK_TTL_S": "3",
            "SHUTDOWN_GRACE_S": "20",
            "LOG_FORMAT": "JSON",
            "REDIS_URL": "redis://cache:6379/0",
        }
    )
    assert settings.audio_dir == Path("/mnt/shared/audio")
    assert (settings.cluster.node_id, settings.cluster.session_lock_ttl_s, settings.cluster.shutdown_grace_s) == (
        "node-7",
        3.0,
        20.0,
    )
    assert settings.log_format == "json" and settings.redis_url == "redis://cache:6379/0"
    assert Settings.from_env({"DATA_DIR": "/srv/data"}).audio_dir == Path("/srv/data/audio")
    with pytest.raises(SettingsError, match="LOG_FORMAT"):
        Settings.from_env({"LOG_FORMAT": "xml"})
    with pytest.raises(SettingsError, match="SESSION_LOCK_TTL_S"):
        Settings.from_env({"SESSION_LOCK_TTL_S": "0.1"})


def test_json_log_lines_carry_the_session_and_never_a_token() -> None:
    record = logging.LogRecord(
        "uvicorn.error",
        logging.INFO,
        __file__,
        1,
        '"WebSocket %s" [accepted]',
        ("/ws/sessions/x?token=eyJ.abc-d&y=1",),
        None,
    )
    with bind_session("6f1c-session"):
        assert _ContextFilter().filter(record)
    entry = json.loads(JsonFormatter().format(record))
    assert entry["session_id"] == "6f1c-session" and entry["level"] == "info" and entry["logger"] == "uvicorn.error"
    assert "eyJ" not in entry["message"] and "token=[redacted]&y=1" in entry["message"]
