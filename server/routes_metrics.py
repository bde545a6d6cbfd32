"""GET /metrics on the public port: Prometheus text format, only with METRICS_TOKEN.

Metrics tell an outsider how busy the node is and how it is deployed, so they are not public:
without METRICS_TOKEN the route answers 404 (use METRICS_PORT for a separate, private
listener); with it, a scrape must send `Authorization: Bearer <METRICS_TOKEN>` (401 otherwise).
"""

from __future__ import annotations

import hmac

from litestar import Request, get
from litestar.exceptions import NotFoundException
from litestar.response import Response

from server.errors import AuthError


@get("/metrics", tags=["health"], summary="Prometheus metrics", include_in_schema=False)
async def metrics(request: Request) -> Response[bytes]:
    token = request.app.state.settings.metrics.token
    if token is None:
        raise NotFoundException("metrics are not served on this port (set METRICS_TOKEN or METRICS_PORT)")
    offered = request.headers.get("authorization", "")
    if not hmac.compare_digest(offered.encode(), f"Bearer {token}".encode()):
        raise AuthError("a metrics token is required")
    return Response(
        request.app.state.metrics.exposition(), media_type="text/plain; version=0.0.4"
    )  # Litestar adds the charset
