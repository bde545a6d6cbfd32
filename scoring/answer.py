"""Scoring one answer: `AnswerInput` in, `AnswerScore` out, through all four dimensions.

`score_answer` is deterministic for a given embedder and grammar checker. It calls the embedder
once per answer (one call) and the grammar checker at most once. If the checker is missing or
raises GrammarUnavailable the grammar score is None, `grammar_available` is False, a flag says
so, and the overall score is the weighted mean of the other dimensions (never a made-up number).
Keywords are None when the question has no expected topics, for the same reason.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from scoring.embedding import Embedder
from scoring.errors import GrammarUnavailable, InvalidAnswer
from scoring.fluency import FluencyResult, TimedWord, score_fluency
from scoring.grammar import GrammarChecker, GrammarMatch, GrammarResult, score_grammar
from scoring.keywords import KeywordResult, covered_lexically, score_keywords, topic_texts
from scoring.mentions import asks_for_example
from scoring.options import Calibration, RelevanceCalibration, ScoringOptions
from scoring.relevance import RelevanceResult, answer_embedding, question_prompts, score_relevance
from scoring.spans import answer_spans, overlaps, uncertain_ranges
from scoring.star import StructureResult, detect_structure
from scoring.stories import is_work_story
from scoring.suggestions import Findings, Suggestion, build_suggestions, build_summary
from scoring.text import sentence_structure_factor, split_sentences, tokenize, tokenize_timed

DIMENSIONS = ("relevance", "grammar", "fluency", "keywords")


@dataclass(frozen=True)
class AnswerInput:
    """One answered question. `words` are the recogniser's timed words (may be empty for typed
    or imported text); `pauses` are VAD silences as (start, end) seconds in the answer's audio."""

    question_text: str
    category: str
    difficulty: str
    expected_topics: Sequence[str]
    transcript: str
    words: Sequence[TimedWord] = ()
    audio_duration: float = 0.0
    pauses: Sequence[tuple[float, float]] = ()
    #: Earlier questions this answer also answers: a follow-up's planned question. Relevance is
    #: the best against `question_text` or any of them (a follow-up such as "Can you give me one
    #: concrete example that shows that?" is read in the context of its question).
    context_questions: Sequence[str] = ()
    #: A follow-up's answer: it asks for one piece, so its length is judged against
    #: `RelevanceCalibration.follow_up_words`, not a whole answer's (QA J28).
    is_follow_up: bool = False

    def __post_init__(self) -> None:
        if self.audio_duration < 0:
            raise InvalidAnswer(f"audio_duration must be >= 0, got {self.audio_duration}")
        if not isinstance(self.transcript, str):
            raise InvalidAnswer("transcript must be a string")
        for pause in self.pauses:
            if len(pause) != 2 or pause[1] < pause[0]:
                raise InvalidAnswer(f"a pause must be (start, end) with end >= start, got {pause!r}")


@dataclass(frozen=True)
class AnswerDetails:
    """Every sub-metric, for the UI (highlighting) and for the session report."""

    relevance: RelevanceResult
    grammar: GrammarResult | None
    fluency: FluencyResult
    keywords: KeywordResult | None
    structure: StructureResult | None
    flags: tuple[str, ...]
    #: Transcript character ranges of words the recogniser was unsure of.
    uncertain: tuple[tuple[int, int], ...] = ()
    #: The weighted mean before the calibration caps, and the cap that applied (if any).
    weighted_overall: float | None = None
    cap: str | None = None
    #: The answer does not address the question (`is_non_answer`): nothing in it is a ground
    #: for a follow-up probe; the interviewer brings the candidate back to the question.
    non_answer: bool = False

    @property
    def star(self) -> StructureResult | None:
        return self.structure if self.structure is not None and self.structure.kind == "star" else None

    def to_json(self) -> dict[str, Any]:
        return {
            "relevance": self.relevance.to_json(),
            "grammar": None if self.grammar is None else self.grammar.to_json(),
            "fluency": self.fluency.to_json(),
            "keywords": None if self.keywords is None else self.keywords.to_json(),
            "structure": None if self.structure is None else self.structure.to_json(),
            "star": None if self.star is None else self.star.to_json(),
            "flags": list(self.flags),
            "uncertain": [list(r) for r in self.uncertain],
            "weighted_overall": self.weighted_overall,
            "cap": self.cap,
            "non_answer": self.non_answer,
        }


