"""Authentication: JWT access and refresh tokens (Litestar's JWT support) and the auth routes.

Access tokens (`typ=access`, short-lived) authorise every API call; refresh tokens
(`typ=refresh`, long-lived) are accepted only by POST /api/auth/refresh, which returns a new
pair. Both carry the user id as `sub`. WebSockets authenticate with `TokenService.verify`,
because browsers cannot set headers on a WebSocket.

Revocation (server/revocation.py): every token carries its family (`fam`, one per sign-in) and
its issue time in ms (`iat_ms`). A refresh token works once: the exchange records it, and
presenting it again revokes its family (someone else has a copy). Log-out, a password change
and account deletion move the user's cut-off time, share withdrawal the session's.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

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
from server.errors import AuthError, ServiceUnavailable, error_responses
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
            raise AuthError("wrong token type")
        try:
            subject = uuid.UUID(token.sub)
        except ValueError:
            raise AuthError("invalid or expired token") from None
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
        """The claims of a well-signed, unexpired token of `kind` (revocation not checked)."""
        try:
            token = Token.decode(encoded, self.secret, ALGORITHM)
        except (NotAuthorizedException, ValueError) as error:
            raise AuthError("invalid or expired token") from error
        return TokenClaims.of(token, kind)

    async def verify(self, encoded: str, kind: str) -> TokenClaims:
        """`decode`, then refused if revoked (AuthError)."""
        claims = self.decode(encoded, kind)
        await self.check(claims)
        return claims

    async def check(self, claims: TokenClaims, *, strict: bool = False) -> None:
        """AuthError if `claims` were revoked. While the store is unreachable an access or share
        token is let through (logged; it expires soon anyway), unless `strict`."""
        scope = f"share:{claims.subject}" if claims.kind == WATCH else f"user:{claims.subject}"
        keys = [scope] + ([f"family:{claims.family}"] if claims.family else [])
        try:
            values = await self.revoked.read(keys)
        except RevocationUnavailable as error:
            if strict:
                raise ServiceUnavailable("sign-in state cannot be checked right now: try again in a moment") from error
            log.warning("revocations not checked: %s", error)
            return
        cutoff = values[0]
        if cutoff is not None and claims.issued_ms < cutoff:
            raise AuthError("this token was revoked")
        if len(values) > 1 and values[1] is not None:
            raise AuthError("this token was revoked")

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
        log.warning("refresh token reused: family %s of user %s revoked", claims.family, claims.subject)
        raise AuthError("this refresh token was already used; sign in again")

    async def revoke_user(self, user_id: uuid.UUID) -> None:
        """Every token of the user issued until now is refused from now on, on every node."""
        await self._cut_off(f"user:{user_id}")

    async def withdraw_shares(self, session_id: uuid.UUID) -> None:
        """Every share token of the session issued until now is refused."""
        await self._cut_off(f"share:{session_id}")

    async def _cut_off(self, scope: str) -> None:
        try:
            await self.revoked.raise_to(scope, now_ms(), self.refresh_ttl.total_seconds())
        except RevocationUnavailable as error:
            raise ServiceUnavailable("tokens cannot be revoked right now: try again in a moment") from error

    def _encode(self, subject: uuid.UUID, kind: str, ttl: timedelta, family: str | None) -> str:
        extras: dict[str, Any] = {"typ": kind, "iat_ms": now_ms()}
        if family:
            extras["fam"] = family
        token = Token(sub=str(subject), exp=datetime.now(UTC) + ttl, jti=uuid.uuid4().hex, extras=extras)
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
    tokens: TokenService = connection.app.state.tokens
    try:
        await tokens.check(TokenClaims.of(token, ACCESS))  # a refresh token is not an access token: 401
    except AuthError:
        return None
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
    scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not encoded:
        raise AuthError("an access token is required")
    claims = await tokens.verify(encoded.strip(), ACCESS)
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
