"""Liveness and readiness probes, for GET and HEAD (load balancers and orchestrators probe with
either; a HEAD answers the status and headers of the GET without its body)."""

from __future__ import annotations

from litestar import Request, Response, get, head
from litestar.openapi.datastructures import ResponseSpec
from sqlalchemy import text

from server.auth import PUBLIC
from server.migrate import current_revision, head_revision

_NOT_READY = {503: ResponseSpec(dict[str, object], generate_examples=False, description="Not ready; `checks` says why")}


@get("/health", tags=["health"], summary="Liveness: the process answers", sync_to_thread=False, security=PUBLIC)
def health() -> dict[str, str]:
    return {"status": "ok"}


@head("/health", tags=["health"], summary="Liveness, without a body", sync_to_thread=False, security=PUBLIC)
def health_head() -> None:
    return None


async def _readiness(request: Request) -> tuple[bool, dict[str, object]]:
    """(ready, checks): the database answers and its migrations are at head."""
    checks: dict[str, object] = {}
    try:
        async with request.app.state.db_engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
            revision = await connection.run_sync(current_revision)
        checks["database"] = "ok"
        checks["migrations"] = "ok" if revision == head_revision() else f"at {revision}, head is {head_revision()}"
    except Exception as error:  # any failure means "not ready"; the reason is reported, not raised
        checks["database"] = f"unreachable: {type(error).__name__}"
    return checks.get("database") == "ok" and checks.get("migrations") == "ok", checks


@get(
    "/ready",
    tags=["health"],
    summary="Readiness: database reachable and migrated to head",
    security=PUBLIC,
    responses=_NOT_READY,
)
async def ready(request: Request) -> Response[dict[str, object]]:
    ok, checks = await _readiness(request)
    return Response({"status": "ready" if ok else "not ready", "checks": checks}, status_code=200 if ok else 503)


@head("/ready", tags=["health"], summary="Readiness, without a body (200 or 503)", security=PUBLIC)
async def ready_head(request: Request) -> Response[None]:
    ok, _ = await _readiness(request)
    return Response(None, status_code=200 if ok else 503)
