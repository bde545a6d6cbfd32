"""The decode scheduler's policy with real AnswerStreams and a gated stand-in transcriber (no
model): finals first, partial turns shared out fairly, closing decodes reused, truthful skip
counts, no slot lost when a pump is cancelled. Nothing here is timed: the gate decides when each
decode finishes."""

from __future__ import annotations

import asyncio
import threading
from collections import Counter

import pytest

from server.live.scheduler import DecodeScheduler
from streaming.events import FinalSegment, Word
from streaming.options import SAMPLE_RATE, StreamingOptions
from streaming.stream import AnswerStream
from streaming.transcriber import Transcription
from tests.streaming.fakes import OracleTranscriber, SyntheticSpeech, make_speech

OPTIONS = StreamingOptions()


class GatedTranscriber:
    """Each decode records its prompt, then waits until the test opens the gate once for it."""

    def __init__(self, oracle: OracleTranscriber | None = None) -> None:
        self.prompts: list[str | None] = []
        self.oracle = oracle
        self._gate = threading.Semaphore(0)

    def open(self, decodes: int = 1) -> None:
        self._gate.release(decodes)

    def transcribe(self, audio, *, prompt=None, hotwords=None, partial=False) -> Transcription:
        # The stream's name: the first word of its prompt (a partial adds the committed words).
        self.prompts.append(prompt.split()[0] if prompt else prompt)
        self._gate.acquire()
        if self.oracle is not None:
            return self.oracle.transcribe(audio, prompt=prompt, hotwords=hotwords)
        return Transcription((Word("word", 0.0, 0.3, 0.9),), 0.01, -0.2, "en")


class Pump:
    """What the live interview does: `step` in a loop until the answer is drained."""

    def __init__(self, scheduler: DecodeScheduler, stream: AnswerStream) -> None:
        self.stream = stream
        self.wake = asyncio.Event()
        self.events: list = []
        self.task = asyncio.create_task(self._run(scheduler))

    async def _run(self, scheduler: DecodeScheduler) -> None:
        while not self.stream.is_drained:
            self.events.extend(await scheduler.step(self.stream, self.wake))

    def feed(self, speech: SyntheticSpeech, start: float, end: float) -> None:
        self.stream.feed(speech.bytes[round(start * SAMPLE_RATE) * 2 : round(end * SAMPLE_RATE) * 2])
        self.wake.set()

    def finish(self) -> None:
        self.stream.finish()
        self.wake.set()


async def until(condition, what: str) -> None:
    for _ in range(2000):
        if condition():
            return
        await asyncio.sleep(0.005)
    raise AssertionError(f"never happened: {what}")


async def test_partial_turns_go_round_every_waiting_stream() -> None:
    gate = GatedTranscriber()
    scheduler = DecodeScheduler(gate, workers=1)
    speech = make_speech([70], gap_s=0.05)  # ~32 s without a pause: a partial is always due
    pumps = [Pump(scheduler, AnswerStream(OPTIONS, context_prompt=name)) for name in "ABCD"]
    fed = 1.6
    for pump in pumps:
        pump.feed(speech, 0, fed)
    for decodes in range(1, 17):
        await until(lambda started=decodes: len(gate.prompts) == started, f"decode {decodes} starts")
        await asyncio.sleep(0.01)  # every pump has looked at its audio and is waiting
        for pump in pumps:
            pump.feed(speech, fed, fed + 1.1)  # more than a partial interval for everyone
        fed += 1.1
        await asyncio.sleep(0.01)
        gate.open()
    await until(lambda: len(gate.prompts) == 17, "decode 17 starts")
    order = gate.prompts[:16]
    # One turn each per round: four consecutive partials always belong to four different streams.
    for begin in range(0, 13):
        assert len(set(order[begin : begin + 4])) == 4, order
    assert Counter(order) == {"A": 4, "B": 4, "C": 4, "D": 4}
    assert scheduler.stats.partials_skipped > 0  # each turn covered several intervals of audio
    for pump in pumps:
        pump.finish()
    gate.open(1000)
    await asyncio.wait_for(asyncio.gather(*(p.task for p in pumps)), 10)
    scheduler.shutdown()
    assert scheduler.busy == 0


