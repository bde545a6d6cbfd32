"""Options of recorded-answer uploads (composed into server settings)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class UploadOptions:
    #: Uploads processed at once on this node (reading, decoding, transcribing); one more is a
    #: 503 `server_busy` with Retry-After. Each holds up to 25 MB of body and its decoded audio.
    max_concurrent: int = 4
    #: Uploads of one user processed at once on this node; one more is a 429 `too_many_uploads`.
    max_per_user: int = 2
    #: Uploads transcribed at once on this node (the others admitted wait for a turn). Upload
    #: decodes share the model with live finals, first come first served: a live final waits
    #: behind at most this many upload decodes (measured in bench/upload_load.py).
    max_transcribing: int = 1
    #: Threads of the upload decode pool (PyAV releases the GIL while it decodes). Its own pool:
    #: the event loop's default executor stays free for everything else.
    decode_workers: int = 1
    #: Input above this sample rate or channel count is refused (415) before any decoding, so a
    #: decode costs at most rate x channels x the duration limit (see server.speech.decoding).
    max_sample_rate: int = 48_000
    max_channels: int = 2
    #: Longest answer accepted, in seconds of audio.
    max_seconds: float = 15 * 60
    #: What a refused upload is told to wait (the Retry-After header), in seconds.
    retry_after_s: int = 10