@dataclass(frozen=True)
class AnswerScore:
    """Scores 0-100 (None = absent, see flags), the text feedback and all details."""

    relevance: float
    grammar: float | None
    fluency: float
    keywords: float | None
    overall: float
    grammar_available: bool
    word_count: int
    evaluation_summary: str
    suggestions: tuple[Suggestion, ...]
    details: AnswerDetails = field(repr=False)

    @property
    def covered_topics(self) -> list[str]:
        return [] if self.details.keywords is None else self.details.keywords.covered

    @property
    def missing_topics(self) -> list[str]:
        return [] if self.details.keywords is None else self.details.keywords.missing

    @property
    def touched_topics(self) -> list[str]:
        return [] if self.details.keywords is None else self.details.keywords.touched

    @property
    def star(self) -> StructureResult | None:
        return self.details.star

    @property
    def structure(self) -> StructureResult | None:
        return self.details.structure

    @property
    def flags(self) -> tuple[str, ...]:
        return self.details.flags

    def scores(self) -> dict[str, float | None]:
        return {d: getattr(self, d) for d in DIMENSIONS}

    def suggestions_json(self) -> list[dict[str, Any]]:
        """The interview_questions.suggestions column value."""
        return [s.to_json() for s in self.suggestions]

    def to_json(self) -> dict[str, Any]:
        return {
            **self.scores(),
            "overall": self.overall,
            "grammar_available": self.grammar_available,
            "word_count": self.word_count,
            "evaluation_summary": self.evaluation_summary,
            "suggestions": self.suggestions_json(),
            "covered_topics": self.covered_topics,
            "touched_topics": self.touched_topics,
            "missing_topics": self.missing_topics,
            "details": self.details.to_json(),
        }


def weighted_overall(scores: dict[str, float | None], weights: dict[str, float]) -> float:
    """Weighted mean over the dimensions that are present (renormalised weights)."""
    present = {k: v for k, v in scores.items() if v is not None and weights.get(k, 0) > 0}
    total = sum(weights[k] for k in present)
    if not total:
        return 0.0
    return round(sum(weights[k] * v for k, v in present.items()) / total, 1)


def clean_topics(expected_topics: Sequence[str]) -> list[str]:
    """The expected topics that say something, stripped."""
    return [t.strip() for t in expected_topics if t and t.strip()]


def reference_texts(
    question_text: str, expected_topics: Sequence[str], context_questions: Sequence[str] = ()
) -> list[str]:
    """What every answer to this question is compared with: its prompts (the question, with its
    topics, then its context questions), then every alternative of its topics.

    A caller may hand these to `Embedder.embed_references` while the candidate is still
    speaking, so that scoring the answer only embeds the answer itself.
    """
    topics = clean_topics(expected_topics)
    return [*question_prompts(question_text, topics, context_questions), *topic_texts(topics)]


