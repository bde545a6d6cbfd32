"""Alembic migrations against the real databases: round trip, no drift from the models, and the
live PostgreSQL catalog compared column by column with shared/spec/schema.md."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.ext.asyncio import create_async_engine

from persistence.models import Base
from server import migrate
from tests.conftest import POSTGRES_ADMIN_URL, create_postgres_database, drop_postgres_database, sqlite_url
from tests.persistence.spec import COLUMNS, FOREIGN_KEYS, INDEXES, UNIQUES

TABLES = {"users", "interview_sessions", "interview_questions", "interview_feedback"}


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def empty_database(request, tmp_path) -> AsyncIterator[str]:
    if request.param == "sqlite":
        yield sqlite_url(tmp_path)
        return
    if not POSTGRES_ADMIN_URL:
        pytest.skip("TEST_POSTGRES_URL is not set")
    url = await create_postgres_database("migr")
    yield url
    await drop_postgres_database(url)


async def _tables(url: str) -> set[str]:
    engine = create_async_engine(url)
    async with engine.connect() as connection:
        names = await connection.run_sync(lambda sync: set(inspect(sync).get_table_names()))
    await engine.dispose()
    return names - {"alembic_version"}


async def _drift(url: str) -> list:
    engine = create_async_engine(url)
    async with engine.connect() as connection:
        diff = await connection.run_sync(
            lambda sync: compare_metadata(MigrationContext.configure(sync, opts={"compare_type": True}), Base.metadata)
        )
    await engine.dispose()
    return diff


async def test_upgrade_downgrade_upgrade_round_trips(empty_database: str) -> None:
    await asyncio.to_thread(migrate.upgrade, empty_database)
    assert await _tables(empty_database) == TABLES
    await asyncio.to_thread(migrate.downgrade, empty_database)
    assert await _tables(empty_database) == set()
    await asyncio.to_thread(migrate.upgrade, empty_database)
    assert await _tables(empty_database) == TABLES
    assert await _drift(empty_database) == []


async def test_ready_reports_unmigrated_database(empty_database: str, tmp_path, transcriber, embedder) -> None:
    from litestar.testing import AsyncTestClient

    from server.app import create_app
    from server.settings import ReviewSettings, Settings
    from tests.conftest import LANGUAGETOOL_URL

    settings = Settings(data_dir=tmp_path / "data", review=ReviewSettings(languagetool_url=LANGUAGETOOL_URL))
    app = create_app(settings.with_database(empty_database), transcriber=transcriber, embedder=embedder)
    async with AsyncTestClient(app) as client:
        response = await client.get("/ready")
    assert response.status_code == 503
    assert "head is" in response.json()["checks"]["migrations"]


@pytest.mark.postgres
async def test_postgres_catalog_is_exactly_the_spec() -> None:
    if not POSTGRES_ADMIN_URL:
        pytest.skip("TEST_POSTGRES_URL is not set")
    url = await create_postgres_database("catalog")
    try:
        await asyncio.to_thread(migrate.upgrade, url)
        engine = create_async_engine(url)
        async with engine.connect() as connection:
            columns = (
                await connection.execute(
                    text(
                        "SELECT table_name, column_name, data_type, udt_name, character_maximum_length, "
                        "is_nullable, column_default FROM information_schema.columns "
                        "WHERE table_schema = 'public' AND table_name <> 'alembic_version'"
                    )
                )
            ).all()
            indexes = (
                await connection.execute(
                    text("SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'")
                )
            ).all()
            uniques = (
                await connection.execute(
                    text(
                        "SELECT tc.table_name, tc.constraint_name, "
                        "string_agg(k.column_name, ',' ORDER BY k.ordinal_position) "
                        "FROM information_schema.table_constraints tc JOIN information_schema.key_column_usage k "
                        "USING (constraint_schema, constraint_name) "
                        "WHERE tc.constraint_type = 'UNIQUE' AND tc.table_schema = 'public' "
                        "GROUP BY tc.table_name, tc.constraint_name"
                    )
                )
            ).all()
            foreign_keys = (
                await connection.execute(
                    text(
                        "SELECT tc.table_name, k.column_name, ccu.table_name, ccu.column_name, rc.delete_rule "
                        "FROM information_schema.table_constraints tc "
                        "JOIN information_schema.key_column_usage k USING (constraint_schema, constraint_name) "
                        "JOIN information_schema.referential_constraints rc USING (constraint_schema, constraint_name) "
                        "JOIN information_schema.constraint_column_usage ccu "
                        "USING (constraint_schema, constraint_name) "
                        "WHERE tc.constraint_type = 'FOREIGN KEY' AND tc.table_schema = 'public'"
                    )
                )
            ).all()
            enum_labels = (
                (
                    await connection.execute(
                        text(
                            "SELECT e.enumlabel FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid "
                            "WHERE t.typname = 'interview_status' ORDER BY e.enumsortorder"
                        )
                    )
                )
                .scalars()
                .all()
            )
            primary_keys = (
                await connection.execute(
                    text(
                        "SELECT tc.table_name, k.column_name FROM information_schema.table_constraints tc "
                        "JOIN information_schema.key_column_usage k USING (constraint_schema, constraint_name) "
                        "WHERE tc.constraint_type = 'PRIMARY KEY' AND tc.table_schema = 'public' "
                        "AND tc.table_name <> 'alembic_version'"
                    )
                )
            ).all()
        await engine.dispose()
    finally:
        await drop_postgres_database(url)

    actual_columns = {
        (table, column): (udt, length, nullable == "YES", _normalise_default(default))
        for table, column, _type, udt, length, nullable, default in columns
    }
    assert actual_columns == COLUMNS
    actual_indexes = {(table, name) for table, name, _ in indexes if name.startswith("idx_")}
    assert actual_indexes == INDEXES
    assert {(table, name, cols) for table, name, cols in uniques} == UNIQUES
    assert set(foreign_keys) == FOREIGN_KEYS
    assert enum_labels == ["created", "in_progress", "completed", "cancelled"]
    assert set(primary_keys) == {(table, "id") for table in TABLES}


def _normalise_default(default: str | None) -> str | None:
    """`'created'::interview_status` -> `'created'`; `0.0`/`0` compare as written by PostgreSQL."""
    if default is None:
        return None
    return default.split("::")[0]
