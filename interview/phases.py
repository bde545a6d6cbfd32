"""The phases of one live interview connection, and the one function that changes them.

    waiting ──start──▶ answering ──close──▶ closing ──next / retry──▶ answering
       │                  │                    │
       └──────────────────┴───── end / gone ───┴────────────────────▶ ended

- waiting: connected, the interview not started on this connection yet.
- answering: a question is open; audio is accepted (and counts against its time limit).
- closing: the answer is closed: its last finals are drained and stored, it is scored, a
  follow-up may be chosen; no audio is accepted.
- ended: the session is complete, closed, or the socket is gone. Final.

`answering -> closing -> answering` also serves "try again": the open question (not heard yet) is
put back and the one just scored is opened as a new attempt.
"""

from __future__ import annotations

import enum

from interview.errors import InterviewError


class Phase(enum.Enum):
    WAITING = "waiting"
    ANSWERING = "answering"
    CLOSING = "closing"
    ENDED = "ended"


class IllegalPhaseChange(InterviewError):
    def __init__(self, current: Phase, target: Phase) -> None:
        super().__init__(f"the interview cannot go from {current.value} to {target.value}")
        self.current = current
        self.target = target


_P = Phase
ALLOWED: dict[Phase, frozenset[Phase]] = {
    _P.WAITING: frozenset({_P.ANSWERING, _P.ENDED}),
    _P.ANSWERING: frozenset({_P.CLOSING, _P.ENDED}),
    _P.CLOSING: frozenset({_P.ANSWERING, _P.ENDED}),
    _P.ENDED: frozenset(),
}


def change_phase(current: Phase, target: Phase) -> Phase:
    """`target` if the table allows it from `current`; IllegalPhaseChange otherwise."""
    if target not in ALLOWED[current]:
        raise IllegalPhaseChange(current, target)
    return target
