"""A user's interview preferences (`voice_enabled`), kept in their sessions' `metadata`.

The schema is fixed and `users` has no column for preferences, nor a free-form JSON one
(`skills` is a list of skills). What it does have is `interview_sessions.metadata`, "additional
data" of the sessions the preferences are about. So:

- a change is written into `metadata.preferences` of the user's newest session (by
  `created_at`, ties by id);
- the user's preferences are those of their newest session that has any; new sessions do not
  copy them, the lookup walks back to the newest one that has them;
- a user without any session has the defaults, and cannot change them until their first
  interview exists (`NoSessionYet`, a 409): there is nowhere honest to keep them before that.

Deleting sessions can bring back an older setting (or the defaults): the preference lives and
dies with the interviews, as the schema has it.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from persistence.errors import Conflict
from persistence.models import InterviewSession

DEFAULTS: Mapping[str, Any] = {"voice_enabled": True}
#: How many of the newest sessions are looked at for preferences (newer ones are found first).
LOOK_BACK = 50


class NoSessionYet(Conflict):
    """A preference change for a user who has no interview to keep it in."""


def _newest_first(user_id: uuid.UUID) -> Select[InterviewSession]:
    return (
        select(InterviewSession)
        .where(InterviewSession.user_id == user_id)
        .order_by(InterviewSession.created_at.desc(), InterviewSession.id.desc())
    )


async def read_preferences(db: AsyncSession, user_id: uuid.UUID) -> dict[str, Any]:
    """The defaults, overridden by `metadata.preferences` of the user's newest session that has them."""
    metas = await db.scalars(
        select(InterviewSession.meta)
        .where(InterviewSession.user_id == user_id)
        .order_by(InterviewSession.created_at.desc(), InterviewSession.id.desc())
        .limit(LOOK_BACK)
    )
    for meta in metas:
        stored = (meta or {}).get("preferences") if isinstance(meta, dict) else None
        if isinstance(stored, dict):
            return {**DEFAULTS, **{k: v for k, v in stored.items() if k in DEFAULTS}}
    return dict(DEFAULTS)


async def update_preferences(db: AsyncSession, user_id: uuid.UUID, changes: Mapping[str, Any]) -> dict[str, Any]:
    """Write `changes` (keys of DEFAULTS) into the newest session's metadata; the result."""
    unknown = set(changes) - set(DEFAULTS)
    if unknown:
        raise ValueError(f"not preferences: {sorted(unknown)}")
    current = await read_preferences(db, user_id)
    wanted = {**current, **changes}
    if wanted == current:
        return current
    newest = await db.scalar(_newest_first(user_id).limit(1).with_for_update())
    if newest is None:
        raise NoSessionYet("preferences are kept with your interviews: create an interview first, then change them")
    meta = dict(newest.meta or {})
    meta["preferences"] = wanted
    newest.meta = meta
    await db.flush()
    return wanted
