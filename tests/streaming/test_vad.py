"""The VAD state machine on synthetic signals and on real speech (no model)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from streaming.options import SAMPLE_RATE, VadOptions
from streaming.vad import VadEvent, VadPause, VadResume, VadStart, VadStop, VoiceActivityDetector
from tests.streaming.fakes import make_speech
from tests.support import speech


def run_all(pcm: np.ndarray, options: VadOptions = VadOptions(), chunk: int = 320) -> list[VadEvent]:
    vad = VoiceActivityDetector(options)
    events = []
    for begin in range(0, pcm.size, chunk):
        events.extend(vad.process(pcm[begin : begin + chunk]))
    return events + vad.flush(pcm.size)


def run(pcm: np.ndarray, options: VadOptions = VadOptions(), chunk: int = 320) -> list[VadStart | VadStop]:
    """Utterance boundaries only (pauses and resumptions left out)."""
    return [e for e in run_all(pcm, options, chunk) if isinstance(e, (VadStart, VadStop))]


def seconds(event: VadStart | VadStop) -> float:
    return event.sample / SAMPLE_RATE


def test_digital_silence_and_faint_hiss_are_not_speech() -> None:
    rng = np.random.default_rng(1)
    assert run(np.zeros(5 * SAMPLE_RATE, dtype=np.int16)) == []
    hiss = (rng.standard_normal(5 * SAMPLE_RATE) * 20).astype(np.int16)  # about -64 dBFS
    assert run(hiss) == []


def test_a_word_train_is_one_utterance_with_padding() -> None:
    speech_ = make_speech([6])
    events = run(speech_.pcm)
    assert [type(e) for e in events] == [VadStart, VadStop]
    first, last = speech_.words[0], speech_.words[-1]
    options = VadOptions()
    assert first.start - options.pre_roll_ms / 1000 - 0.05 <= seconds(events[0]) <= first.start
    assert last.end <= seconds(events[1]) <= last.end + options.hangover_ms / 1000 + 0.05


def test_a_thinking_pause_shorter_than_end_of_utterance_keeps_one_utterance() -> None:
    events = run(make_speech([3, VadOptions().end_of_utterance_ms / 1000 - 0.1, 3]).pcm)
    assert [type(e) for e in events] == [VadStart, VadStop]


def test_a_long_pause_ends_the_utterance_and_the_next_starts_after_it() -> None:
    speech_ = make_speech([3, 2.0, 3])
    events = run(speech_.pcm)
    assert [type(e) for e in events] == [VadStart, VadStop, VadStart, VadStop]
    assert seconds(events[1]) < speech_.words[3].start - 1.0
    assert seconds(events[2]) >= seconds(events[1])  # pre-roll never reaches into the last one


@pytest.mark.parametrize("frame_ms", [10, 20, 30])
def test_every_webrtcvad_frame_size_works(frame_ms: int) -> None:
    options = replace(VadOptions(), frame_ms=frame_ms)
    assert [type(e) for e in run(make_speech([4]).pcm, options, chunk=333)] == [VadStart, VadStop]


def test_a_pause_predicts_where_the_utterance_stops() -> None:
    events = run_all(make_speech([4, 2.0, 3]).pcm)
    assert [type(e) for e in events] == [VadStart, VadPause, VadStop, VadStart, VadPause, VadStop]
    assert events[1].sample == events[2].sample and events[4].sample == events[5].sample
    assert events[1].voiced_ms > 0


def test_speech_after_a_short_pause_withdraws_it() -> None:
    options = VadOptions()
    speech_ = make_speech([3, (options.hangover_ms + options.end_of_utterance_ms) / 2000, 3])
    events = run_all(speech_.pcm)
    assert [type(e) for e in events] == [VadStart, VadPause, VadResume, VadPause, VadStop]
    pause, resume, stop = events[1], events[2], events[4]
    assert pause.sample < resume.sample < stop.sample
    assert abs(resume.sample / SAMPLE_RATE - speech_.words[3].start) < 0.1
    assert events[3].sample == stop.sample


def test_a_short_click_does_not_start_an_utterance() -> None:
    pcm = np.zeros(2 * SAMPLE_RATE, dtype=np.int16)
    pcm[SAMPLE_RATE : SAMPLE_RATE + 480] = 12000  # one 30 ms burst
    assert run(pcm) == []


def test_flush_closes_speech_cut_off_by_the_end_of_input() -> None:
    speech_ = make_speech([4])
    cut = round(speech_.words[2].end * SAMPLE_RATE)
    events = run(speech_.pcm[:cut])
    assert [type(e) for e in events] == [VadStart, VadStop]
    assert events[1].sample <= cut


def test_invalid_options_are_rejected() -> None:
    with pytest.raises(ValueError):
        VadOptions(frame_ms=25)
    with pytest.raises(ValueError):
        VadOptions(aggressiveness=4)


def test_piper_speech_with_pauses() -> None:
    audio = speech.synthesize(["I shipped the feature on time.", 1.5, "Then I wrote the tests."])
    events = run((audio * 32767).astype(np.int16))
    starts = [seconds(e) for e in events if isinstance(e, VadStart)]
    assert len(starts) == 2
    assert events[-1].sample <= audio.size


@pytest.mark.skipif(not speech.shared_manifest(), reason="../shared/audio is absent (human speech recordings)")
def test_real_human_speech_is_found_and_bounded() -> None:
    audio = speech.load_audio_file(speech.SHARED_AUDIO / "whisper" / "jfk.flac")
    events = run((audio * 32767).astype(np.int16))
    assert events and isinstance(events[0], VadStart)
    voiced = sum(b.sample - a.sample for a, b in zip(events[::2], events[1::2], strict=False)) / SAMPLE_RATE
    assert 6.0 < voiced <= audio.size / SAMPLE_RATE
