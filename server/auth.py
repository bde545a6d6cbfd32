"""Authentication: JWT access and refresh tokens (Litestar's JWT support) and the auth routes.

Access tokens (`typ=access`, short-lived) authorise every API call; refresh tokens
(`typ=refresh`, long-lived) are accepted only by POST /api/auth/refresh, which returns a new
pair. Both carry the user id as `sub`. WebSockets authenticate with `authenticate_token`,
because browsers cannot set headers on a WebSocket.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

from litestar.params import JSONBody
from litestar import Request, post
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException
from litestar.security.jwt import JWTAuth, JWTAuthenticationMiddleware, Token
from litestar.middleware.authentication import AuthenticationResult
from sqlalchemy.ext.asyncio import AsyncSession

from persistence import preferences, users
from persistence.errors import NotFound
from persistence.models import User
from server.db import Db
from server.errors import AuthError, error_responses
from server.passwords import hash_password, verify_password
from server.schemas import LoginRequest, RefreshRequest, RegisterRequest, TokenPair, UserOut, from_row
from server.settings import AuthOptions

ALGORITHM = "HS256"
ACCESS, REFRESH, WATCH = "access", "refresh", "watch"
#: Paths that need no access token (the auth routes themselves, health, docs, the static UI,
#: and WebSockets, which authenticate inside the handler).
PUBLIC_PATHS = ["^/api/auth/", "^/health", "^/ready", "^/schema", "^/ws/", "^/metrics", "^/$", "^/static/", "^/app"]
#: The OpenAPI security of a public operation: `{}` is "no credentials needed", which overrides
#: the document-wide bearer requirement that JWTAuth adds (an empty list would be dropped).
PUBLIC: list[dict[str, list[str]]] = [{}]


class TokenService:
    """Issues and checks tokens with one secret; the only place that knows the token format."""

    def __init__(self, secret: str, options: AuthOptions) -> None:
        self.secret = secret
        self.access_ttl = timedelta(minutes=options.access_token_minutes)
        self.refresh_ttl = timedelta(days=options.refresh_token_days)

    def issue(self, user: User) -> dict[str, Any]:
        return {
            "access_token": self._encode(user.id, ACCESS, self.access_ttl),
            "refresh_token": self._encode(user.id, REFRESH, self.refresh_ttl),
            "token_type": "bearer",
            "expires_in": int(self.access_ttl.total_seconds()),
        }

    def watch_token(self, session_id: uuid.UUID, ttl: timedelta) -> str:
        """A read-only token for one session's live transcript (the subject is the session)."""
        return self._encode(session_id, WATCH, ttl)

    def subject(self, encoded: str, kind: str) -> uuid.UUID:
        """The user id in a valid, unexpired token of `kind`; AuthError for anything else."""
        try:
            token = Token.decode(encoded, self.secret, ALGORITHM)
            if token.extras.get("typ") != kind:
                raise AuthError("wrong token type")
            return uuid.UUID(token.sub)
        except (NotAuthorizedException, ValueError) as error:
            raise AuthError("invalid or expired token") from error

    def _encode(self, subject: uuid.UUID, kind: str, ttl: timedelta) -> str:
        token = Token(
            sub=str(subject),
            exp=datetime.now(timezone.utc) + ttl,
            jti=uuid.uuid4().hex,
            extras={"typ": kind},
        )
        return token.encode(self.secret, ALGORITHM)


async def active_user(db: Db, user_id: uuid.UUID) -> User:
    """The user behind a token, if the account still exists and is active."""
    try:
        user = await users.get_user(db, user_id)
    except NotFound:
        raise AuthError("account not found") from None
    if user.is_active is False:
        raise AuthError("account is disabled")
    return user


