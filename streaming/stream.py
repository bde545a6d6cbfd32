"""`AnswerStream`: one answer's streaming session, sans I/O.

Bytes go in through `feed` (VAD events come out at once); decode work comes out as `DecodeJob`s
that the caller runs on a `Transcriber` wherever it likes (a worker pool) and hands back through
`complete`, which returns transcript events. No clock, no threads, no awaiting here.

Policy (shared/ARCHITECTURE.md, "Streaming: what the field has learned"):

* The open utterance is re-decoded after every `partial_interval_s` of new speech; the words two
  consecutive hypotheses agree on are committed (LocalAgreement-2, streaming/agreement.py).
* At most one partial is outstanding, always for the latest audio; finals are handed out first.
  A skipped (`discard`ed) partial is offered again with newer audio on the next `next_job`.
  Partials that hear nothing (noise the VAD let through) double the interval, up to 8x. The
  utterance's first decode is the exception: it covers about a second that starts with the
  VAD's pre-roll and often holds one word, so when it hears nothing it is retried after
  `first_partial_retry_s` and does not count towards that back-off.
* Past `max_utterance_s` the utterance is trimmed after its last committed word and that part is
  finalised, so a decode never covers more than ~`max_utterance_s` of audio; if nothing could be
  committed by `hard_max_utterance_s` the utterance is cut there and decoded whole.
* When the VAD hears the end of an utterance, the whole utterance (from the last trim) is decoded
  once more; that final decode is the transcript of the utterance (it may revise the partials).
* The end of an utterance costs the VAD's end-of-utterance silence plus that decode. Most of the
  silence is only waiting: once `hangover_ms` of it was heard (a `VadPause`), the audio the final
  will cover is known, so a *closing* decode of it is handed out at once, ranked with the finals.
  If the VAD then stops the utterance exactly there, the final job carries that result
  (`DecodeJob.known`) and needs no decode of its own; if speech resumes, the closing decode was
  simply a partial. (`StreamingOptions.closing_decode`; the offline drivers turn it off.)
* Finals are delivered in utterance order; every utterance that was heard gets its final decode,
  and `finish` turns the open utterance into one, so nothing is left un-finalised.
* Prompts carry the question and the end of the answer so far; hotwords are passed through,
  and every decode's words go through the question's vocabulary (streaming/vocabulary.py), so
  a misheard domain term ("Post or SQL") comes out as the term (PostgreSQL).
* While the utterance has been silent for `partial_hold_silence_ms` no partial is handed out:
  nothing new was said, and a partial running when the pause turns out to be the end would
  delay the closing decode.
* Skipped partial updates are counted (`pop_partials_skipped`): an update is due after every
  partial interval of new audio; a partial decode that covers n intervals stands for n-1 skipped
  updates, and an utterance that stops with k intervals no decode covered skipped k.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from itertools import count
from typing import Literal

import numpy as np

from .agreement import HypothesisBuffer, normalise_word
from .audio import Pcm16Framer, SampleBuffer
from .errors import StreamStateError, UnknownJobError
from .events import AnswerComplete, Event, FinalSegment, PartialTranscript, SpeechStarted, SpeechStopped, Word
from .options import SAMPLE_RATE, StreamingOptions
from .transcriber import Transcription
from .vad import VadEvent, VadPause, VadResume, VadStart, VoiceActivityDetector
from .vocabulary import apply_vocabulary, distinctive_terms

_job_ids = count(1)
_HUM = re.compile(r"(h?m+|mhm+|hmm+|m+hm+)")


@dataclass(frozen=True, eq=False)
class DecodeJob:
    """Decode `audio` (16 kHz mono float32) with `prompt`/`hotwords`; word times in the result
    are relative to the audio and `offset` (answer seconds) places them. Compared by identity.

    kind: "final" (the transcript: always run, in order), "closing" (the utterance as it will end
    if the current pause lasts: run it like a final, it is likely to become one) or "partial"
    (may be skipped). `known`: a final whose audio a closing decode already transcribed; pass
    `known` to `complete` instead of decoding again (decoding it again is correct too)."""

    kind: Literal["partial", "closing", "final"]
    utterance: int
    audio: np.ndarray = field(repr=False)
    prompt: str | None
    hotwords: str | None
    offset: float
    known: Transcription | None = field(default=None, repr=False)
    id: int = field(default_factory=lambda: next(_job_ids))

    @property
    def duration(self) -> float:
        return self.audio.size / SAMPLE_RATE


@dataclass
class _Utterance:
    number: int
    start: int  # absolute sample where the decoded audio starts (VAD start or last trim)
    agreement: HypothesisBuffer
    last_partial_end: int  # audio end of the last partial handed out
    previous_partial_end: int = 0  # to undo a discarded partial
    partial: DecodeJob | None = None
    shown: tuple[str, str] = ("", "")
    carried: tuple[Word, ...] = ()  # tail words of the trimmed piece before it (boundary check)
    empty_partials: int = 0  # consecutive partial decodes that heard no words (noise?)
    decodes: int = 0  # partial and closing decodes of this utterance that came back
    first_empty: bool = False  # its first decode heard nothing (not counted in empty_partials)
    partial_skips: int = 0  # skipped updates counted for the outstanding partial (undone on discard)
    paused_at: int | None = None  # during a pause: where the utterance ends if no speech follows
    closing_due: bool = False  # a closing decode of [start, paused_at) is to be handed out
    closing: DecodeJob | None = None  # the closing decode handed out, and the end it covers
    closing_end: int = 0
    closed: tuple[int, Transcription] | None = None  # (end, result) of a finished closing decode


@dataclass
class _Slot:
    """One utterance's place in the ordered output of finals."""

    number: int
    ready: bool = False
    segment: FinalSegment | None = None
    shown_partial: bool = False