async def test_finals_go_before_waiting_partials() -> None:
    long_speech = make_speech([30], gap_s=0.05)
    short_speech = make_speech([4, 3.0, 4])
    gate = GatedTranscriber()
    scheduler = DecodeScheduler(gate, workers=1)
    talker = Pump(scheduler, AnswerStream(OPTIONS, context_prompt="talker"))
    finisher = Pump(scheduler, AnswerStream(OPTIONS, context_prompt="finisher"))
    talker.feed(long_speech, 0, 2.0)
    await until(lambda: len(gate.prompts) == 1, "the talker's partial runs")
    talker.feed(long_speech, 2.0, 3.5)  # another partial due and waiting
    finisher.feed(short_speech, 0, short_speech.words[4].start - 0.5)  # first utterance over
    await asyncio.sleep(0.02)
    gate.open()
    await until(lambda: len(gate.prompts) == 2, "the next decode starts")
    assert gate.prompts[1] == "finisher"  # its closing decode, or its final: ranked as a final
    for pump in (talker, finisher):
        pump.finish()
    gate.open(1000)
    await asyncio.wait_for(asyncio.gather(talker.task, finisher.task), 10)
    scheduler.shutdown()


async def test_a_closing_decode_heard_in_the_pause_is_the_final() -> None:
    speech = make_speech([5, 2.0, 3])
    gate = GatedTranscriber(OracleTranscriber(speech))
    scheduler = DecodeScheduler(gate, workers=1)
    pump = Pump(scheduler, AnswerStream(OPTIONS))
    in_pause = speech.words[4].end + 0.45
    pump.feed(speech, 0, in_pause)
    gate.open(1000)
    await until(
        lambda: not any(j.kind != "partial" for j in pump.stream._handed_out.values()) and len(gate.prompts) > 0,
        "decodes done",
    )
    await asyncio.sleep(0.02)
    decodes = len(gate.prompts)
    pump.feed(speech, in_pause, speech.words[5].start - 0.5)  # the end-of-utterance silence passes
    await until(lambda: any(isinstance(e, FinalSegment) for e in pump.events), "the final is delivered")
    assert len(gate.prompts) == decodes  # delivered without another decode
    assert scheduler.stats.finals_reused == 1
    pump.feed(speech, speech.words[5].start - 0.5, speech.audio.size / SAMPLE_RATE)
    pump.finish()
    await asyncio.wait_for(pump.task, 10)
    assert pump.stream.answer_complete().transcript.replace("?", " ").split()[:5] == ["w0", "w1", "w2", "w3", "w4"]
    scheduler.shutdown()


async def test_a_cancelled_pump_gives_its_place_and_slot_back() -> None:
    speech = make_speech([30], gap_s=0.05)
    gate = GatedTranscriber()
    scheduler = DecodeScheduler(gate, workers=1)
    first = Pump(scheduler, AnswerStream(OPTIONS, context_prompt="first"))
    waiting = Pump(scheduler, AnswerStream(OPTIONS, context_prompt="waiting"))
    first.feed(speech, 0, 2.0)
    await until(lambda: len(gate.prompts) == 1, "first decode")
    waiting.feed(speech, 0, 2.0)
    await until(lambda: scheduler.partials_waiting == 1, "the second stream waits for a turn")
    waiting.task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting.task
    assert scheduler.partials_waiting == 0
    gate.open()
    first.feed(speech, 2.0, 3.5)
    await until(lambda: len(gate.prompts) == 2, "the slot is used again")
    assert gate.prompts == ["first", "first"]
    first.finish()
    gate.open(1000)
    await asyncio.wait_for(first.task, 10)
    assert scheduler.busy == 0
    scheduler.shutdown()


async def test_a_recording_takes_its_turns_with_live_streams_and_matches_the_offline_driver() -> None:
    """The upload path (server/live/recording.py) and the offline tools drive the same stream
    policy: the same jobs, the same transcript; each job of the recording waits for a slot, so
    a live final that is waiting runs between two of them."""
    from server.live.recording import transcribe_recording
    from streaming.offline import transcribe_offline

    speech = make_speech([40, 1.0, 6, 1.5, 12])
    gate = GatedTranscriber(OracleTranscriber(speech))
    scheduler = DecodeScheduler(gate, workers=1)
    upload = asyncio.create_task(transcribe_recording(scheduler, OPTIONS, speech.audio, context_prompt="upload"))
    await until(lambda: len(gate.prompts) == 1, "the upload's first decode runs")
    live_speech = make_speech([4, 3.0, 4])
    live = Pump(scheduler, AnswerStream(OPTIONS, context_prompt="live"))
    live.feed(live_speech, 0, live_speech.words[4].start - 0.5)  # its first utterance is over
    await until(lambda: scheduler.queue_depth >= 1, "the live final waits for the slot")
    gate.open(1)
    await until(lambda: len(gate.prompts) == 2, "the next decode starts")
    assert gate.prompts[1] == "live"
    gate.open(1000)
    complete = await asyncio.wait_for(upload, 10)
    live.finish()
    await asyncio.wait_for(live.task, 10)
    scheduler.shutdown()
    offline = transcribe_offline(OracleTranscriber(speech), speech.audio, OPTIONS, context_prompt="upload")
    assert complete.transcript == offline.transcript == speech.text
    assert complete.segments == offline.segments


