"""The streaming core with the real faster-whisper tiny.en model (bundled, int8, CPU).

WER bounds are loose on purpose (tiny model, no exact transcripts); what they guard against is
a regression in the pipeline: lost or duplicated words, hallucinated text on silence and noise,
fillers dropped, streaming much worse than decoding the whole file.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pytest

from server.speech.whisper import WhisperTranscriber
from streaming.offline import simulate_live, transcribe_offline
from streaming.options import SAMPLE_RATE, StreamingOptions
from tests.streaming.wer import corpus_wer, normalise, repeated_ngrams, wer
from tests.support import speech

pytestmark = pytest.mark.model

OPTIONS = StreamingOptions()
HAVE_SHARED = bool(speech.shared_manifest())
NO_SHARED = "../shared/audio is absent (human speech and noise recordings)"

ANSWER = [
    "Um, I think the biggest project I led was the migration of our billing service.",
    1.1,
    "We had, uh, about six weeks, so I split the work into small steps.",
    0.4,
    "Every step shipped behind a feature flag, and we measured errors after each release.",
    1.5,
    "In the end we moved all customers without any downtime, and, um, the team kept the process.",
]


@pytest.fixture(scope="module")
def transcriber() -> WhisperTranscriber:
    return WhisperTranscriber(OPTIONS.transcriber)


@cache
def answer_audio() -> np.ndarray:
    return speech.synthesize(ANSWER)


def test_piper_sentences_are_transcribed(transcriber: WhisperTranscriber) -> None:
    sentences = [
        "I prefer small pull requests because reviewers catch more problems.",
        "When the release failed, I rolled it back and wrote a postmortem.",
        "My manager asked me to mentor two junior engineers.",
    ]
    pairs = [(s, transcriber.transcribe(speech.synthesize(s)).text) for s in sentences]
    assert corpus_wer(pairs) <= 0.12, pairs


def test_hyphenated_words_come_back_whole(transcriber: WhisperTranscriber) -> None:
    """tiny.en splits "trade-off" into " trade" and "-off" (greedy, as partials decode): the card
    read "trade -off". Whether it writes "trade-off", "tradeoff" or "trade off" is the model's."""
    sentences = [
        "The trade-off was that some people game the streak, but it paid off.",
        "I want to be a senior back-end engineer who owns a payment service end-to-end.",
        "It is a well-known, long-term plan with a one-page brief.",
    ]
    for sentence in sentences:
        for partial in (True, False):
            words = transcriber.transcribe(speech.synthesize(sentence), partial=partial).words
            assert not [w.text for w in words if w.text.startswith("-") and len(w.text) > 1], words


@pytest.mark.skipif(not speech.asterisk_prompts(), reason="Debian's asterisk-core-sounds-en is not installed")
def test_asterisk_prompts(transcriber: WhisperTranscriber) -> None:
    prompts = [(p, t) for p, t in speech.asterisk_prompts() if len(t.split()) >= 4][::6][:12]
    pairs = [(t, transcriber.transcribe(speech.load_audio_file(p)).text) for p, t in prompts]
    assert corpus_wer(pairs) <= 0.25, pairs


@pytest.mark.skipif(not HAVE_SHARED, reason=NO_SHARED)
def test_human_speech(transcriber: WhisperTranscriber) -> None:
    wanted = {
        "whisper/jfk.flac",
        "lhotse/librispeech_2412-153948-0000.flac",
        "picovoice/test.wav",
        "deepspeech/LDC93S1.wav",
        "ljspeech/LJ001-0001.wav",
        "ljspeech/LJ001-0009.wav",
        "ljspeech/LJ001-0016.wav",
    }
    rows = [row for row in speech.shared_manifest() if row["file"] in wanted]
    pairs = [
        (r["transcript"], transcriber.transcribe(speech.load_audio_file(speech.SHARED_AUDIO / r["file"])).text)
        for r in rows
    ]
    assert len(pairs) == len(wanted)
    assert corpus_wer(pairs) <= 0.15, pairs


def _streaming_cases() -> list[tuple[str, np.ndarray, str]]:
    cases = [("piper answer", answer_audio(), speech.script_text(ANSWER))]
    if HAVE_SHARED:
        for row in speech.shared_manifest():
            if row["file"] in {"whisper/jfk.flac", "lhotse/librispeech_2412-153948-0000.flac"}:
                cases.append(
                    (row["file"], speech.load_audio_file(speech.SHARED_AUDIO / row["file"]), row["transcript"])
                )
    return cases


