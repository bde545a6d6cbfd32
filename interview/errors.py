"""The interview package's error hierarchy; `server` translates it once at its edge."""

from __future__ import annotations


class InterviewError(Exception):
    """Base of every error raised by `interview`."""


class QuestionBankError(InterviewError):
    """The question bank file is malformed. `entry` names the question (its id, or its position
    when it has no usable id) and `field` the offending key; both are None for file-level errors."""

    def __init__(self, message: str, *, entry: str | None = None, field: str | None = None) -> None:
        super().__init__(message)
        self.entry = entry
        self.field = field


class PlanError(InterviewError):
    """A session plan was requested with invalid parameters."""
