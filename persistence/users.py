"""User accounts: create, look up, update the profile, record logins, delete (cascades)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from persistence.errors import Conflict, NotFound
from persistence.models import User
from persistence.types import utcnow

#: Profile and preference columns a user may change themselves (never scores, flags or the hash).
PROFILE_FIELDS = frozenset(
    {
        "full_name",
        "profile_picture",
        "phone_number",
        "target_role",
        "target_company",
        "experience_years",
        "education_level",
        "skills",
        "preferred_language",
        "notification_email",
        "notification_push",
    }
)


def normalise_email(email: str) -> str:
    return email.strip().lower()


async def create_user(db: AsyncSession, *, email: str, hashed_password: str, full_name: str, **profile: Any) -> User:
    """Insert a user; raise Conflict when the e-mail address is taken (case-insensitively)."""
    unknown = set(profile) - PROFILE_FIELDS
    if unknown:
        raise ValueError(f"not profile fields: {sorted(unknown)}")
    user = User(email=normalise_email(email), hashed_password=hashed_password, full_name=full_name, **profile)
    db.add(user)
    try:
        await db.flush()
    except IntegrityError as error:
        await db.rollback()
        raise Conflict("an account with this e-mail address already exists") from error
    await db.refresh(user)  # every column loaded now: lazy loads are not possible under asyncio
    return user


async def get_user(db: AsyncSession, user_id: uuid.UUID) -> User:
    user = await db.get(User, user_id)
    if user is None:
        raise NotFound("user not found")
    return user


async def find_user_by_email(db: AsyncSession, email: str) -> User | None:
    return await db.scalar(select(User).where(User.email == normalise_email(email)))


async def update_profile(db: AsyncSession, user: User, changes: Mapping[str, Any]) -> User:
    """Apply profile changes (only PROFILE_FIELDS); `updated_at` moves with the UPDATE."""
    for name, value in changes.items():
        if name not in PROFILE_FIELDS:
            raise ValueError(f"{name} is not a profile field")
        setattr(user, name, value)
    await db.flush()
    return user


async def set_password(db: AsyncSession, user: User, hashed_password: str) -> None:
    """Replace the password hash; `updated_at` moves with the UPDATE."""
    user.hashed_password = hashed_password
    await db.flush()


async def record_login(db: AsyncSession, user: User) -> None:
    user.last_login = utcnow()
    await db.flush()


async def delete_user(db: AsyncSession, user: User) -> None:
    """Delete the account; the database cascades to sessions, questions and feedback."""
    await db.delete(user)
    await db.flush()
