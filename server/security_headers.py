"""Security headers on every HTTP response: pages, static files, API answers and errors alike.

Registered as a `before_send` hook, which sees every response the app sends (including 404s
for unknown paths, which never reach route middleware). A header a route set itself is kept.

The Content-Security-Policy fits the SPA in web/: module scripts, the vendored Chart.js and the
AudioWorklet all come from this origin; styles are a stylesheet plus CSSOM changes (which CSP
allows); the only non-origin URLs are `blob:` recordings played back in <audio>; fetch and the
WebSockets go to this origin (CSP3 `'self'` covers ws:/wss: of the same host). Nothing inline,
no eval. The API documentation pages under /schema load their renderers from public CDNs with
inline bootstrap code, so they get a policy that allows exactly that and nothing else.
"""

from __future__ import annotations

from litestar.datastructures import MutableScopeHeaders
from litestar.types import BeforeMessageSendHookHandler, Message, Scope

APP_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "font-src 'self'",
        "media-src 'self' blob:",
        "connect-src 'self'",
        "worker-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
#: /schema/swagger, /schema/redoc, ...: Litestar's renderers load from these CDNs.
_DOC_CDNS = "https://cdn.jsdelivr.net https://unpkg.com https://cdn.redoc.ly"
DOCS_POLICY = "; ".join(
    [
        "default-src 'self'",
        f"script-src 'self' 'unsafe-inline' {_DOC_CDNS}",
        f"style-src 'self' 'unsafe-inline' {_DOC_CDNS} https://fonts.googleapis.com",
        "font-src 'self' data: https://fonts.gstatic.com",
        f"img-src 'self' data: {_DOC_CDNS}",
        "connect-src 'self'",
        "worker-src 'self' blob:",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ]
)
#: The page may use the microphone (the interview) and nothing else a browser guards.
PERMISSIONS_POLICY = "microphone=(self), camera=(), geolocation=(), display-capture=(), payment=(), usb=()"

_COMMON = {
    "X-Content-Type-Options": "nosniff",
    # Watch links carry share tokens: never hand a URL of ours to another site.
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",  # frame-ancestors for browsers without CSP 2
    "Permissions-Policy": PERMISSIONS_POLICY,
    "Cross-Origin-Opener-Policy": "same-origin",
}


def security_headers(*, hsts_seconds: int = 0) -> BeforeMessageSendHookHandler:
    """The hook for `Litestar(before_send=[...])`. `hsts_seconds` > 0 adds
    Strict-Transport-Security: set it only when the server is reached over HTTPS only."""
    fixed = dict(_COMMON)
    if hsts_seconds > 0:
        fixed["Strict-Transport-Security"] = f"max-age={hsts_seconds}"

    async def add_headers(message: Message, scope: Scope) -> None:
        if message["type"] != "http.response.start":
            return
        message.setdefault("headers", [])
        headers = MutableScopeHeaders.from_message(message)
        policy = DOCS_POLICY if scope.get("path", "").startswith("/schema") else APP_POLICY
        for name, value in {**fixed, "Content-Security-Policy": policy}.items():
            if name not in headers:
                headers[name] = value

    return add_headers
