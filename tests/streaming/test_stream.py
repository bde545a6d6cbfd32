"""AnswerStream, bytes in and events out, driven by hand with an oracle transcriber (no model)."""

from __future__ import annotations

import itertools
import re
from dataclasses import replace

import numpy as np
import pytest

from streaming.errors import StreamStateError, UnknownJobError
from streaming.events import FinalSegment, PartialTranscript, SpeechStarted, SpeechStopped, Word
from streaming.offline import simulate_live, transcribe_offline
from streaming.options import SAMPLE_RATE, StreamingOptions
from streaming.stream import AnswerStream
from streaming.transcriber import Transcription
from tests.streaming.fakes import OracleTranscriber, SyntheticSpeech, make_speech
from tests.streaming.wer import normalise

OPTIONS = StreamingOptions()
CHUNK = 640  # 20 ms of PCM16


def feed_seconds(stream: AnswerStream, speech: SyntheticSpeech, start: float, end: float) -> list:
    data = speech.bytes[round(start * SAMPLE_RATE) * 2 : round(end * SAMPLE_RATE) * 2]
    events = []
    for begin in range(0, len(data), CHUNK):
        events.extend(stream.feed(data[begin : begin + CHUNK]))
    return events


def run_jobs(stream: AnswerStream, oracle: OracleTranscriber) -> list:
    events = []
    while (job := stream.next_job()) is not None:
        events.extend(stream.complete(job, oracle.transcribe(job.audio, prompt=job.prompt, hotwords=job.hotwords)))
    return events


def finals(events) -> list[FinalSegment]:
    return [e for e in events if isinstance(e, FinalSegment)]


def test_live_run_transcribes_every_word_once_in_order() -> None:
    speech = make_speech([8, 1.5, 5, 2.0, 6])
    run = simulate_live(OracleTranscriber(speech), speech.audio, OPTIONS)
    assert run.answer.transcript == speech.text
    assert run.partial_decodes > 0
    segments = finals(run.events)
    assert [s.utterance for s in segments] == sorted({s.utterance for s in segments})
    assert all(s.start <= s.end for s in segments)
    assert run.answer.segments == tuple(segments)
    assert 0.0 <= run.answer.confidence <= 1.0
    assert run.answer.word_count == len(speech.words)


def test_speech_events_bracket_each_utterance() -> None:
    speech = make_speech([4, 2.0, 4])
    run = simulate_live(OracleTranscriber(speech), speech.audio, OPTIONS)
    kinds = [type(e) for e in run.events if isinstance(e, (SpeechStarted, SpeechStopped))]
    assert kinds == [SpeechStarted, SpeechStopped, SpeechStarted, SpeechStopped]
    started = [e.at for e in run.events if isinstance(e, SpeechStarted)]
    assert started[0] <= speech.words[0].start < started[1] <= speech.words[4].start


def test_committed_partial_text_only_grows_within_an_utterance() -> None:
    speech = make_speech([14])
    run = simulate_live(OracleTranscriber(speech), speech.audio, OPTIONS)
    partials = [e for e in run.events if isinstance(e, PartialTranscript)]
    assert len(partials) >= 3
    for before, after in itertools.pairwise(partials):
        if before.utterance == after.utterance and after.committed:
            assert after.committed.startswith(before.committed)
    # The unstable tail of the oracle ("w3?7") never reaches a committed text.
    assert not any("?" in p.committed or "~" in p.committed for p in partials)