def test_streaming_at_20ms_is_as_good_as_decoding_the_whole_file(transcriber: WhisperTranscriber) -> None:
    whole, live, offline = [], [], []
    for name, audio, reference in _streaming_cases():
        assert audio.size / SAMPLE_RATE < 29
        whole.append((reference, transcriber.transcribe(audio).text))
        run = simulate_live(transcriber, audio, OPTIONS, chunk_ms=20)
        assert run.partial_decodes > 0
        live.append((reference, run.answer.transcript))
        offline.append((reference, transcribe_offline(transcriber, audio, OPTIONS).transcript))
        assert repeated_ngrams(run.answer.transcript, 2) == [], (name, run.answer.transcript)
        assert 0 < run.answer.confidence <= 1
    whole_wer, live_wer = corpus_wer(whole), corpus_wer(live)
    # A regression guard on a ~60-word sample: the whole-file decode itself varies run to run
    # (0.018-0.035 seen, Whisper's sampling fallbacks), the live path sat at 0.088, i.e. four
    # words apart. The streaming/offline ratio on more audio is measured by bench/live_streams.py.
    assert live_wer <= 1.1 * whole_wer + 0.08, (live, whole)
    assert corpus_wer(offline) <= 1.1 * whole_wer + 0.08, (offline, whole)


def test_fillers_come_back(transcriber: WhisperTranscriber) -> None:
    scripts = [
        "Um, I think the main problem was, uh, the deployment pipeline.",
        ("So, um,", 0.4, "we had a tight deadline and, uh, I decided to split the work."),
        ("Uh, let me think.", 0.8, "Um, the biggest challenge was, um, testing the old code."),
    ]
    said = heard = 0
    for script in scripts:
        reference = normalise(speech.script_text(script))
        answer = transcribe_offline(transcriber, speech.synthesize(script), OPTIONS)
        hypothesis = normalise(answer.transcript)
        for filler in ("um", "uh"):
            said += reference.count(filler)
            heard += min(reference.count(filler), sum(w.startswith(filler) for w in hypothesis))
    assert said == 7
    assert heard >= 5, f"only {heard} of {said} fillers transcribed"


DOMAIN_SENTENCES = {
    "PostgreSQL": [
        "Our orders live in PostgreSQL with a read replica for reports.",
        "We migrated the billing tables from MySQL to PostgreSQL last spring.",
        "I tuned the PostgreSQL indexes until the slow query took ten milliseconds.",
        "Every night we back up PostgreSQL to object storage.",
    ],
    "Redis": [
        "We keep user sessions in Redis so that every node can read them.",
        "The rate limiter counts requests in Redis with a short expiry.",
        "When Redis went down, the service fell back to the database.",
        "I used Redis streams as a simple job queue.",
    ],
    "Kubernetes": [
        "We deployed every service on Kubernetes and scaled the pods automatically.",
        "Our Kubernetes cluster runs in two regions.",
        "I wrote the Kubernetes manifests for the new payment service.",
        "Moving to Kubernetes cut our deployment time in half.",
    ],
}
DOMAIN_QUESTIONS = {
    "PostgreSQL": "How did you use PostgreSQL in your last project?",
    "Redis": "Tell me how you used Redis.",
    "Kubernetes": "How do you deploy services on Kubernetes?",
}
#: Sentences that say none of the terms but sound a little like them.
NEAR_MISSES = [
    "We cached the results in memory for five minutes.",
    "The radius of the circle was easy to compute.",
    "I posted the results to the team channel.",
    "The red button stops the machine.",
    "Our cooperation with the network team was good.",
]


def _has(term: str, text: str) -> bool:
    return term.lower() in text.lower().replace(" ", "")


