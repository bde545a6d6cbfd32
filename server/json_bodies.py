"""Every JSON request body is checked here, once, before Litestar decodes it into the handler's
`data`: malformed bodies are a 400 with a clear message, never a 500.

Litestar alone answered 500 (with a traceback in the log) for invalid UTF-8 (`UnicodeDecodeError`)
and for 100,000 nested `[` (`RecursionError`, msgspec recurses), parsed a `text/plain` body as
JSON, and converted leniently (`"5"` and `5.0` became the integer 5). The hook runs for every route
whose handler takes a `data` body, found from the handler's signature, so a new JSON route is
covered without being listed anywhere.

Order of the checks (the first that fails answers): the media type is JSON (`application/json`
or `application/<anything>+json`) -> the body is not empty -> the bytes are valid UTF-8 JSON ->
nested at most `MAX_DEPTH` deep -> no object repeats a key (msgspec keeps the last value and
drops the others without a word: `{"title": "a", "title": "b"}` lost "a") -> they match the
body's type strictly (JSON types, no coercion), the error naming the field as Litestar's own
validation does (`extra[0].key`) and saying in words what a pattern asks for
(`server.schemas.PATTERN_MEANINGS`), not the regular expression.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

import msgspec
from litestar import Request

from server.errors import RequestError
from server.schemas import PATTERN_MEANINGS

#: Deepest nesting of arrays and objects accepted. Our bodies are at most three deep (a session's
#: custom questions' topics); the decoder itself gives up near Python's recursion limit.
MAX_DEPTH = 32

_JSON_MEDIA_TYPE = re.compile(r"^application/(?:[\w.+-]+\+)?json$")
_AT_PATH = re.compile(r"^(?P<message>.*?)(?: - at `\$\.?(?P<path>[^`]*)`)?$", re.DOTALL)


def json_body_type(request: Request) -> Any | None:
    """The type of the handler's JSON `data` parameter, or None when it takes no JSON body."""
    parameter = request.route_handler.parsed_fn_signature.parameters.get("data")
    return None if parameter is None else parameter.annotation


async def check_json_body(request: Request) -> None:
    """A `before_request` hook: raises RequestError (400) for a body the handler must not see;
    returns None (the handler runs) otherwise."""
    body_type = json_body_type(request)
    if body_type is None:
        return None
    media_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if not _JSON_MEDIA_TYPE.match(media_type):
        shown = media_type or "none"
        raise RequestError(f"the body must be JSON sent with Content-Type: application/json (got {shown})")
    body = await request.body()
    if not body.strip():
        raise RequestError("the body is empty: send a JSON object")
    try:
        tree = msgspec.json.decode(body)
    except UnicodeDecodeError:
        raise RequestError("the body is not valid UTF-8") from None
    except RecursionError:
        raise RequestError(f"the body is nested more than {MAX_DEPTH} levels deep") from None
    except msgspec.DecodeError as error:
        raise RequestError(f"the body is not valid JSON: {malformed_reason(body, error)}") from None
    if nesting_depth(tree) > MAX_DEPTH:
        raise RequestError(f"the body is nested more than {MAX_DEPTH} levels deep")
    repeated = repeated_key(body)
    if repeated is not None:
        raise RequestError(f"the body repeats the key {repeated!r} in one object: send each key once")
    try:
        msgspec.json.decode(body, type=body_type, strict=True)
    except msgspec.ValidationError as error:
        message, field = split_validation_error(str(error))
        raise RequestError(in_words(message), field=field or "data") from None
    return None


def malformed_reason(body: bytes, error: msgspec.DecodeError) -> str:
    """msgspec's reason, in words where it misleads: it says "Input data was truncated" of a
    lone UTF-16 surrogate escape (`"\\ud800"`) too, where nothing is missing."""
    reason = str(error)
    if "truncated" not in reason:
        return reason
    try:
        json.loads(body)  # the stdlib takes lone surrogates: then that is what msgspec refused
    except (ValueError, RecursionError):
        return "it ends before the value is complete"
    return "a \\u escape is half of a UTF-16 surrogate pair (\\ud800-\\udfff without its other half)"


def repeated_key(body: bytes) -> str | None:
    """The first key that an object of `body` holds twice, or None. `body` is valid JSON at most
    MAX_DEPTH deep, so the recursive stdlib parser is safe; its C scanner keeps a 1 MB body
    within a few times msgspec's cost (the check runs on the event loop)."""
    repeated: list[str] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        unique = dict(items)
        if len(unique) < len(items) and not repeated:
            repeated.append(_first_repeated(key for key, _ in items))
        return unique

    json.loads(body, object_pairs_hook=pairs)
    return repeated[0] if repeated else None


def _first_repeated(keys: Iterable[str]) -> str:
    seen: set[str] = set()
    for key in keys:
        if key in seen:
            return key
        seen.add(key)
    raise ValueError("no key is repeated")


def in_words(message: str) -> str:
    """A validation message with any known pattern said in words (`PATTERN_MEANINGS`)."""
    for pattern, meaning in PATTERN_MEANINGS.items():
        message = message.replace(f"`str` matching regex {pattern!r}", meaning)
    return message


def nesting_depth(tree: Any) -> int:
    """Depth of nested lists and dicts (a scalar is 0), without recursion."""
    deepest = 0
    pending: list[tuple[Any, int]] = [(tree, 0)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, dict):
            value = value.values()
        elif not isinstance(value, list):
            continue
        depth += 1
        deepest = max(deepest, depth)
        if depth > MAX_DEPTH:
            return depth  # enough to refuse: no need to walk the rest
        pending.extend((item, depth) for item in value)
    return deepest


def split_validation_error(text: str) -> tuple[str, str | None]:
    """msgspec's "Expected `int`, got `str` - at `$.num_questions`" as ("Expected `int`, got
    `str`", "num_questions"); the field is None for an error about the body as a whole."""
    match = _AT_PATH.match(text)
    assert match is not None  # the pattern matches any text
    return match["message"], match["path"] or None
