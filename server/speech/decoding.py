"""Uploads in any container decoded to the core's 16 kHz mono float32, through PyAV (the decoder
faster-whisper itself uses). I/O-heavy and CPU-bound: the caller runs it off the event loop."""

from __future__ import annotations

import io
import logging

import numpy as np

from streaming.audio import sniff_audio_format
from streaming.errors import UnsupportedAudioError
from streaming.options import SAMPLE_RATE

log = logging.getLogger("server.uploads")


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
        # FFmpeg's own words ("avcodec_open2(...) returned 22") go to the log, not to the client.
        log.info("upload refused: its %s audio could not be decoded (%s: %s)", kind, type(error).__name__, error)
        raise UnsupportedAudioError(
            f"could not decode the {kind} audio: it is damaged, or its header describes it wrongly"
        ) from error
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
