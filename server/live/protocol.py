"""The WebSocket wire protocol, version 1 (docs/protocol.md is the reference for clients).

Client -> server: binary frames of 16 kHz mono s16le PCM, and JSON text frames decoded here into
typed messages. Server -> client: JSON events, each carrying `type`, a per-connection `seq`
(1, 2, 3, ...) and the `question` number it concerns (null when none).
"""

from __future__ import annotations

from typing import Any

import msgspec

from streaming import events as stream_events

PROTOCOL_VERSION = 1
MAX_TEXT_FRAME_BYTES = 4096


class ProtocolError(Exception):
    """A client message the server cannot accept; `code` is stable, the message is for humans."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


# --- client -> server -------------------------------------------------------------------------


class ClientMessage(msgspec.Struct, tag_field="type", forbid_unknown_fields=True):
    pass


class Auth(ClientMessage, tag="auth"):
    token: str


class Start(ClientMessage, tag="start"):
    """Start the interview, or resume it where it stopped."""


class AnswerDone(ClientMessage, tag="answer_done"):
    """The candidate finished the current answer."""


class Skip(ClientMessage, tag="skip"):
    """Move on without answering (audio already sent for this answer is kept and transcribed)."""


class Repeat(ClientMessage, tag="repeat"):
    """Send the current question again."""


class Retry(ClientMessage, tag="retry"):
    """Try the answer just closed again (a new attempt), before the next question is answered."""


class End(ClientMessage, tag="end"):
    """End the interview now: the current answer is kept, the session is completed."""


class Ping(ClientMessage, tag="ping"):
    id: int | str | None = None


CLIENT_MESSAGES = Auth | Start | AnswerDone | Skip | Repeat | Retry | End | Ping
_decoder = msgspec.json.Decoder(CLIENT_MESSAGES)


def decode_client_message(text: str | bytes) -> ClientMessage:
    """Parse one JSON text frame; ProtocolError('bad_message') for anything else."""
    raw = text.encode() if isinstance(text, str) else text
    if len(raw) > MAX_TEXT_FRAME_BYTES:
        raise ProtocolError("message_too_big", f"control messages are limited to {MAX_TEXT_FRAME_BYTES} bytes")
    try:
        return _decoder.decode(raw)
    except msgspec.ValidationError as error:
        raise ProtocolError("bad_message", f"unknown or malformed message: {error}") from None
    except msgspec.DecodeError:
        raise ProtocolError("bad_message", "control messages must be JSON objects with a 'type'") from None


# --- server -> client -------------------------------------------------------------------------


class ServerEvent(msgspec.Struct, tag_field="type", kw_only=True):
    seq: int = 0
    question: int | None = None


class Ready(ServerEvent, tag="ready"):
    protocol: int = PROTOCOL_VERSION
    sample_rate: int = 16000
    encoding: str = "pcm_s16le"
    channels: int = 1
    max_frame_bytes: int = 0
    session_status: str = "created"
    num_questions: int = 0


class QuestionAsked(ServerEvent, tag="question"):
    """`number` of `of` counts planned questions only; a follow-up carries its question's number
    and its `follow_up_index` (1, 2). `voice_url`: the question spoken (GET, Bearer), null when
    the voice is off or unavailable. `attempt`: 1, or more after "try again"."""

    number: int
    of: int
    text: str
    category: str | None
    difficulty: str | None
    time_limit: int
    follow_up: bool = False
    follow_up_index: int = 0
    question_id: str | None = None
    attempt: int = 1
    voice_url: str | None = None


class Resumed(ServerEvent, tag="resumed"):
    """Sent after a reconnect mid-answer: what was already committed, so the client can redraw."""

    transcript: str
    segments: list[dict[str, Any]]
    audio_duration: float


class SpeechStarted(ServerEvent, tag="speech_started"):
    at: float


class SpeechStopped(ServerEvent, tag="speech_stopped"):
    at: float


class Partial(ServerEvent, tag="partial"):
    """`committed` is stable text of the current utterance; `tail` may still change."""

    utterance: int
    committed: str
    tail: str


class Final(ServerEvent, tag="final"):
    utterance: int
    text: str
    start: float
    end: float
    confidence: float


class AnswerComplete(ServerEvent, tag="answer_complete"):
    transcript: str
    word_count: int
    audio_duration: float
    confidence: float | None
    skipped: bool = False


class TimeWarning(ServerEvent, tag="time_warning"):
    remaining: float


class SessionComplete(ServerEvent, tag="session_complete"):
    questions_answered: int
    total_duration: int | None


class ErrorEvent(ServerEvent, tag="error"):
    code: str
    message: str
    fatal: bool = False


class Pong(ServerEvent, tag="pong"):
    id: int | str | None = None


class Generic(ServerEvent, tag="event"):
    """Carrier for events other packages add later on the same channel (scores, follow-ups...)."""

    name: str
    data: dict[str, Any]


_encoder = msgspec.json.Encoder()


def encode_event(event: ServerEvent) -> str:
    return _encoder.encode(event).decode()


def from_stream_event(event: stream_events.Event) -> ServerEvent:
    """The wire form of an event of the streaming core (times rounded for the client)."""
    if isinstance(event, stream_events.SpeechStarted):
        return SpeechStarted(at=round(event.at, 2))
    if isinstance(event, stream_events.SpeechStopped):
        return SpeechStopped(at=round(event.at, 2))
    if isinstance(event, stream_events.PartialTranscript):
        return Partial(utterance=event.utterance, committed=event.committed, tail=event.tail)
    if isinstance(event, stream_events.FinalSegment):
        return Final(
            utterance=event.utterance,
            text=event.text,
            start=round(event.start, 2),
            end=round(event.end, 2),
            confidence=round(event.confidence, 3),
        )
    raise TypeError(f"no wire form for {type(event).__name__}")
