"""Running the app under uvicorn with a graceful shutdown that finishes live answers first.

On SIGTERM uvicorn stops listening and at once closes every WebSocket with 1012, before the
app hears anything: finals still being decoded would never reach the candidate. `GracefulServer`
puts the app's own drain in between: stop listening, tell live interviews to stop taking audio,
finalise and store what they heard, send those finals and close with 1012 (bounded by
`shutdown_grace_s`), and only then let uvicorn close what is left and run the lifespan shutdown.
"""

from __future__ import annotations

import socket

import uvicorn
from litestar import Litestar

from server.app import drain_live_sessions


class GracefulServer(uvicorn.Server):
    def __init__(self, config: uvicorn.Config, app: Litestar, grace_s: float) -> None:
        super().__init__(config)
        self._app = app
        self._grace_s = grace_s

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        for server in self.servers:  # stop accepting: new connections go to another node
            server.close()
        await drain_live_sessions(self._app, self._grace_s)
        await super().shutdown(sockets)


def run(
    app: Litestar, *, host: str, port: int, log_level: str, grace_s: float, trusted_proxies: tuple[str, ...] = ()
) -> None:
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        # X-Forwarded-For names the client only when a trusted proxy sent it; uvicorn takes the
        # rightmost address that is not a trusted proxy, so a forged prefix changes nothing. The
        # rate limits key on that address (request.client.host).
        proxy_headers=bool(trusted_proxies),
        forwarded_allow_ips=list(trusted_proxies) or None,
        log_level=log_level,
        log_config=None,  # our root handler (server.logs) formats uvicorn's records too
        ws_max_size=1 << 20,
        # No permessage-deflate: the audio frames (most of what arrives) do not compress, and
        # inflating every 20 ms frame was a visible share of a live stream's per-frame CPU.
        ws_per_message_deflate=False,
        timeout_graceful_shutdown=int(grace_s) + 5,
        lifespan="on",
    )
    GracefulServer(config, app, grace_s).run()