def test_finals_come_before_partials_and_only_one_partial_is_outstanding() -> None:
    speech = make_speech([5, 1.5, 12])
    stream = AnswerStream(OPTIONS)
    oracle = OracleTranscriber(speech)
    second = speech.words[5]
    feed_seconds(stream, speech, 0, second.start + 3.0)  # first utterance over, second 3 s long
    first = stream.next_job()
    assert first is not None and first.kind == "final" and first.utterance == 0
    partial = stream.next_job()
    assert partial is not None and partial.kind == "partial" and partial.utterance == 1
    assert stream.next_job() is None  # one partial at a time
    feed_seconds(stream, speech, second.start + 3.0, second.start + 5.0)
    assert stream.next_job() is None  # still outstanding, however much audio arrives
    stream.discard(partial)
    again = stream.next_job()
    assert again is not None and again.kind == "partial"
    assert again.duration > partial.duration  # always for the latest audio
    events = stream.complete(again, oracle.transcribe(again.audio))
    assert not finals(events)  # utterance 0's final is still out: nothing jumps the queue
    events = stream.complete(first, oracle.transcribe(first.audio))
    assert [s.text for s in finals(events)] == ["w0 w1 w2 w3 w4"]


def test_a_partial_is_due_only_after_enough_new_speech() -> None:
    speech = make_speech([12])
    stream = AnswerStream(OPTIONS)
    oracle = OracleTranscriber(speech)
    start = speech.words[0].start
    feed_seconds(stream, speech, 0, start + 0.6)
    assert stream.next_job() is None
    feed_seconds(stream, speech, start + 0.6, start + 1.2)
    job = stream.next_job()
    assert job is not None and job.kind == "partial"
    stream.complete(job, oracle.transcribe(job.audio))
    feed_seconds(stream, speech, start + 1.2, start + 1.2 + OPTIONS.partial_interval_s / 2)
    assert stream.next_job() is None
    feed_seconds(stream, speech, start + 1.2 + OPTIONS.partial_interval_s / 2, start + 2.4)
    assert stream.next_job() is not None


def test_an_empty_first_partial_is_retried_soon_and_partials_back_off_from_the_third_empty_one() -> None:
    speech = make_speech([40], gap_s=0.05)
    stream = AnswerStream(OPTIONS)
    nothing = Transcription((), 0.9, -1.0, "en")
    interval, retry = OPTIONS.partial_interval_s, OPTIONS.first_partial_retry_s
    fed, waited, gaps = 0.0, 0.0, []
    while len(gaps) < 5:  # how much new speech each partial waited for, after empty decodes
        if (job := stream.next_job()) is None:
            feed_seconds(stream, speech, fed, fed + 0.1)
            fed, waited = fed + 0.1, waited + 0.1
            continue
        assert job.kind == "partial"
        stream.complete(job, nothing)
        gaps.append(round(waited, 1))
        waited = 0.0
    gaps.pop(0)  # the first one waited for the speech to start
    # The first decode (pre-roll and often one word) is retried after `retry`, and not counted
    # as noise; an "Um," and a pause is then retried at the usual pace; then the back-off.
    assert gaps == [retry, interval, 2 * interval, 4 * interval]


def test_a_first_partial_that_heard_words_keeps_the_usual_pace() -> None:
    speech = make_speech([40], gap_s=0.05)
    stream = AnswerStream(OPTIONS)
    oracle = OracleTranscriber(speech)
    fed, waited, gaps = 0.0, 0.0, []
    while len(gaps) < 3:
        if (job := stream.next_job()) is None:
            feed_seconds(stream, speech, fed, fed + 0.1)
            fed, waited = fed + 0.1, waited + 0.1
            continue
        stream.complete(job, oracle.transcribe(job.audio))
        gaps.append(round(waited, 1))
        waited = 0.0
    assert gaps[1:] == [OPTIONS.partial_interval_s] * 2


def test_finals_are_delivered_in_utterance_order_whatever_the_completion_order() -> None:
    speech = make_speech([3, 1.5, 3, 1.5, 3])
    stream = AnswerStream(OPTIONS)
    oracle = OracleTranscriber(speech)
    feed_seconds(stream, speech, 0, speech.audio.size / SAMPLE_RATE)
    stream.finish()
    jobs = [stream.next_job() for _ in range(3)]
    assert [j.kind for j in jobs] == ["final"] * 3 and stream.next_job() is None
    assert stream.complete(jobs[2], oracle.transcribe(jobs[2].audio)) == []
    assert stream.complete(jobs[1], oracle.transcribe(jobs[1].audio)) == []
    assert not stream.is_drained
    events = stream.complete(jobs[0], oracle.transcribe(jobs[0].audio))
    assert [s.utterance for s in finals(events)] == [0, 1, 2]
    assert stream.is_drained


