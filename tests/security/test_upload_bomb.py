"""A decompression bomb: a small upload that decodes to hours of audio is refused without
decoding it all (the duration limit bounds the work, not only the result)."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

from server.speech.decoding import decode_audio_bytes
from streaming.errors import UnsupportedAudioError
from tests.support.audio_files import flac_of_silence


def test_an_hour_of_flac_silence_is_refused_with_little_memory() -> None:
    bomb = flac_of_silence(3600)
    assert len(bomb) < 1_000_000  # under a megabyte on the wire
    tracemalloc.start()
    try:
        with pytest.raises(UnsupportedAudioError, match="longer than 900 s"):
            decode_audio_bytes(bomb, max_seconds=900)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # Decoding the whole hour would hold 57.6 M samples (115 MB as int16, 230 MB as float32).
    assert peak < 60 * 2**20, peak >> 20


def test_audio_under_the_limit_decodes_whole() -> None:
    audio = decode_audio_bytes(flac_of_silence(30), max_seconds=900)
    assert audio.dtype == np.float32 and abs(audio.size - 30 * 16000) <= 16000
