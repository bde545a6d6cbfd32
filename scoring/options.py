"""Typed, frozen scoring options with the documented defaults (composed by `server/settings.py`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from scoring.errors import InvalidOptions


@dataclass(frozen=True)
class Weights:
    """Relative weights of the four dimensions in the overall score (need not sum to 100).

    Absent dimensions (grammar when LanguageTool is down, keywords without expected topics) are
    dropped and the remaining weights renormalised.
    """

    relevance: float = 35.0
    grammar: float = 20.0
    fluency: float = 25.0
    keywords: float = 20.0

    def __post_init__(self) -> None:
        values = (self.relevance, self.grammar, self.fluency, self.keywords)
        if any(v < 0 for v in values) or sum(values) <= 0:
            raise InvalidOptions(f"weights must be non-negative with a positive sum, got {values}")

    def as_dict(self) -> dict[str, float]:
        return {
            "relevance": self.relevance,
            "grammar": self.grammar,
            "fluency": self.fluency,
            "keywords": self.keywords,
        }


@dataclass(frozen=True)
class RelevanceCalibration:
    """Piecewise-linear map from the blended MiniLM similarity (scoring/relevance.py) to 0-100,
    continuous, with no step steeper than 12 points per 0.01 of similarity.

    Fitted on tests/scoring/evaluation_set.json with all-MiniLM-L6-v2 (similarity = max(whole,
    0.5 best sentence + 0.5 whole)): its off-topic answers sit at 0.24 or below (hobbies share
    words like "learning" and "practise" with general questions: 0.15-0.237), its on-topic full
    answers at 0.249 or above (an example-led strong answer at 0.268), strong ones around 0.5.
    So 0.24 maps to 20 (the off-topic line of `Calibration`), then the map climbs steeply but
    continuously through the narrow band where MiniLM puts the boundary: 0.27 to 55, 0.32 to 72,
    0.40 to 87 and 0.50 and above to 100. (It used to jump from 20 at 0.24 to 60 at 0.25: two
    answers 0.01 apart were read 40 points apart.)
    """

    knots: tuple[tuple[float, float], ...] = (
        (0.10, 0.0),
        (0.24, 20.0),
        (0.27, 55.0),
        (0.32, 72.0),
        (0.40, 87.0),
        (0.50, 100.0),
    )
    #: How much the answer's best sentence counts against its whole (scoring/relevance.py).
    best_sentence_weight: float = 0.5
    #: Answers shorter than this many words cannot fully answer an interview question.
    full_credit_words: int = 60
    #: A follow-up's answer asks for one piece (an example, the outcome), not a whole answer:
    #: it gets full length credit from the first number of words on, and its length tip names
    #: this range (QA J28: a crisp 52-word answer was told to aim for 100-200 words).
    follow_up_words: tuple[int, int] = (25, 120)


@dataclass(frozen=True)
class Calibration:
    """Caps that keep the overall score from contradicting what the answer is (README, "How
    answers are scored"). Grammar and fluency describe how something was said; they cannot
    lift an answer that says nothing to the question."""

    #: A relevance (the number shown) under this means the answer does not address the
    #: question: its topicality is under it (off topic: RelevanceCalibration puts that at
    #: similarity 0.24), or it is too short or too bare a list to address it ...
    off_topic_relevance: float = 20.0
    #: ... and its overall score is at most this (whichever of the three it is).
    off_topic_cap: float = 25.0
    #: An answer whose relevance is under `off_topic_relevance`, that touches none of the
    #: question's talking points and whose topicality is under this is a non-answer too, not an
    #: on-topic answer that is only short ("I like football, I watch it every weekend. And pizza.
    #: I don't know." to "What does a great working day look like for you?": topicality 29-45 on
    #: MiniLM's "weekend" ~ "working day"; short on-topic answers there sit at 94-100, and
    #: on-topic fragments of the evaluation set at 57.7 and up: "I made a slow query faster once.").
    non_answer_topicality: float = 50.0
    #: A general question answered, at 25 words or more, with a story of the candidate's own
    #: work (scoring/stories.py) that covers one of its talking points, or to a question whose
    #: talking points ask for an example, is on topic: its topicality is at least this; so is a
    #: behavioural one answered by a work story that covers half of its talking points. MiniLM
    #: puts such stories at topicality 0-15 ("How would your closest colleagues describe you?"
    #: answered with an afternoon of pairing with a new developer), among the hobbies told
    #: instead of an answer; 55 is "fair": the point is still left for the listener to infer.
    story_topicality: float = 55.0
    #: A sentence-structure factor under this is a bare list of keywords (scoring/text.py) ...
    keyword_list_structure: float = 0.5
    keyword_list_cap: float = 30.0
    #: Fewer words than this is a fragment, not an answer ...
    fragment_words: int = 25
    fragment_cap: float = 35.0


@dataclass(frozen=True)
class ScoringOptions:
    """Everything the scoring functions can be tuned with; defaults are the documented ones."""

    weights: Weights = field(default_factory=Weights)
    #: Conversational speaking-rate band in words per minute (the common 130-160 wpm guidance for
    #: presentations and interviews; e.g. National Center for Voice and Speech, "Voice Qualities").
    target_wpm: tuple[float, float] = (130.0, 160.0)
    #: A silence inside the answer longer than this is a long pause (seconds). Pauses under about
    #: a second are normal planning pauses (Goldman-Eisler 1968; Campione & Véronis 2002).
    long_pause_s: float = 1.2
    relevance: RelevanceCalibration = field(default_factory=RelevanceCalibration)
    #: Cosine between a topic (one of its alternatives) and a short span of the answer at or
    #: above which the topic is covered by paraphrase, and at or above which it is touched on
    #: (fitted on tests/scoring/talking_points.json; see the README for the measured numbers).
    topic_cover_similarity: float = 0.6
    topic_touch_similarity: float = 0.5
    #: Recognised words with a lower probability are the recogniser's doubt (scoring/spans.py).
    uncertain_word_probability: float = 0.5
    calibration: Calibration = field(default_factory=Calibration)
    #: Grammar points lost per LanguageTool error per 100 words (10 errors/100 words -> 0).
    grammar_points_per_error_rate: float = 10.0
    max_suggestions: int = 5

    def __post_init__(self) -> None:
        low, high = self.target_wpm
        if not 0 < low < high:
            raise InvalidOptions(f"target_wpm must be an increasing positive band, got {self.target_wpm}")
        if self.long_pause_s <= 0:
            raise InvalidOptions("long_pause_s must be positive")
        if not 0 < self.topic_touch_similarity <= self.topic_cover_similarity < 1:
            raise InvalidOptions("topic similarities must satisfy 0 < touch <= cover < 1")
        if not 0 <= self.uncertain_word_probability <= 1:
            raise InvalidOptions("uncertain_word_probability must be in [0, 1]")
        if self.max_suggestions < 1:
            raise InvalidOptions("max_suggestions must be at least 1")
        words = self.relevance.follow_up_words
        if not 0 < words[0] <= words[1] or self.relevance.full_credit_words <= 0:
            raise InvalidOptions(f"full_credit_words and follow_up_words must be positive, got {words}")
