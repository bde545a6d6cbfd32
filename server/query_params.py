"""Query strings are checked here, once, before Litestar parses a handler's parameters: a
parameter given more than once is a 400, unless the handler takes a list of it; on the API
(`/api/...`) a parameter the handler does not take is a 400 too.

Litestar keeps one of the values of a repeated scalar parameter and drops the others without a
word, and validates only the one it kept: `?limit=5&limit=500` listed five sessions, and a client
that built its query wrong never knew. Refused in the words of the other validation errors
(`RequestError`, the parameter in `extra[0].key`).
"""

from __future__ import annotations

import typing
from collections import Counter
from collections.abc import Collection
from urllib.parse import parse_qsl

from litestar import Request

from server.errors import RequestError
from server.json_bodies import check_json_body


def repeatable(request: Request, name: str) -> bool:
    """Whether the handler takes `name` as a list (or another collection) of values."""
    parameter = request.route_handler.parsed_fn_signature.parameters.get(name)
    if parameter is None:
        return False
    annotation = parameter.annotation
    for candidate in (annotation, *typing.get_args(annotation)):  # also `list[str] | None`
        origin = typing.get_origin(candidate) or candidate
        if isinstance(origin, type) and issubclass(origin, Collection) and not issubclass(origin, str | bytes):
            return True
    return False


def check_query(request: Request) -> None:
    """RequestError (400) for a query parameter given more than once that the handler takes
    once, and, on the API, for one the handler does not take at all: a misspelt `?atempt=1`
    played the current attempt instead of the earlier one asked for, and `?attempt=2` on an
    upload answered the current attempt, both without a word (the static files and the
    documentation pages keep accepting cache-busting parameters)."""
    query = request.scope.get("query_string", b"").decode("latin-1")
    counts = Counter(name for name, _ in parse_qsl(query, keep_blank_values=True))
    for name, count in counts.items():
        if count > 1 and not repeatable(request, name):
            raise RequestError(f"the query parameter {name!r} is given {count} times: give it once", field=name)
    if request.url.path.startswith("/api/"):
        taken = request.route_handler.parsed_fn_signature.parameters
        unknown = sorted(name for name in counts if name not in taken)
        if unknown:
            raise RequestError(f"unknown query parameter {unknown[0]!r}", field=unknown[0])


async def check_request(request: Request) -> None:
    """The app's `before_request` hook: the query string, then the JSON body (server/json_bodies.py)."""
    check_query(request)
    await check_json_body(request)
