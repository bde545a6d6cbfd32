"""The scoring package's one error hierarchy; `server/errors.py` translates it at the edge."""

from __future__ import annotations


class ScoringError(Exception):
    """Base of every error raised by `scoring`."""


class InvalidAnswer(ScoringError, ValueError):
    """The answer input is malformed (negative duration, unknown category, ...)."""


class InvalidOptions(ScoringError, ValueError):
    """Scoring options are inconsistent (negative weights, empty target band, ...)."""


class ModelUnavailable(ScoringError):
    """The embedding model or its tokenizer could not be loaded from the local files."""


class GrammarUnavailable(ScoringError):
    """The grammar checker (LanguageTool) cannot be reached or answered with an error.

    Scoring treats this as "grammar absent": the grammar score is None, flagged, and the overall
    score renormalises over the remaining dimensions. It never substitutes an invented number.
    """