def test_finish_flushes_speech_that_never_fell_silent() -> None:
    speech = make_speech([6])
    stream = AnswerStream(OPTIONS)
    oracle = OracleTranscriber(speech)
    feed_seconds(stream, speech, 0, speech.words[-1].end)  # the candidate clicks "done" mid-word-stream
    run_jobs(stream, oracle)
    assert not stream.is_drained
    events = stream.finish()
    assert [type(e) for e in events] == [SpeechStopped]
    assert stream.finish() == []  # idempotent
    assert finals(run_jobs(stream, oracle))
    assert stream.is_drained and stream.next_job() is None
    # The oracle marks the last word unstable (no trailing silence was heard): text aside, it is there.
    assert re.sub(r"\?\d+", "", stream.answer_complete().transcript) == speech.text
    with pytest.raises(StreamStateError):
        stream.feed(b"\x00\x00")


def test_answer_complete_needs_a_drained_stream_and_jobs_must_be_known() -> None:
    speech = make_speech([3])
    stream = AnswerStream(OPTIONS)
    feed_seconds(stream, speech, 0, 2.5)
    with pytest.raises(StreamStateError):
        stream.answer_complete()
    job = stream.next_job()
    assert job is not None
    stream.discard(job)
    with pytest.raises(UnknownJobError):
        stream.complete(job, Transcription.empty())


def test_silence_only_gives_an_empty_answer_without_decodes() -> None:
    oracle = OracleTranscriber(make_speech([0]))
    silence = np.zeros(5 * SAMPLE_RATE, dtype=np.float32)
    run = simulate_live(oracle, silence, OPTIONS)
    assert run.answer.transcript == "" and run.answer.word_count == 0 and run.answer.confidence is None
    assert run.partial_decodes == run.final_decodes == 0
    assert run.answer.audio_duration == pytest.approx(5.0)


def test_noise_decodes_are_dropped_and_their_partials_cleared() -> None:
    speech = make_speech([6])
    run = simulate_live(OracleTranscriber(speech, noise=True), speech.audio, OPTIONS)
    assert run.answer.transcript == ""
    assert not finals(run.events)
    assert all(e.committed == e.tail == "" for e in run.events if isinstance(e, PartialTranscript))


def test_a_long_utterance_is_trimmed_so_decodes_stay_bounded() -> None:
    speech = make_speech([90], gap_s=0.05)  # 40 s without a pause
    oracle = OracleTranscriber(speech)
    run = simulate_live(oracle, speech.audio, OPTIONS)
    longest = max(end - start for start, end, _, _ in oracle.calls)
    assert longest <= OPTIONS.max_utterance_s + OPTIONS.partial_interval_s + 0.5
    assert normalise(run.answer.transcript) == normalise(speech.text)
    assert len(finals(run.events)) >= 3


def test_a_long_utterance_without_partials_is_cut_at_the_hard_limit() -> None:
    speech = make_speech([70], gap_s=0.05)  # ~31 s without a pause
    oracle = OracleTranscriber(speech)
    answer = transcribe_offline(oracle, speech.audio, replace(OPTIONS, max_utterance_s=28.0, hard_max_utterance_s=29.0))
    assert max(end - start for start, end, _, _ in oracle.calls) <= 29.0 + 0.05
    said = [w.rstrip("~") for w in answer.transcript.split()]
    assert len(said) == len(set(said))  # no word twice
    assert len(said) >= len(speech.words) - 1  # at most the word on the cut is garbled


