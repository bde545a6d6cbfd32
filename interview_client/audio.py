"""Audio sources for the client: a file in any container the server accepts (WAV, FLAC, ...)
decoded to the wire format, or raw 16 kHz mono s16le PCM from stdin, in frames."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from pathlib import Path

from server.speech.decoding import decode_audio_bytes
from streaming.audio import float32_to_pcm16

SAMPLE_RATE = 16000
BYTES_PER_SECOND = SAMPLE_RATE * 2
FRAME_BYTES = 3200  # 100 ms: small enough for live partials, large enough to be cheap


def read_file_pcm(path: Path) -> bytes:
    """A whole audio file as 16 kHz mono s16le PCM; UnsupportedAudioError for anything else."""
    return float32_to_pcm16(decode_audio_bytes(path.read_bytes()))


async def frames(source: str) -> AsyncIterator[bytes]:
    """The PCM frames of `source`: a file path, or "-" for raw PCM on stdin (read as it comes,
    so a live pipe such as `arecord -f S16_LE -r 16000 -c 1 | interview-client ... -` works)."""
    if source == "-":
        stdin = sys.stdin.buffer
        while chunk := await asyncio.to_thread(stdin.read, FRAME_BYTES):
            yield chunk
        return
    pcm = await asyncio.to_thread(read_file_pcm, Path(source))
    for start in range(0, len(pcm), FRAME_BYTES):
        yield pcm[start : start + FRAME_BYTES]


async def paced(source: AsyncIterator[bytes], speed: float) -> AsyncIterator[bytes]:
    """Frames no faster than `speed` x real time (0: as fast as the socket takes them). The pace
    follows a clock, not a sleep per frame, so a source that is itself real time is never delayed."""
    loop = asyncio.get_running_loop()
    started = loop.time()
    sent = 0
    async for frame in source:
        if speed > 0:
            due = started + sent / BYTES_PER_SECOND / speed
            if (wait := due - loop.time()) > 0:
                await asyncio.sleep(wait)
        sent += len(frame)
        yield frame
