"""Wire framing, conversions and container sniffing (decoding: tests/server/test_speech_decoding.py)."""

from __future__ import annotations

import io
import wave

import numpy as np
import pytest

from streaming.audio import Pcm16Framer, SampleBuffer, float32_to_pcm16, pcm16_to_float32, sniff_audio_format
from streaming.errors import AudioFormatError


def test_framer_keeps_the_odd_byte_and_loses_no_sample() -> None:
    samples = np.arange(-500, 500, dtype=np.int16)
    data = samples.astype("<i2").tobytes()
    framer = Pcm16Framer()
    out, position, sizes = [], 0, [1, 2, 3, 5, 7, 1, 1, 64, 999]
    while position < len(data):
        size = sizes[len(out) % len(sizes)]
        out.append(framer.push(data[position : position + size]))
        position += size
    assert np.array_equal(np.concatenate(out), samples)
    assert framer.pending_bytes == 0
    assert framer.samples_out == samples.size


def test_framer_holds_a_lone_byte_until_its_pair_arrives() -> None:
    framer = Pcm16Framer()
    assert framer.push(b"\x01").size == 0
    assert framer.pending_bytes == 1
    assert framer.push(b"\x02").tolist() == [0x0201]


def test_framer_rejects_text() -> None:
    with pytest.raises(AudioFormatError):
        Pcm16Framer().push("not bytes")  # type: ignore[arg-type]


def test_pcm_round_trip_is_within_one_step() -> None:
    audio = np.linspace(-1, 1, 1001, dtype=np.float32)
    back = pcm16_to_float32(float32_to_pcm16(audio))
    assert np.max(np.abs(back - audio)) < 1.5 / 32768
    assert float32_to_pcm16(np.array([2.0, -2.0], dtype=np.float32)) == np.array([32767, -32767], "<i2").tobytes()
    with pytest.raises(AudioFormatError):
        pcm16_to_float32(b"\x00\x01\x02")


def _wav(rate: int, channels: int, seconds: float = 0.5) -> bytes:
    t = np.arange(int(rate * seconds)) / rate
    tone = (0.3 * np.sin(2 * np.pi * 440 * t) * 32767).astype("<i2")
    frames = np.repeat(tone[:, None], channels, axis=1).tobytes()
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(frames)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (_wav(16000, 1)[:16], "wav"),
        (b"fLaC\x00\x00\x00\x22", "flac"),
        (b"OggS\x00\x02\x00\x00", "ogg"),
        (b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81", "webm"),
        (b"ID3\x04\x00\x00\x00\x00", "mp3"),
        (b"\xff\xfb\x90\x64\x00\x00", "mp3"),
        (b"\xff\xf1\x50\x80", None),  # ADTS AAC, not MP3
        (b"<html><body>", None),
        (b"", None),
    ],
)
def test_sniff_by_magic_bytes(head: bytes, kind: str | None) -> None:
    assert sniff_audio_format(head) == kind


def test_the_sample_buffer_appends_in_place_and_keeps_absolute_sample_numbers() -> None:
    buffer = SampleBuffer(capacity=4)
    pcm = np.arange(-5000, 5000, 10, dtype=np.int16)  # 1000 samples: grows past its capacity
    for begin in range(0, pcm.size, 7):
        buffer.append_pcm16(pcm[begin : begin + 7])
    assert (buffer.start, buffer.end) == (0, 1000)
    np.testing.assert_array_equal(buffer.copy(0, 1000), pcm.astype(np.float32) / 32768.0)
    buffer.drop_before(600)
    assert (buffer.start, buffer.end) == (600, 1000)
    np.testing.assert_array_equal(buffer.copy(0, 610), pcm[600:610].astype(np.float32) / 32768.0)  # clipped
    np.testing.assert_array_equal(buffer.copy(990, 2000), pcm[990:].astype(np.float32) / 32768.0)
    assert buffer.copy(1200, 1300).size == 0
    buffer.append_pcm16(pcm[:3])
    assert buffer.end == 1003
    np.testing.assert_array_equal(buffer.copy(999, 1003), np.r_[pcm[999:], pcm[:3]].astype(np.float32) / 32768.0)
