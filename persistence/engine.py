"""Engine and session-factory set-up for SQLite (aiosqlite, the embedded default) and PostgreSQL
(asyncpg). The URL decides the dialect; nothing is read from the environment here."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///var/data/interview.db"


@dataclass(frozen=True)
class DatabaseOptions:
    """Where the data lives. `url` is any SQLAlchemy async URL (sqlite+aiosqlite or postgresql+asyncpg)."""

    url: str = DEFAULT_DATABASE_URL
    echo: bool = False
    pool_size: int = 10


def normalise_url(url: str) -> str:
    """Accept the URLs people paste (`postgres://`, `postgresql://`, `sqlite:///`) and pick the
    async driver this project ships for them."""
    parsed = make_url(url)
    driver = {"postgres": "postgresql+asyncpg", "postgresql": "postgresql+asyncpg", "sqlite": "sqlite+aiosqlite"}
    if parsed.drivername in driver:
        parsed = parsed.set(drivername=driver[parsed.drivername])
    return parsed.render_as_string(hide_password=False)


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def create_engine(options: DatabaseOptions) -> AsyncEngine:
    """An async engine; on SQLite, foreign keys are enforced (they are off by default there) and
    the database file's folder is created."""
    url = normalise_url(options.url)
    if is_sqlite(url):
        database = make_url(url).database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, echo=options.echo)
        event.listen(engine.sync_engine, "connect", _sqlite_on_connect)
        return engine
    return create_async_engine(url, echo=options.echo, pool_size=options.pool_size, pool_pre_ping=True)


def _sqlite_on_connect(dbapi_connection: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    # WAL lets readers (watchers, stats) proceed while an answer is being written.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)
