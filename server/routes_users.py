"""The signed-in user's own account: profile, statistics, deletion."""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from typing import Any

from litestar import Controller, Request, delete, get, patch
from litestar.params import JSONBody

from persistence import interviews, preferences, stats, users
from persistence.models import User
from server.db import Db
from server.errors import ServiceUnavailable, error_responses
from server.live import control
from server.schemas import ProfileUpdate, StatisticsOut, TrendPointOut, UserOut, from_row


async def user_out(db: Db, user: User, prefs: Mapping[str, Any] | None = None, *, saved: bool | None = None) -> UserOut:
    """A user as the API shows it, with their preferences (read when not given)."""
    if prefs is None:
        prefs = await preferences.read_preferences(db, user.id)
    if saved is None:
        saved = await preferences.has_interviews(db, user.id)
    return from_row(UserOut, user, voice_enabled=bool(prefs["voice_enabled"]), preferences_saved=saved)


class MeController(Controller):
    path = "/api/users/me"
    tags = ("users",)

    @get("/", summary="My profile", responses=error_responses(401))
    async def read(self, request: Request[User, object, object], db: Db) -> UserOut:
        return await user_out(db, await users.get_user(db, request.user.id))

    @patch("/", summary="Update my profile and preferences", responses=error_responses(401, 413))
    async def update(self, request: Request[User, object, object], data: JSONBody[ProfileUpdate], db: Db) -> UserOut:
        """`voice_enabled` is kept in the newest interview's metadata. With no interview yet it
        is answered as asked with `preferences_saved: false`: not kept here, the client sends
        it with its first `POST /api/sessions` (the rest of the profile is saved as usual)."""
        user = await users.get_user(db, request.user.id)
        changes = data.preference_changes()
        try:
            prefs, saved = await preferences.update_preferences(db, user.id, changes), True
        except preferences.NoSessionYet:
            prefs, saved = {**await preferences.read_preferences(db, user.id), **changes}, False
        if saved and not changes:
            saved = await preferences.has_interviews(db, user.id)
        await users.update_profile(db, user, data.changes())
        return await user_out(db, user, prefs, saved=saved)

    @delete("/", summary="Delete my account and everything in it", status_code=204, responses=error_responses(401))
    async def remove(self, request: Request[User, object, object], db: Db) -> None:
        """Its sessions' sockets (on any node) close, and all its recordings are deleted."""
        session_ids = await interviews.owned_session_ids(db, request.user.id)
        await users.delete_user(db, await users.get_user(db, request.user.id))
        await db.commit()
        await control.user_deleted(request.app.state, request.user.id, session_ids)
        # Its tokens already fail (the account is gone); the cut-off also says so without a
        # database read. Redis being down must not turn a done deletion into an error. Not
        # announced: its sockets close as `session_closed`, storing nothing (a `token_revoked`
        # close would store the open answer's last finals, into a deleted session).
        with contextlib.suppress(ServiceUnavailable):
            await request.app.state.tokens.revoke_user(request.user.id, announce=False)

    @get("/stats", summary="My interview statistics and score trend", responses=error_responses(401))
    async def statistics(self, request: Request[User, object, object], db: Db) -> StatisticsOut:
        result = await stats.user_statistics(db, request.user.id)
        return from_row(StatisticsOut, result, trend=[from_row(TrendPointOut, point) for point in result.trend])
