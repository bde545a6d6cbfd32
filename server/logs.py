"""Logging set-up: human lines or JSON lines, each record carrying the node and, inside a live
interview, its session id.

The session id travels in a context variable: the interview socket binds it once, and every task
it starts (asyncio copies the context into new tasks) logs with it, down to the decode pump.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import logging
import re
import sys
import time
from collections.abc import Iterator

session_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("session_id", default=None)
_node = "-"


@contextlib.contextmanager
def bind_session(session_id: object) -> Iterator[None]:
    """Log records made inside (and in tasks started inside) carry `session_id`."""
    token = session_id_var.set(str(session_id))
    try:
        yield
    finally:
        session_id_var.reset(token)


#: Tokens travel in WebSocket query strings (browsers cannot set headers there), and uvicorn
#: logs the path of every WebSocket it accepts: never let one reach a log.
_TOKEN = re.compile(r"(token=)[^&\s\"']+")


class _ContextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.node = _node
        record.session_id = session_id_var.get() or "-"
        message = record.getMessage()
        if "token=" in message:
            record.msg, record.args = _TOKEN.sub(r"\1[redacted]", message), None
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ts (UTC, ISO 8601), level, logger, message, node, session_id,
    and `exc` with the traceback when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            "node": getattr(record, "node", _node),
        }
        session = getattr(record, "session_id", "-")
        if session != "-":
            entry["session_id"] = session
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(node)s %(session_id)s] %(message)s"


def configure_logging(level: str, fmt: str, node: str) -> None:
    """Root handler on stderr in `fmt` ("text" or "json"); uvicorn's loggers propagate to it."""
    global _node
    _node = node
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(_ContextFilter())
    handler.setFormatter(JsonFormatter() if fmt == "json" else logging.Formatter(TEXT_FORMAT))
    root = logging.getLogger()
    for existing in list(root.handlers):
        root.removeHandler(existing)
    root.addHandler(handler)
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    # faster-whisper logs every decode at INFO ("Processing audio with duration ..."): several a
    # second per live stream. Our own metrics (/metrics) carry what matters.
    logging.getLogger("faster_whisper").setLevel(max(logging.WARNING, root.level))


class _ClientProtocolErrorFilter(logging.Filter):
    """uvicorn logs a text frame that is not UTF-8 as an ERROR with a traceback (its
    websockets-sansio protocol, then closes with 1007): that is a client's mistake, not the
    server's, and a hostile client could fill the log with tracebacks at will. It becomes one
    warning line without a traceback."""

    MESSAGE = "Invalid UTF-8 sequence received from client."

    def filter(self, record: logging.LogRecord) -> bool:
        if record.msg == self.MESSAGE:
            record.levelno, record.levelname = logging.WARNING, "WARNING"
            record.msg, record.args = "a client sent a text frame that is not UTF-8: closed with 1007", None
            record.exc_info, record.exc_text = None, None
        return True


def quiet_client_protocol_errors() -> None:
    """Install the filter above on uvicorn's error logger, once (create_app calls it)."""
    logger = logging.getLogger("uvicorn.error")
    if not any(isinstance(existing, _ClientProtocolErrorFilter) for existing in logger.filters):
        logger.addFilter(_ClientProtocolErrorFilter())