def score_answer(
    answer: AnswerInput,
    *,
    embedder: Embedder,
    grammar: GrammarChecker | None,
    options: ScoringOptions | None = None,
) -> AnswerScore:
    """Score one answer on all dimensions (see the module docstring for absent dimensions)."""
    options = options or ScoringOptions()
    flags: list[str] = []
    transcript = answer.transcript.strip()
    tokens = tokenize(transcript)
    timed_tokens = tokenize_timed(answer.words) if answer.words else tokens
    if not answer.words:
        flags.append("no_word_timestamps")
    sentences = split_sentences(transcript)
    topics = clean_topics(answer.expected_topics)
    if not topics:
        flags.append("no_expected_topics")
    # Words the recogniser was unsure of are its errors, not the candidate's (see spans.py).
    uncertain = uncertain_ranges(transcript, answer.words, options.uncertain_word_probability)
    # Short spans are embedded only when some topic is not already covered in words: the
    # paraphrase check is the costly part of scoring (about a sentence's embedding per clause).
    spans = (
        answer_spans(transcript) if topics and not covered_lexically(topics, transcript, answer.question_text) else []
    )

    # The grammar check (another process) runs while this thread embeds: latency is the
    # slower of the two, not their sum. Its result does not depend on timing.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="grammar") as pool:
        grammar_future = pool.submit(_check_grammar_matches, transcript, grammar)
        # The question's prompts and topics recur for every answer to it (remembered by the
        # embedder); the answer's sentences and spans are new each time (one call).
        context = tuple(q for q in answer.context_questions if q.strip())
        references = embedder.embed_references(reference_texts(answer.question_text, topics, context))
        vectors = embedder.embed([*sentences, *(s.text for s in spans)])
        matches = grammar_future.result()
    sentence_vectors, span_vectors = vectors[: len(sentences)], vectors[len(sentences) :]
    prompt_vectors = references[: 2 + len(context)]
    alternative_vectors = references[2 + len(context) :]
    answer_vector = answer_embedding(sentence_vectors, sentences)

    fluency = score_fluency(
        timed_tokens,
        audio_duration=answer.audio_duration,
        vad_pauses=answer.pauses,
        target_wpm=options.target_wpm,
        long_pause_s=options.long_pause_s,
    )
    structure = sentence_structure_factor(tokens)
    relevance = score_relevance(
        answer_vector=answer_vector,
        prompt_vectors=prompt_vectors,
        sentence_vectors=sentence_vectors,
        structure_factor=structure,
        word_count=fluency.word_count,
        calibration=_length_calibration(options, follow_up=answer.is_follow_up),
        doubtful_sentences=_doubtful_sentences(transcript, sentences, uncertain),
    )
    keywords = None
    if topics:
        keywords = score_keywords(
            topics,
            tokens,
            transcript=transcript,
            spans=spans,
            span_vectors=span_vectors,
            alternative_vectors=alternative_vectors,
            structure_factor=structure,
            cover_similarity=options.topic_cover_similarity,
            touch_similarity=options.topic_touch_similarity,
            ignored=uncertain,
            question_text=answer.question_text,
        )
    if _answers_by_story(answer, sentences, topics, keywords, fluency.word_count, options.calibration):
        relevance = relevance.with_story_floor(options.calibration.story_topicality)
    grammar_result = None
    if matches is _Grammar.UNAVAILABLE:
        flags.append("grammar_unavailable")
    elif matches is not None:
        grammar_result = score_grammar(
            transcript, matches, fluency.word_count, options.grammar_points_per_error_rate, uncertain=uncertain
        )
    if not tokens:
        flags.append("empty_answer")
    if uncertain:
        flags.append("uncertain_words")
    structure_result = detect_structure(answer.category, answer.question_text, sentences) if tokens else None

    scores = {
        "relevance": relevance.score,
        "grammar": None if grammar_result is None else grammar_result.score,
        "fluency": fluency.score,
        "keywords": None if keywords is None else keywords.score,
    }
    weighted = 0.0 if not tokens else weighted_overall(scores, options.weights.as_dict())
    overall, cap = apply_caps(weighted, relevance, fluency.word_count, options.calibration)
    if cap is not None:
        flags.append(f"capped_{cap}")
    non_answer = bool(tokens) and is_non_answer(relevance, keywords, options.calibration)
    findings = Findings(
        relevance,
        grammar_result,
        fluency,
        keywords,
        structure_result,
        tuple(sentences),
        transcript,
        overall,
        cap,
        non_answer=non_answer,
        follow_up=answer.is_follow_up,
    )
    return AnswerScore(
        relevance=relevance.score,
        grammar=scores["grammar"],
        fluency=fluency.score,
        keywords=scores["keywords"],
        overall=overall,
        grammar_available=grammar_result is not None or "grammar_unavailable" not in flags,
        word_count=fluency.word_count,
        evaluation_summary=build_summary(findings, scores, options),
        suggestions=build_suggestions(findings, options) if tokens else (),
        details=AnswerDetails(
            relevance,
            grammar_result,
            fluency,
            keywords,
            structure_result,
            tuple(flags),
            uncertain,
            weighted,
            cap,
            non_answer=non_answer,
        ),
    )


def _length_calibration(options: ScoringOptions, *, follow_up: bool) -> RelevanceCalibration:
    """The relevance calibration an answer's length is judged with: a follow-up's answer gets
    full length credit from `follow_up_words[0]` words on, a planned one from `full_credit_words`."""
    if not follow_up:
        return options.relevance
    return replace(options.relevance, full_credit_words=options.relevance.follow_up_words[0])


def judge_topics(
    question_text: str,
    expected_topics: Sequence[str],
    transcript: str,
    *,
    embedder: Embedder,
    options: ScoringOptions | None = None,
) -> KeywordResult | None:
    """How `transcript` covers the talking points of `question_text`, judged as `score_answer`
    judges an answer's own (None without topics or words). For a follow-up's answer against its
    planned question: a point the candidate makes in the follow-up is made (issue #12, QA R3),
    though the follow-up itself is not scored on those points."""
    options = options or ScoringOptions()
    topics = clean_topics(expected_topics)
    text = transcript.strip()
    tokens = tokenize(text)
    if not topics or not tokens:
        return None
    spans = [] if covered_lexically(topics, text, question_text) else answer_spans(text)
    alternative_vectors = embedder.embed_references(topic_texts(topics))
    return score_keywords(
        topics,
        tokens,
        transcript=text,
        spans=spans,
        span_vectors=embedder.embed([s.text for s in spans]),
        alternative_vectors=alternative_vectors,
        structure_factor=sentence_structure_factor(tokens),
        cover_similarity=options.topic_cover_similarity,
        touch_similarity=options.topic_touch_similarity,
        question_text=question_text,
    )


