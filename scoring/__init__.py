"""Pure, deterministic scoring of interview answers and sessions.

Public API: `score_answer(AnswerInput, embedder=, grammar=, options=) -> AnswerScore` and
`build_session_feedback(results, percentile=, options=) -> SessionFeedback`. Models and the
LanguageTool client are passed in by the caller (server/); nothing here does network I/O or
downloads anything.
"""

from scoring.answer import (
    AnswerDetails,
    AnswerInput,
    AnswerScore,
    judge_topics,
    reference_texts,
    score_answer,
    weighted_overall,
)
from scoring.embedding import Embedder, OnnxMiniLmEmbedder
from scoring.errors import GrammarUnavailable, InvalidAnswer, InvalidOptions, ModelUnavailable, ScoringError
from scoring.feedback import SessionFeedback, build_session_feedback
from scoring.fluency import TimedWord
from scoring.grammar import GrammarChecker, GrammarMatch
from scoring.options import RelevanceCalibration, ScoringOptions, Weights
from scoring.results import QuestionResult
from scoring.standard import standard_reading
from scoring.suggestions import Suggestion

__all__ = [
    "AnswerDetails",
    "AnswerInput",
    "AnswerScore",
    "Embedder",
    "GrammarChecker",
    "GrammarMatch",
    "GrammarUnavailable",
    "InvalidAnswer",
    "InvalidOptions",
    "ModelUnavailable",
    "OnnxMiniLmEmbedder",
    "RelevanceCalibration",
    "QuestionResult",
    "ScoringError",
    "SessionFeedback",
    "ScoringOptions",
    "Suggestion",
    "TimedWord",
    "Weights",
    "build_session_feedback",
    "judge_topics",
    "reference_texts",
    "score_answer",
    "standard_reading",
    "weighted_overall",
]