@dataclass(frozen=True)
class _FinalSpec:
    number: int
    start: int
    end: int
    carried: tuple[Word, ...]
    known: Transcription | None = None  # a closing decode of exactly this audio
    awaiting: int | None = None  # id of the closing decode (still out) that will be this final


class AnswerStream:
    """The streaming session of one answer. See the module docstring for the policy.

    `prior_segments` and `audio_offset` resume an answer after a reconnect: the transcript and the
    utterance numbers continue after the prior segments and times continue from `audio_offset`.
    """

    def __init__(
        self,
        options: StreamingOptions,
        *,
        context_prompt: str = "",
        hotwords: str | None = None,
        prior_segments: Sequence[FinalSegment] = (),
        audio_offset: float = 0.0,
        intro: str = "",
    ) -> None:
        self.options = options
        question = " ".join(context_prompt.split()[-options.question_words :]) if context_prompt else ""
        # `intro` (vocabulary.decoder_intro: the role and the company) opens every prompt and
        # leads the hotwords, so the company is heard as its name in every answer; it is never a
        # term of the vocabulary pass (its ordinary words, "Payments", would rewrite "payments").
        intro = " ".join(intro.split())
        self._context_prompt = f"{intro} {question}".strip()
        topics = hotwords.strip() if hotwords and hotwords.strip() else ""
        self._hotwords = f"{intro} {topics}".strip() or None
        self._terms = distinctive_terms(context_prompt, [topics]) if options.vocabulary_pass else ()
        self._prior = tuple(prior_segments)
        self._offset = float(max(audio_offset, max((s.end for s in self._prior), default=0.0)))
        self._framer = Pcm16Framer()
        self._vad = VoiceActivityDetector(options.vad)
        self._buffer = SampleBuffer()
        self._fed = 0
        self._next_number = max((s.utterance for s in self._prior), default=-1) + 1
        self._open: _Utterance | None = None
        self._pending_finals: deque[_FinalSpec] = deque()
        self._handed_out: dict[int, DecodeJob] = {}
        self._final_carried: dict[int, tuple[Word, ...]] = {}
        self._slots: deque[_Slot] = deque()
        self._delivered: list[FinalSegment] = []
        self._finished = False
        self._partials_skipped = 0
        keep_ms = options.vad.pre_roll_ms + options.vad.onset_window_ms + 2 * options.vad.frame_ms
        self._silence_keep = SAMPLE_RATE * keep_ms // 1000

    # --- public state ---------------------------------------------------------------------------

    @property
    def audio_duration(self) -> float:
        """Answer seconds heard so far, the resumed part (`audio_offset`) included."""
        return self._offset + self._fed / SAMPLE_RATE

    @property
    def segments(self) -> tuple[FinalSegment, ...]:
        """Prior segments, then every final delivered so far, in order."""
        return self._prior + tuple(self._delivered)

    @property
    def is_finished(self) -> bool:
        return self._finished

    @property
    def is_drained(self) -> bool:
        """`finish` was called and every final was decoded and delivered."""
        finals_out = any(job.kind != "partial" for job in self._handed_out.values())
        return self._finished and not self._pending_finals and not finals_out and not self._slots

    @property
    def buffered_seconds(self) -> float:
        """Audio the stream still holds for decodes to come: the open utterance, finals waiting
        for their decode, and the short pre-roll kept during silence. Silence and noise that
        need no decode do not add to it (they are trimmed), so it measures how far decoding is
        behind, and bounds the stream's memory."""
        return (self._fed - self._buffer.start) / SAMPLE_RATE

    @property
    def open_utterance_seconds(self) -> float:
        """Length of the audio the next decode of the open utterance would cover (0 if none)."""
        return 0.0 if self._open is None else (self._fed - self._open.start) / SAMPLE_RATE

    # --- input ----------------------------------------------------------------------------------

    def feed(self, pcm: bytes) -> list[Event]:
        """Wire audio (16-bit LE mono 16 kHz, any chunk size); returns SpeechStarted/Stopped."""
        if self._finished:
            raise StreamStateError("audio after finish(): the answer is closed")
        samples = self._framer.push(pcm)
        if samples.size == 0:
            return []
        self._buffer.append_pcm16(samples)
        self._fed += samples.size
        events: list[Event] = []
        for vad_event in self._vad.process(samples):
            events.extend(self._on_vad(vad_event))
        self._enforce_hard_limit()
        self._trim_buffer()
        return events

    def finish(self) -> list[Event]:
        """End of the answer: the open utterance becomes a final job. Idempotent."""
        if self._finished:
            return []
        events: list[Event] = []
        for vad_event in self._vad.flush(self._fed):
            events.extend(self._on_vad(vad_event))
        self._finished = True
        return events

    def pop_partials_skipped(self) -> int:
        """Partial updates skipped since the last call (see the module docstring)."""
        skipped, self._partials_skipped = self._partials_skipped, 0
        return skipped

    # --- decode jobs ----------------------------------------------------------------------------

    def next_job(self) -> DecodeJob | None:
        """The next decode to run: pending finals first (in order), then the closing decode of a
        pausing utterance, else one partial of the open utterance when enough new speech arrived
        and no partial is outstanding, else None."""
        if self._pending_finals:
            spec = self._pending_finals[0]
            if spec.awaiting is not None:
                return None  # its closing decode is still out; later finals are delivered after it
            self._pending_finals.popleft()
            job = DecodeJob(
                kind="final",
                utterance=spec.number,
                audio=self._audio(spec.start, spec.end),
                prompt=self._prompt(),
                hotwords=self._hotwords,
                offset=self._seconds(spec.start),
                known=spec.known,
            )
            self._handed_out[job.id] = job
            self._final_carried[job.id] = spec.carried
            return job
        utterance = self._open
        if utterance is None or self._finished:
            return None
        if utterance.closing_due and utterance.closing is None and utterance.paused_at is not None:
            utterance.closing_due = False
            job = DecodeJob(
                kind="closing",
                utterance=utterance.number,
                audio=self._audio(utterance.start, utterance.paused_at),
                prompt=self._prompt(),
                hotwords=self._hotwords,
                offset=self._seconds(utterance.start),
            )
            utterance.closing, utterance.closing_end = job, utterance.paused_at
            self._handed_out[job.id] = job
            return job
        if utterance.partial is not None or utterance.closing is not None or utterance.closed is not None:
            return None  # nothing new to hear: a closing decode covers the utterance so far
        new_speech = (self._fed - utterance.last_partial_end) / SAMPLE_RATE
        interval = self._partial_interval(utterance)
        if new_speech < interval or self.open_utterance_seconds < self.options.min_partial_audio_s:
            return None
        if self.options.partials == "trim" and not self._partial_needed_for_trim(utterance):
            return None
        if self.options.closing_decode and self._vad.silence_ms >= self.options.partial_hold_silence_ms:
            # Silent for a moment: no new words to show, and if the utterance is ending, a
            # partial now would only hold up its closing decode. Due again when speech resumes.
            return None
        utterance.partial_skips = max(0, int(new_speech / interval) - 1)
        self._partials_skipped += utterance.partial_skips
        start, prompt = self._partial_window(utterance)
        job = DecodeJob(
            kind="partial",
            utterance=utterance.number,
            audio=self._audio(start, self._fed),
            prompt=prompt,
            hotwords=self._hotwords,
            offset=self._seconds(start),
        )
        utterance.previous_partial_end = utterance.last_partial_end
        utterance.last_partial_end = self._fed
        utterance.partial = job
        self._handed_out[job.id] = job
        return job

    def discard(self, job: DecodeJob) -> None:
        """The caller will not run `job` (a partial skipped under load). A discarded final is
        put back at the head of the queue: finals always run. A discarded closing decode is not
        offered again for that pause (the final is decoded when the utterance stops)."""
        self._take(job)
        if job.kind == "final":
            carried = self._final_carried.pop(job.id, ())
            start = round((job.offset - self._offset) * SAMPLE_RATE)
            self._pending_finals.appendleft(
                _FinalSpec(job.utterance, start, start + job.audio.size, carried, job.known)
            )
            return
        utterance = self._open
        if job.kind == "closing":
            for index, spec in enumerate(self._pending_finals):
                if spec.awaiting == job.id:
                    self._pending_finals[index] = replace(spec, awaiting=None)
            if utterance is not None and utterance.closing is job:
                utterance.closing = None
            return
        if utterance is not None and utterance.partial is job:
            utterance.partial = None
            utterance.last_partial_end = utterance.previous_partial_end
            self._partials_skipped -= utterance.partial_skips
            utterance.partial_skips = 0

    def complete(self, job: DecodeJob, result: Transcription) -> list[Event]:
        """The result of a job handed out by `next_job`; returns PartialTranscript/FinalSegment."""
        self._take(job)
        words = self._accept(job, result)
        if job.kind == "final":
            return self._finalise(job.utterance, words, self._final_carried.pop(job.id, ()), job.offset)
        if job.kind == "closing":
            return self._complete_closing(job, result, words)
        return self._complete_partial(job, words)

    # --- the end --------------------------------------------------------------------------------

    def answer_complete(self) -> AnswerComplete:
        """The whole answer; only once `is_drained`."""
        if not self.is_drained:
            raise StreamStateError("answer_complete() before the stream is finished and drained")
        segments = self.segments
        transcript = " ".join(s.text for s in segments if s.text)
        probabilities = [w.probability for s in segments for w in s.words]
        if probabilities:
            confidence: float | None = float(np.mean(probabilities))
        else:
            with_text = [s.confidence for s in segments if s.text]
            confidence = float(np.mean(with_text)) if with_text else None
        return AnswerComplete(
            transcript=transcript,
            word_count=len(transcript.split()),
            audio_duration=self.audio_duration,
            confidence=confidence,
            segments=segments,
        )

    # --- internals: VAD and buffers -------------------------------------------------------------

    def _seconds(self, sample: int) -> float:
        return self._offset + sample / SAMPLE_RATE

    def _audio(self, start: int, end: int) -> np.ndarray:
        return self._buffer.copy(start, end)

    def _is_speech(self, utterance: _Utterance, voiced_ms: int) -> bool:
        return voiced_ms >= self.options.vad.min_speech_ms or bool(utterance.agreement.committed or utterance.carried)

    def _partial_needed_for_trim(self, utterance: _Utterance) -> bool:
        """`partials="trim"`: a partial only commits words, and that matters only as the
        utterance nears the trim length; one that heard nothing says "noise": no more."""
        needed_from = self.options.max_utterance_s - 2.5 * self.options.partial_interval_s
        heard_nothing = utterance.empty_partials > 0 or utterance.first_empty
        return self.open_utterance_seconds >= needed_from and not heard_nothing

    def _partial_window(self, utterance: _Utterance) -> tuple[int, str | None]:
        """Where a partial's audio starts, and its prompt (see `partial_from_commit`)."""
        committed = utterance.agreement.committed
        if not (self.options.partial_from_commit and committed):
            return utterance.start, self._prompt()
        options = self.options
        commit = round((utterance.agreement.committed_end - options.partial_overlap_s - self._offset) * SAMPLE_RATE)
        latest = self._fed - round(options.partial_min_window_s * SAMPLE_RATE)
        start = max(utterance.start, min(commit, latest))
        if start <= utterance.start:
            return utterance.start, self._prompt()
        said = " ".join(w.text for w in committed[-options.context_words :])
        return start, self._prompt(said)

    def _partial_interval(self, utterance: _Utterance) -> float:
        if utterance.first_empty and utterance.decodes == 1:
            # The first decode (240 ms of pre-roll and often a single word) heard nothing: most
            # often the words were just too few, so look again soon. In issue 14's benchmark this
            # was the whole first-partial p95 (2.5-3.3 s, the same at 1 and 8 streams).
            return self.options.first_partial_retry_s
        # Noise that fooled the VAD decodes to nothing, slowly (temperature fallback): back off.
        # Not after the first empty decode: a sentence that opens with "Um," and a pause often
        # decodes to nothing once, and doubling at once delayed its first words by a second more.
        return self.options.partial_interval_s * 2.0 ** min(max(utterance.empty_partials - 1, 0), 3)

    def _on_vad(self, event: VadEvent) -> list[Event]:
        if isinstance(event, VadStart):
            number = self._new_number()
            self._open = _Utterance(
                number, event.sample, HypothesisBuffer(committed_end=self._seconds(event.sample)), event.sample
            )
            self._slots.append(_Slot(number))
            return [SpeechStarted(at=self._seconds(event.sample))]
        utterance = self._open
        if isinstance(event, VadPause):
            if utterance is not None and event.sample > utterance.start:
                utterance.paused_at = event.sample
                utterance.closing_due = self.options.closing_decode and self._is_speech(utterance, event.voiced_ms)
            return []
        if isinstance(event, VadResume):
            if utterance is not None:
                utterance.paused_at, utterance.closing_due, utterance.closed = None, False, None
            return []
        self._open = None
        if utterance is not None:
            if utterance.partial is not None:
                utterance.partial = None  # its result, if any, is now stale
            if self._is_speech(utterance, event.voiced_ms):
                spec = _FinalSpec(utterance.number, utterance.start, event.sample, utterance.carried)
                if utterance.closing is not None and utterance.closing_end == event.sample:
                    spec = replace(spec, awaiting=utterance.closing.id)
                elif utterance.closed is not None and utterance.closed[0] == event.sample:
                    spec = replace(spec, known=utterance.closed[1])
                else:
                    # Updates that were due but never decoded (the scheduler had no turn free).
                    if (event.sample - utterance.start) / SAMPLE_RATE >= self.options.min_partial_audio_s:
                        uncovered = (event.sample - utterance.last_partial_end) / SAMPLE_RATE
                        self._partials_skipped += int(uncovered / self._partial_interval(utterance))
                self._pending_finals.append(spec)
            else:
                self._settle(utterance.number, None)  # a click, not speech
        return [SpeechStopped(at=self._seconds(event.sample))]

    def _new_number(self) -> int:
        number = self._next_number
        self._next_number += 1
        return number

    def _enforce_hard_limit(self) -> None:
        utterance = self._open
        if utterance is None or self.open_utterance_seconds < self.options.hard_max_utterance_s:
            return
        # Nothing committed in time (partials skipped?): decode what we have as one piece.
        self._pending_finals.append(_FinalSpec(utterance.number, utterance.start, self._fed, utterance.carried))
        number = self._new_number()
        self._open = _Utterance(number, self._fed, HypothesisBuffer(committed_end=self._seconds(self._fed)), self._fed)
        self._slots.append(_Slot(number))

    def _trim_buffer(self) -> None:
        keep_from = self._fed - self._silence_keep
        for spec in self._pending_finals:
            keep_from = min(keep_from, spec.start)
        for job in self._handed_out.values():
            if job.kind != "partial":
                keep_from = min(keep_from, round((job.offset - self._offset) * SAMPLE_RATE))
        if self._open is not None:
            keep_from = min(keep_from, self._open.start)
        if keep_from - self._buffer.start > SAMPLE_RATE:  # amortise the copies
            self._buffer.drop_before(keep_from)

    # --- internals: results ---------------------------------------------------------------------

    def _take(self, job: DecodeJob) -> None:
        if self._handed_out.pop(job.id, None) is None:
            raise UnknownJobError(f"job {job.id} ({job.kind}, utterance {job.utterance}) is not outstanding")

    def _accept(self, job: DecodeJob, result: Transcription) -> list[Word]:
        """Absolute word times, or no words when the decode looks like noise."""
        options = self.options
        if not result.words:
            return []
        if result.no_speech_prob > options.no_speech_threshold and result.avg_logprob < options.log_prob_threshold:
            return []
        mean_probability = float(np.mean([w.probability for w in result.words]))
        if mean_probability < options.min_word_probability:
            return []
        if mean_probability < options.doubtful_word_probability and result.avg_logprob < options.doubtful_log_prob:
            return []
        if all(_HUM.fullmatch(normalise_word(w.text)) for w in result.words):
            return []  # "Mmm... hmm.": a hum on noise; "um"/"uh" alone are kept (fluency counts them)
        end = job.offset + job.duration + 0.5
        words = [
            Word(w.text, round(job.offset + w.start, 3), round(job.offset + w.end, 3), w.probability)
            for w in result.words
            if job.offset + w.start < end
        ]
        return apply_vocabulary(words, self._terms)

    def _complete_partial(self, job: DecodeJob, words: list[Word]) -> list[Event]:
        utterance = self._open
        if utterance is None or utterance.partial is not job:
            return []  # the utterance was finalised or trimmed meanwhile: a stale hypothesis
        utterance.partial = None
        return self._hypothesis(utterance, words)

    def _complete_closing(self, job: DecodeJob, result: Transcription, words: list[Word]) -> list[Event]:
        for index, spec in enumerate(self._pending_finals):
            if spec.awaiting == job.id:  # the utterance stopped where this decode ends: the final
                del self._pending_finals[index]
                return self._finalise(spec.number, words, spec.carried, job.offset)
        utterance = self._open
        if utterance is None or utterance.closing is not job:
            return []  # stale: the utterance went on and stopped elsewhere, or was trimmed
        utterance.closing = None
        if utterance.paused_at == utterance.closing_end:
            utterance.closed = (utterance.closing_end, result)  # the final, if the stop comes there
        utterance.last_partial_end = max(utterance.last_partial_end, utterance.closing_end)
        return self._hypothesis(utterance, words)

    def _hypothesis(self, utterance: _Utterance, words: list[Word]) -> list[Event]:
        """A decode of the open utterance so far: LocalAgreement, trimming, a partial event."""
        first = utterance.decodes == 0
        utterance.decodes += 1
        if words:
            utterance.empty_partials = 0
        elif first:
            utterance.first_empty = True  # retried soon, not counted as noise (_partial_interval)
        else:
            utterance.empty_partials += 1
        utterance.agreement.insert(words)
        events: list[Event] = []
        if self.open_utterance_seconds > self.options.max_utterance_s and utterance.agreement.committed:
            events.extend(self._trim_open(utterance))
            rest = self._open
            assert rest is not None  # trimming keeps the uncommitted rest open
            utterance = rest
        committed = " ".join(w.text for w in utterance.agreement.committed)
        tail = " ".join(w.text for w in utterance.agreement.tail)
        if (committed, tail) != utterance.shown:
            utterance.shown = (committed, tail)
            self._slot(utterance.number).shown_partial = True
            events.append(PartialTranscript(utterance.number, committed, tail))
        return events

    def _trim_open(self, utterance: _Utterance) -> list[Event]:
        """Finalise the committed words of a long utterance; the rest continues as a new one."""
        committed = list(utterance.agreement.committed)
        cut_time = committed[-1].end
        cut = min(self._fed, max(utterance.start, round((cut_time - self._offset) * SAMPLE_RATE)))
        segment = _segment(utterance.number, committed)
        number = self._new_number()
        self._slots.append(_Slot(number))
        self._open = _Utterance(
            number,
            cut,
            HypothesisBuffer.continuing(committed, utterance.agreement.tail),
            utterance.last_partial_end,
            carried=tuple(committed[-5:]),
            decodes=utterance.decodes,  # the same speech goes on: its cadence, not a first decode's
        )
        return self._settle(utterance.number, segment)

    def _finalise(self, number: int, words: list[Word], carried: tuple[Word, ...], offset: float) -> list[Event]:
        if carried:
            # A trimmed piece ends where this audio starts: a word on the boundary may be in both.
            words = _drop_boundary_repeat(carried, words, offset)
        segment = _segment(number, words) if words else None
        return self._settle(number, segment)

    def _slot(self, number: int) -> _Slot:
        for slot in self._slots:
            if slot.number == number:
                return slot
        raise UnknownJobError(f"utterance {number} has no open slot")  # pragma: no cover

    def _settle(self, number: int, segment: FinalSegment | None) -> list[Event]:
        """Record an utterance's final and deliver every final that is now next in order."""
        slot = self._slot(number)
        slot.ready, slot.segment = True, segment
        events: list[Event] = []
        while self._slots and self._slots[0].ready:
            slot = self._slots.popleft()
            if slot.segment is not None:
                self._delivered.append(slot.segment)
                events.append(slot.segment)
            elif slot.shown_partial:
                events.append(PartialTranscript(slot.number, "", ""))  # it was noise: clear it
        return events

    def _prompt(self, said: str = "") -> str | None:
        """The question, then the end of the answer so far (`said`: words of the open utterance
        before the audio being decoded)."""
        words: list[str] = said.split()
        for segment in reversed(self.segments):
            if len(words) >= self.options.context_words:
                break
            words[:0] = segment.text.split()
        context = " ".join(words[-self.options.context_words :])
        prompt = f"{self._context_prompt} {context}".strip()
        return prompt or None


def _segment(number: int, words: Sequence[Word]) -> FinalSegment:
    words = tuple(words)
    return FinalSegment(
        utterance=number,
        text=" ".join(w.text for w in words),
        start=words[0].start,
        end=words[-1].end,
        confidence=float(np.clip(np.mean([w.probability for w in words]), 0.0, 1.0)),
        words=words,
    )


def _drop_boundary_repeat(carried: Sequence[Word], words: list[Word], boundary: float) -> list[Word]:
    """Drop leading words that repeat the end of the previous piece and start at the boundary."""
    longest = min(3, len(carried), len(words))
    for n in range(longest, 0, -1):
        head = words[:n]
        if head[0].start > boundary + 0.5:
            break
        if [normalise_word(w.text) for w in carried[-n:]] == [normalise_word(w.text) for w in head]:
            return words[n:]
    return words
