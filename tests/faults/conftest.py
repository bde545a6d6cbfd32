"""One throw-away environment per fault-test module: a PostgreSQL cluster and a Redis server of
its own (tests stop and restart them), a shared audio folder, server nodes started as
`interview-server run` subprocesses, and nginx in front of nodes "a" and "b" (deploy/nginx.conf),
through which the candidates connect. Everything is torn down even when a test fails."""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from server import migrate
from tests.faults.services import Nginx, Node, PostgresCluster, RedisServer, node_env
from tests.support.live_server import free_port

pytestmark = [pytest.mark.slow]


class Cluster:
    """The environment of one module: `node(name)` starts (or returns) a running node; a node
    keeps its port across restarts, so `balancer` (nginx, round robin over "a" and "b", no
    sticky sessions) always points at it."""

    def __init__(self, folder: Path, postgres: PostgresCluster, redis: RedisServer) -> None:
        self.folder = folder
        self.postgres = postgres
        self.redis = redis
        self.audio = folder / "audio"
        self.nodes: dict[str, Node] = {}
        self.ports = {"a": free_port(), "b": free_port()}
        self.balancer = Nginx(folder, [self.ports["a"], self.ports["b"]])

    @property
    def database_url(self) -> str:
        return self.postgres.url.replace("postgresql://", "postgresql+asyncpg://")

    def node(self, name: str, **extra: str) -> Node:
        node = self.nodes.get(name)
        if node is not None and node.process is not None and node.process.poll() is None:
            return node
        env = node_env(
            database_url=self.postgres.url,
            redis_url=self.redis.url,
            data_dir=self.folder / f"data-{name}",
            audio_dir=self.audio,
            **extra,
        )
        node = Node(name, env, self.folder / f"node-{name}.log", port=self.ports.setdefault(name, free_port()))
        node.start()
        node.wait_ready()
        self.nodes[name] = node
        return node

    async def serving(self) -> Node:
        """The one running node with a live interview socket open (from each node's /metrics).
        A previous test's socket may still be storing its last finals on the other node: wait
        (bounded) until only one node has one."""
        for _ in range(300):
            live = [
                node
                for node in self.nodes.values()
                if node.process is not None
                and node.process.poll() is None
                and node.metrics()["interview_live_streams"] >= 1
            ]
            if len(live) == 1:
                return live[0]
            await asyncio.sleep(0.1)
        raise AssertionError(f"expected one node serving the interview, found {[n.name for n in live]}")

    def other(self, node: Node) -> Node:
        """The other one of the balanced pair "a" and "b"."""
        return next(n for name, n in self.nodes.items() if name in ("a", "b") and n is not node)

    def stop_all(self) -> None:
        self.balancer.stop()
        for node in self.nodes.values():
            node.kill()


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    folder = Path(tempfile.mkdtemp(prefix="interview-faults-"))
    postgres = PostgresCluster()
    redis = RedisServer(folder)
    environment = Cluster(folder, postgres, redis)
    try:
        postgres.init()
        postgres.start()
        redis.start()
        migrate.upgrade(environment.database_url)
        environment.balancer.start()
        yield environment
    finally:
        environment.stop_all()
        redis.stop()
        postgres.remove()
        if os.environ.get("FAULTS_KEEP_LOGS"):  # debugging: keep the nodes' logs
            print(f"fault-test logs kept in {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)
