"""Authentication: JWT access and refresh tokens (Litestar's JWT support) and the auth routes.

Access tokens (`typ=access`, short-lived) authorise every API call; refresh tokens
(`typ=refresh`, long-lived) are accepted only by POST /api/auth/refresh, which returns a new
pair. Both carry the user id as `sub`. WebSockets authenticate with `TokenService.verify`,
because browsers cannot set headers on a WebSocket.

Revocation (server/revocation.py): every token carries its family (`fam`, one per sign-in) and
its issue time in ms (`iat_ms`). A refresh token works once: the exchange records it, and
presenting it again revokes its family (someone else has a copy). Log-out, a password change
and account deletion move the user's cut-off time, share withdrawal the session's.

The cut-off boundary: a token is revoked when it was issued at or before the cut-off. Issue
times and cut-offs made by one node are stamps of one strictly increasing millisecond clock
(`TokenService._stamp`), so on one node they never tie: a log-out revokes every token issued
before it, even in the same millisecond, and a pair issued after it (the new pair of a password
change, a sign-in right after a log-out) is valid, even in the same millisecond. Only a token
issued by another node in the very millisecond of a cut-off ties, and a tie is revoked: which
came first cannot be told, and refusing errs on the safe side.

Every 401 names what failed in its `code` (server/errors.py): `token_missing`, `token_invalid`,
`token_expired`, `token_revoked`, or `unauthorized` (wrong credentials, the account is gone).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from jwt.exceptions import ExpiredSignatureError
from litestar import Request, post
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException
from litestar.middleware.authentication import AuthenticationResult
from litestar.params import JSONBody
from litestar.security.jwt import JWTAuth, JWTAuthenticationMiddleware, Token
from sqlalchemy.ext.asyncio import AsyncSession

from persistence import preferences, users
from persistence.errors import NotFound
from persistence.models import User
from server.db import Db
from server.errors import (
    AuthError,
    ServiceUnavailable,
    TokenExpired,
    TokenInvalid,
    TokenMissing,
    TokenRevoked,
    error_responses,
)
from server.passwords import hash_password, verify_password
from server.revocation import RevocationStore, RevocationUnavailable, now_ms
from server.schemas import (
    LoginRequest,
    PasswordChangeRequest,
    RefreshRequest,
    RegisterRequest,
    TokenPair,
    UserOut,
    from_row,
)
from server.settings import AuthOptions

log = logging.getLogger("server.auth")
ALGORITHM = "HS256"
ACCESS, REFRESH, WATCH = "access", "refresh", "watch"
#: Paths that need no access token (the auth routes themselves, health, docs, the static UI,
#: and WebSockets, which authenticate inside the handler).
PUBLIC_PATHS = ["^/api/auth/", "^/health", "^/ready", "^/schema", "^/ws/", "^/metrics", "^/$", "^/static/", "^/app"]
#: The OpenAPI security of a public operation: `{}` is "no credentials needed", which overrides
#: the document-wide bearer requirement that JWTAuth adds (an empty list would be dropped).
PUBLIC: list[dict[str, list[str]]] = [{}]


@dataclass(frozen=True)
class TokenClaims:
    """What a valid token says. `family` is None for share tokens (they have no sign-in)."""

    subject: uuid.UUID
    kind: str
    jti: str
    family: str | None
    issued_ms: int
    expires: datetime

    @classmethod
    def of(cls, token: Token, kind: str) -> TokenClaims:
        if token.extras.get("typ") != kind:
            raise TokenInvalid(f"this is not an {kind} token" if kind == ACCESS else f"this is not a {kind} token")
        try:
            subject = uuid.UUID(token.sub)
        except ValueError:
            raise TokenInvalid("invalid token") from None
        issued = token.extras.get("iat_ms")
        return cls(
            subject=subject,
            kind=kind,
            jti=token.jti or "",
            family=token.extras.get("fam"),
            issued_ms=int(issued) if isinstance(issued, int) else int(token.iat.timestamp() * 1000),
            expires=token.exp,
        )

    def seconds_left(self) -> float:
        return max(1.0, (self.expires - datetime.now(UTC)).total_seconds())


class TokenService:
    """Issues, checks and revokes tokens; the only place that knows the token format."""

    def __init__(self, secret: str, options: AuthOptions, revoked: RevocationStore) -> None:
        self.secret = secret
        self.access_ttl = timedelta(minutes=options.access_token_minutes)
        self.refresh_ttl = timedelta(days=options.refresh_token_days)
        self.revoked = revoked
        self._last_stamp = 0
        #: Called with (key, value) after each revocation is stored: server/socket_tokens.py
        #: tells every node, whose sockets opened with a now revoked token close.
        self.on_revoked: Callable[[str, int], None] | None = None

    def _stamp(self) -> int:
        """Now in ms, strictly later than every stamp this service gave before: issue times and
        cut-offs of one node never tie, so their order is the order they happened in (see the
        module docstring). Ahead of the wall clock only while more than one stamp a millisecond
        is asked for."""
        self._last_stamp = max(now_ms(), self._last_stamp + 1)
        return self._last_stamp

    def issue(self, user: User, family: str | None = None) -> dict[str, Any]:
        """A new pair; `family` continues a rotation chain, None starts one (a sign-in)."""
        family = family or uuid.uuid4().hex
        return {
            "access_token": self._encode(user.id, ACCESS, self.access_ttl, family),
            "refresh_token": self._encode(user.id, REFRESH, self.refresh_ttl, family),
            "token_type": "bearer",
            "expires_in": int(self.access_ttl.total_seconds()),
        }

    def watch_token(self, session_id: uuid.UUID, ttl: timedelta) -> str:
        """A read-only token for one session's live transcript (the subject is the session)."""
        return self._encode(session_id, WATCH, ttl, None)

    def decode(self, encoded: str, kind: str) -> TokenClaims:
        """The claims of a well-signed, unexpired token of `kind` (revocation not checked):
        TokenExpired for a well-signed token past its lifetime, TokenInvalid for anything else."""
        return TokenClaims.of(self.decode_token(encoded), kind)

    def decode_token(self, encoded: str) -> Token:
        """The verified token, of any kind (see `decode`)."""
        try:
            return Token.decode(encoded, self.secret, ALGORITHM)
        except (NotAuthorizedException, ValueError) as error:
            if isinstance(error.__cause__, ExpiredSignatureError):  # only checked once the signature holds
                raise TokenExpired("the token has expired: refresh it, or sign in again") from error
            raise TokenInvalid("invalid token") from error

    async def verify(self, encoded: str, kind: str) -> TokenClaims:
        """`decode`, then refused if revoked (AuthError)."""
        claims = self.decode(encoded, kind)
        await self.check(claims)
        return claims

    async def check(self, claims: TokenClaims, *, strict: bool = False) -> None:
        """TokenRevoked if `claims` were revoked. While the store is unreachable an access or
        share token is let through (logged; it expires soon anyway), unless `strict`."""
        keys = revocation_keys(claims)
        try:
            values = await self.revoked.read(keys)
        except RevocationUnavailable as error:
            if strict:
                raise ServiceUnavailable("sign-in state cannot be checked right now: try again in a moment") from error
            log.warning("revocations not checked: %s", error)
            return
        if any(revokes(key, value, claims) for key, value in zip(keys, values, strict=True)):
            raise TokenRevoked("this token was revoked (signed out, or the password was changed): sign in again")

    async def rotate(self, encoded: str) -> TokenClaims:
        """Accept a refresh token once. Presenting an exchanged token again revokes its family:
        the thief and the victim are both signed out of that sign-in."""
        claims = self.decode(encoded, REFRESH)
        await self.check(claims, strict=True)
        try:
            if await self.revoked.first_use(f"used:{claims.jti}", claims.seconds_left()):
                return claims
            await self.revoked.raise_to(f"family:{claims.family}", 1, self.refresh_ttl.total_seconds())
        except RevocationUnavailable as error:
            raise ServiceUnavailable("sign-in state cannot be checked right now: try again in a moment") from error
        self._announce(f"family:{claims.family}", 1)
        log.warning("refresh token reused: family %s of user %s revoked", claims.family, claims.subject)
        raise TokenRevoked("this refresh token was already used; sign in again")

    async def revoke_user(self, user_id: uuid.UUID, *, announce: bool = True) -> None:
        """Every token of the user issued until now is refused from now on, on every node, and
        (when `announce`) the sockets opened with one close (`on_revoked`)."""
        await self._cut_off(f"user:{user_id}", announce=announce)

    async def withdraw_shares(self, session_id: uuid.UUID) -> None:
        """Every share token of the session issued until now is refused."""
        await self._cut_off(f"share:{session_id}")

    async def _cut_off(self, scope: str, *, announce: bool = True) -> None:
        cutoff = self._stamp()
        try:
            await self.revoked.raise_to(scope, cutoff, self.refresh_ttl.total_seconds())
        except RevocationUnavailable as error:
            raise ServiceUnavailable("tokens cannot be revoked right now: try again in a moment") from error
        if announce:
            self._announce(scope, cutoff)

    def _announce(self, key: str, value: int) -> None:
        if self.on_revoked is not None:
            self.on_revoked(key, value)

    def _encode(self, subject: uuid.UUID, kind: str, ttl: timedelta, family: str | None) -> str:
        extras: dict[str, Any] = {"typ": kind, "iat_ms": self._stamp()}
        if family:
            extras["fam"] = family
        token = Token(sub=str(subject), exp=datetime.now(UTC) + ttl, jti=uuid.uuid4().hex, extras=extras)
        return token.encode(self.secret, ALGORITHM)