def apply_caps(
    weighted: float, relevance: RelevanceResult, words: int, calibration: Calibration
) -> tuple[float, str | None]:
    """The overall score after the calibration rules (README, "How answers are scored"), and the
    rule that limited it: an answer whose relevance (the number shown) is under
    `off_topic_relevance` cannot score above `off_topic_cap`, named by why its relevance is low:
    "off_topic" when the answer is not about the question (its topicality is under the line
    too), "keyword_list" when it is a bare list, "too_short" when it is on topic but too short to
    address it. Then a bare keyword list cannot score above `keyword_list_cap` and a fragment
    above `fragment_cap`, whatever their grammar and fluency."""
    low = relevance.score < calibration.off_topic_relevance
    bare = relevance.structure_factor < calibration.keyword_list_structure
    rules = (
        # One number: the relevance shown (it used to be "relevance under 20 or similarity under
        # 0.23", and a card showed relevance 54 beside "does not address the question").
        ("off_topic", low and relevance.topicality < calibration.off_topic_relevance, calibration.off_topic_cap),
        ("keyword_list", low and bare, calibration.off_topic_cap),
        # On topic, only too short: told to say more, never that it missed the question.
        ("too_short", low, calibration.off_topic_cap),
        ("keyword_list", bare, calibration.keyword_list_cap),
        ("fragment", 0 < words < calibration.fragment_words, calibration.fragment_cap),
    )
    for name, applies, cap in rules:
        if applies and weighted > cap:
            return float(cap), name
    return weighted, None


def is_non_answer(relevance: RelevanceResult, keywords: KeywordResult | None, calibration: Calibration) -> bool:
    """Whether the answer does not address the question: its relevance is under
    `off_topic_relevance` and it is off topic (topicality under that line too, whether or not
    the off-topic cap had to lower its overall score: a weighted 21 was never capped, so the
    answer was probed as if it were on topic), or it touches none of the question's talking
    points and its topicality is under `non_answer_topicality` (a few words near the question
    in embedding space, about something else)."""
    if relevance.score >= calibration.off_topic_relevance:
        return False
    if relevance.topicality < calibration.off_topic_relevance:
        return True
    untouched = keywords is not None and not keywords.covered and not keywords.touched
    return untouched and relevance.topicality < calibration.non_answer_topicality


def _answers_by_story(
    answer: AnswerInput,
    sentences: Sequence[str],
    topics: Sequence[str],
    keywords: KeywordResult | None,
    words: int,
    calibration: Calibration,
) -> bool:
    """Whether a general or behavioural question is answered by a story of the candidate's own
    work (`Calibration.story_topicality`): at least a fragment's length and a work story; for a
    general question, one of its talking points covered or a question that asks for an example;
    for a behavioural one (which always asks for a story), at least half of its talking points
    covered: "I noticed our release notes were always late. So I wrote a template ..." to
    "Describe a time you took the initiative without being asked" covers all four and read
    relevance 14 (it never says "initiative"), while a work story told for another question
    covers one at most. A hobby told instead (no workplace words) or a story that touches
    nothing the question asks about stays off topic."""
    category = answer.category.strip().lower()
    if category not in ("general", "behavioral") or words < calibration.fragment_words:
        return False
    if not is_work_story(sentences) or keywords is None:
        return False
    if category == "behavioral":
        return 2 * len(keywords.covered) >= max(1, len(topics))
    asks_example = any(asks_for_example(alt) for alt in topic_texts(topics))
    return asks_example or bool(keywords.covered)


def _doubtful_sentences(
    transcript: str, sentences: Sequence[str], uncertain: Sequence[tuple[int, int]]
) -> tuple[int, ...]:
    """Sentences holding an uncertain word: the recogniser may have mis-heard them, so they are
    never quoted as off-topic evidence."""
    if not uncertain:
        return ()
    out, position = [], 0
    for i, sentence in enumerate(sentences):
        first = sentence.split()[0] if sentence.split() else sentence
        start = transcript.find(first, position)
        start = position if start < 0 else start
        end = start + len(sentence)
        if overlaps(start, end, uncertain):
            out.append(i)
        position = max(position, start + 1)
    return tuple(out)


class _Grammar(enum.Enum):
    """The grammar check's outcome when it has no matches to give."""

    UNAVAILABLE = "unavailable"


def _check_grammar_matches(
    text: str, checker: GrammarChecker | None
) -> list[GrammarMatch] | Literal[_Grammar.UNAVAILABLE] | None:
    """The checker's matches; None when there is nothing to check, UNAVAILABLE when the
    checker is missing or unreachable."""
    if not text:
        return None
    if checker is None:
        return _Grammar.UNAVAILABLE
    try:
        return checker.check(text)
    except GrammarUnavailable:
        return _Grammar.UNAVAILABLE
