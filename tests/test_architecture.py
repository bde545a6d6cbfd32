"""The dependency rule of shared/ARCHITECTURE.md, checked on the import statements themselves:
the leaf packages (streaming, scoring, interview, persistence) import neither `server`, nor each
other, nor litestar or redis; the pure ones (scoring, interview) import no database or network
client either; migrations import only persistence of the project's packages. The streaming core
is sans-I/O: it starts no thread, no executor and no event loop, and loads no model (the
faster-whisper adapter and PyAV decoding are its edge, `server/speech/`, which in turn knows
nothing of the web framework, the database or the event loop)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PROJECT = {"server", "streaming", "scoring", "interview", "persistence", "migrations"}
NETWORK_CLIENTS = {"httpx", "requests", "urllib3", "aiohttp", "asyncpg", "aiosqlite", "websockets"}
CONCURRENCY = {"asyncio", "threading", "concurrent", "multiprocessing", "_thread"}
MODELS = {
    "faster_whisper",
    "ctranslate2",
    "av",
    "onnxruntime",
    "torch",
    "transformers",
    "tokenizers",
    "huggingface_hub",
}
FORBIDDEN = {
    "streaming": PROJECT - {"streaming"} | {"litestar", "redis", "sqlalchemy"} | CONCURRENCY | MODELS | NETWORK_CLIENTS,
    "server/speech": PROJECT - {"streaming"} | {"litestar", "redis", "sqlalchemy", "asyncio"} | NETWORK_CLIENTS,
    "scoring": PROJECT - {"scoring"} | {"litestar", "redis", "sqlalchemy"} | NETWORK_CLIENTS,
    "interview": PROJECT - {"interview"} | {"litestar", "redis", "sqlalchemy"} | NETWORK_CLIENTS,
    "persistence": PROJECT - {"persistence"} | {"litestar", "redis"},
    "migrations": PROJECT - {"persistence", "migrations"} | {"litestar", "redis"},
}


def imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_leaf_packages_keep_the_dependency_rule(package: str) -> None:
    files = sorted((REPO / package).rglob("*.py"))
    assert files, f"{package}/ has no Python files"
    violations = {str(path.relative_to(REPO)): sorted(imported_roots(path) & FORBIDDEN[package]) for path in files}
    assert {path: bad for path, bad in violations.items() if bad} == {}