def revocation_keys(claims: TokenClaims) -> list[str]:
    """The store's keys that can revoke `claims`: its scope's cut-off, and its family."""
    scope = f"share:{claims.subject}" if claims.kind == WATCH else f"user:{claims.subject}"
    return [scope] + ([f"family:{claims.family}"] if claims.family else [])


def revokes(key: str, value: int | None, claims: TokenClaims) -> bool:
    """Whether the store's `value` at `key` (one of `revocation_keys(claims)`) revokes `claims`:
    a revoked family always, a cut-off every token issued at or before it (a tie is revoked:
    see the module docstring)."""
    if value is None:
        return False
    return key.startswith("family:") or claims.issued_ms <= value


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
    """The active user behind an access token whose claims and revocation were checked."""
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
        return await self.authenticate_token(encoded_token=bearer_token(connection), connection=connection)

    async def authenticate_token(
        self, encoded_token: str, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> AuthenticationResult:
        """Each failure is a 401 whose `code` says what failed (see the module docstring)."""
        tokens: TokenService = connection.app.state.tokens
        token = tokens.decode_token(encoded_token)
        claims = TokenClaims.of(token, ACCESS)  # a refresh or share token is not an access token
        await tokens.check(claims)
        user = await self.retrieve_user_handler(token, connection)
        if user is None:
            raise AuthError("the account of this token is gone or disabled")
        return AuthenticationResult(user=user, auth=token)


def bearer_token(connection: ASGIConnection[Any, Any, Any, Any]) -> str:
    """The token of `Authorization: Bearer <token>`: TokenMissing without that header,
    TokenInvalid for another scheme (`Token <jwt>`, `Basic ...`)."""
    header = connection.headers.get("authorization", "").strip()
    if not header:
        raise TokenMissing("send the access token as Authorization: Bearer <token>")
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "bearer" or not encoded.strip():
        raise TokenInvalid("send the access token as Authorization: Bearer <token>")
    return encoded.strip()


def build_jwt_auth(secret: str, options: AuthOptions) -> JWTAuth[User, Token]:
    return JWTAuth[User, Token](
        authentication_middleware_class=BearerOnlyMiddleware,
        retrieve_user_handler=_retrieve_user,
        token_secret=secret,
        algorithm=ALGORITHM,
        default_token_expiration=timedelta(minutes=options.access_token_minutes),
        exclude=PUBLIC_PATHS,
    )


async def _pair(db: AsyncSession, tokens: TokenService, user: User, family: str | None = None) -> TokenPair:
    prefs = await preferences.read_preferences(db, user.id)
    saved = await preferences.has_interviews(db, user.id)
    return TokenPair(
        **tokens.issue(user, family),
        user=from_row(UserOut, user, voice_enabled=bool(prefs["voice_enabled"]), preferences_saved=saved),
    )


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
    summary="Exchange a refresh token for a new pair (the old one stops working)",
    security=PUBLIC,
    responses=error_responses(401, 413, 429, 503),
)
async def refresh(data: JSONBody[RefreshRequest], db: Db, request: Request) -> TokenPair:
    """Rotation: each refresh token works once. Presenting one that was already exchanged is
    taken as theft: every token of that sign-in is revoked (401), on every node."""
    tokens: TokenService = request.app.state.tokens
    claims = await tokens.rotate(data.refresh_token)
    user = await active_user(db, claims.subject)
    return await _pair(db, tokens, user, claims.family)


