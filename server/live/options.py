"""Options of the live interview layer (composed into server settings)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LiveOptions:
    #: Live interview sockets served at once; one more is closed with 1013 (admission control).
    #: 16 continuous candidates fit on 2 cores with tiny.en (README, "Performance").
    max_live_streams: int = 16
    #: Model calls running at once (threads of the decode pool, and CTranslate2 workers of the
    #: one shared model). Two single-threaded decodes at once on 2 cores (WHISPER_THREADS=1)
    #: cost the same CPU per decode as one two-threaded decode (bench/decode_cost.py).
    decode_workers: int = 2
    #: Largest binary frame accepted (2 s of 16 kHz s16le); larger closes with 1009.
    max_frame_bytes: int = 64_000
    #: Events queued for a client that is not reading; beyond it partials are dropped, and a
    #: client that cannot take a final is closed with 1013 (everything is stored; it may resume).
    outbox_size: int = 512
    #: The candidate is warned this many seconds before the answer's time limit.
    time_warning_seconds: float = 15.0
    #: Audio a stream may hold for decodes still to come (streaming's `buffered_seconds`);
    #: beyond it frames are dropped with an `audio_dropped` error (docs/protocol.md) instead of
    #: blocking the socket's reader. Bounds per-connection memory (60 s is 3.8 MB) for clients
    #: sending faster than real time. Silence and noise that need no decode never count; one
    #: utterance is at most `hard_max_utterance_s` (25 s), so at real time only decoding more
    #: than ~35 s behind reaches it.
    max_backlog_seconds: float = 60.0
    #: Longest wait for an answer's last decodes when it is closed or its socket goes; past it
    #: the socket closes with 1013 `transcription_stalled` and a reconnect resumes the answer
    #: from its recording. Every wait of the live path is bounded like this.
    drain_timeout_s: float = 90.0
    #: How long a watch (share) token stays valid.
    share_token_hours: int = 24
