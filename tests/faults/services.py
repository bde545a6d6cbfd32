"""Real processes a fault test can kill and restart: a Redis server, a PostgreSQL cluster,
server nodes (`interview-server run` subprocesses) and nginx in front of them (the shipped
deploy/nginx.conf), each on a free loopback port under a temporary folder, stopped by the
fixtures even when the test fails."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from tests.support.live_server import METRICS_HEADERS, METRICS_TOKEN, free_port, parse_metrics

REPO = Path(__file__).resolve().parents[2]
PG_BIN = (
    sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))[-1]
    if Path("/usr/lib/postgresql").exists()
    else None
)
AS_POSTGRES = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


def _wait(predicate, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise RuntimeError(f"{what} did not come up within {seconds:.0f} s")


@dataclass
class RedisServer:
    """`redis-server` without persistence: a restart loses every key, as a crash would."""

    folder: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        with open(self.folder / "redis.log", "ab") as log:  # the child keeps its own descriptor
            self.process = subprocess.Popen(
                ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        _wait(
            lambda: (
                subprocess.run(
                    ["redis-cli", "-p", str(self.port), "ping"], capture_output=True, check=False
                ).stdout.strip()
                == b"PONG"
            ),
            10,
            "Redis",
        )

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)
        self.process = None


@dataclass
class PostgresCluster:
    """A throw-away PostgreSQL cluster (initdb) that a test may stop and start again. It lives in
    its own folder under /tmp (pytest's tmp_path is private to root; the cluster runs as the
    `postgres` user when the tests run as root); `remove()` deletes it."""

    folder: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="interview-pg-")))
    port: int = field(default_factory=free_port)

    @property
    def data(self) -> Path:
        return self.folder / "data"

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _pg(self, *args: str) -> None:
        subprocess.run([*AS_POSTGRES, str(PG_BIN / args[0]), *args[1:]], check=True, capture_output=True)

    def init(self) -> None:
        assert PG_BIN is not None, "PostgreSQL is not installed (scripts/setup.sh installs it)"
        self.folder.mkdir(parents=True, exist_ok=True)
        self.folder.chmod(0o755)
        if AS_POSTGRES:
            shutil.chown(self.folder, "postgres")
        self._pg("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres")

    def start(self) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100"
        self._pg("pg_ctl", "-D", str(self.data), "-l", str(self.folder / "log"), "-w", "-o", options, "start")

    def stop(self) -> None:
        """Fast shutdown: sessions are cut, as when the database host goes away."""
        if (self.data / "postmaster.pid").exists():
            self._pg("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def remove(self) -> None:
        try:
            self.stop()
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)


class _OnLoopback:
    """HTTP and WebSocket base addresses of a process listening on `self.port` on loopback."""

    port: int

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws(self) -> str:
        return f"ws://127.0.0.1:{self.port}"


@dataclass
class Node(_OnLoopback):
    """One `interview-server run` process."""

    name: str
    env: dict[str, str]
    log_path: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    def start(self) -> None:
        env = {**os.environ, **self.env, "PORT": str(self.port), "NODE_ID": self.name}
        with open(self.log_path, "ab") as log:  # the child keeps its own descriptor
            self.process = subprocess.Popen(
                [str(REPO / ".venv/bin/interview-server"), "run", "--no-migrate"],
                env=env,
                cwd=REPO,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # a signal to the test's process group never reaches it
            )

    def wait_ready(self, seconds: float = 180) -> None:
        def up() -> bool:
            if self.process is None or self.process.poll() is not None:
                raise RuntimeError(f"node {self.name} exited: see {self.log_path}\n{self.log_path.read_text()[-3000:]}")
            try:
                return httpx.get(self.base + "/health", timeout=1).status_code == 200
            except httpx.HTTPError:
                return False

        _wait(up, seconds, f"node {self.name}")

    def signal(self, sig: int) -> None:
        assert self.process is not None
        self.process.send_signal(sig)

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)

    def logs(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def metrics(self) -> dict[str, float]:
        """This node's /metrics (scraped directly, never through the balancer) as {"name{labels}": value}."""
        return parse_metrics(httpx.get(self.base + "/metrics", headers=METRICS_HEADERS, timeout=30).text)


NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
DEPLOY_CONF = REPO / "deploy" / "nginx.conf"


@dataclass
class Nginx(_OnLoopback):
    """Debian's nginx running deploy/nginx.conf, with the test's nodes as its upstream servers
    and its own loopback port, pid file, logs and buffer folders. One worker process, so that
    round robin is strict: consecutive connections alternate between the nodes."""

    folder: Path
    backends: list[int]
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    def config(self) -> str:
        """deploy/nginx.conf with the node list, the listen line and the paths replaced."""
        text = DEPLOY_CONF.read_text()
        nodes = "\n".join(f"        server 127.0.0.1:{port} max_fails=1 fail_timeout=2s;" for port in self.backends)
        text, replaced = re.subn(
            r"( *# nodes: begin\n).*?( *# nodes: end)",
            lambda m: m.group(1) + nodes + "\n" + m.group(2),
            text,
            flags=re.S,
        )
        assert replaced == 1, "deploy/nginx.conf lost its '# nodes: begin/end' markers"
        text, replaced = re.subn(r"listen 80;", f"listen 127.0.0.1:{self.port};", text)
        assert replaced == 1, "deploy/nginx.conf lost its 'listen 80;' line"
        text = text.replace("worker_processes auto;", "worker_processes 1;")
        logs = self.folder / "nginx"
        text = re.sub(r"access_log [^;]+;", f"access_log {logs}/access.log;", text)
        text = re.sub(r"error_log [^;]+;", f"error_log {logs}/error.log info;", text)
        temp = "".join(
            f"    {kind}_temp_path {logs}/{kind};\n" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        text = text.replace("http {\n", "http {\n" + temp, 1)
        user = "user root;\n" if os.geteuid() == 0 else ""
        return f"{user}pid {logs}/nginx.pid;\ndaemon off;\n" + text

    def start(self) -> None:
        logs = self.folder / "nginx"
        logs.mkdir(parents=True, exist_ok=True)
        conf = logs / "nginx.conf"
        conf.write_text(self.config())
        subprocess.run(
            [NGINX, "-t", "-q", "-c", str(conf), "-e", str(logs / "error.log")], check=True, capture_output=True
        )
        with open(logs / "stdout.log", "ab") as log:
            self.process = subprocess.Popen(
                [NGINX, "-c", str(conf), "-e", str(logs / "error.log")], stdout=log, stderr=subprocess.STDOUT
            )

        def up() -> bool:
            if self.process is None or self.process.poll() is not None:
                raise RuntimeError(f"nginx exited: {(logs / 'error.log').read_text()[-2000:]}")
            try:
                httpx.get(self.base + "/metrics", timeout=1)  # answered by nginx itself (404)
                return True
            except httpx.HTTPError:
                return False

        _wait(up, 10, "nginx")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()  # SIGTERM: fast shutdown of master and worker
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        self.process = None


def node_env(
    *, database_url: str, redis_url: str | None, data_dir: Path, audio_dir: Path, **extra: str
) -> dict[str, str]:
    """What every node of one test shares: database, Redis, audio storage and the JWT secret."""
    env = {
        "DATABASE_URL": database_url,
        "DATA_DIR": str(data_dir),
        "AUDIO_DIR": str(audio_dir),
        "JWT_SECRET": "fault-tests-" + "x" * 40,
        "BCRYPT_ROUNDS": "4",
        "LOGIN_RATE_LIMIT_PER_MINUTE": "1000",
        # Grammar is not under test here: a closed port means "LanguageTool unavailable".
        "LANGUAGETOOL_URL": "http://127.0.0.1:9",
        "LOG_FORMAT": "json",
        "LOG_LEVEL": "info",
        "SESSION_LOCK_TTL_S": "3",
        "METRICS_TOKEN": METRICS_TOKEN,
        "TRUSTED_PROXIES": "127.0.0.1",  # nginx (tests/faults/services.py Nginx) connects from here
        **extra,
    }
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env
