"""The synchronous driver of an `AnswerStream` over a whole recording (no server involved).

The policy (which decodes are due, partials or not) is the stream's own (`StreamingOptions`);
`run_due_jobs` only runs what `next_job` hands out, as `server/live/scheduler.py` does for the
server, so the offline tools, the uploads and the live path decode the same jobs.

`transcribe_offline` decodes a recording as fast as possible (`StreamingOptions.for_recording`:
no closing decodes, partials only to trim long utterances): what an upload gets.
`simulate_live` feeds 20 ms chunks and runs every job the moment it is due, as an idle server
would: the tests and the benchmarks compare streaming with offline decoding with it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np

from .audio import float32_to_pcm16
from .events import AnswerComplete, Event
from .options import SAMPLE_RATE, StreamingOptions
from .stream import AnswerStream
from .transcriber import Transcriber


@dataclass(frozen=True)
class LiveRun:
    """What `simulate_live` saw: the final answer, every event in order, and the decode counts
    (a final whose closing decode was reused is not decoded again and not counted).
    `event_times`: for each event, the answer seconds fed when it came out (audio time: the
    decodes themselves take none here, so a server adds its decode time to these)."""

    answer: AnswerComplete
    events: tuple[Event, ...]
    partial_decodes: int
    final_decodes: int
    closing_decodes: int = 0
    event_times: tuple[float, ...] = ()


def run_due_jobs(stream: AnswerStream, transcriber: Transcriber, counts: Counter[str] | None = None) -> list[Event]:
    """Run every decode `stream` has due now, in its order; return the events. `counts` (if
    given) counts the model calls by job kind (a final known from its closing decode is none)."""
    events: list[Event] = []
    while (job := stream.next_job()) is not None:
        if job.known is not None:  # a closing decode already transcribed this final's audio
            events.extend(stream.complete(job, job.known))
            continue
        result = transcriber.transcribe(
            job.audio, prompt=job.prompt, hotwords=job.hotwords, partial=job.kind == "partial"
        )
        events.extend(stream.complete(job, result))
        if counts is not None:
            counts[job.kind] += 1
    return events


def feed_and_run(
    stream: AnswerStream,
    transcriber: Transcriber,
    audio: np.ndarray,
    *,
    chunk_ms: int,
    counts: Counter[str] | None = None,
    times: list[float] | None = None,
) -> list[Event]:
    """Feed `audio` in `chunk_ms` chunks, running what is due after each, then finish and drain.
    `times` (if given) gets, for each event returned, the answer seconds fed when it came out."""
    step = SAMPLE_RATE * chunk_ms // 1000 * 2
    pcm = float32_to_pcm16(audio)
    events: list[Event] = []

    def add(new: list[Event]) -> None:
        events.extend(new)
        if times is not None:
            times.extend([stream.audio_duration] * len(new))

    for begin in range(0, len(pcm), step):
        add(stream.feed(pcm[begin : begin + step]))
        add(run_due_jobs(stream, transcriber, counts))
    add(stream.finish())
    add(run_due_jobs(stream, transcriber, counts))
    return events


def transcribe_offline(
    transcriber: Transcriber,
    audio: np.ndarray,
    options: StreamingOptions,
    *,
    context_prompt: str = "",
    hotwords: str | None = None,
    chunk_s: float = 0.5,
    intro: str = "",
) -> AnswerComplete:
    """A whole recording (16 kHz mono float32) -> its AnswerComplete, as an upload gets it."""
    stream = AnswerStream(options.for_recording(), context_prompt=context_prompt, hotwords=hotwords, intro=intro)
    feed_and_run(stream, transcriber, audio, chunk_ms=round(chunk_s * 1000))
    return stream.answer_complete()


def simulate_live(
    transcriber: Transcriber,
    audio: np.ndarray,
    options: StreamingOptions,
    *,
    context_prompt: str = "",
    hotwords: str | None = None,
    chunk_ms: int = 20,
    intro: str = "",
) -> LiveRun:
    """Feed `chunk_ms` chunks and run every job as soon as it is due (an unloaded server)."""
    stream = AnswerStream(options, context_prompt=context_prompt, hotwords=hotwords, intro=intro)
    counts: Counter[str] = Counter()
    times: list[float] = []
    events = feed_and_run(stream, transcriber, audio, chunk_ms=chunk_ms, counts=counts, times=times)
    return LiveRun(
        stream.answer_complete(), tuple(events), counts["partial"], counts["final"], counts["closing"], tuple(times)
    )
