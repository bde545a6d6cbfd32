"""Cross-site WebSocket hijacking defence: browsers always send `Origin`; a page on another site
must not open an interview socket with the user's token. Same-origin pages and the configured
allow-list pass; clients that send no Origin (not browsers: tests, native apps) pass too."""

from __future__ import annotations

from urllib.parse import urlsplit

from litestar.connection import ASGIConnection


def origin_allowed(connection: ASGIConnection, allowed: tuple[str, ...]) -> bool:
    origin = connection.headers.get("origin")
    if not origin:
        return True
    if origin.rstrip("/") in {o.rstrip("/") for o in allowed}:
        return True
    host = connection.headers.get("host", "")
    return urlsplit(origin).netloc.lower() == host.lower()
