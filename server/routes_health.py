"""Liveness and readiness probes."""

from __future__ import annotations

from litestar import Request, Response, get
from litestar.openapi.datastructures import ResponseSpec
from sqlalchemy import text

from server.auth import PUBLIC
from server.migrate import current_revision, head_revision


@get("/health", tags=["health"], summary="Liveness: the process answers", sync_to_thread=False, security=PUBLIC)
def health() -> dict[str, str]:
    return {"status": "ok"}


@get(
    "/ready",
    tags=["health"],
    summary="Readiness: database reachable and migrated to head",
    security=PUBLIC,
    responses={
        503: ResponseSpec(dict[str, object], generate_examples=False, description="Not ready; `checks` says why")
    },
)
async def ready(request: Request) -> Response[dict[str, object]]:
    checks: dict[str, object] = {}
    try:
        async with request.app.state.db_engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
            revision = await connection.run_sync(current_revision)
        checks["database"] = "ok"
        checks["migrations"] = "ok" if revision == head_revision() else f"at {revision}, head is {head_revision()}"
    except Exception as error:  # any failure means "not ready"; the reason is reported, not raised
        checks["database"] = f"unreachable: {type(error).__name__}"
    ok = checks.get("database") == "ok" and checks.get("migrations") == "ok"
    return Response({"status": "ready" if ok else "not ready", "checks": checks}, status_code=200 if ok else 503)
