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
    """Piecewise-linear map from MiniLM cosine similarity to 0-100 (see scoring/relevance.py).

    Fitted on tests/scoring/evaluation_set.json with all-MiniLM-L6-v2 (answer vector = mean of
    its sentence vectors): unrelated answers to an interview question sit at cosine -0.07..0.10,
    on-topic answers at 0.3..0.85 (narrative behavioural answers are the lowest, around 0.35-0.4,
    because they tell their story rather than repeat the question's words). So 0.05 maps to 0,
    0.25 to 70 and 0.45 and above to 100.
    """

    knots: tuple[tuple[float, float], ...] = ((0.05, 0.0), (0.15, 35.0), (0.25, 70.0), (0.35, 90.0), (0.45, 100.0))
    #: Answers shorter than this many words cannot fully answer an interview question.
    full_credit_words: int = 60


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
    #: Minimum cosine between a topic and one answer sentence for a semantic (paraphrase) match.
    topic_similarity_threshold: float = 0.55
    #: Credit of a semantic topic match relative to an exact or lemma match.
    semantic_topic_credit: float = 0.75
    #: Grammar points lost per LanguageTool error per 100 words (10 errors/100 words -> 0).
    grammar_points_per_error_rate: float = 10.0
    max_suggestions: int = 5

    def __post_init__(self) -> None:
        low, high = self.target_wpm
        if not 0 < low < high:
            raise InvalidOptions(f"target_wpm must be an increasing positive band, got {self.target_wpm}")
        if self.long_pause_s <= 0:
            raise InvalidOptions("long_pause_s must be positive")
        if not 0 < self.topic_similarity_threshold < 1:
            raise InvalidOptions("topic_similarity_threshold must be in (0, 1)")
        if not 0 <= self.semantic_topic_credit <= 1:
            raise InvalidOptions("semantic_topic_credit must be in [0, 1]")
        if self.max_suggestions < 1:
            raise InvalidOptions("max_suggestions must be at least 1")
