"""Options of the live interview layer (composed into server settings)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LiveOptions:
    #: Live interview sockets served at once; one more is closed with 1013 (admission control).
    max_live_streams: int = 8
    #: Model calls running at once (threads of the decode pool).
    decode_workers: int = 1
    #: Largest binary frame accepted (2 s of 16 kHz s16le); larger closes with 1009.
    max_frame_bytes: int = 64_000
    #: Events queued for a client that is not reading; beyond it partials are dropped, and a
    #: client that cannot take a final is closed with 1013 (everything is stored; it may resume).
    outbox_size: int = 512
    #: The candidate is warned this many seconds before the answer's time limit.
    time_warning_seconds: float = 15.0
    #: Audio received but not yet finalised beyond which the socket is not read until decoding
    #: catches up: bounds per-connection memory for clients sending faster than real time.
    max_backlog_seconds: float = 30.0
    #: How long a watch (share) token stays valid.
    share_token_hours: int = 24
