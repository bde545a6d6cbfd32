"""Where the long gaps between an utterance's partials come from (issue 14's partial interval).

Replays candidates of the continuous-speech profile through the streaming core as an idle
server would (20 ms chunks, every due decode run at once, bench/decode_cost.py's configurations)
and logs every decode: when it was handed out (answer seconds fed), its kind, how long it took
(wall), and what came of it. A partial *event* with words arrives, on an unloaded server, at
its decode's hand-out time plus its decode time; the benchmark's partial interval is the gap
between two such arrivals of one utterance (bench/live_streams.py). Each gap is classified by
what happened between the two partials it separates:

- `after_first`: it follows the utterance's first partial
- `empty`: a partial decode between them heard no words
- `same`: a decode between them came back with the text already shown (no event is sent)
- `closing`: a closing decode between them (a pause that did not end the utterance)
- `held`: a partial was due but held back by the speaker's short silence
- `cadence`: none of these (the interval itself, plus decode-time jitter)

Reports the gap distribution (p50 / p95 / max, in "server" time: hand-out + decode time, and
in audio time), the first partial per utterance in the same server time (as
bench/decode_cost.py counts it), and for gaps over `--long` seconds how often each cause
occurred (a gap can have several).

    .venv/bin/python bench/partial_gaps.py --configs default --seconds 120 --candidates 3
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import numpy as np

from bench.continuous_speech import candidate_audio, human_pieces, piper_pieces, rotation
from bench.decode_cost import CONFIGS, first_partial_times, model
from streaming.audio import float32_to_pcm16
from streaming.events import Event, PartialTranscript
from streaming.options import SAMPLE_RATE, StreamingOptions
from streaming.stream import AnswerStream
from streaming.transcriber import Transcriber
from tests.support import speech


@dataclass
class Decode:
    kind: str
    utterance: int
    handed_at: float  # answer seconds fed when it was handed out
    wall: float  # decode wall time (s)
    audio_s: float
    words: int
    partial_event: bool  # it produced a partial event with words


@dataclass
class Trace:
    decodes: list[Decode] = field(default_factory=list)
    held: list[tuple[int, float]] = field(default_factory=list)  # (utterance, fed) a partial was held
    events: list[Event] = field(default_factory=list)  # every event, and the answer seconds fed then
    event_times: list[float] = field(default_factory=list)

    def add(self, events: list[Event], fed: float) -> None:
        self.events.extend(events)
        self.event_times.extend([fed] * len(events))


def replay(stream: AnswerStream, transcriber: Transcriber, audio: np.ndarray) -> Trace:
    """Feed 20 ms chunks, run every due job at once, log every decode (streaming.offline's
    feed_and_run, instrumented)."""
    trace = Trace()
    pcm = float32_to_pcm16(audio)
    step = SAMPLE_RATE * 20 // 1000 * 2

    def run_due() -> None:
        while (job := stream.next_job()) is not None:
            if job.known is not None:
                trace.add(stream.complete(job, job.known), stream.audio_duration)
                continue
            started = time.perf_counter()
            result = transcriber.transcribe(
                job.audio, prompt=job.prompt, hotwords=job.hotwords, partial=job.kind == "partial"
            )
            wall = time.perf_counter() - started
            events = stream.complete(job, result)
            trace.add(events, stream.audio_duration + wall)
            shown = any(isinstance(e, PartialTranscript) and (e.committed or e.tail) for e in events)
            trace.decodes.append(
                Decode(job.kind, job.utterance, stream.audio_duration, wall, job.duration, len(result.words), shown)
            )
        held = _held_partial(stream)
        if held is not None:
            trace.held.append((held, stream.audio_duration))

    for begin in range(0, len(pcm), step):
        trace.add(stream.feed(pcm[begin : begin + step]), stream.audio_duration)
        run_due()
    trace.add(stream.finish(), stream.audio_duration)
    run_due()
    return trace


def _held_partial(stream: AnswerStream) -> int | None:
    """The open utterance's number if a partial is due by its audio but held by the silence."""
    utterance = stream._open  # a bench-only look inside the stream's state
    if utterance is None or utterance.partial is not None or utterance.closing is not None:
        return None
    options = stream.options
    new_speech = (stream._fed - utterance.last_partial_end) / SAMPLE_RATE
    due = new_speech >= stream._partial_interval(utterance)
    if due and stream._vad.silence_ms >= options.partial_hold_silence_ms:
        return utterance.number
    return None


