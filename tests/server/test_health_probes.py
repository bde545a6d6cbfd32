"""The liveness and readiness probes answer HEAD where they answer GET (load balancers such as
HAProxy's `option httpchk HEAD` and many orchestrators probe with HEAD), through a real uvicorn
server: the GET's status and headers, no body; a not-ready node is a 503 for both."""

from __future__ import annotations

import httpx

from server.app import create_app
from server.settings import Settings
from tests.support.live_server import serve


async def test_head_answers_the_probes_like_get_without_a_body(settings: Settings, transcriber, embedder) -> None:
    async with serve(create_app(settings, transcriber=transcriber, embedder=embedder)) as base:
        async with httpx.AsyncClient(base_url=base) as http:
            for path in ("/health", "/ready"):
                got, headed = await http.get(path), await http.head(path)
                assert got.status_code == 200 and headed.status_code == 200, (path, headed.status_code)
                assert headed.content == b"", path
            assert (await http.get("/health")).json() == {"status": "ok"}
            refused = await http.post("/health")
            assert refused.status_code == 405 and refused.json()["code"] == "method_not_allowed"
            assert "HEAD" in refused.headers["allow"] and "GET" in refused.headers["allow"]


async def test_head_of_ready_is_503_while_the_database_is_not_migrated(tmp_path, transcriber, embedder) -> None:
    unmigrated = Settings(data_dir=tmp_path / "data").with_database(f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}")
    async with serve(create_app(unmigrated, transcriber=transcriber, embedder=embedder)) as base:
        async with httpx.AsyncClient(base_url=base) as http:
            headed, got = await http.head("/ready"), await http.get("/ready")
            assert headed.status_code == 503 and got.status_code == 503
            assert headed.content == b"" and "head is" in got.json()["checks"]["migrations"]
            assert (await http.head("/health")).status_code == 200  # alive, not ready
