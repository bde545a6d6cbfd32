"""Telling "the database is unreachable right now" apart from every other database error.

The former is retried (live writes) or answered with 503 + Retry-After (HTTP) and 1013 (sockets);
the latter is a bug and stays a 500. With asyncpg, a refused connection surfaces as a bare
OSError (SQLAlchemy does not wrap errors raised while connecting), a connection cut mid-query as
a DBAPIError marked `connection_invalidated`, and a server starting or stopping as asyncpg's
`CannotConnectNowError`.
"""

from __future__ import annotations

import logging

from sqlalchemy import exc


def database_unavailable(error: BaseException) -> bool:
    if isinstance(error, (OSError, TimeoutError, exc.TimeoutError, exc.OperationalError, exc.InterfaceError)):
        return True
    if isinstance(error, exc.DBAPIError) and error.connection_invalidated:
        return True
    try:
        import asyncpg
    except ImportError:  # pragma: no cover - asyncpg is a dependency
        return False
    return isinstance(error, (asyncpg.PostgresConnectionError, asyncpg.CannotConnectNowError, asyncpg.InterfaceError))


def _unavailable_response(request, error: Exception):
    """503 with Retry-After for an unreachable database; anything else stays the generic 500."""
    from litestar import Response

    from server.errors import EXCEPTION_HANDLERS

    if not database_unavailable(error):
        return EXCEPTION_HANDLERS[Exception](request, error)
    logging.getLogger("server.errors").warning(
        "database unavailable on %s %s: %s", request.method, request.url.path, type(error).__name__
    )
    body = {
        "status_code": 503,
        "code": "database_unavailable",
        "detail": "the database is unavailable: please try again in a moment",
    }
    return Response(body, status_code=503, headers={"Retry-After": "5"})


def _handlers() -> dict[type[BaseException], object]:
    import asyncpg

    kinds = (
        OSError,
        TimeoutError,
        exc.TimeoutError,
        exc.DBAPIError,
        asyncpg.PostgresConnectionError,
        asyncpg.InterfaceError,
    )
    return {kind: _unavailable_response for kind in kinds}


#: Merged into the app's exception handlers (the most specific registered type wins, so these
#: catch only database-shaped errors that no domain handler claims).
DATABASE_ERROR_HANDLERS = _handlers()
