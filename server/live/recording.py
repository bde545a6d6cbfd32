"""Transcribing a whole recorded answer (the HTTP upload path) through the same AnswerStream and
the same shared decode pool as live answers, one model call at a time, so an upload takes its
fair turn with live streams instead of holding the model for its whole length.

Same policy as `streaming.offline.transcribe_offline`: partials exist only to commit words, and
offline they matter only as an utterance nears the trim length (so a long stretch of speech is
cut at a committed word, not at the hard limit mid-word); a partial that hears nothing marks
the utterance as noise and no more partials are asked for it.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from server.live.scheduler import DecodeScheduler
from streaming.audio import float32_to_pcm16
from streaming.events import AnswerComplete
from streaming.options import SAMPLE_RATE, StreamingOptions
from streaming.stream import AnswerStream

CHUNK_SECONDS = 0.5


async def transcribe_recording(
    scheduler: DecodeScheduler,
    options: StreamingOptions,
    audio: np.ndarray,
    *,
    context_prompt: str = "",
    hotwords: str | None = None,
) -> AnswerComplete:
    """The answer in `audio` (16 kHz mono float32), as the live path would have transcribed it."""
    # Closing decodes (decoding during the end-of-utterance silence) buy live latency only.
    stream = AnswerStream(replace(options, closing_decode=False), context_prompt=context_prompt, hotwords=hotwords)
    needed_from = options.max_utterance_s - 2.5 * options.partial_interval_s
    silent_utterances: set[int] = set()
    pcm = float32_to_pcm16(audio)
    step = int(CHUNK_SECONDS * SAMPLE_RATE) * 2
    for begin in range(0, len(pcm), step):
        stream.feed(pcm[begin : begin + step])
        await _run_jobs(scheduler, stream, lambda u: stream.open_utterance_seconds >= needed_from and u not in silent_utterances, silent_utterances)
    stream.finish()
    await _run_jobs(scheduler, stream, lambda _: False, silent_utterances)
    return stream.answer_complete()


async def _run_jobs(scheduler: DecodeScheduler, stream: AnswerStream, partial_wanted, silent: set[int]) -> None:
    while (job := stream.next_job()) is not None:
        if job.kind == "partial" and not partial_wanted(job.utterance):
            stream.discard(job)
            return  # finals come first, so nothing else is waiting
        await scheduler.final_slot()
        try:
            result = await scheduler.run(job.audio, prompt=job.prompt, hotwords=job.hotwords, final=job.kind == "final")
        finally:
            scheduler.release()
        if job.kind == "partial" and not result.words:
            silent.add(job.utterance)
        stream.complete(job, result)