def test_offline_and_live_agree_on_the_transcript() -> None:
    speech = make_speech([7, 1.2, 9, 3.0, 4])
    offline = transcribe_offline(OracleTranscriber(speech), speech.audio, OPTIONS)
    live = simulate_live(OracleTranscriber(speech), speech.audio, OPTIONS).answer
    assert offline.transcript == live.transcript == speech.text


def test_odd_chunk_sizes_give_the_same_answer() -> None:
    speech = make_speech([5, 1.5, 5])
    oracle = OracleTranscriber(speech)
    stream = AnswerStream(OPTIONS)
    data, position, size = speech.bytes, 0, 1
    while position < len(data):
        stream.feed(data[position : position + size])
        position += size
        size = size * 3 % 997 or 1
    stream.finish()
    run_jobs(stream, oracle)
    assert stream.answer_complete().transcript == speech.text
    assert stream.audio_duration == pytest.approx(speech.audio.size / SAMPLE_RATE)


def test_prompts_carry_the_question_and_the_answer_so_far_and_hotwords_pass_through() -> None:
    speech = make_speech([4, 1.5, 4])
    oracle = OracleTranscriber(speech)
    stream = AnswerStream(OPTIONS, context_prompt="Tell me about Kubernetes.", hotwords="Kubernetes Helm")
    feed_seconds(stream, speech, 0, speech.audio.size / SAMPLE_RATE)
    stream.finish()
    run_jobs(stream, oracle)
    prompts = [prompt for _, _, prompt, _ in oracle.calls]
    assert all(p.startswith("Tell me about Kubernetes.") for p in prompts)
    assert prompts[-1].endswith("w0 w1 w2 w3")
    assert {hotwords for *_, hotwords in oracle.calls} == {"Kubernetes Helm"}


def test_the_intro_opens_every_prompt_and_leads_the_hotwords_but_rewrites_no_word() -> None:
    """Issue #12's QA walk J4: "Acme" was heard as "acne" in an answer to a question that does not
    name the company. The session's role and company (`intro`) open every prompt, even when the
    question is cut to its last `question_words`, and lead the hotwords; its ordinary words are
    no vocabulary term, so a candidate's "payments" is never rewritten as "Payments"."""
    speech = make_speech([4, 1.5, 4])
    oracle = OracleTranscriber(speech)
    long_question = " ".join(["Tell me about the work you enjoy most."] * 10)
    intro = "Interview: backend engineer at Acme Payments."
    stream = AnswerStream(OPTIONS, context_prompt=long_question, hotwords="career goals", intro=intro)
    feed_seconds(stream, speech, 0, speech.audio.size / SAMPLE_RATE)
    stream.finish()
    run_jobs(stream, oracle)
    assert oracle.calls and all(prompt.startswith(intro + " Tell") for _, _, prompt, _ in oracle.calls)
    assert {hotwords for *_, hotwords in oracle.calls} == {intro + " career goals"}
    said = [("We", 0.9), ("take", 0.9), ("payments", 0.5), ("online.", 0.9)]
    heard = transcribe_offline(_Fixed(said), make_speech([4]).audio, OPTIONS, intro=intro).transcript
    assert heard == "We take payments online."


def test_resume_continues_numbers_times_and_transcript() -> None:
    prior = (
        FinalSegment(0, "I started with the database.", 0.4, 2.5, 0.9, (Word("I", 0.4, 0.6, 0.9),)),
        FinalSegment(1, "Then the API.", 3.0, 4.0, 0.8, ()),
    )
    speech = make_speech([4])
    oracle = OracleTranscriber(speech)
    stream = AnswerStream(OPTIONS, prior_segments=prior, audio_offset=5.0)
    assert stream.audio_duration == 5.0 and stream.segments == prior
    events = feed_seconds(stream, speech, 0, speech.audio.size / SAMPLE_RATE)
    started = [e for e in events if isinstance(e, SpeechStarted)]
    assert started and started[0].at >= 5.0
    stream.finish()
    new = finals(run_jobs(stream, oracle))
    assert [s.utterance for s in new] == [2]
    assert new[0].start >= 5.0 + speech.words[0].start - 0.01
    complete = stream.answer_complete()
    assert complete.transcript == "I started with the database. Then the API. w0 w1 w2 w3"
    assert complete.segments[:2] == prior
    assert complete.audio_duration == pytest.approx(5.0 + speech.audio.size / SAMPLE_RATE)
    assert oracle.calls[-1][2].endswith("Then the API.")


