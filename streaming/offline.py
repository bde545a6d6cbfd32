"""Synchronous drivers of an `AnswerStream` over a whole recording (no server involved).

`transcribe_offline` is the HTTP-upload path: the recording is cut into utterances by the same
VAD and each utterance is decoded once (partials are skipped except where a long utterance needs
them to be trimmed), so uploads and live answers give the same kind of transcript.
`simulate_live` runs every job the moment it is due, as an idle server would: used by the tests
and the benchmark to compare streaming with offline decoding.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from .audio import float32_to_pcm16
from .events import AnswerComplete, Event
from .options import SAMPLE_RATE, StreamingOptions
from .stream import AnswerStream
from .transcriber import Transcriber


@dataclass(frozen=True)
class LiveRun:
    """What `simulate_live` saw: the final answer, every event in order, and the decode counts
    (a final whose closing decode was reused is not decoded again and not counted)."""

    answer: AnswerComplete
    events: tuple[Event, ...]
    partial_decodes: int
    final_decodes: int
    closing_decodes: int = 0


def transcribe_offline(
    transcriber: Transcriber,
    audio: np.ndarray,
    options: StreamingOptions,
    *,
    context_prompt: str = "",
    hotwords: str | None = None,
    chunk_s: float = 0.5,
) -> AnswerComplete:
    """A whole recording (16 kHz mono float32) -> its AnswerComplete, finals only."""
    # Closing decodes buy latency, which a recording does not need.
    stream = AnswerStream(replace(options, closing_decode=False), context_prompt=context_prompt, hotwords=hotwords)
    # Partials exist only to commit words; offline they matter only near the trim length.
    needed_from = options.max_utterance_s - 2.5 * options.partial_interval_s
    heard = {"utterance": -1, "nothing": False}

    def partials_wanted(job_utterance: int) -> bool:
        return stream.open_utterance_seconds >= needed_from and not (
            heard["utterance"] == job_utterance and heard["nothing"]
        )

    step = max(1, round(chunk_s * SAMPLE_RATE)) * 2
    pcm = float32_to_pcm16(audio)
    for begin in range(0, len(pcm), step):
        stream.feed(pcm[begin : begin + step])
        _run(stream, transcriber, partials=partials_wanted, heard=heard)
    stream.finish()
    _run(stream, transcriber, partials=lambda _: False)
    return stream.answer_complete()


def simulate_live(
    transcriber: Transcriber,
    audio: np.ndarray,
    options: StreamingOptions,
    *,
    context_prompt: str = "",
    hotwords: str | None = None,
    chunk_ms: int = 20,
) -> LiveRun:
    """Feed `chunk_ms` chunks and run every job as soon as it is due (an unloaded server)."""
    stream = AnswerStream(options, context_prompt=context_prompt, hotwords=hotwords)
    step = SAMPLE_RATE * chunk_ms // 1000 * 2
    pcm = float32_to_pcm16(audio)
    events: list[Event] = []
    counts = {"partial": 0, "closing": 0, "final": 0}
    for begin in range(0, len(pcm), step):
        events.extend(stream.feed(pcm[begin : begin + step]))
        events.extend(_run(stream, transcriber, partials=lambda _: True, counts=counts))
    events.extend(stream.finish())
    events.extend(_run(stream, transcriber, partials=lambda _: False, counts=counts))
    return LiveRun(stream.answer_complete(), tuple(events), counts["partial"], counts["final"], counts["closing"])


def _run(
    stream: AnswerStream,
    transcriber: Transcriber,
    *,
    partials: Callable[[int], bool],
    counts: dict[str, int] | None = None,
    heard: dict | None = None,
) -> list[Event]:
    events: list[Event] = []
    while (job := stream.next_job()) is not None:
        if job.kind == "partial" and not partials(job.utterance):
            stream.discard(job)
            break  # finals come first, so nothing else is waiting
        if job.known is not None:  # a closing decode already transcribed this final's audio
            events.extend(stream.complete(job, job.known))
            continue
        result = transcriber.transcribe(job.audio, prompt=job.prompt, hotwords=job.hotwords)
        if heard is not None and job.kind == "partial":
            # Offline partials only serve trimming; one that hears nothing says "noise": stop.
            heard["utterance"], heard["nothing"] = job.utterance, not result.words
        events.extend(stream.complete(job, result))
        if counts is not None:
            counts[job.kind] += 1
    return events
