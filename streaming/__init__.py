"""Sans-I/O streaming speech core: PCM bytes and audio time in, transcript events out.

The server drives it (awaiting, worker pool, sockets); nothing here blocks on I/O, reads a
clock, starts a thread or loads a model. Entry points: `AnswerStream` (one answer), the
`Transcriber` interface it is decoded with, `run_due_jobs`/`transcribe_offline` (the
synchronous driver). The faster-whisper adapter and PyAV decoding are in `server/speech/`.
"""

from .audio import Pcm16Framer, float32_to_pcm16, pcm16_to_float32, sniff_audio_format
from .errors import (
    AudioFormatError,
    ModelLoadError,
    StreamingError,
    StreamStateError,
    UnknownJobError,
    UnsupportedAudioError,
)
from .events import AnswerComplete, Event, FinalSegment, PartialTranscript, SpeechStarted, SpeechStopped, Word
from .offline import run_due_jobs, simulate_live, transcribe_offline
from .options import SAMPLE_RATE, StreamingOptions, TranscriberOptions, VadOptions
from .stream import AnswerStream, DecodeJob
from .transcriber import Transcriber, Transcription

__all__ = [
    "SAMPLE_RATE",
    "AnswerComplete",
    "AnswerStream",
    "AudioFormatError",
    "DecodeJob",
    "Event",
    "FinalSegment",
    "ModelLoadError",
    "PartialTranscript",
    "Pcm16Framer",
    "SpeechStarted",
    "SpeechStopped",
    "StreamStateError",
    "StreamingError",
    "StreamingOptions",
    "Transcriber",
    "TranscriberOptions",
    "Transcription",
    "UnknownJobError",
    "UnsupportedAudioError",
    "VadOptions",
    "Word",
    "float32_to_pcm16",
    "pcm16_to_float32",
    "run_due_jobs",
    "simulate_live",
    "sniff_audio_format",
    "transcribe_offline",
]
