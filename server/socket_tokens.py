"""Open sockets follow the token they were opened with: when it is revoked later (log-out, a
password change, account deletion, a reused refresh token's sign-in, a withdrawn share link),
the socket is closed, on whichever node serves it, within a bounded time.

A token is checked once, when a socket opens (server/live/endpoints.py), and a live interview may
last longer than a sign-in: without this, a signed-out user's socket kept streaming and watching.
Each node learns of a revocation two ways:

- **pushed**: every revocation is published as a `Revoked` message on the node control channel
  (server/live/control.py: Redis pub/sub with several nodes, in-process otherwise); each node's
  control listener hands it to `SocketTokens.apply`, which sets at once the event of each of its
  sockets whose token the revocation covers;
- **polled**: every `AuthOptions.socket_token_recheck_s` (30 s by default) each node checks its
  sockets' tokens against the revocation store itself, so a message lost while Redis was
  unreachable (publishing drops then) still closes the socket, once the store answers again.

The socket handler decides how to close (the interview socket stores and sends its last finals
first); this module only says when.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
from collections.abc import Iterator

import msgspec

from server.auth import TokenClaims, TokenService, revocation_keys, revokes
from server.errors import TokenRevoked

log = logging.getLogger("server.socket_tokens")

#: How many of the latest revocations a node remembers for sockets still in their handshake.
RECENT = 256


class Revoked(msgspec.Struct, frozen=True, tag="revoked"):
    """One change of the revocation store: `key` (`user:<id>`, `family:<fam>`, `share:<session>`)
    now holds at least `value` (a cut-off in ms, or 1 for a family)."""

    key: str
    value: int


class SocketToken(asyncio.Event):
    """Set when the token a socket was opened with is revoked."""

    def __init__(self, claims: TokenClaims) -> None:
        super().__init__()
        self.claims = claims


def _covers(message: Revoked, claims: TokenClaims) -> bool:
    return message.key in revocation_keys(claims) and revokes(message.key, message.value, claims)


class SocketTokens:
    """The tokens of this node's open sockets, each with the event its socket waits on."""

    def __init__(self, tokens: TokenService, recheck_s: float) -> None:
        self._tokens = tokens
        self._recheck_s = recheck_s
        self._open: set[SocketToken] = set()
        #: The latest revocations heard: a socket registered just after one (its token was
        #: checked before, its handshake went on meanwhile) is revoked at once.
        self._recent: collections.deque[Revoked] = collections.deque(maxlen=RECENT)
        self._poller: asyncio.Task[None] | None = None

    @contextlib.contextmanager
    def watching(self, claims: TokenClaims) -> Iterator[SocketToken]:
        """Follow `claims` while the block runs; yields the event set when they are revoked."""
        token = SocketToken(claims)
        if any(_covers(message, claims) for message in self._recent):
            token.set()
        self._open.add(token)
        try:
            yield token
        finally:
            self._open.discard(token)

    def apply(self, message: Revoked) -> int:
        """Set the events of the sockets whose token `message` revokes; how many."""
        self._recent.append(message)
        hit = [token for token in self._open if not token.is_set() and _covers(message, token.claims)]
        for token in hit:
            token.set()
        if hit:
            log.info("%d open socket(s) of %s revoked", len(hit), message.key)
        return len(hit)

    async def recheck(self) -> int:
        """Check every open socket's token against the store (unreachable: let through, as at
        connect); set the events of the revoked ones. How many were revoked."""
        revoked = 0
        for token in list(self._open):
            if token.is_set():
                continue
            try:
                await self._tokens.check(token.claims)
            except TokenRevoked:
                token.set()
                revoked += 1
        if revoked:
            log.info("%d open socket(s) found revoked by the periodic check", revoked)
        return revoked

    def start(self) -> None:
        """Start the periodic re-check (the pushed messages come through the control listener)."""
        self._poller = asyncio.create_task(self._poll(), name="socket-tokens-recheck")

    async def stop(self) -> None:
        if self._poller is not None:
            self._poller.cancel()
            await asyncio.gather(self._poller, return_exceptions=True)
            self._poller = None

    async def _poll(self) -> None:
        while True:
            await asyncio.sleep(self._recheck_s)
            try:
                await self.recheck()
            except Exception:  # never let the loop die: the next round tries again
                log.exception("checking the open sockets' tokens failed")
