"""The per-request database session dependency: one transaction per request, committed when the
handler succeeds and rolled back when it raises."""

from __future__ import annotations

from collections.abc import AsyncGenerator

from litestar.datastructures import State
from litestar.di import NamedDependency
from sqlalchemy.ext.asyncio import AsyncSession


async def provide_db(state: State) -> AsyncGenerator[AsyncSession, None]:
    async with state.db_sessions() as session:
        try:
            yield session
        except BaseException:
            await session.rollback()
            raise
        else:
            await session.commit()


#: How handlers ask for the request's database session: `db: Db`.
Db = NamedDependency[AsyncSession]
