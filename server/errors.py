"""The one table that turns domain errors into HTTP statuses (and, for sockets, close codes).

Every package raises its own errors; only here do they become a status, a stable `code` and a
human `detail`. Anything unexpected becomes a 500 with no internals in the body (and is logged).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

import msgspec
from litestar import Request, Response
from litestar.exceptions import HTTPException
from litestar.openapi.datastructures import ResponseSpec

from interview.errors import PlanError
from interview.progress import ProgressError
from persistence.errors import Conflict, IllegalTransition, NotFound
from persistence.preferences import NoSessionYet
from server.voice import VoiceUnavailable
from streaming.errors import UnsupportedAudioError

log = logging.getLogger("server.errors")


class ServerError(Exception):
    """Base of the server's own errors."""


class AuthError(ServerError):
    """Credentials are wrong, or the account behind a token is gone or disabled (401
    `unauthorized`: a failed sign-in never says whether the e-mail or the password was wrong)."""


class TokenMissing(AuthError):
    """No access token was sent (401 `token_missing`)."""


class TokenInvalid(AuthError):
    """The token is malformed, not signed by this server, or of the wrong kind (401 `token_invalid`)."""


class TokenExpired(AuthError):
    """A well-signed token whose lifetime is over (401 `token_expired`): refresh it."""


class TokenRevoked(AuthError):
    """A well-signed, unexpired token that was revoked: log-out, password change, account deletion,
    a reused refresh token (401 `token_revoked`): sign in again."""


class RequestError(ServerError):
    """The request is well-formed JSON but asks for something invalid (400, names the field)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class ServiceUnavailable(ServerError):
    """A dependency (the database, the model) cannot serve right now: try again later."""


class Busy(ServerError):
    """Refused for load, not for what was asked: the same request may succeed after
    `retry_after_s` seconds (sent as the Retry-After header)."""

    def __init__(self, message: str, retry_after_s: int) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class TooManyUploads(Busy):
    """This user already has as many uploads in progress as allowed (429)."""


class ServerBusy(Busy):
    """The server already processes as many uploads as it allows (503)."""


@dataclass(frozen=True)
class ErrorSpec:
    status: int
    code: str
    ws_close: int  # the WebSocket close code for the same error


ERROR_TABLE: dict[type[Exception], ErrorSpec] = {
    NotFound: ErrorSpec(404, "not_found", 1008),
    Conflict: ErrorSpec(409, "conflict", 1008),
    IllegalTransition: ErrorSpec(409, "illegal_transition", 1008),
    NoSessionYet: ErrorSpec(409, "no_session_yet", 1008),
    ProgressError: ErrorSpec(409, "illegal_progress", 1008),
    VoiceUnavailable: ErrorSpec(503, "voice_unavailable", 1013),
    AuthError: ErrorSpec(401, "unauthorized", 1008),
    TokenMissing: ErrorSpec(401, "token_missing", 1008),
    TokenInvalid: ErrorSpec(401, "token_invalid", 1008),
    TokenExpired: ErrorSpec(401, "token_expired", 1008),
    TokenRevoked: ErrorSpec(401, "token_revoked", 1008),
    RequestError: ErrorSpec(400, "bad_request", 1008),
    ServiceUnavailable: ErrorSpec(503, "unavailable", 1013),
    TooManyUploads: ErrorSpec(429, "too_many_uploads", 1013),
    ServerBusy: ErrorSpec(503, "server_busy", 1013),
    PlanError: ErrorSpec(400, "bad_plan", 1008),
    UnsupportedAudioError: ErrorSpec(415, "unsupported_audio", 1003),
}


def spec_for(error: Exception) -> ErrorSpec | None:
    for kind in type(error).__mro__:
        if kind in ERROR_TABLE:
            return ERROR_TABLE[kind]
    return None


def _domain_error(request: Request, error: Exception) -> Response:
    spec = spec_for(error)
    assert spec is not None
    body = {"status_code": spec.status, "code": spec.code, "detail": str(error)}
    if isinstance(error, RequestError) and error.field:
        body["extra"] = [{"key": error.field, "message": str(error)}]
    headers = {"WWW-Authenticate": "Bearer"} if spec.status == 401 else {}
    if isinstance(error, Busy):
        headers["Retry-After"] = str(error.retry_after_s)
    return Response(body, status_code=spec.status, headers=headers or None)


#: The `code` of the errors Litestar raises itself (unknown route, wrong method, parameter
#: validation, body too large, rate limit), so that every error body has one.
HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
    503: "unavailable",
}


def _unexpected_error(request: Request, error: Exception) -> Response:
    if isinstance(error, HTTPException):
        code = HTTP_CODES.get(error.status_code, "server_error" if error.status_code >= 500 else "client_error")
        body = {"status_code": error.status_code, "code": code, "detail": error.detail}
        if error.extra:
            body["extra"] = error.extra
        return Response(body, status_code=error.status_code, headers=error.headers)
    # Litestar calls exception handlers outside its `except` block, where log.exception() would
    # find no exception to print: pass it explicitly.
    log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=error)
    return Response({"status_code": 500, "code": "internal", "detail": "internal server error"}, status_code=500)


class ErrorBody(msgspec.Struct, omit_defaults=True):
    """Every error response's body: the status again, a stable `code` (the ERROR_TABLE's, or
    HTTP_CODES' for the errors Litestar raises itself), a human `detail`, and for validation
    errors the offending fields in `extra`."""

    status_code: int
    detail: str
    code: str | None = None
    extra: list[dict[str, Any]] | dict[str, Any] | None = None


#: Why each documented error status happens (the OpenAPI description of the response).
_WHY = {
    401: (
        "No valid access token; `code` says why: token_missing, token_invalid (malformed, forged, of the wrong"
        " kind), token_expired (refresh it), token_revoked (signed out: sign in again), unauthorized (wrong"
        " credentials, or the account is gone)"
    ),
    404: "No such resource among the caller's own (another user's ids are 404 too)",
    409: "The resource is in a state that does not allow this",
    413: "The request body is larger than allowed",
    415: "The body is not a recording in a supported format",
    429: "Too many requests from this client: try again in a minute (uploads: after Retry-After seconds)",
    503: "Not ready (the database is unreachable or not migrated), or busy: try again after Retry-After seconds",
}


def error_responses(*statuses: int) -> dict[int, ResponseSpec]:
    """OpenAPI `responses` for a handler that can answer the given error statuses, so the
    document lists every status a client must handle (400 is added by Litestar itself)."""
    return {
        status: ResponseSpec(
            data_container=ErrorBody,
            generate_examples=False,
            description=_WHY.get(status, HTTPStatus(status).phrase),
        )
        for status in statuses
    }


EXCEPTION_HANDLERS = {
    **{kind: _domain_error for kind in ERROR_TABLE},
    Exception: _unexpected_error,
}