def test_the_questions_vocabulary_fixes_domain_terms(transcriber: WhisperTranscriber) -> None:
    """The server prompts with the question, passes its topics as hotwords and puts misheard
    terms back (streaming/vocabulary.py). Statistical on purpose: the exact decode differs
    between machines (issue 11: "Post or SQL" on one, "PostgreSQL" on another), so the test
    counts hits over 24 cases (12 sentences at two speaking rates). Measured on the 2-core
    machine: 24 of 24 with the vocabulary pass, 23 of 24 without it (the miss was "Post or
    SQL"), and only 3 of 12 with neither the question nor the pass; the bound leaves a margin
    of 3 misses for another machine's decodes."""
    cases = hits = missed_plain = 0
    for term, sentences in DOMAIN_SENTENCES.items():
        for sentence in sentences:
            for length_scale in (1.0, 1.15):
                audio = speech.synthesize(sentence, length_scale=length_scale)
                biased = transcribe_offline(
                    transcriber, audio, OPTIONS, context_prompt=DOMAIN_QUESTIONS[term], hotwords=term
                ).transcript
                cases += 1
                hits += _has(term, biased)
                if length_scale == 1.0:
                    missed_plain += not _has(term, transcribe_offline(transcriber, audio, OPTIONS).transcript)
    assert cases == 24
    assert hits >= 21, f"the question's vocabulary fixed only {hits} of {cases}"
    # tiny.en mishears such terms without help ("poster SQL", "reading", "tubernetes"): the
    # reason the vocabulary exists. Measured 9 of 12 missed; at least a third must be, or this
    # test proves nothing.
    assert missed_plain >= 4


#: Answers of COMPANY_ANSWERS whose company was heard, with and without the intro: measured 7 and 2
#: of 8 on the 2-core machine; the bounds leave another machine's decodes one miss more with the
#: intro and three more hits without it.
MIN_COMPANY_HITS, MAX_COMPANY_HITS_WITHOUT = 6, 5
#: (role, company, an answer naming the company) to a question that does not name it (QA walk J4).
COMPANY_ANSWERS = [
    ("Backend Engineer", "Acme Payments", "In three to five years I want to be a senior backend engineer at Acme."),
    ("Backend Engineer", "Acme Payments", "I would like to grow with Acme Payments and lead a small team."),
    ("Backend Engineer", "Acme Payments", "I read the Acme Payments blog, and Acme could make refunds much easier."),
    ("Product Manager", "Klarna", "At Klarna I would like to own the shopping app across several markets."),
    ("Data Analyst", "Monzo", "In five years I hope to lead the analytics for one part of Monzo, like fraud."),
    ("Frontend Engineer", "Zalando", "I want to be the person at Zalando who knows the design system best."),
    ("DevOps Engineer", "Deliveroo", "At Deliveroo I would like to make deploys boring and safe."),
    ("UX Designer", "Atlassian", "I would like to grow into a design lead at Atlassian and still meet users."),
]


def test_the_sessions_company_is_heard_as_its_name(transcriber: WhisperTranscriber) -> None:
    """Issue #12's QA walk J4: "Acme" was heard as "acne" in an answer to a question that does
    not name the company. The session's role and company open the prompt and lead the hotwords
    (`AnswerStream`'s intro, streaming.vocabulary.decoder_intro). Counted over 8 answers (the
    decode differs between machines); see bench/results/company_names.json for the numbers."""
    from streaming.vocabulary import decoder_intro

    question = "Where do you see yourself in three to five years?"
    with_intro = without = 0
    for role, company, answer in COMPANY_ANSWERS:
        audio = speech.synthesize(answer)
        said = {w for w in company.lower().split() if w in answer.lower()}
        for intro in ("", decoder_intro(role, company)):
            heard = set(
                normalise(
                    transcribe_offline(transcriber, audio, OPTIONS, context_prompt=question, intro=intro).transcript
                )
            )
            hit = said <= heard
            if intro:
                with_intro += hit
            else:
                without += hit
    assert with_intro >= MIN_COMPANY_HITS, (with_intro, without)
    # tiny.en mishears such names without the intro ("acne", "hack me"): what the intro is for.
    assert without <= MAX_COMPANY_HITS_WITHOUT, (with_intro, without)


def test_the_vocabulary_does_not_invent_terms(transcriber: WhisperTranscriber) -> None:
    """Near misses ("radius", "red", "cooperation") keep their words with every vocabulary
    (measured: 0 of 15 changed; one is allowed for another machine's decodes)."""
    invented = []
    for sentence in NEAR_MISSES:
        audio = speech.synthesize(sentence)
        for term, question in DOMAIN_QUESTIONS.items():
            text = transcribe_offline(transcriber, audio, OPTIONS, context_prompt=question, hotwords=term).transcript
            if _has(term, text):
                invented.append(text)
    assert len(invented) <= 1, invented


