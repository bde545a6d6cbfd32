"""Uploads go after live finals, with the real model: the scheduler's ranking of an upload's
decodes (server/live/scheduler.py) checked by the order the real tiny.en model is called in,
never by timing: a live final that queued after an upload's decode runs before it."""

from __future__ import annotations

import asyncio
import threading

import numpy as np
import pytest

from server.live.recording import transcribe_recording
from server.live.scheduler import DecodeScheduler
from server.speech.whisper import WhisperTranscriber
from streaming.events import FinalSegment
from streaming.options import SAMPLE_RATE, StreamingOptions
from streaming.stream import AnswerStream
from streaming.transcriber import Transcription
from tests.support import speech
from tests.support.text import normalise_words

pytestmark = pytest.mark.model

OPTIONS = StreamingOptions()
UPLOAD = [
    "I led the migration of our billing service to a new database.",
    1.0,
    "We moved every customer without any downtime.",
]
LIVE = "My favourite tool for debugging is a good profiler."


class CallOrder:
    """The real model, noting whose decode each call is (the first word of its prompt: the
    question text each stream was given)."""

    def __init__(self, model: WhisperTranscriber) -> None:
        self.model = model
        self.callers: list[str] = []
        self._lock = threading.Lock()

    def transcribe(
        self, audio: np.ndarray, *, prompt: str | None = None, hotwords: str | None = None, partial: bool = False
    ) -> Transcription:
        with self._lock:
            self.callers.append(prompt.split()[0] if prompt else "")
        return self.model.transcribe(audio, prompt=prompt, hotwords=hotwords, partial=partial)


async def until(condition, what: str) -> None:
    for _ in range(6000):
        if condition():
            return
        await asyncio.sleep(0.005)
    raise AssertionError(f"never happened: {what}")


async def test_a_live_final_queued_after_an_upload_decode_runs_before_it(transcriber: WhisperTranscriber) -> None:
    model = CallOrder(transcriber)
    scheduler = DecodeScheduler(model, workers=1)
    await scheduler.final_slot()  # the model is busy (as with another stream's decode)
    upload = asyncio.create_task(
        transcribe_recording(scheduler, OPTIONS, speech.synthesize(UPLOAD), context_prompt="upload question")
    )
    await until(lambda: scheduler.uploads_waiting == 1, "the upload's first decode waits for the model")

    live = AnswerStream(OPTIONS, context_prompt="live question")
    silence = np.zeros(SAMPLE_RATE, dtype=np.float32)  # the VAD ends the utterance in it
    live.feed(speech.to_pcm16(np.concatenate([speech.synthesize(LIVE), silence])))
    wake = asyncio.Event()
    live_events: list = []

    async def pump() -> None:
        while not any(isinstance(event, FinalSegment) for event in live_events):
            live_events.extend(await scheduler.step(live, wake))

    live_pump = asyncio.create_task(pump())
    await until(lambda: scheduler.queue_depth == 1, "the live final waits, after the upload's decode")
    assert model.callers == []
    scheduler.release()  # the model is free: who goes first?

    await asyncio.wait_for(live_pump, 120)
    complete = await asyncio.wait_for(upload, 300)
    assert model.callers[0] == "live"
    assert model.callers.count("upload") >= 1
    final = next(event for event in live_events if isinstance(event, FinalSegment))
    assert {"debugging", "profiler"} <= set(normalise_words(final.text))
    assert {"billing", "downtime"} <= set(normalise_words(complete.transcript))
    live.finish()
    while not live.is_drained:
        await scheduler.step(live, wake)
    assert scheduler.busy == 0 and scheduler.uploads_waiting == 0
    scheduler.shutdown()