class _Fixed:
    """Answers every decode with the same words (times relative to the buffer)."""

    def __init__(self, words: list[tuple[str, float]], avg_logprob: float = -0.3, no_speech: float = 0.05) -> None:
        self.result = Transcription(
            tuple(Word(text, 0.5 + 0.3 * i, 0.7 + 0.3 * i, p) for i, (text, p) in enumerate(words)),
            no_speech,
            avg_logprob,
            "en",
        )

    def transcribe(self, audio, *, prompt=None, hotwords=None, partial=False) -> Transcription:
        return self.result


@pytest.mark.parametrize(
    ("decoded", "avg_logprob", "no_speech", "kept"),
    [
        ([("So,", 0.03), ("we", 0.6), ("got", 0.25), ("this.", 0.3)], -0.94, 0.4, False),  # babble hallucination
        ([("Thank", 0.5), ("you.", 0.6)], -1.2, 0.8, False),  # the classic, on silence
        ([("Mmm...", 0.7), ("hmm.", 0.8)], -0.4, 0.1, False),  # a hum
        ([("Um...", 0.8)], -0.4, 0.1, True),  # a lone filler is speech (fluency counts it)
        ([("We", 0.9), ("shipped", 0.4), ("it.", 0.6)], -0.5, 0.1, True),
    ],
)
def test_noise_like_decodes_give_no_text(decoded, avg_logprob, no_speech, kept) -> None:
    speech = make_speech([4])
    answer = transcribe_offline(_Fixed(decoded, avg_logprob, no_speech), speech.audio, OPTIONS)
    assert bool(answer.transcript) is kept


def _pause_point(speech: SyntheticSpeech, word: int) -> float:
    """Seconds into the pause after `word`: past the VAD's hang-over, before its end of utterance."""
    vad = OPTIONS.vad
    return speech.words[word].end + (vad.hangover_ms + vad.end_of_utterance_ms) / 2000


def test_a_closing_decode_during_the_pause_becomes_the_final_without_a_second_decode() -> None:
    speech = make_speech([5, 2.0, 3])
    stream = AnswerStream(OPTIONS)
    oracle = OracleTranscriber(speech)
    feed_seconds(stream, speech, 0, _pause_point(speech, 4))
    job = stream.next_job()
    assert job is not None and job.kind == "closing" and job.utterance == 0
    events = stream.complete(job, oracle.transcribe(job.audio))
    assert not finals(events)
    shown = [e for e in events if isinstance(e, PartialTranscript)][-1]
    assert normalise(f"{shown.committed} {shown.tail}") == normalise("w0 w1 w2 w3 w4")
    assert stream.next_job() is None  # nothing new to hear while the pause lasts
    decodes = len(oracle.calls)
    feed_seconds(stream, speech, _pause_point(speech, 4), speech.words[5].start - 0.5)  # the VAD stops it
    final = stream.next_job()
    assert final is not None and final.kind == "final" and final.known is not None
    assert [s.text for s in finals(stream.complete(final, final.known))] == ["w0 w1 w2 w3 w4"]
    assert len(oracle.calls) == decodes


