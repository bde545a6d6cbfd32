"""`InterviewProgress`: where an interview stands, question by question, keyed by question id.

The one typed reading of `interview_sessions.metadata["progress"]` (the schema has no column for
it). It lists the questions in the order they are asked: the planned questions in plan order,
each followed by its follow-ups. For each: its state, which planned question it follows up, its
attempt number, the earlier attempts it replaced, and the scored result of the current attempt.

    not_asked ──ask──▶ asked ──answer──▶ answered ──retry──▶ asked (attempt + 1)
                         └────skip────▶ skipped ───retry──┘

Numbering as the candidate sees it: planned questions are "1 of N" .. "N of N" (N counts planned
questions only); a follow-up carries its planned question's number and its index among that
question's follow-ups (1, 2). The stored `question_number` of a row is its position in the
session and may move when a follow-up is inserted before it: nothing here depends on it.

Attempts: the row of a question always holds its current attempt, the one that counts in
scores, averages and the report. "Try again" moves the current attempt's columns (transcript,
audio, scores) into `earlier_attempts` as a JSON snapshot and starts attempt + 1; earlier
attempts stay readable for the report and never count in the scores.

Pure and immutable: every change returns a new value; illegal changes raise ProgressError.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from interview.errors import InterviewError

VERSION = 2


class ProgressError(InterviewError):
    """A change the interview's progress does not allow (e.g. answering a question never asked)."""


class QuestionState(enum.Enum):
    NOT_ASKED = "not_asked"
    ASKED = "asked"
    ANSWERED = "answered"
    SKIPPED = "skipped"


_S = QuestionState
#: Allowed state changes of one question (asking again an asked question is a repeat or resume).
ALLOWED: dict[QuestionState, frozenset[QuestionState]] = {
    _S.NOT_ASKED: frozenset({_S.ASKED}),
    _S.ASKED: frozenset({_S.ASKED, _S.ANSWERED, _S.SKIPPED}),
    _S.ANSWERED: frozenset({_S.ASKED}),  # try again
    _S.SKIPPED: frozenset({_S.ASKED}),  # try again
}


