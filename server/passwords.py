"""bcrypt password hashing, run off the event loop (a hash costs ~0.2 s at 12 rounds)."""

from __future__ import annotations

import asyncio
from functools import cache

import bcrypt

#: bcrypt reads only the first 72 bytes; longer passwords are refused at validation rather than
#: silently truncated.
MAX_PASSWORD_BYTES = 72


async def hash_password(password: str, rounds: int) -> str:
    salt = bcrypt.gensalt(rounds=rounds)
    hashed = await asyncio.to_thread(bcrypt.hashpw, password.encode(), salt)
    return hashed.decode()


async def verify_password(password: str, hashed: str | None, rounds: int) -> bool:
    """True when `password` matches `hashed`. With `hashed=None` (no such user) a dummy hash of
    the same cost is checked anyway, so timing does not reveal whether the e-mail exists."""
    candidate = (hashed or _dummy_hash(rounds)).encode()
    matches = await asyncio.to_thread(bcrypt.checkpw, password.encode(), candidate)
    return matches and hashed is not None


@cache
def _dummy_hash(rounds: int) -> str:
    return bcrypt.hashpw(b"no such user", bcrypt.gensalt(rounds=rounds)).decode()
