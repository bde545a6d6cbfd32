"""One error hierarchy for the streaming package; `server/` translates it once, at the edge."""

from __future__ import annotations


class StreamingError(Exception):
    """Base of every error this package raises on purpose."""


class AudioFormatError(StreamingError):
    """Audio bytes that do not match the expected wire format (e.g. a PCM chunk of the wrong type)."""


class UnsupportedAudioError(AudioFormatError):
    """An uploaded file that is not audio, or a container/codec that cannot be decoded."""


class ModelLoadError(StreamingError):
    """The speech model could not be found or loaded (bad name, missing directory, no network)."""


class StreamStateError(StreamingError):
    """A call that the answer stream's current state does not allow (feed after finish, ...)."""


class UnknownJobError(StreamStateError):
    """`complete`/`discard` with a job that this stream did not hand out, or already settled."""