def gaps(trace: Trace, long_s: float) -> tuple[list[float], list[float], Counter[str], list[dict]]:
    """Per utterance, the gaps between partial events (server time and audio time), and the
    causes of the long ones."""
    server, audio, causes, examples = [], [], Counter(), []
    by_utterance: dict[int, list[Decode]] = {}
    for decode in trace.decodes:
        by_utterance.setdefault(decode.utterance, []).append(decode)
    for number, decodes in by_utterance.items():
        shown = [i for i, d in enumerate(decodes) if d.partial_event]
        for k, (a, b) in enumerate(zip(shown, shown[1:], strict=False)):
            first, second = decodes[a], decodes[b]
            gap = (second.handed_at + second.wall) - (first.handed_at + first.wall)
            server.append(gap)
            audio.append(second.handed_at - first.handed_at)
            if gap <= long_s:
                continue
            between = decodes[a + 1 : b]
            labels = []
            if k == 0:
                labels.append("after_first")
            if any(d.kind == "partial" and d.words == 0 for d in between):
                labels.append("empty")
            if any(d.words > 0 and not d.partial_event for d in between):
                labels.append("same")
            if any(d.kind == "closing" for d in between + [second]):
                labels.append("closing")
            if any(n == number and first.handed_at < t < second.handed_at for n, t in trace.held):
                labels.append("held")
            labels = labels or ["cadence"]
            causes.update(labels)
            if len(examples) < 40:
                examples.append(
                    {
                        "utterance": number,
                        "gap": round(gap, 2),
                        "labels": labels,
                        "from": round(first.handed_at, 2),
                        "decodes": [
                            f"{d.kind}@{d.handed_at:.2f}+{d.wall:.2f} {d.audio_s:.1f}s w={d.words}"
                            f"{' shown' if d.partial_event else ''}"
                            for d in between + [second]
                        ],
                    }
                )
    return server, audio, causes, examples


def _summary(values: list[float]) -> dict:
    if not values:
        return {"n": 0}
    return {
        "n": len(values),
        "p50": round(float(np.percentile(values, 50)), 3),
        "p95": round(float(np.percentile(values, 95)), 3),
        "max": round(max(values), 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--configs", nargs="+", default=["default"], choices=sorted(CONFIGS))
    parser.add_argument("--seconds", type=float, default=120.0, help="audio per candidate")
    parser.add_argument("--candidates", type=int, default=3)
    parser.add_argument("--long", type=float, default=1.5, help="a gap over this is classified")
    parser.add_argument("--audio-dir", type=Path, default=speech.SHARED_AUDIO)
    parser.add_argument("--examples", action="store_true", help="print the long gaps' decodes")
    parser.add_argument("--output", type=Path, default=REPO / "bench" / "results" / "partial_gaps.json")
    args = parser.parse_args()
    order = rotation(human_pieces(args.audio_dir), piper_pieces())
    candidates = [candidate_audio(order, i, args.seconds) for i in range(args.candidates)]
    results = []
    load_before = [round(x, 2) for x in os.getloadavg()]
    for name in args.configs:
        transcriber_changes, streaming_changes = CONFIGS[name]
        options = replace(StreamingOptions(), **streaming_changes)
        options = replace(options, transcriber=replace(options.transcriber, **transcriber_changes))
        transcriber = model(options.transcriber)
        transcriber.transcribe(candidates[0][0][: 2 * SAMPLE_RATE])  # warm up
        server: list[float] = []
        audio_gaps: list[float] = []
        causes: Counter[str] = Counter()
        examples: list[dict] = []
        kinds: Counter[str] = Counter()
        first_partials: list[float] = []
        cpu0 = time.process_time()
        for audio, _ in candidates:
            trace = replay(AnswerStream(options), transcriber, audio)
            kinds.update(d.kind for d in trace.decodes)
            first_partials += first_partial_times(trace)[0]
            s, a, c, e = gaps(trace, args.long)
            server += s
            audio_gaps += a
            causes.update(c)
            examples += e
        seconds = sum(audio.size for audio, _ in candidates) / SAMPLE_RATE
        result = {
            "config": name,
            "audio_s": round(seconds, 1),
            "cpu_s_per_speech_s": round((time.process_time() - cpu0) / seconds, 3),
            "decodes": dict(kinds),
            "interval_server_s": _summary(server),
            "interval_audio_s": _summary(audio_gaps),
            "first_partial_server_s": _summary(first_partials),
            "long": args.long,
            "long_gaps": sum(g > args.long for g in server),
            "long_gap_causes": dict(causes),
        }
        print(json.dumps(result), flush=True)
        if args.examples:
            for example in examples:
                print(json.dumps(example))
        results.append({**result, "examples": examples})
    args.output.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "command": " ".join(sys.argv),
        "load_average_before": load_before,
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "configs": results,
    }
    args.output.write_text(json.dumps(payload, indent=2) + "\n")


if __name__ == "__main__":
    main()
