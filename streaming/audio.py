"""Audio plumbing: the wire format (signed 16-bit little-endian mono PCM at 16 kHz), and uploads
in any container, decoded through PyAV (faster-whisper's own decoder)."""

from __future__ import annotations

import io

import numpy as np

from .errors import AudioFormatError, UnsupportedAudioError
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
        data = self._leftover + bytes(chunk)
        usable = len(data) - (len(data) % 2)
        self._leftover = data[usable:]
        samples = np.frombuffer(data[:usable], dtype=_PCM_DTYPE).astype(np.int16)
        self.samples_out += samples.size
        return samples

    @property
    def pending_bytes(self) -> int:
        return len(self._leftover)


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


def decode_audio_bytes(data: bytes, *, max_seconds: float | None = None) -> np.ndarray:
    """Any supported container -> 16 kHz mono float32 (down-mixed, resampled).

    Raises UnsupportedAudioError with a readable reason for empty, unknown or undecodable data,
    and when the audio is longer than `max_seconds`.
    """
    if not data:
        raise UnsupportedAudioError("the audio upload is empty")
    kind = sniff_audio_format(data[:64])
    if kind is None:
        raise UnsupportedAudioError("not a supported audio file (expected WAV, MP3, WebM, Ogg or FLAC)")
    limit = None if max_seconds is None else int(max_seconds * SAMPLE_RATE)
    try:
        audio = _decode_bounded(data, limit)
    except _TooLong:
        raise UnsupportedAudioError(f"the audio is longer than {max_seconds:g} s") from None
    except Exception as error:  # PyAV raises many types (InvalidDataError, ValueError, ...)
        raise UnsupportedAudioError(f"could not decode the {kind} audio: {error}") from error
    if audio.size == 0:
        raise UnsupportedAudioError(f"the {kind} file contains no audio samples")
    return audio


class _TooLong(Exception):
    pass


def _decode_bounded(data: bytes, limit: int | None) -> np.ndarray:
    """faster-whisper's decode (PyAV, resampled to 16 kHz mono s16), stopping as soon as more
    than `limit` samples came out. Decoding everything first and measuring after let a small,
    highly compressible upload (a 650 KB FLAC of an hour of silence) take 600 MB of memory
    before it was refused: the limit must bound the work, not only the result."""
    import av

    resampler = av.AudioResampler(format="s16", layout="mono", rate=SAMPLE_RATE)
    chunks: list[np.ndarray] = []
    total = 0
    with av.open(io.BytesIO(data), mode="r", metadata_errors="ignore") as container:
        frames = container.decode(audio=0)
        while True:
            try:
                frame = next(frames)
            except StopIteration:
                break
            except av.error.InvalidDataError:
                continue  # a damaged frame: skip it, as faster-whisper does
            for resampled in resampler.resample(frame):
                chunk = resampled.to_ndarray().reshape(-1)
                chunks.append(chunk)
                total += chunk.size
            if limit is not None and total > limit:
                raise _TooLong
        for resampled in resampler.resample(None):
            chunks.append(resampled.to_ndarray().reshape(-1))
    pcm = np.concatenate(chunks) if chunks else np.zeros(0, np.int16)
    if limit is not None and pcm.size > limit:
        raise _TooLong
    return pcm.astype(np.float32) / 32768.0
