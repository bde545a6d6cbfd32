"""What decoding costs, in CPU time (robust to a shared machine), per decoding configuration.

Runs candidates of the continuous-speech profile (bench/continuous_speech.py) through the
streaming core exactly as an idle server would (`streaming.offline.simulate_live`: 20 ms chunks,
every partial at the normal cadence) and reports, per configuration:

- cpu_s_per_speech_s: process CPU seconds (all threads) per second of audio streamed
- decodes_per_utterance and cpu_ms_per_decode / wall_ms_per_decode by kind (partial, closing, final)
- wer (fillers ignored) against the references, beside the standard offline decode (each piece
  whole, padded 30 s window, beam 1), and filler recall ("um"/"uh" on the Piper answers)
- first_partial_audio_s: per utterance, the answer seconds from its `speech_started` to its
  first partial with words, in audio time (decodes take no audio time here: a server adds its
  decode time, ~0.13 s idle), p50 / p95 / max, and how many utterances got none

`--parallel K` runs K candidates at once in K threads on one shared model (what the server's
worker pool does when busy), to compare CTranslate2's intra-op threads with its workers.

    .venv/bin/python bench/decode_cost.py --configs baseline cheap-partials --seconds 90
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import numpy as np

from bench.continuous_speech import candidate_audio, human_pieces, piper_pieces, rotation
from server.speech.whisper import WhisperTranscriber
from streaming.events import FinalSegment, PartialTranscript, SpeechStarted, SpeechStopped
from streaming.offline import simulate_live
from streaming.options import SAMPLE_RATE, StreamingOptions, TranscriberOptions
from tests.streaming.wer import normalise, wer
from tests.support import speech

#: The decoding before issue 14: partials with temperature fallbacks, every decode's encoder
#: floored at 15 s, partials re-decoding the whole utterance, one 2-thread decode at a time.
OLD_MODEL = dict(
    partial_temperatures=(0.0, 0.2, 0.4), partial_encoder_floor_s=15.0, encoder_floor_s=15.0, cpu_threads=2
)
OLD_STREAM = dict(partial_from_commit=False)

#: name -> (TranscriberOptions changes, StreamingOptions changes), each step from the old
#: decoding towards today's defaults ("default": no changes at all).
CONFIGS: dict[str, tuple[dict, dict]] = {
    "old": (OLD_MODEL, OLD_STREAM),
    "nofallback": ({**OLD_MODEL, "partial_temperatures": (0.0,)}, OLD_STREAM),
    "floor5": ({**OLD_MODEL, "partial_temperatures": (0.0,), "partial_encoder_floor_s": 5.0}, OLD_STREAM),
    "commit": ({**OLD_MODEL, "partial_temperatures": (0.0,)}, {}),
    "commit-floor0": ({**OLD_MODEL, "partial_temperatures": (0.0,), "partial_encoder_floor_s": 0.0}, {}),
    "commit-floor3": ({**OLD_MODEL, "partial_temperatures": (0.0,), "partial_encoder_floor_s": 3.0}, {}),
    "commit-floor5": ({**OLD_MODEL, "partial_temperatures": (0.0,), "partial_encoder_floor_s": 5.0}, {}),
    "commit-floor5-t1": (
        {**OLD_MODEL, "partial_temperatures": (0.0,), "partial_encoder_floor_s": 5.0, "cpu_threads": 1},
        {},
    ),
    "commit-floor5-f10": (
        {**OLD_MODEL, "partial_temperatures": (0.0,), "partial_encoder_floor_s": 5.0, "encoder_floor_s": 10.0},
        {},
    ),
    "default": ({}, {}),
    # The first partial's retry after it heard nothing (default 0.5 s); 1.0 = no early retry.
    "retry10": ({}, {"first_partial_retry_s": 1.0}),
    "retry03": ({}, {"first_partial_retry_s": 0.3}),
    # Partials under 2 s on the finals' 10 s encoder floor (default) or on the 5 s one (0).
    "short5": ({"partial_short_audio_s": 0.0}, {}),
    "short5-retry10": ({"partial_short_audio_s": 0.0}, {"first_partial_retry_s": 1.0}),
    "default-t2": (dict(cpu_threads=2), {}),
    # A partial whose segment loops is dropped (before issue 14's loop cut) instead of cut.
    "noloopcut": ({"partial_loop_cut": False}, {}),
    # The loop cut with every partial on the 5 s encoder window (no short-audio exception).
    "loopcut-short5": ({"partial_short_audio_s": 0.0}, {}),
}

_models: dict[TranscriberOptions, WhisperTranscriber] = {}


class Measured:
    """A transcriber that books CPU and wall time per call kind (process-wide CPU: run alone)."""

    def __init__(self, inner: WhisperTranscriber) -> None:
        self.inner = inner
        self.cpu: defaultdict[str, float] = defaultdict(float)
        self.wall: defaultdict[str, float] = defaultdict(float)
        self.calls: Counter[str] = Counter()
        self.kind = "final"
        self._lock = threading.Lock()

    def transcribe(self, audio, *, prompt=None, hotwords=None, partial=False):
        cpu, wall = time.process_time(), time.perf_counter()
        result = self.inner.transcribe(audio, prompt=prompt, hotwords=hotwords, partial=partial)
        kind = "partial" if partial else "final+closing"
        with self._lock:
            self.cpu[kind] += time.process_time() - cpu
            self.wall[kind] += time.perf_counter() - wall
            self.calls[kind] += 1
        return result


def model(options: TranscriberOptions) -> WhisperTranscriber:
    if options not in _models:
        _models[options] = WhisperTranscriber(options)
    return _models[options]


def filler_counts(reference: str, hypothesis: str) -> tuple[int, int]:
    said = heard = 0
    ref, hyp = normalise(reference), normalise(hypothesis)
    for filler in ("um", "uh"):
        said += ref.count(filler)
        heard += min(ref.count(filler), hyp.count(filler))
    return said, heard


def run_config(name: str, candidates: list, parallel: int) -> dict:
    transcriber_changes, streaming_changes = CONFIGS[name]
    options = replace(StreamingOptions(), **streaming_changes)
    options = replace(options, transcriber=replace(options.transcriber, **transcriber_changes))
    measured = Measured(model(options.transcriber))
    measured.transcribe(candidates[0][0][: 2 * SAMPLE_RATE])  # warm up
    measured.cpu.clear(), measured.wall.clear(), measured.calls.clear()

    def one(candidate):
        audio, placed = candidate
        return simulate_live(measured, audio, options), audio, placed

    cpu0, wall0 = time.process_time(), time.perf_counter()
    with ThreadPoolExecutor(max_workers=parallel) as pool:
        runs = list(pool.map(one, candidates))
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    seconds = sum(audio.size for _, audio, _ in runs) / SAMPLE_RATE
    references = " ".join(p.piece.reference for _, _, placed in runs for p in placed)
    hypothesis = " ".join(run.answer.transcript for run, _, _ in runs)
    piper_ref = " ".join(p.piece.reference for _, _, placed in runs for p in placed if p.piece.kind == "piper")
    said = heard = 0
    for run, _, placed in runs:
        for p in placed:
            if p.piece.kind != "piper":
                continue
            words = [
                w.text
                for e in run.events
                if isinstance(e, FinalSegment)
                for w in e.words
                if p.start - 0.3 <= w.start < p.end + 0.3
            ]
            s, h = filler_counts(p.piece.reference, " ".join(words))
            said, heard = said + s, heard + h
    utterances = sum(sum(isinstance(e, FinalSegment) for e in run.events) for run, _, _ in runs)
    first_partials, without = [], 0
    for run, _, _ in runs:
        got, missing = first_partial_times(run)
        first_partials.extend(got)
        without += missing
    return {
        "config": name,
        "transcriber": transcriber_changes,
        "streaming": streaming_changes,
        "parallel": parallel,
        "audio_s": round(seconds, 1),
        "cpu_s_per_speech_s": round(cpu / seconds, 3),
        "wall_s": round(wall, 1),
        "finals": utterances,
        "decodes": dict(measured.calls),
        "decodes_per_utterance": {k: round(v / max(1, utterances), 2) for k, v in measured.calls.items()},
        "cpu_ms_per_decode": {k: round(1000 * measured.cpu[k] / n) for k, n in measured.calls.items()},
        "wall_ms_per_decode": {k: round(1000 * measured.wall[k] / n) for k, n in measured.calls.items()},
        "wer": round(wer(references, hypothesis), 4),
        "filler_recall": f"{heard}/{said}",
        "piper_words": len(piper_ref.split()),
        "first_partial_audio_s": {
            "p50": round(float(np.percentile(first_partials, 50)), 3) if first_partials else None,
            "p95": round(float(np.percentile(first_partials, 95)), 3) if first_partials else None,
            "max": round(max(first_partials), 3) if first_partials else None,
            "n": len(first_partials),
            "over_2s": sum(t > 2.0 for t in first_partials),
            "utterances_without": without,
        },
    }


def first_partial_times(run) -> tuple[list[float], int]:
    """Audio seconds from each utterance's speech_started to its first partial with words, and
    the number of utterances of 1.5 s or more that had none."""
    started: dict[int, float] = {}
    stopped: dict[int, float] = {}
    first: dict[int, float] = {}
    number = -1
    for event, at in zip(run.events, run.event_times, strict=True):
        if isinstance(event, SpeechStarted):
            number += 1
            started[number] = event.at
        elif isinstance(event, SpeechStopped):
            stopped[number] = event.at
        elif isinstance(event, PartialTranscript) and (event.committed or event.tail):
            first.setdefault(event.utterance, at)
    times = [first[n] - started[n] for n in started if n in first]
    missing = sum(1 for n in started if n not in first and stopped.get(n, started[n]) - started[n] >= 1.5)
    return times, missing


def offline_wer(candidates: list) -> float:
    standard = model(replace(TranscriberOptions(), short_encoder=False))
    references, hypotheses = [], []
    for _, placed in candidates:
        for p in placed:
            references.append(p.piece.reference)
            hypotheses.append(standard.transcribe(p.piece.audio).text)
    return round(wer(" ".join(references), " ".join(hypotheses)), 4)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--configs", nargs="+", default=["old", "default"], choices=sorted(CONFIGS))
    parser.add_argument("--seconds", type=float, default=90.0, help="audio per candidate")
    parser.add_argument("--candidates", type=int, default=2)
    parser.add_argument("--parallel", type=int, default=1)
    parser.add_argument("--audio-dir", type=Path, default=speech.SHARED_AUDIO)
    parser.add_argument("--output", type=Path, default=REPO / "bench" / "results" / "decode_cost.json")
    args = parser.parse_args()
    order = rotation(human_pieces(args.audio_dir), piper_pieces())
    candidates = [candidate_audio(order, i, args.seconds) for i in range(args.candidates)]
    results = {"offline_wer_beam1": offline_wer(candidates), "configs": []}
    for name in args.configs:
        result = run_config(name, candidates, args.parallel)
        print(json.dumps(result), flush=True)
        results["configs"].append(result)
    results["measured_at"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps({"offline_wer_beam1": results["offline_wer_beam1"]}))


if __name__ == "__main__":
    main()
