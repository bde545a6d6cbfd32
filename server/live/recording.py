"""Transcribing a whole recorded answer (the HTTP upload path) through the same AnswerStream and
the same shared decode pool as live answers, so uploads take their fair turn with live streams."""

from __future__ import annotations

import numpy as np

from server.live.scheduler import DecodeScheduler
from streaming.audio import float32_to_pcm16
from streaming.events import AnswerComplete
from streaming.options import StreamingOptions
from streaming.stream import AnswerStream

CHUNK_SAMPLES = 16_000  # feed one second at a time


async def transcribe_recording(
    scheduler: DecodeScheduler,
    options: StreamingOptions,
    audio: np.ndarray,
    *,
    context_prompt: str = "",
    hotwords: str | None = None,
) -> AnswerComplete:
    """The answer in `audio` (16 kHz mono float32). The whole recording is fed before any decode,
    so no partials are asked for: only finals, one per utterance, in order."""
    stream = AnswerStream(options, context_prompt=context_prompt, hotwords=hotwords)
    for start in range(0, len(audio), CHUNK_SAMPLES):
        stream.feed(float32_to_pcm16(audio[start : start + CHUNK_SAMPLES]))
    stream.finish()
    while (job := stream.next_job()) is not None:
        await scheduler.final_slot()
        try:
            result = await scheduler.run(job.audio, prompt=job.prompt, hotwords=job.hotwords, final=True)
        finally:
            scheduler.release()
        stream.complete(job, result)
    return stream.answer_complete()
