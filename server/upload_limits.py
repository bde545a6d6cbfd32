"""What an upload may cost this node: admission (a global and a per-user cap on uploads in
progress) and decoding in a bounded thread pool of its own, after a look at the input's shape.

Why: six concurrent uploads of a 1 MB FLAC of 384 kHz x 8 channels silence (about 28 s of CPU
each for 300 s, because the duration limit counted output samples, not the input's rate x
channels) filled the event loop's default executor, and `/health`, login and `/api/users/me` took
a minute. Now input above `max_sample_rate` or `max_channels` is refused from its header before
any decoding, so one decode costs at most rate x channels x `max_seconds`; at most
`max_concurrent` uploads (each user at most `max_per_user`) are in progress, and the rest are
told when to retry; the decoding runs in `decode_workers` threads that nothing else uses; and
`max_transcribing` of them at a time go through the model that live answers share.
The caps are per node (each node protects its own CPU and memory).
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TypeVar

import numpy as np

from server.errors import ServerBusy, TooManyUploads
from server.speech.decoding import decode_audio_bytes
from server.upload_options import UploadOptions
from streaming.audio import sniff_audio_format
from streaming.errors import UnsupportedAudioError

log = logging.getLogger("server.uploads")

T = TypeVar("T")


@dataclass(frozen=True)
class AudioShape:
    """What the container says about its first audio stream, before anything is decoded."""

    sample_rate: int
    channels: int


@dataclass(frozen=True)
class DecodedUpload:
    audio_format: str  # "wav", "mp3", "webm", "ogg" or "flac", by content
    audio: np.ndarray  # 16 kHz mono float32


class UploadLimits:
    """One per app: `admit(user)` around an upload's whole processing, `decode(body)` and
    `run(fn)` for its blocking work. Used from the event loop only (the counts need no lock)."""

    def __init__(self, options: UploadOptions) -> None:
        self.options = options
        self._per_user: Counter[uuid.UUID] = Counter()
        self.in_progress = 0
        self._pool = ThreadPoolExecutor(max_workers=options.decode_workers, thread_name_prefix="upload-decode")
        self._transcribing = asyncio.Semaphore(options.max_transcribing)

    @contextlib.contextmanager
    def admit(self, user_id: uuid.UUID) -> Iterator[None]:
        """Hold an upload slot; TooManyUploads (429) or ServerBusy (503) at once if none is free."""
        retry = self.options.retry_after_s
        if self._per_user[user_id] >= self.options.max_per_user:
            raise TooManyUploads(
                f"you already have {self._per_user[user_id]} uploads in progress: try again when one is done", retry
            )
        if self.in_progress >= self.options.max_concurrent:
            raise ServerBusy("the server is processing as many uploads as it can: please try again shortly", retry)
        self._per_user[user_id] += 1
        self.in_progress += 1
        try:
            yield
        finally:
            self.in_progress -= 1
            self._per_user[user_id] -= 1
            if not self._per_user[user_id]:
                del self._per_user[user_id]

    @contextlib.asynccontextmanager
    async def transcription_turn(self) -> AsyncIterator[None]:
        """Wait for one of the `max_transcribing` turns to send an admitted upload through the
        model (FIFO: asyncio.Semaphore wakes its waiters in order)."""
        async with self._transcribing:
            yield

    async def decode(self, body: bytes) -> DecodedUpload:
        """Recognise, check and decode an upload in the pool; UnsupportedAudioError (415) with
        a readable reason for anything that is not an acceptable recording."""
        return await self.run(lambda: decode_upload(body, self.options))

    async def run(self, work: Callable[[], T]) -> T:
        """Blocking upload work (decoding, writing the file) in the upload pool."""
        return await asyncio.get_running_loop().run_in_executor(self._pool, work)

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


def decode_upload(body: bytes, options: UploadOptions) -> DecodedUpload:
    audio_format = sniff_audio_format(body[:16])
    if audio_format is None:
        raise UnsupportedAudioError("not a wav, mp3, webm, ogg or flac recording")
    shape = probe_audio(body, audio_format)
    if shape.sample_rate > options.max_sample_rate:
        raise UnsupportedAudioError(
            f"the {audio_format} audio is sampled at {shape.sample_rate} Hz: "
            f"at most {options.max_sample_rate} Hz is accepted"
        )
    if shape.channels > options.max_channels:
        raise UnsupportedAudioError(
            f"the {audio_format} audio has {shape.channels} channels: at most {options.max_channels} are accepted"
        )
    return DecodedUpload(audio_format, decode_audio_bytes(body, max_seconds=options.max_seconds))


def probe_audio(body: bytes, audio_format: str) -> AudioShape:
    """The first audio stream's sample rate and channel count from the container's headers
    (FFmpeg reads only what it needs to find the stream: no audio is decoded)."""
    import av

    try:
        with av.open(io.BytesIO(body), mode="r", metadata_errors="ignore") as container:
            if not container.streams.audio:
                raise UnsupportedAudioError(f"the {audio_format} file has no audio stream")
            codec = container.streams.audio[0].codec_context
            return AudioShape(sample_rate=int(codec.sample_rate or 0), channels=int(codec.layout.nb_channels or 0))
    except UnsupportedAudioError:
        raise
    except Exception as error:  # PyAV raises many types (InvalidDataError, ValueError, AttributeError, ...)
        # FFmpeg's and PyAV's own words ("[Errno 1094995529] ... '<none>'", "'NoneType' object
        # has no attribute ...") tell a client nothing and show internals: they go to the log.
        log.info("upload refused: its %s header could not be read (%s: %s)", audio_format, type(error).__name__, error)
        raise UnsupportedAudioError(
            f"could not read the {audio_format} file: its header is damaged, incomplete or not {audio_format}"
        ) from error
