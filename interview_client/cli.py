"""`interview-client`: sign in, create (or resume) a session and answer its questions with audio.

    interview-client --email me@example.com [--register] answer1.wav answer2.flac
    arecord -f S16_LE -r 16000 -c 1 | interview-client --email me@example.com -

Each AUDIO answers one planned question, in order: a WAV, FLAC, MP3, Ogg or WebM file, or `-` for
raw 16 kHz mono s16le PCM on stdin; follow-up questions the interviewer asks are skipped.
Partials and finals are printed as they arrive, the score after each answer, the report at the
end. With --json every server event is one JSON line on stdout, followed by a
`{"type": "summary", ...}` line. Exit status: 0 done, 1 refused or failed, 2 usage.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import os
import sys
from typing import Any

import httpx

from interview_client.audio import frames
from interview_client.session import (
    Account,
    ClientError,
    Conversation,
    Credentials,
    Event,
    NewSession,
    connect,
    open_session,
    sign_in,
)
from streaming.errors import UnsupportedAudioError


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="interview-client",
        description=__doc__.splitlines()[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="\n".join(__doc__.splitlines()[2:]),
    )
    parser.add_argument(
        "audio", nargs="+", metavar="AUDIO", help="one answer per question: a file, or - for PCM on stdin"
    )
    parser.add_argument(
        "--server",
        default=os.environ.get("INTERVIEW_SERVER", "http://127.0.0.1:8000"),
        help="base URL (default: INTERVIEW_SERVER or http://127.0.0.1:8000)",
    )
    parser.add_argument(
        "--email", default=os.environ.get("INTERVIEW_EMAIL"), help="account e-mail (default: INTERVIEW_EMAIL)"
    )
    parser.add_argument(
        "--password-env",
        default="INTERVIEW_PASSWORD",
        metavar="VAR",
        help="environment variable holding the password (default: INTERVIEW_PASSWORD; asked for when unset)",
    )
    parser.add_argument(
        "--register", action="store_true", help="create the account first (an existing one is logged in)"
    )
    parser.add_argument("--session", metavar="ID", help="resume this session instead of creating one")
    parser.add_argument("--title", default="Practice interview", help="title of a new session")
    parser.add_argument(
        "--questions", type=int, default=None, help="questions in a new session (default: one per AUDIO)"
    )
    parser.add_argument("--role", help="target role of a new session")
    parser.add_argument("--difficulty", choices=["easy", "medium", "hard"], help="difficulty of a new session")
    parser.add_argument(
        "--speed",
        type=float,
        default=1.0,
        help="send audio at this multiple of real time; 0 = as fast as possible (default 1)",
    )
    parser.add_argument("--json", action="store_true", help="machine output: one JSON object per line")
    args = parser.parse_args(argv)
    if not args.email:
        parser.error("--email (or INTERVIEW_EMAIL) is required")
    if args.speed < 0:
        parser.error("--speed must be 0 or more")
    if args.audio.count("-") > 1:
        parser.error("stdin (-) can answer only one question")
    missing = [path for path in args.audio if path != "-" and not os.path.isfile(path)]
    if missing:  # before signing in and creating a session for nothing
        parser.error(f"no such audio file: {', '.join(missing)}")
    return args


class Printer:
    """Human lines (a partial is redrawn in place on a terminal) or JSON lines."""

    def __init__(self, as_json: bool, out=sys.stdout) -> None:
        self.as_json = as_json
        self.out = out
        self.tty = out.isatty()
        self._partial_shown = False

    def event(self, event: Event) -> None:
        if self.as_json:
            self._line(json.dumps(event))
            return
        kind = event["type"]
        if kind == "partial":
            text = f"  … {event['committed']}{event['tail']}"
            if self.tty:
                self.out.write("\r\033[K" + text)
                self.out.flush()
                self._partial_shown = True
            else:
                self._line(text)
        elif kind == "final":
            self._line(f"  [{event['start']:6.2f}-{event['end']:6.2f}] {event['text']}")
        elif kind == "question":
            follow_up = " (follow-up)" if event.get("follow_up") else ""
            self._line(f"\nQuestion {event['number']}/{event['of']}{follow_up}: {event['text']}")
        elif kind == "resumed":
            self._line(f"  (resumed, {event['audio_duration']:.1f} s already stored) {event['transcript']}")
        elif kind == "answer_complete":
            self._line(f"  answer: {event['word_count']} words, {event['audio_duration']:.1f} s")
        elif kind == "error":
            self._line(f"  server: {event['code']}: {event['message']}")
        elif kind == "event" and event["name"] == "score":
            data = event["data"]
            self._line(f"  score {data.get('overall')}: {data.get('evaluation_summary', '')}")
        elif kind == "event" and event["name"] == "follow_up":
            self._line(f"  follow-up: {event['data'].get('reason', '')}")
        elif kind == "event" and event["name"] == "feedback":
            data = event["data"]
            overall = f"Overall score {data.get('overall_score')} ({data.get('readiness_level')})"
            self._line(f"\n{overall}: {data.get('summary', '')}")

    def summary(self, summary: dict[str, Any]) -> None:
        if self.as_json:
            self._line(json.dumps({"type": "summary", **summary}))
        else:
            self._line(
                f"\nSession {summary['session_id']}: {summary['questions_answered']} answered, "
                f"overall score {summary['overall_score']}"
            )

    def _line(self, text: str) -> None:
        if self._partial_shown:
            self.out.write("\r\033[K")
            self._partial_shown = False
        self.out.write(text + "\n")
        self.out.flush()


def _ask_password(args: argparse.Namespace) -> str:
    """From the terminal only: stdin may be the audio, and a prompt on a pipe would eat it."""
    try:
        with open("/dev/tty"):
            pass
    except OSError:
        raise ClientError(f"no password: set {args.password_env} (there is no terminal to ask on)") from None
    return getpass.getpass(f"password for {args.email}: ")


async def run(args: argparse.Namespace, printer: Printer) -> dict[str, Any]:
    password = os.environ.get(args.password_env) or _ask_password(args)
    # One HTTP client for the whole run: reconnects refresh the access token through it.
    async with httpx.AsyncClient(base_url=args.server, timeout=30) as http:
        credentials = Credentials(http, await sign_in(http, Account(args.email, password), register=args.register))
        new = NewSession(args.title, args.questions or len(args.audio), args.role, args.difficulty)
        session = await open_session(http, await credentials.access_token(), args.session, new)
        conversation = await connect(args.server, session["id"], credentials, printer.event)
        try:
            return await _interview(args, conversation, session, credentials)
        finally:
            await conversation.close()


async def _interview(
    args: argparse.Namespace, conversation: Conversation, session: dict[str, Any], credentials: Credentials
) -> dict[str, Any]:
    upcoming = await conversation.pass_follow_ups(await conversation.begin())
    for source in args.audio:
        if upcoming["type"] == "session_complete":
            break  # more audio than questions
        upcoming = await conversation.answer(upcoming, frames(source), args.speed)
        upcoming = await conversation.pass_follow_ups(upcoming)
    if upcoming["type"] != "session_complete":
        mark = len(conversation.events)
        await conversation.send(type="end")  # fewer answers than questions: end here
        upcoming = await conversation.until("session_complete", after=mark)
    report = await conversation.until("event", "error", after=conversation.events.index(upcoming) + 1, timeout=120)
    complete = upcoming
    scores = [e["data"].get("overall") for e in conversation.of_type("event") if e["name"] == "score"]
    feedback = report["data"] if report["type"] == "event" and report.get("name") == "feedback" else {}
    return {
        "session_id": session["id"],
        "questions_answered": complete["questions_answered"],
        "answer_scores": scores,
        "overall_score": feedback.get("overall_score"),
        "finals": [e["text"] for e in conversation.of_type("final")],
        "reconnects": conversation.reconnects,
        "token_refreshes": credentials.refreshes,
    }


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    printer = Printer(args.json)
    try:
        summary = asyncio.run(run(args, printer))
    except (ClientError, UnsupportedAudioError, OSError, httpx.HTTPError, TimeoutError) as error:
        print(f"interview-client: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    printer.summary(summary)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
