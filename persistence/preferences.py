"""A user's interview preferences (`voice_enabled`), kept in their sessions' `metadata`.

The schema is fixed and `users` has no column for preferences, nor a free-form JSON one
(`skills` is a list of skills). What it does have is `interview_sessions.metadata`, "additional
data" of the sessions the preferences are about. So:

- a change is written into `metadata.preferences` of the user's newest session (by
  `created_at`, ties by id);
- the user's preferences are those of their newest session that has any; new sessions do not
  copy them, the lookup walks back to the newest one that has them;
- a user without any session has the defaults; there is nowhere honest to keep a change before
  the first interview (`update_preferences` raises `NoSessionYet`). The server answers such a
  change as asked but says it is not saved (`UserOut.preferences_saved`); the client sends it
  with the first session it creates, and `with_preferences` stores it in that session's
  metadata (so a candidate who turns the voice off on their first visit is not spoken to).

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


async def has_interviews(db: AsyncSession, user_id: uuid.UUID) -> bool:
    """Whether the user has a session to keep preferences in."""
    found = await db.scalar(select(InterviewSession.id).where(InterviewSession.user_id == user_id).limit(1))
    return found is not None


async def with_preferences(
    db: AsyncSession, user_id: uuid.UUID, meta: Mapping[str, Any] | None, changes: Mapping[str, Any]
) -> tuple[dict[str, Any] | None, dict[str, Any]]:
    """(metadata for a new session, the preferences that hold once it exists): with `changes`,
    the user's preferences so changed are stored in the new session's `metadata.preferences`
    (it becomes the newest session); without, the metadata is as given."""
    unknown = set(changes) - set(DEFAULTS)
    if unknown:
        raise ValueError(f"not preferences: {sorted(unknown)}")
    current = await read_preferences(db, user_id)
    if not changes:
        return (dict(meta) if meta else None), current
    wanted = {**current, **changes}
    return {**(meta or {}), "preferences": wanted}, wanted


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
