"""Sans-I/O streaming speech core: PCM bytes and audio time in, transcript events out.

The server drives it (awaiting, worker pool, sockets); nothing here blocks on I/O or reads a
clock. Entry points: `AnswerStream` (one answer), `WhisperTranscriber` (the shared model),
`transcribe_offline` (uploads), `decode_audio_bytes` (any container to 16 kHz mono).
"""

from .audio import Pcm16Framer, decode_audio_bytes, float32_to_pcm16, pcm16_to_float32, sniff_audio_format
from .errors import AudioFormatError, ModelLoadError, StreamingError, StreamStateError, UnknownJobError, UnsupportedAudioError
from .events import AnswerComplete, Event, FinalSegment, PartialTranscript, SpeechStarted, SpeechStopped, Word
from .offline import simulate_live, transcribe_offline
from .options import SAMPLE_RATE, StreamingOptions, TranscriberOptions, VadOptions
from .stream import AnswerStream, DecodeJob
from .transcriber import Transcriber, Transcription, WhisperTranscriber

__all__ = [
    "SAMPLE_RATE", "AnswerComplete", "AnswerStream", "AudioFormatError", "DecodeJob", "Event", "FinalSegment",
    "ModelLoadError", "PartialTranscript", "Pcm16Framer", "SpeechStarted", "SpeechStopped", "StreamStateError",
    "StreamingError", "StreamingOptions", "Transcriber", "TranscriberOptions", "Transcription", "UnknownJobError",
    "UnsupportedAudioError", "VadOptions", "WhisperTranscriber", "Word", "decode_audio_bytes", "float32_to_pcm16",
    "pcm16_to_float32", "simulate_live", "sniff_audio_format", "transcribe_offline",
]
