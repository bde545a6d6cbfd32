"""The interview session lifecycle: the one place that changes `InterviewSession.status`.

    created ──start──▶ in_progress ──complete──▶ completed
       │                   │
       └────cancel─────────┴──────cancel──────▶ cancelled

Starting an in-progress session again is a resume, not an error. Completed and cancelled are final.
"""

from __future__ import annotations

from datetime import datetime

from persistence.errors import IllegalTransition
from persistence.models import InterviewSession, InterviewStatus
from persistence.types import utcnow

S = InterviewStatus
ALLOWED: dict[InterviewStatus, frozenset[InterviewStatus]] = {
    S.CREATED: frozenset({S.IN_PROGRESS, S.CANCELLED}),
    S.IN_PROGRESS: frozenset({S.IN_PROGRESS, S.COMPLETED, S.CANCELLED}),
    S.COMPLETED: frozenset(),
    S.CANCELLED: frozenset(),
}


def transition(session: InterviewSession, target: InterviewStatus, now: datetime | None = None) -> None:
    """Move `session` to `target`, stamping the lifecycle columns; raise IllegalTransition otherwise.

    in_progress sets `started_at` (once); completed sets `completed_at` and `total_duration`
    (seconds since `started_at`).
    """
    current = InterviewStatus(session.status)
    if target not in ALLOWED[current]:
        raise IllegalTransition(current.value, target.value)
    now = now or utcnow()
    if target is S.IN_PROGRESS and session.started_at is None:
        session.started_at = now
    if target is S.COMPLETED:
        session.completed_at = now
        if session.started_at is not None:
            session.total_duration = max(0, round((now - session.started_at).total_seconds()))
    session.status = target