def test_a_closing_decode_still_running_when_the_utterance_stops_is_its_final() -> None:
    speech = make_speech([5, 2.0, 3])
    stream = AnswerStream(OPTIONS)
    oracle = OracleTranscriber(speech)
    feed_seconds(stream, speech, 0, _pause_point(speech, 4))
    job = stream.next_job()
    assert job is not None and job.kind == "closing"
    feed_seconds(stream, speech, _pause_point(speech, 4), speech.words[5].start + 1.5)  # stopped, next one started
    assert stream.next_job() is None  # the final is that decode: nothing overtakes it
    events = stream.complete(job, oracle.transcribe(job.audio))
    assert [s.text for s in finals(events)] == ["w0 w1 w2 w3 w4"]
    stream.finish()
    run_jobs(stream, oracle)
    assert stream.is_drained
    assert re.sub(r"\?\d+", "", stream.answer_complete().transcript) == speech.text  # flushed: last word unstable


def test_speech_after_the_pause_turns_the_closing_decode_into_a_partial() -> None:
    vad = OPTIONS.vad
    speech = make_speech([4, (vad.hangover_ms + vad.end_of_utterance_ms) / 2000, 4])  # a pause, not an end
    stream = AnswerStream(OPTIONS)
    oracle = OracleTranscriber(speech)
    feed_seconds(stream, speech, 0, speech.words[3].end + OPTIONS.vad.hangover_ms / 1000 + 0.1)
    job = stream.next_job()
    assert job is not None and job.kind == "closing"
    feed_seconds(stream, speech, speech.words[3].end + OPTIONS.vad.hangover_ms / 1000 + 0.1, speech.words[5].end)
    events = stream.complete(job, oracle.transcribe(job.audio))
    assert not finals(events) and any(isinstance(e, PartialTranscript) for e in events)
    feed_seconds(stream, speech, speech.words[5].end, speech.audio.size / SAMPLE_RATE)
    stream.finish()
    jobs_seen = []
    while (next_ := stream.next_job()) is not None:
        jobs_seen.append(next_)
        stream.complete(next_, next_.known or oracle.transcribe(next_.audio))
    assert any(j.kind == "final" and j.known is None for j in jobs_seen)  # decoded afresh
    assert stream.answer_complete().transcript == speech.text


def test_a_discarded_closing_decode_leaves_the_final_to_a_decode_of_its_own() -> None:
    speech = make_speech([5, 2.0, 3])
    stream = AnswerStream(OPTIONS)
    oracle = OracleTranscriber(speech)
    feed_seconds(stream, speech, 0, _pause_point(speech, 4))
    job = stream.next_job()
    assert job is not None and job.kind == "closing"
    stream.discard(job)
    again = stream.next_job()
    assert again is None or again.kind == "partial"  # not offered again for this pause
    if again is not None:
        stream.discard(again)
    feed_seconds(stream, speech, _pause_point(speech, 4), speech.words[5].start - 0.5)
    final = stream.next_job()
    assert final is not None and final.kind == "final" and final.known is None
    assert [s.text for s in finals(stream.complete(final, oracle.transcribe(final.audio)))] == ["w0 w1 w2 w3 w4"]


def test_without_closing_decodes_every_final_is_decoded_after_the_stop() -> None:
    speech = make_speech([6, 1.5, 5, 2.0, 4])
    with_closing = simulate_live(OracleTranscriber(speech), speech.audio, OPTIONS)
    without = simulate_live(OracleTranscriber(speech), speech.audio, replace(OPTIONS, closing_decode=False))
    assert with_closing.closing_decodes == 3 and with_closing.final_decodes == 0
    assert without.closing_decodes == 0 and without.final_decodes == 3
    assert with_closing.answer.transcript == without.answer.transcript == speech.text


