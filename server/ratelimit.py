"""The credential rate limits (login, sign-up, refresh) of Litestar's RateLimitConfig, counted
per client address across every node.

The key is `request.client.host`: uvicorn sets it from X-Forwarded-For only when the peer is one
of TRUSTED_PROXIES (server/serve.py), so a client cannot pick its own key. With REDIS_URL the
counts live in Redis (shared by all nodes); without it, in the process's memory (one node).
"""

from __future__ import annotations

import logging
from typing import Any

from litestar.middleware.rate_limit import RateLimitConfig
from litestar.stores.redis import RedisStore
from redis.exceptions import RedisError

log = logging.getLogger("server.ratelimit")
RATE_LIMITED_PATHS = frozenset({"/api/auth/login", "/api/auth/register", "/api/auth/refresh", "/api/users/me/password"})
STORE_NAME = "rate_limit"


class FailOpenRedisStore(RedisStore):
    """A Redis store that lets requests through while Redis is unreachable (logged), instead
    of turning every login into a 500: during an outage the limit is not enforced, as with one
    node's restart. Litestar reads and writes the history in two steps, so two nodes counting
    the same client at the same instant may both let one request more through; the limit is
    approximate by that much."""

    async def get(self, key: str, renew_for: Any = None) -> bytes | None:
        try:
            return await super().get(key, renew_for)
        except RedisError as error:
            log.warning("rate limit store unreachable (%s): not counting", type(error).__name__)
            return None

    async def set(self, key: str, value: str | bytes, expires_in: Any = None) -> None:
        try:
            await super().set(key, value, expires_in)
        except RedisError:
            pass  # already logged by get


def rate_limit(per_minute: int) -> RateLimitConfig:
    return RateLimitConfig(
        rate_limit=("minute", per_minute),
        check_throttle_handler=lambda request: request.url.path in RATE_LIMITED_PATHS,
        store=STORE_NAME,
    )


def rate_limit_stores(redis: Any | None) -> dict[str, Any] | None:
    """The app's stores: the rate-limit history in Redis when there is one (namespaced)."""
    if redis is None:
        return None  # Litestar's default: a memory store per process
    return {STORE_NAME: FailOpenRedisStore(redis, namespace="interview:ratelimit")}
