"""bcrypt password hashing, run off the event loop (a hash costs ~0.2 s at 12 rounds).

bcrypt reads at most 72 bytes (and the bcrypt package refuses more). The API limits passwords to
72 *characters*, which in UTF-8 can be up to 288 bytes: such a password is first reduced to the
base64 of its SHA-256 (44 bytes), so every character counts and nothing is silently truncated.
Passwords of 72 bytes or fewer go to bcrypt unchanged, as they always have.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
from functools import cache

import bcrypt

MAX_PASSWORD_BYTES = 72


def _secret(password: str) -> bytes:
    raw = password.encode()
    if len(raw) <= MAX_PASSWORD_BYTES:
        return raw
    return base64.b64encode(hashlib.sha256(raw).digest())


async def hash_password(password: str, rounds: int) -> str:
    salt = bcrypt.gensalt(rounds=rounds)
    hashed = await asyncio.to_thread(bcrypt.hashpw, _secret(password), salt)
    return hashed.decode()


async def verify_password(password: str, hashed: str | None, rounds: int) -> bool:
    """True when `password` matches `hashed`. With `hashed=None` (no such user) a dummy hash of
    the same cost is checked anyway, so timing does not reveal whether the e-mail exists."""
    candidate = (hashed or await asyncio.to_thread(_dummy_hash, rounds)).encode()
    matches = await asyncio.to_thread(bcrypt.checkpw, _secret(password), candidate)
    return matches and hashed is not None


@cache
def _dummy_hash(rounds: int) -> str:
    """Made once per cost, in a worker thread: inline, the first login with an unknown e-mail
    held the event loop (and every live interview on it) for a whole hash."""
    return bcrypt.hashpw(b"no such user", bcrypt.gensalt(rounds=rounds)).decode()
