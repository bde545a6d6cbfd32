"""Uploads decoded through PyAV to 16 kHz mono (server/speech/decoding.py), no model."""

from __future__ import annotations

import numpy as np
import pytest

from server.speech.decoding import decode_audio_bytes
from streaming.errors import UnsupportedAudioError
from tests.streaming.test_audio import _wav


def test_decode_resamples_and_downmixes_a_stereo_wav() -> None:
    audio = decode_audio_bytes(_wav(44100, 2, seconds=1.0))
    assert audio.dtype == np.float32
    assert abs(audio.size - 16000) < 200
    assert 0.15 < float(np.max(np.abs(audio))) < 0.45


@pytest.mark.parametrize("data", [b"", b"hello world, not audio", b"RIFF\x00\x00\x00\x00WAVEgarbage" * 4])
def test_decode_rejects_garbage_with_a_clear_error(data: bytes) -> None:
    with pytest.raises(UnsupportedAudioError) as error:
        decode_audio_bytes(data)
    assert str(error.value)


def test_decode_enforces_a_length_limit() -> None:
    with pytest.raises(UnsupportedAudioError, match="longer than"):
        decode_audio_bytes(_wav(16000, 1, seconds=2.0), max_seconds=1.0)
