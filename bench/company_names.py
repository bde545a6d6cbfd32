"""The company and role as decoder context (issue #12's QA walk J4: "Acme" heard as "acne"):
keyword recognition, WER and decode cost with and without `AnswerStream`'s `intro`.

Piper (Joe, CC0) speaks answers that name the company the candidate applies to, to bank questions
that do not name it (the question is in the prompt either way). Each answer runs through the
streaming core as an idle server runs it (`streaming.offline.simulate_live`: 20 ms chunks, every
partial at the normal cadence) on the real tiny.en, once without the intro ("before") and once
with `streaming.vocabulary.decoder_intro(role, company)` ("after"). Reported per configuration:

- company_recall: share of the company's words the answer says that were heard as written
  (case-insensitive, whole word: "Acme" for "acne" is a miss)
- wer: corpus WER of the finals against the scripts (fillers ignored)
- cpu_ms_per_decode / wall_ms_per_decode over all decodes (partials, closings, finals)
- the load average before and after (a shared 2-core machine: take /work/BENCH_LOCK first)

    .venv/bin/python bench/company_names.py
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from server.speech.whisper import WhisperTranscriber
from streaming.offline import simulate_live
from streaming.options import StreamingOptions
from streaming.vocabulary import decoder_intro
from tests.streaming.wer import corpus_wer
from tests.support import speech

OUT = REPO / "bench" / "results" / "company_names.json"
QUESTION = "Where do you see yourself in three to five years?"
TOPICS = "career goals or senior role growth plan or learn"
#: (role, company, what the candidate says): the company said once or twice, among everyday words.
ANSWERS = [
    (
        "Backend Engineer",
        "Acme Payments",
        "In three to five years I want to be a senior backend engineer at Acme who owns a payment service end to end.",
    ),
    (
        "Backend Engineer",
        "Acme Payments",
        "I would like to grow with Acme Payments and lead a small team that builds the payments platform.",
    ),
    (
        "Backend Engineer",
        "Acme Payments",
        "Acme is a payments company, and I think Acme's customers will need faster payouts, so I want to build that.",
    ),
    (
        "Product Manager",
        "Klarna",
        "I see myself leading a product area at Klarna, probably checkout, with a team I helped to hire.",
    ),
    (
        "Product Manager",
        "Klarna",
        "At Klarna I would like to own the shopping app, and learn how to run a product across several markets.",
    ),
    (
        "Data Analyst",
        "Monzo",
        "In five years I hope to lead the analytics for one part of Monzo, like fraud or savings.",
    ),
    (
        "Data Analyst",
        "Monzo",
        "I want Monzo to trust my numbers, so that teams ask me before they make a big decision.",
    ),
    (
        "Frontend Engineer",
        "Zalando",
        "I want to become the person at Zalando who knows the design system best and helps other teams use it.",
    ),
    (
        "Frontend Engineer",
        "Zalando",
        "Zalando ships to many countries, so in three years I hope to own how our pages load everywhere.",
    ),
    (
        "DevOps Engineer",
        "Deliveroo",
        "I see myself running the platform team at Deliveroo, keeping the apps up on a busy Friday night.",
    ),
    (
        "DevOps Engineer",
        "Deliveroo",
        "At Deliveroo I would like to make deploys boring and safe, then mentor new engineers on call.",
    ),
    (
        "UX Designer",
        "Atlassian",
        "In five years I want to lead research for one Atlassian product and share what we learn with other teams.",
    ),
    (
        "UX Designer",
        "Atlassian",
        "I would like to grow into a design lead at Atlassian and still spend time with users every week.",
    ),
    (
        "Sales Representative",
        "Personio",
        "I see myself as a senior account executive at Personio, closing the bigger customers in my region.",
    ),
    (
        "Customer Support Specialist",
        "Revolut",
        "I want to lead a support team at Revolut and make the help pages so good that fewer people need us.",
    ),
    (
        "Marketing Manager",
        "Celonis",
        "In three to five years I hope to run the product marketing for one Celonis product line.",
    ),
]


def company_hits(company: str, script: str, text: str) -> tuple[int, int]:
    """(the company's words the script says, how many of them were heard)."""
    said = set(re.findall(r"[a-z0-9]+", script.lower()))
    words = [w for w in re.findall(r"[a-z0-9]+", company.lower()) if w in said]
    heard = set(re.findall(r"[a-z0-9]+", text.lower()))
    return len(words), sum(w in heard for w in words)


class Counted:
    """A transcriber that books CPU and wall time of every decode."""

    def __init__(self, inner: WhisperTranscriber) -> None:
        self.inner = inner
        self.cpu = self.wall = 0.0
        self.calls = 0

    def transcribe(self, audio, *, prompt=None, hotwords=None, partial=False):
        cpu, wall = time.process_time(), time.perf_counter()
        result = self.inner.transcribe(audio, prompt=prompt, hotwords=hotwords, partial=partial)
        self.cpu += time.process_time() - cpu
        self.wall += time.perf_counter() - wall
        self.calls += 1
        return result


def run(model: WhisperTranscriber, clips: list, with_intro: bool) -> dict:
    options = StreamingOptions()
    counted = Counted(model)
    pairs, said, heard, misses = [], 0, 0, []
    for (role, company, script), audio in clips:
        intro = decoder_intro(role, company) if with_intro else ""
        live = simulate_live(counted, audio, options, context_prompt=QUESTION, hotwords=TOPICS, intro=intro)
        text = live.answer.transcript
        pairs.append((script, text))
        total, hits = company_hits(company, script, text)
        said, heard = said + total, heard + hits
        if hits < total:
            misses.append({"company": company, "heard": text})
    return {
        "company_recall": round(heard / said, 3),
        "company_words": said,
        "wer": round(corpus_wer(pairs), 4),
        "decodes": counted.calls,
        "cpu_ms_per_decode": round(1000 * counted.cpu / counted.calls, 1),
        "wall_ms_per_decode": round(1000 * counted.wall / counted.calls, 1),
        "misses": misses,
    }


def main() -> None:
    clips = [(answer, speech.synthesize(answer[2])) for answer in ANSWERS]
    model = WhisperTranscriber(StreamingOptions().transcriber)
    model.transcribe(clips[0][1][:32000])  # warm up
    load_before = os.getloadavg()
    # Interleaved, twice each, so that a change in the machine's load hits both alike.
    results: dict[str, list[dict]] = {"before": [], "after": []}
    for _ in range(2):
        results["before"].append(run(model, clips, with_intro=False))
        results["after"].append(run(model, clips, with_intro=True))
    load_after = os.getloadavg()
    summary = {
        name: {
            **runs[0],
            "cpu_ms_per_decode": [r["cpu_ms_per_decode"] for r in runs],
            "wall_ms_per_decode": [r["wall_ms_per_decode"] for r in runs],
        }
        for name, runs in results.items()
    }
    report = {
        "what": "company name recognition with the role and company as decoder context (bench/company_names.py)",
        "answers": len(clips),
        "model": StreamingOptions().transcriber.model,
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in load_after],
        **summary,
    }
    OUT.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
