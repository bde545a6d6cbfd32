"""Sentence embeddings: the `Embedder` interface and its all-MiniLM-L6-v2 ONNX implementation.

The ONNX model outputs token states; sentence-transformers' all-MiniLM-L6-v2 pipeline is
Transformer -> mean pooling over the attention mask -> L2 normalisation
(https://huggingface.co/sentence-transformers/all-MiniLM-L6-v2, modules.json), reproduced here
with numpy so that no torch is needed.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np
from tokenizers import Encoding

from scoring.errors import ModelUnavailable

#: all-MiniLM-L6-v2 was trained with 128-token inputs and is configured for 256
#: (sentence_bert_config.json: max_seq_length 256); longer texts are truncated, as upstream.
MAX_TOKENS = 256
#: Padded tokens per ONNX batch (rows x longest row); bounds both padding waste and memory.
BATCH_TOKENS = 256
#: Reference texts kept (a question's two prompts and its topics: ~8 per question); 384 floats
#: each, so 4096 of them hold ~6 MB.
REFERENCE_CACHE_SIZE = 4096


@runtime_checkable
class Embedder(Protocol):
    """Maps texts to unit-length vectors, one row per text, in input order.

    Implementations must be deterministic and thread-safe; cosine similarity is a dot product.
    `embed_references` is for texts that recur from answer to answer (a question and its
    expected topics): same result as `embed`, but an implementation may remember them.
    """

    def embed(self, texts: Sequence[str]) -> np.ndarray: ...

    def embed_references(self, texts: Sequence[str]) -> np.ndarray: ...


class OnnxMiniLmEmbedder:
    """all-MiniLM-L6-v2 (int8 ONNX) on onnxruntime's CPU provider; loads only local files."""

    def __init__(
        self, model_path: Path, tokenizer_path: Path, threads: int = 1, reference_cache_size: int = REFERENCE_CACHE_SIZE
    ) -> None:
        try:
            import onnxruntime as ort
            from tokenizers import Tokenizer

            self._tokenizer = Tokenizer.from_file(str(tokenizer_path))
            options = ort.SessionOptions()
            options.intra_op_num_threads = threads
            options.inter_op_num_threads = 1
            self._session = ort.InferenceSession(str(model_path), options, providers=["CPUExecutionProvider"])
        except Exception as error:  # onnxruntime and tokenizers raise their own assorted types
            raise ModelUnavailable(f"cannot load the embedding model: {error}") from error
        # tokenizer.json pads to a fixed 128 and truncates at 128; we pad per batch ourselves
        # and truncate at the model's 256.
        self._tokenizer.enable_truncation(MAX_TOKENS)
        self._tokenizer.no_padding()
        self._inputs = {i.name for i in self._session.get_inputs()}
        self._lock = threading.Lock()  # the Rust tokenizer's settings are shared state
        self._references: OrderedDict[str, np.ndarray] = OrderedDict()  # LRU, guarded by _cache_lock
        self._reference_cache_size = reference_cache_size
        self._cache_lock = threading.Lock()

    def remembers(self, text: str) -> bool:
        """Whether `text`'s vector is in the reference cache (for monitoring and tests)."""
        with self._cache_lock:
            return text in self._references

    def embed_references(self, texts: Sequence[str]) -> np.ndarray:
        """`embed`, remembering the vectors of the last `reference_cache_size` texts.

        Every answer to a question is compared with the same prompts and topics; embedding them
        once per question instead of once per answer takes about a third off scoring. Answers
        themselves never repeat and go through `embed` uncached.
        """
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        with self._cache_lock:
            found = {t: self._references[t] for t in texts if t in self._references}
            for text in found:
                self._references.move_to_end(text)
        missing = [t for t in dict.fromkeys(texts) if t not in found]
        if missing:
            fresh = self.embed(missing)
            found.update(zip(missing, fresh, strict=True))
            with self._cache_lock:
                self._references.update(zip(missing, fresh, strict=True))
                while len(self._references) > self._reference_cache_size:
                    self._references.popitem(last=False)
        return np.stack([found[t] for t in texts]).astype(np.float32)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Unit vectors of shape (len(texts), 384); an empty input gives shape (0, 384).

        Texts are run in batches of similar length (sorted by token count), so a long answer
        does not pad a dozen short sentences and topics to its own length: the cost of a batch
        grows with rows x padded length.
        """
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        with self._lock:
            encodings = self._tokenizer.encode_batch([t if t.strip() else "." for t in texts])
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        out = np.zeros((len(texts), 384), dtype=np.float32)
        batch: list[int] = []
        for i in order:
            # Close a batch when padding everything to this text would exceed the token budget.
            if batch and (len(batch) + 1) * len(encodings[i].ids) > BATCH_TOKENS:
                out[batch] = self._run([encodings[j] for j in batch])
                batch = []
            batch.append(i)
        out[batch] = self._run([encodings[j] for j in batch])
        return out

    def _run(self, encodings: Sequence[Encoding]) -> np.ndarray:
        width = max(len(e.ids) for e in encodings)
        ids = np.zeros((len(encodings), width), dtype=np.int64)
        mask = np.zeros((len(encodings), width), dtype=np.int64)
        for row, e in enumerate(encodings):
            ids[row, : len(e.ids)] = e.ids
            mask[row, : len(e.ids)] = 1
        feeds = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self._inputs:
            feeds["token_type_ids"] = np.zeros_like(ids)
        states = self._session.run(None, feeds)[0]
        weights = mask[..., None].astype(np.float32)
        pooled = (states * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        return normalise(pooled)


def normalise(vectors: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (zero rows stay zero)."""
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return np.asarray(vectors / np.clip(norms, 1e-12, None), dtype=np.float32)