async def _retrieve_user(token: Token, connection: ASGIConnection) -> User | None:
    if token.extras.get("typ") != ACCESS:
        return None  # a refresh token is not an access token: 401
    async with connection.app.state.db_sessions() as db:
        try:
            return await active_user(db, uuid.UUID(token.sub))
        except (AuthError, ValueError):
            return None


class BearerOnlyMiddleware(JWTAuthenticationMiddleware):
    """Litestar's JWT middleware takes whatever follows the first space of `Authorization`, so
    `Token <jwt>` or `Basic <jwt>` passed like `Bearer <jwt>`. Only the `Bearer` scheme (RFC 6750;
    the scheme name is case-insensitive, RFC 7235 section 2.1) is accepted here."""

    async def authenticate_request(self, connection: ASGIConnection[Any, Any, Any, Any]) -> AuthenticationResult:
        scheme, _, encoded = connection.headers.get(self.auth_header, "").strip().partition(" ")
        if scheme.lower() != "bearer" or not encoded.strip():
            raise NotAuthorizedException("send the access token as Authorization: Bearer <token>")
        return await self.authenticate_token(encoded_token=encoded.strip(), connection=connection)


def build_jwt_auth(secret: str, options: AuthOptions) -> JWTAuth[User, Token]:
    return JWTAuth[User, Token](
        authentication_middleware_class=BearerOnlyMiddleware,
        retrieve_user_handler=_retrieve_user,
        token_secret=secret,
        algorithm=ALGORITHM,
        default_token_expiration=timedelta(minutes=options.access_token_minutes),
        exclude=PUBLIC_PATHS,
    )


async def _pair(db: AsyncSession, tokens: TokenService, user: User) -> TokenPair:
    prefs = await preferences.read_preferences(db, user.id)
    return TokenPair(**tokens.issue(user), user=from_row(UserOut, user, voice_enabled=bool(prefs["voice_enabled"])))


@post(
    "/api/auth/register",
    status_code=201,
    tags=["auth"],
    summary="Create an account",
    security=PUBLIC,
    responses=error_responses(409, 413, 429),
)
async def register(data: JSONBody[RegisterRequest], db: Db, request: Request) -> TokenPair:
    """Create an account and log it in. 409 if the e-mail address is already registered."""
    rounds = request.app.state.settings.auth.bcrypt_rounds
    profile = data.changes()
    for name in ("email", "password", "full_name"):
        profile.pop(name, None)
    user = await users.create_user(
        db,
        email=data.email,
        hashed_password=await hash_password(data.password, rounds),
        full_name=data.full_name,
        **profile,
    )
    await users.record_login(db, user)
    return await _pair(db, request.app.state.tokens, user)


@post(
    "/api/auth/login",
    status_code=200,
    tags=["auth"],
    summary="Log in with e-mail and password",
    security=PUBLIC,
    responses=error_responses(401, 413, 429),
)
async def login(data: JSONBody[LoginRequest], db: Db, request: Request) -> TokenPair:
    """401 with the same message whether the e-mail is unknown, the password wrong or the account disabled."""
    rounds = request.app.state.settings.auth.bcrypt_rounds
    user = await users.find_user_by_email(db, data.email)
    if not await verify_password(data.password, user.hashed_password if user else None, rounds):
        raise AuthError("invalid e-mail or password")
    assert user is not None
    if user.is_active is False:
        raise AuthError("invalid e-mail or password")
    await users.record_login(db, user)
    return await _pair(db, request.app.state.tokens, user)


@post(
    "/api/auth/refresh",
    status_code=200,
    tags=["auth"],
    summary="Exchange a refresh token for a new pair",
    security=PUBLIC,
    responses=error_responses(401, 413, 429),
)
async def refresh(data: JSONBody[RefreshRequest], db: Db, request: Request) -> TokenPair:
    tokens: TokenService = request.app.state.tokens
    user = await active_user(db, tokens.subject(data.refresh_token, REFRESH))
    return await _pair(db, tokens, user)


AUTH_ROUTES = [register, login, refresh]
