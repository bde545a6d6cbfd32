"""Audio plumbing: the wire format (signed 16-bit little-endian mono PCM at 16 kHz) and the
recognition of upload containers by their magic bytes. Decoding them (PyAV) sits at the edge:
`server/speech/decoding.py`."""

from __future__ import annotations

import numpy as np

from .errors import AudioFormatError
from .options import SAMPLE_RATE

_PCM_DTYPE = np.dtype("<i2")


class Pcm16Framer:
    """Turns byte chunks of any size into int16 samples.

    Network frames may split a sample in two (odd byte counts): the leftover byte is kept and
    completed by the next chunk, so no sample is lost or shifted.
    """

    def __init__(self) -> None:
        self._leftover = b""
        self.samples_out = 0

    def push(self, chunk: bytes | bytearray | memoryview) -> np.ndarray:
        if not isinstance(chunk, (bytes, bytearray, memoryview)):
            raise AudioFormatError(f"PCM audio must be bytes, not {type(chunk).__name__}")
        if not self._leftover and len(chunk) % 2 == 0:  # the usual case: no copy of the bytes
            samples = np.frombuffer(chunk, dtype=_PCM_DTYPE).astype(np.int16)
        else:
            data = self._leftover + bytes(chunk)
            usable = len(data) - (len(data) % 2)
            self._leftover = data[usable:]
            samples = np.frombuffer(data[:usable], dtype=_PCM_DTYPE).astype(np.int16)
        self.samples_out += samples.size
        return samples

    @property
    def pending_bytes(self) -> int:
        return len(self._leftover)


class SampleBuffer:
    """float32 samples addressed by absolute sample number, appended in place.

    `append` writes the new samples into spare capacity (doubled when full), so a 20 ms chunk
    costs its own samples, not a copy of everything held (np.concatenate copied the whole open
    utterance, up to 25 s, on every chunk). `drop_before` forgets the oldest samples."""

    def __init__(self, capacity: int = 4 * SAMPLE_RATE) -> None:
        self._data = np.zeros(max(1, capacity), dtype=np.float32)
        self._size = 0
        self.start = 0  # absolute sample number of the first sample held

    @property
    def end(self) -> int:
        """Absolute sample number after the last sample held."""
        return self.start + self._size

    def append_pcm16(self, samples: np.ndarray) -> None:
        """int16 samples, stored as float32 in [-1, 1)."""
        needed = self._size + samples.size
        if needed > self._data.size:
            grown = np.zeros(max(needed, 2 * self._data.size), dtype=np.float32)
            grown[: self._size] = self._data[: self._size]
            self._data = grown
        view = self._data[self._size : needed]
        np.multiply(samples, np.float32(1.0 / 32768.0), out=view, casting="unsafe")
        self._size = needed

    def copy(self, start: int, end: int) -> np.ndarray:
        """A copy of the samples in [start, end) (absolute; clipped to what is held)."""
        begin = min(self._size, max(0, start - self.start))
        return self._data[begin : max(begin, min(self._size, end - self.start))].copy()

    def drop_before(self, sample: int) -> None:
        """Forget the samples before absolute `sample`."""
        drop = min(self._size, sample - self.start)
        if drop <= 0:
            return
        self._data[: self._size - drop] = self._data[drop : self._size]
        self._size -= drop
        self.start += drop


def pcm16_to_float32(data: bytes | np.ndarray) -> np.ndarray:
    """PCM16 bytes (even length) or int16 samples -> float32 in [-1, 1)."""
    if isinstance(data, np.ndarray):
        samples = data.astype(np.int16, copy=False)
    else:
        if len(data) % 2:
            raise AudioFormatError("PCM16 data must have an even number of bytes")
        samples = np.frombuffer(data, dtype=_PCM_DTYPE)
    return samples.astype(np.float32) / 32768.0


def float32_to_pcm16(audio: np.ndarray) -> bytes:
    """float32 in [-1, 1] -> PCM16 bytes (clipped, rounded)."""
    clipped = np.clip(np.asarray(audio, dtype=np.float32), -1.0, 1.0)
    return np.round(clipped * 32767.0).astype(_PCM_DTYPE).tobytes()


def sniff_audio_format(head: bytes) -> str | None:
    """Container by magic bytes (never by file name): "wav", "mp3", "webm", "ogg", "flac" or None."""
    if len(head) >= 12 and head[:4] in (b"RIFF", b"RIFX") and head[8:12] == b"WAVE":
        return "wav"
    if head[:4] == b"fLaC":
        return "flac"
    if head[:4] == b"OggS":
        return "ogg"
    if head[:4] == b"\x1a\x45\xdf\xa3":  # EBML header: WebM / Matroska
        return "webm"
    if head[:3] == b"ID3":
        return "mp3"
    if len(head) >= 2 and head[0] == 0xFF and (head[1] & 0xE0) == 0xE0 and (head[1] & 0x06) != 0:
        return "mp3"  # MPEG audio frame sync with a valid layer (ADTS AAC has layer bits 00)
    return None