@post(
    "/api/auth/logout",
    status_code=204,
    tags=["auth"],
    summary="Sign out everywhere: revoke all of my tokens",
    security=[{"BearerToken": []}],
    responses=error_responses(401, 503),
)
async def logout(request: Request) -> None:
    """Needs the access token (`Authorization: Bearer`). Every access and refresh token of the
    user issued until now is refused afterwards, on every node; share links are not touched."""
    tokens: TokenService = request.app.state.tokens
    claims = await tokens.verify(bearer_token(request), ACCESS)
    await tokens.revoke_user(claims.subject)


@post(
    "/api/users/me/password",
    status_code=200,
    tags=["users"],
    summary="Change my password (signs out my other devices)",
    responses=error_responses(400, 401, 413, 429, 503),
)
async def change_password(data: JSONBody[PasswordChangeRequest], db: Db, request: Request[User, Any, Any]) -> TokenPair:
    """401 if `current_password` is wrong. Every token issued before is revoked; the answer is
    a new pair for this device."""
    rounds = request.app.state.settings.auth.bcrypt_rounds
    tokens: TokenService = request.app.state.tokens
    user = await users.get_user(db, request.user.id)
    if not await verify_password(data.current_password, user.hashed_password, rounds):
        raise AuthError("the current password is wrong")
    await tokens.revoke_user(user.id)
    await users.set_password(db, user, await hash_password(data.new_password, rounds))
    return await _pair(db, tokens, user)


AUTH_ROUTES = [register, login, refresh, logout, change_password]
