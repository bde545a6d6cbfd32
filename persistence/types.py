"""Column types and server defaults that mean the same thing on PostgreSQL and SQLite.

The schema (shared/spec/schema.md) is written for PostgreSQL; SQLite is the embedded default.
Each construct here renders the PostgreSQL form on PostgreSQL and an equivalent on SQLite, so
one model and one migration serve both.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import FunctionElement
from sqlalchemy.types import Uuid

#: JSON columns: JSONB on PostgreSQL (indexable, compact), JSON text on SQLite.
JsonDocument = JSON().with_variant(JSONB(), "postgresql")

#: UUID keys: native `uuid` on PostgreSQL, CHAR(32) hex on SQLite.
UuidKey = Uuid(as_uuid=True)


class RandomUuid(FunctionElement[uuid.UUID]):
    """`DEFAULT gen_random_uuid()` on PostgreSQL; 32 random hex digits on SQLite.

    SQLAlchemy's `Uuid` stores SQLite values as 32 hex digits without dashes, which is exactly
    what `lower(hex(randomblob(16)))` produces, so rows inserted by plain SQL read back as UUIDs.
    """

    type = Uuid()
    inherit_cache = True


@compiles(RandomUuid, "postgresql")
def _random_uuid_postgresql(element: RandomUuid, compiler: SQLCompiler, **kw: Any) -> str:
    return "gen_random_uuid()"


@compiles(RandomUuid, "sqlite")
def _random_uuid_sqlite(element: RandomUuid, compiler: SQLCompiler, **kw: Any) -> str:
    return "(lower(hex(randomblob(16))))"


def utcnow() -> datetime:
    """Naive UTC now: the schema's columns are `TIMESTAMP` (without time zone), stored as UTC."""
    return datetime.now(UTC).replace(tzinfo=None)
