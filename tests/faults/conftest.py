"""One throw-away environment per fault-test module: a PostgreSQL cluster and a Redis server of
its own (tests stop and restart them), a shared audio folder, and server nodes started as
`interview-server run` subprocesses. Everything is torn down even when a test fails."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from server import migrate
from tests.faults.services import Node, PostgresCluster, RedisServer, node_env

pytestmark = [pytest.mark.slow]


class Cluster:
    """The environment of one module: `node(name)` starts (or returns) a running node."""

    def __init__(self, folder: Path, postgres: PostgresCluster, redis: RedisServer) -> None:
        self.folder = folder
        self.postgres = postgres
        self.redis = redis
        self.audio = folder / "audio"
        self.nodes: dict[str, Node] = {}

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
        node = Node(name, env, self.folder / f"node-{name}.log")
        node.start()
        node.wait_ready()
        self.nodes[name] = node
        return node

    def stop_all(self) -> None:
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
        yield environment
    finally:
        environment.stop_all()
        redis.stop()
        postgres.remove()
        if os.environ.get("FAULTS_KEEP_LOGS"):  # debugging: keep the nodes' logs
            print(f"fault-test logs kept in {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)