def _noise(kind: str, seconds: float = 6.0) -> np.ndarray:
    rng = np.random.default_rng(7)
    white = rng.standard_normal(int(seconds * SAMPLE_RATE))
    if kind == "white":
        return (0.1 * white).astype(np.float32)
    spectrum = np.fft.rfft(white)
    spectrum /= np.sqrt(np.maximum(np.arange(spectrum.size), 1))  # 1/f power: pink
    pink = np.fft.irfft(spectrum, n=white.size)
    return (0.3 * pink / np.max(np.abs(pink))).astype(np.float32)


@pytest.mark.parametrize("kind", ["silence", "white", "pink"])
def test_silence_and_synthetic_noise_give_no_text(transcriber: WhisperTranscriber, kind: str) -> None:
    audio = np.zeros(5 * SAMPLE_RATE, dtype=np.float32) if kind == "silence" else _noise(kind)
    assert simulate_live(transcriber, audio, OPTIONS).answer.transcript == ""
    assert transcriber.transcribe(audio).text == "" or kind == "silence"


@pytest.mark.skipif(not HAVE_SHARED, reason=NO_SHARED)
def test_noise_recordings_give_no_text(transcriber: WhisperTranscriber) -> None:
    rows = [row for row in speech.shared_manifest() if row["file"].startswith("noise/")]
    assert rows
    for row in rows:
        # The first 12 s of each keeps the run short; the VAD lets all of it through anyway.
        audio = speech.load_audio_file(speech.SHARED_AUDIO / row["file"])[: 12 * SAMPLE_RATE]
        answer = transcribe_offline(transcriber, audio, OPTIONS)
        assert answer.transcript == "", (row["file"], answer.transcript)


def test_a_resumed_answer_continues_the_transcript(transcriber: WhisperTranscriber) -> None:
    audio = answer_audio()
    cut = audio.size // 2
    from streaming.audio import float32_to_pcm16
    from streaming.stream import AnswerStream

    first = transcribe_offline(transcriber, audio[:cut], OPTIONS)
    stream = AnswerStream(OPTIONS, prior_segments=first.segments, audio_offset=first.audio_duration)
    stream.feed(float32_to_pcm16(audio[cut:]))
    stream.finish()
    while (job := stream.next_job()) is not None:
        stream.complete(job, transcriber.transcribe(job.audio, prompt=job.prompt, hotwords=job.hotwords))
    complete = stream.answer_complete()
    assert complete.transcript.startswith(first.transcript)
    assert wer(speech.script_text(ANSWER), complete.transcript) <= 0.2
    assert complete.audio_duration == pytest.approx(audio.size / SAMPLE_RATE, abs=0.01)
    starts = [s.start for s in complete.segments]
    assert starts == sorted(starts)


@pytest.mark.skipif(not HAVE_SHARED, reason=NO_SHARED)
def test_partials_of_read_speech_keep_their_words_when_the_decoder_loops(transcriber: WhisperTranscriber) -> None:
    """A greedy partial on the short encoder window often says the speech, then loops on the
    padding after it; faster-whisper's compression check rejected such a segment, so the
    partial came back empty and its utterance showed nothing new for 2-4 s (issue 14's partial
    interval). Ten LJ Speech clips streamed back to back: of the 51 partial decodes of 2 s or
    more, 11 came back empty when looping segments were dropped, none with the loop cut
    (server/speech/whisper.py, `cut_decoder_loop`); the bound leaves a margin for another
    machine's decodes. Their words must be the speech's, not the loop's."""
    rows = sorted((r for r in speech.shared_manifest() if r["file"].startswith("ljspeech/")), key=lambda r: r["file"])
    gap = np.zeros(int(0.8 * SAMPLE_RATE), np.float32)
    audio = np.concatenate(
        [part for r in rows[:10] for part in (speech.load_audio_file(speech.SHARED_AUDIO / r["file"]), gap)]
    )
    reference = set(normalise(" ".join(r["transcript"] for r in rows[:10])))
    partials: list[list[str]] = []

    class Watching:
        def transcribe(self, audio, *, prompt=None, hotwords=None, partial=False):
            result = transcriber.transcribe(audio, prompt=prompt, hotwords=hotwords, partial=partial)
            if partial and audio.size >= 2 * SAMPLE_RATE:
                partials.append(normalise(result.text))
            return result

    simulate_live(Watching(), audio, OPTIONS)
    assert len(partials) >= 30
    assert sum(not words for words in partials) <= 3, partials
    heard = [word for words in partials for word in words]
    assert sum(word in reference for word in heard) >= 0.8 * len(heard)
