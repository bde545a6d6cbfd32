"""Transcribing a whole recorded answer (the HTTP upload path) through the same AnswerStream and
the same decode scheduler as live answers, one model call at a time, so an upload takes its
fair turn with live streams instead of holding the model for its whole length.

The stream runs with `StreamingOptions.for_recording()` (its own policy: no closing decodes,
partials only where a long utterance needs them to be trimmed), exactly as
`streaming.offline.transcribe_offline` does, so an upload and the offline tools agree.
"""

from __future__ import annotations

import asyncio

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
    intro: str = "",
) -> AnswerComplete:
    """The answer in `audio` (16 kHz mono float32), as the live path would have transcribed it
    (`intro`: the session's role and company, streaming.vocabulary.decoder_intro)."""
    stream = AnswerStream(options.for_recording(), context_prompt=context_prompt, hotwords=hotwords, intro=intro)
    step = int(CHUNK_SECONDS * SAMPLE_RATE)
    for begin in range(0, len(audio), step):
        # Converted chunk by chunk, and a yield per chunk: run_due does not yield when nothing is
        # due (silence, noise the VAD drops), and converting and VAD-ing a 15-minute upload in
        # one go held the event loop (and /health) for 1.5-4.6 s on a loaded 2-core machine.
        stream.feed(float32_to_pcm16(audio[begin : begin + step]))
        await scheduler.run_due(stream)
        await asyncio.sleep(0)
    stream.finish()
    await scheduler.run_due(stream)
    return stream.answer_complete()