async def test_live_finals_then_live_partials_go_before_an_upload_decode_that_waited_first() -> None:
    from server.live.recording import transcribe_recording

    upload_speech = make_speech([12, 1.0, 6])
    gate = GatedTranscriber(OracleTranscriber(upload_speech))
    scheduler = DecodeScheduler(gate, workers=1)
    talker_speech = make_speech([30], gap_s=0.05)
    holder = Pump(scheduler, AnswerStream(OPTIONS, context_prompt="holder"))
    holder.feed(talker_speech, 0, 1.5)
    await until(lambda: len(gate.prompts) == 1, "a live partial holds the model")
    upload = asyncio.create_task(transcribe_recording(scheduler, OPTIONS, upload_speech.audio, context_prompt="upload"))
    await until(lambda: scheduler.uploads_waiting == 1, "the upload's first decode waits")
    finisher_speech = make_speech([4, 3.0, 4])
    finisher = Pump(scheduler, AnswerStream(OPTIONS, context_prompt="finisher"))
    finisher.feed(finisher_speech, 0, finisher_speech.words[4].start - 0.5)  # its first utterance is over
    await until(lambda: scheduler.queue_depth == 1, "the live final waits, after the upload")
    talker = Pump(scheduler, AnswerStream(OPTIONS, context_prompt="talker"))
    talker.feed(talker_speech, 0, 1.5)  # a partial is due
    await until(lambda: scheduler.partials_waiting == 1, "the live partial waits, after the upload")
    gate.open(1)
    await until(lambda: len(gate.prompts) == 2, "the next decode starts")
    assert gate.prompts[1] == "finisher"  # the live final first
    gate.open(1)
    await until(lambda: len(gate.prompts) == 3, "the next decode starts")
    assert gate.prompts[2] == "talker"  # then the live partial
    gate.open(1)
    await until(lambda: len(gate.prompts) == 4, "the next decode starts")
    assert gate.prompts[3] == "upload"  # then the upload
    for pump in (holder, talker, finisher):
        pump.finish()
    gate.open(1000)
    complete = await asyncio.wait_for(upload, 10)
    await asyncio.wait_for(asyncio.gather(holder.task, talker.task, finisher.task), 10)
    assert complete.transcript == upload_speech.text  # nothing of the upload was lost
    assert scheduler.busy == 0 and scheduler.uploads_waiting == 0
    assert scheduler.stats.uploads >= 2
    scheduler.shutdown()


async def test_an_upload_decode_lets_at_most_its_patience_of_partial_turns_go_first() -> None:
    """Streams that always want a partial do not starve an upload: after `upload_patience`
    partial turns the waiting upload decode gets the next slot (finals would still go first)."""
    from server.live.recording import transcribe_recording

    gate = GatedTranscriber()
    scheduler = DecodeScheduler(gate, workers=1, upload_patience=3)
    speech = make_speech([70], gap_s=0.05)
    pumps = [Pump(scheduler, AnswerStream(OPTIONS, context_prompt=name)) for name in "AB"]
    fed = 1.6
    for pump in pumps:
        pump.feed(speech, 0, fed)
    await until(lambda: len(gate.prompts) == 1, "a partial holds the model")
    upload = asyncio.create_task(
        transcribe_recording(scheduler, OPTIONS, make_speech([4]).audio, context_prompt="upload")
    )
    await until(lambda: scheduler.uploads_waiting == 1, "the upload's decode waits")
    for decodes in range(2, 7):
        for pump in pumps:
            pump.feed(speech, fed, fed + 1.1)  # a partial is due for both streams, always
        fed += 1.1
        await until(lambda: scheduler.partials_waiting >= 1, "a partial waits")
        gate.open()
        await until(lambda n=decodes: len(gate.prompts) == n, f"decode {decodes} starts")
    assert set(gate.prompts[1:4]) == {"A", "B"}  # three partial turns go first
    assert gate.prompts[4] == "upload"  # then the upload's, though a partial still waits
    for pump in pumps:
        pump.finish()
    gate.open(1000)
    await asyncio.wait_for(upload, 10)
    await asyncio.wait_for(asyncio.gather(*(p.task for p in pumps)), 10)
    assert scheduler.busy == 0
    scheduler.shutdown()
