"""The JWT signing secret: JWT_SECRET when set, else a random one generated once and kept in the
data folder (mode 0600), so tokens survive a restart of the embedded default set-up."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

MIN_SECRET_LENGTH = 32


def resolve_jwt_secret(configured: str | None, data_dir: Path) -> str:
    if configured:
        if len(configured) < MIN_SECRET_LENGTH:
            raise ValueError(f"JWT_SECRET must be at least {MIN_SECRET_LENGTH} characters long")
        return configured
    path = data_dir / "jwt-secret"
    if path.is_file():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(48)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(secret)
    return secret