@dataclass(frozen=True)
class Attempt:
    """An earlier attempt at a question, replaced by "try again".

    `columns` is the JSON snapshot of the row's answer columns at that moment (transcript,
    word_count, answered_at, audio_file_path, audio_duration, scores, evaluation_summary, ...);
    `result` the scored result (a `scoring.QuestionResult` as JSON), None when not scored."""

    number: int
    state: QuestionState
    columns: Mapping[str, Any] = field(default_factory=dict)
    result: Mapping[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        return {"number": self.number, "state": self.state.value, "columns": dict(self.columns), "result": self.result}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Attempt:
        return cls(
            int(data["number"]), QuestionState(data["state"]), dict(data.get("columns") or {}), data.get("result")
        )


@dataclass(frozen=True)
class QuestionProgress:
    question_id: str
    #: The planned question this one follows up; None for a planned question.
    follow_up_of: str | None = None
    state: QuestionState = QuestionState.NOT_ASKED
    #: 1 for the first attempt; "try again" adds one.
    attempt: int = 1
    earlier_attempts: tuple[Attempt, ...] = ()
    #: The scored result of the current attempt (a `scoring.QuestionResult` as JSON).
    result: Mapping[str, Any] | None = None

    @property
    def is_follow_up(self) -> bool:
        return self.follow_up_of is not None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.question_id,
            "follow_up_of": self.follow_up_of,
            "state": self.state.value,
            "attempt": self.attempt,
            "earlier_attempts": [a.to_json() for a in self.earlier_attempts],
            "result": self.result,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> QuestionProgress:
        return cls(
            question_id=str(data["id"]),
            follow_up_of=data.get("follow_up_of"),
            state=QuestionState(data.get("state", "not_asked")),
            attempt=int(data.get("attempt", 1)),
            earlier_attempts=tuple(Attempt.from_json(a) for a in data.get("earlier_attempts") or ()),
            result=data.get("result"),
        )


@dataclass(frozen=True)
class RowRef:
    """What progress needs of a session's `interview_questions` row to reconcile with it."""

    question_id: str
    question_number: int
    #: The row has a closed answer (`answered_at` set): only read for the first stored format.
    answered: bool = False


@dataclass(frozen=True)
class Numbering:
    """How the candidate sees a question: "Question `number` of `of`", and for a follow-up its
    index among its question's follow-ups (1, 2); 0 for a planned question."""

    number: int
    of: int
    follow_up_index: int = 0

    @property
    def follow_up(self) -> bool:
        return self.follow_up_index > 0


@dataclass(frozen=True)
class InterviewProgress:
    """The questions of one interview in asking order (see the module docstring)."""

    questions: tuple[QuestionProgress, ...] = ()

    # --- reading -------------------------------------------------------------------------------

    @classmethod
    def new(cls, question_ids: Iterable[str]) -> InterviewProgress:
        """A fresh interview: these planned questions, in plan order, none asked."""
        return cls(tuple(QuestionProgress(str(q)) for q in question_ids))

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None, rows: Sequence[RowRef]) -> InterviewProgress:
        """Read stored progress, reconciled with the session's rows (in question_number order): a
        row progress does not know is a planned question not asked yet (in row order), progress
        of a row that no longer exists is dropped. Reads the first format too (`skipped`,
        `follow_ups`, `results` keyed by question numbers)."""
        data = data or {}
        if data.get("version") == VERSION:
            known = [QuestionProgress.from_json(q) for q in data.get("questions") or ()]
        else:
            known = _from_numbers(data, rows)
        present = {row.question_id for row in rows}
        kept = [q for q in known if q.question_id in present]
        seen = {q.question_id for q in kept}
        progress = cls(tuple(kept))
        for row in rows:
            if row.question_id not in seen:
                progress = progress._inserted_planned(row.question_id, rows)
        return progress

    def to_json(self) -> dict[str, Any]:
        return {"version": VERSION, "questions": [q.to_json() for q in self.questions]}

    def get(self, question_id: object) -> QuestionProgress:
        key = str(question_id)
        for question in self.questions:
            if question.question_id == key:
                return question
        raise ProgressError(f"question {key} is not part of this interview")

    def __contains__(self, question_id: object) -> bool:
        return any(q.question_id == str(question_id) for q in self.questions)

    @property
    def planned(self) -> tuple[QuestionProgress, ...]:
        return tuple(q for q in self.questions if not q.is_follow_up)

    def numbering(self, question_id: object) -> Numbering:
        question = self.get(question_id)
        root = question.follow_up_of or question.question_id
        planned = [q.question_id for q in self.planned]
        index = 0
        if question.is_follow_up:
            index = [q.question_id for q in self.follow_ups_of(root)].index(question.question_id) + 1
        return Numbering(planned.index(root) + 1, len(planned), index)

    def follow_ups_of(self, question_id: object) -> tuple[QuestionProgress, ...]:
        """The follow-ups of a planned question (or of a follow-up's planned question), in order."""
        question = self.get(question_id)
        root = question.follow_up_of or question.question_id
        return tuple(q for q in self.questions if q.follow_up_of == root)

    @property
    def follow_up_count(self) -> int:
        return sum(1 for q in self.questions if q.is_follow_up)

    def current(self) -> QuestionProgress | None:
        """The question to ask now: the first one asked but not answered, or not asked yet."""
        return next((q for q in self.questions if q.state in (_S.NOT_ASKED, _S.ASKED)), None)

    def upcoming(self, question_id: object) -> QuestionProgress | None:
        """The question that will come after this one if no follow-up is added (to prepare it)."""
        ids = [q.question_id for q in self.questions]
        start = ids.index(self.get(question_id).question_id) + 1
        return next((q for q in self.questions[start:] if q.state in (_S.NOT_ASKED, _S.ASKED)), None)

    def previous(self, question_id: object) -> QuestionProgress | None:
        ids = [q.question_id for q in self.questions]
        index = ids.index(self.get(question_id).question_id)
        return self.questions[index - 1] if index else None

    @property
    def asked(self) -> tuple[QuestionProgress, ...]:
        """Questions the candidate has seen (asked, answered or skipped), in order."""
        return tuple(q for q in self.questions if q.state is not _S.NOT_ASKED)

    @property
    def answered_planned(self) -> int:
        """Planned questions answered (their current attempt): `questions_answered`."""
        return sum(1 for q in self.planned if q.state is _S.ANSWERED)

    @property
    def skipped_planned(self) -> int:
        """Planned questions skipped (their current attempt): the report's "1 skipped"."""
        return sum(1 for q in self.planned if q.state is _S.SKIPPED)

    @property
    def follow_up_waiting(self) -> bool:
        """The interview goes on with a follow-up (chosen or asked, not answered): what a resume
        asks next. It belongs to its question, so the counts "of N" do not change."""
        current = self.current()
        return current is not None and current.is_follow_up

    # --- changing ------------------------------------------------------------------------------

    def asked_now(self, question_id: object) -> InterviewProgress:
        return self._move(question_id, _S.ASKED)

    def answered(self, question_id: object) -> InterviewProgress:
        return self._move(question_id, _S.ANSWERED)

    def skipped(self, question_id: object) -> InterviewProgress:
        """Skipped: whatever was said is kept on the row, but it is not scored and not counted."""
        return self._replace(replace(self._move_one(question_id, _S.SKIPPED), result=None))

    def scored(self, question_id: object, result: Mapping[str, Any]) -> InterviewProgress:
        question = self.get(question_id)
        if question.state is not _S.ANSWERED:
            raise ProgressError(
                f"question {question.question_id} is {question.state.value}, not answered: it cannot be scored"
            )
        return self._replace(replace(question, result=dict(result)))

    def with_follow_up(self, answered_id: object, follow_up_id: object) -> InterviewProgress:
        """Add a follow-up asked after the answer to `answered_id` (a planned question or one of
        its follow-ups): it belongs to the planned question and comes after its other follow-ups."""
        answered = self.get(answered_id)
        if answered.state is not _S.ANSWERED:
            raise ProgressError("a follow-up is only asked after an answer")
        if str(follow_up_id) in self:
            raise ProgressError(f"question {follow_up_id} is already part of this interview")
        root = answered.follow_up_of or answered.question_id
        ids = [q.question_id for q in self.questions]
        group = [root, *(q.question_id for q in self.follow_ups_of(root))]
        at = max(ids.index(g) for g in group) + 1
        added = QuestionProgress(str(follow_up_id), follow_up_of=root)
        return InterviewProgress(self.questions[:at] + (added,) + self.questions[at:])

    def without_follow_up(self, question_id: object) -> InterviewProgress:
        """Withdraw a follow-up nobody answered (its question is being tried again)."""
        question = self.get(question_id)
        if not question.is_follow_up or question.state not in (_S.NOT_ASKED, _S.ASKED):
            raise ProgressError("only a follow-up that was not answered can be withdrawn")
        return InterviewProgress(tuple(q for q in self.questions if q.question_id != question.question_id))

    def retried(self, question_id: object, columns: Mapping[str, Any]) -> InterviewProgress:
        """Try again: the current attempt (its row's answer `columns`, its result) becomes an
        earlier attempt; the question is asked again as attempt + 1."""
        previous = self.get(question_id)
        if previous.state not in (_S.ANSWERED, _S.SKIPPED):
            raise ProgressError(
                f"question {previous.question_id} is {previous.state.value}: only a closed answer is tried again"
            )
        question = self._move_one(question_id, _S.ASKED)
        earlier = Attempt(previous.attempt, previous.state, dict(columns), previous.result)
        retried = replace(
            question, attempt=previous.attempt + 1, earlier_attempts=previous.earlier_attempts + (earlier,), result=None
        )
        return self._replace(retried)

    # --- internals -----------------------------------------------------------------------------

    def _move(self, question_id: object, target: QuestionState) -> InterviewProgress:
        return self._replace(self._move_one(question_id, target))

    def _move_one(self, question_id: object, target: QuestionState) -> QuestionProgress:
        question = self.get(question_id)
        if target not in ALLOWED[question.state]:
            raise ProgressError(
                f"question {question.question_id} cannot go from {question.state.value} to {target.value}"
            )
        return replace(question, state=target)

    def _replace(self, question: QuestionProgress) -> InterviewProgress:
        return InterviewProgress(
            tuple(question if q.question_id == question.question_id else q for q in self.questions)
        )

    def _inserted_planned(self, question_id: str, rows: Sequence[RowRef]) -> InterviewProgress:
        """Insert a planned question unknown to progress before the first known question whose
        row comes after it (rows are in question_number order)."""
        order = [row.question_id for row in rows]
        later = set(order[order.index(question_id) + 1 :])
        at = next((i for i, q in enumerate(self.questions) if q.question_id in later), len(self.questions))
        return InterviewProgress(self.questions[:at] + (QuestionProgress(question_id),) + self.questions[at:])


def _from_numbers(data: Mapping[str, Any], rows: Sequence[RowRef]) -> list[QuestionProgress]:
    """The first stored format: `skipped` [numbers], `follow_ups` {number: parent number},
    `results` {number: result}; the row's `answered_at` said whether it was answered."""
    if not data and not any(row.answered for row in rows):
        return []
    by_number = {row.question_number: row.question_id for row in rows}
    parents = {int(k): int(v) for k, v in (data.get("follow_ups") or {}).items()}

    def root(number: int) -> int:
        while number in parents:
            number = parents[number]
        return number

    skipped = {int(n) for n in data.get("skipped") or ()}
    results = {int(k): v for k, v in (data.get("results") or {}).items()}
    out: list[QuestionProgress] = []
    for row in rows:
        number = row.question_number
        parent = by_number.get(root(number)) if number in parents else None
        state = _S.SKIPPED if number in skipped else _S.ANSWERED if row.answered else _S.NOT_ASKED
        result = results.get(number) if state is _S.ANSWERED else None
        out.append(QuestionProgress(row.question_id, follow_up_of=parent, state=state, result=result))
    return out