def test_skipped_partial_updates_are_counted_once_each() -> None:
    speech = make_speech([14])
    stream = AnswerStream(replace(OPTIONS, closing_decode=False))
    oracle = OracleTranscriber(speech)
    start = speech.words[0].start
    feed_seconds(stream, speech, 0, start + 1.2)
    job = stream.next_job()
    assert job is not None and job.kind == "partial"
    stream.discard(job)  # no turn for it: not skipped yet, it is still due
    assert stream.pop_partials_skipped() == 0
    feed_seconds(stream, speech, start + 1.2, start + 3.5)
    job = stream.next_job()
    assert job is not None and job.kind == "partial"  # its turn came: it covers three intervals
    stream.complete(job, oracle.transcribe(job.audio))
    assert stream.pop_partials_skipped() == 2
    assert stream.pop_partials_skipped() == 0
    feed_seconds(stream, speech, start + 3.5, speech.audio.size / SAMPLE_RATE)
    stream.finish()  # no decode for the last 3+ s of speech
    assert stream.pop_partials_skipped() >= 2


# --- the stream's own partial policy (issue 14: one policy, every driver) ---------------------


def test_a_recording_asks_for_partials_only_near_the_trim_length() -> None:
    speech = make_speech([30])  # one 15 s utterance: it must be trimmed at a committed word
    options = OPTIONS.for_recording()
    stream = AnswerStream(options)
    oracle = OracleTranscriber(speech)
    partial_starts = []
    for begin in range(0, len(speech.bytes), 8000):  # 0.25 s chunks, jobs run as they come
        stream.feed(speech.bytes[begin : begin + 8000])
        while (job := stream.next_job()) is not None:
            assert job.kind != "closing"
            if job.kind == "partial":
                partial_starts.append(stream.open_utterance_seconds)
            stream.complete(job, oracle.transcribe(job.audio, prompt=job.prompt, hotwords=job.hotwords))
    stream.finish()
    run_jobs(stream, oracle)
    needed_from = options.max_utterance_s - 2.5 * options.partial_interval_s
    assert partial_starts and min(partial_starts) >= needed_from
    assert stream.answer_complete().transcript == speech.text


def test_a_recording_stops_asking_for_partials_of_an_utterance_that_heard_nothing() -> None:
    speech = make_speech([30])
    stream = AnswerStream(OPTIONS.for_recording())
    partials = 0
    for begin in range(0, len(speech.bytes), 8000):
        stream.feed(speech.bytes[begin : begin + 8000])
        while (job := stream.next_job()) is not None:
            partials += job.kind == "partial"
            stream.complete(job, Transcription.empty())  # noise: nothing heard
    assert partials == 1


def test_a_partial_decodes_only_the_audio_after_the_committed_words() -> None:
    speech = make_speech([30])
    stream = AnswerStream(OPTIONS)
    oracle = OracleTranscriber(speech)
    windows = []
    for begin in range(0, round(12 * SAMPLE_RATE) * 2, CHUNK):
        stream.feed(speech.bytes[begin : begin + CHUNK])
        while (job := stream.next_job()) is not None:
            if job.kind == "partial":
                windows.append((job.offset, job.offset + job.duration, job.prompt or ""))
            stream.complete(job, oracle.transcribe(job.audio, prompt=job.prompt, hotwords=job.hotwords))
    assert windows[0][0] < 0.5  # nothing committed yet: the whole utterance
    later = windows[-1]
    # Past the committed words (less the overlap), yet at least the minimum window long.
    assert later[0] > 3.0
    assert later[1] - later[0] >= OPTIONS.partial_min_window_s - 0.05
    assert "w0" in later[2]  # the committed words are its prompt
    stream.finish()
    events = run_jobs(stream, oracle)
    assert finals(events)[0].start < 1.0  # the final covers the whole utterance again


def test_partials_from_the_commit_give_the_same_transcript_as_whole_utterance_partials() -> None:
    speech = make_speech([40, 1.0, 12, 0.6, 25])
    windowed = simulate_live(OracleTranscriber(speech), speech.audio, OPTIONS)
    whole = simulate_live(OracleTranscriber(speech), speech.audio, replace(OPTIONS, partial_from_commit=False))
    assert windowed.answer.transcript == whole.answer.transcript == speech.text
