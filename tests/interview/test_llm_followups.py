"""The OpenAI-compatible follow-up adapter against a real HTTP server on 127.0.0.1: good JSON is
used, and garbage, errors and timeouts fall back to the rule-based follow-ups."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from interview import FollowUpContext, RuleBasedFollowUps
from interview.followups import parse_model_follow_ups
from server.llm_followups import OpenAICompatibleFollowUps

CTX = FollowUpContext(
    question_text="Tell me about a time you improved a slow system.",
    category="behavioral",
    transcript="We had a slow report, so I added caching and it was kind of better after that.",
    expected_topics=("baseline measurement", "bottleneck", "measurable result"),
    missing_topics=("baseline measurement",),
    star_parts=frozenset({"situation", "action"}),
)


@dataclass
class FakeModel:
    """What the fake endpoint answers, and what it was asked."""

    status: int = 200
    body: Any = None
    delay_s: float = 0.0
    requests: list[dict[str, Any]] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)

    def reply_with(self, content: str) -> None:
        self.body = {
            "id": "x",
            "object": "chat.completion",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content}}],
        }


@pytest.fixture
def model() -> Iterator[tuple[FakeModel, str]]:
    fake = FakeModel()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            fake.requests.append(
                {
                    "path": self.path,
                    "auth": self.headers.get("Authorization"),
                    "json": json.loads(self.rfile.read(length)),
                }
            )
            if fake.delay_s:
                fake.release.wait(fake.delay_s)
            payload = fake.body if isinstance(fake.body, (bytes, str)) else json.dumps(fake.body)
            data = payload.encode() if isinstance(payload, str) else payload
            try:
                self.send_response(fake.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (the timeout test)

        def log_message(self, format: str, *args: Any) -> None:  # keep test output clean
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield fake, f"http://127.0.0.1:{server.server_address[1]}/v1"
    finally:
        fake.release.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def adapter(url: str, **kwargs: Any) -> OpenAICompatibleFollowUps:
    return OpenAICompatibleFollowUps(url, "tiny-model", timeout_s=kwargs.pop("timeout_s", 2.0), **kwargs)


def test_good_json_is_used(model) -> None:
    fake, url = model
    fake.reply_with(
        json.dumps(
            {
                "follow_ups": [
                    {
                        "question": "How did you measure the report's speed before and after?",
                        "reason": "missing_result",
                    },
                    {"question": "Why caching rather than fixing the query?", "reason": "probe"},
                ]
            }
        )
    )
    suggestions = adapter(url, api_key="sk-test").suggest(CTX)
    assert [(s.text, s.reason, s.priority, s.source) for s in suggestions] == [
        ("How did you measure the report's speed before and after?", "missing_result", 1, "llm"),
        ("Why caching rather than fixing the query?", "probe", 2, "llm"),
    ]
    (request,) = fake.requests
    assert request["path"] == "/v1/chat/completions"
    assert request["auth"] == "Bearer sk-test"
    assert request["json"]["model"] == "tiny-model"
    prompt = request["json"]["messages"][-1]["content"]
    assert CTX.transcript in prompt and "baseline measurement" in prompt


def test_fenced_json_with_prose_and_extra_items_is_tolerated(model) -> None:
    fake, url = model
    fake.reply_with(
        'Sure! Here you go:\n```json\n[{"text": "What changed for the users?", "reason": "impact"},'
        ' "Which numbers did you track?", "A third question we do not want?"]\n```'
    )
    suggestions = adapter(url).suggest(CTX)
    assert [(s.text, s.reason) for s in suggestions] == [
        ("What changed for the users?", "probe"),
        ("Which numbers did you track?", "probe"),
    ]
    assert fake.requests[0]["auth"] is None


def test_an_explicit_empty_list_means_no_follow_up(model) -> None:
    fake, url = model
    fake.reply_with('{"follow_ups": []}')
    assert adapter(url).suggest(CTX) == []


@pytest.mark.parametrize(
    "content",
    [
        "I think you should ask about the results.",
        '{"follow_ups": "ask more"}',
        '{"follow_ups": [{"question": 3}]}',
        '{"follow_ups": [{"question": "?"}]}',
    ],
)
def test_unparsable_content_falls_back_to_the_rules(model, content: str) -> None:
    fake, url = model
    fake.reply_with(content)
    suggestions = adapter(url).suggest(CTX)
    assert suggestions == RuleBasedFollowUps().suggest(CTX)
    assert suggestions and all(s.source == "rules" for s in suggestions)


@pytest.mark.parametrize("body", [b"<html>gateway</html>", {"choices": []}, {"error": "nope"}])
def test_a_malformed_response_falls_back(model, body) -> None:
    fake, url = model
    fake.body = body
    assert adapter(url).suggest(CTX) == RuleBasedFollowUps().suggest(CTX)


def test_an_http_error_falls_back(model) -> None:
    fake, url = model
    fake.status, fake.body = 500, {"error": {"message": "overloaded"}}
    assert adapter(url).suggest(CTX) == RuleBasedFollowUps().suggest(CTX)


def test_a_timeout_falls_back(model) -> None:
    fake, url = model
    fake.delay_s = 3.0
    fake.reply_with('{"follow_ups": [{"question": "Too late to matter?"}]}')
    suggestions = adapter(url, timeout_s=0.2).suggest(CTX)
    assert suggestions == RuleBasedFollowUps().suggest(CTX)


def test_an_unreachable_server_falls_back() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    # Nothing listens on the port any more: connection refused.
    assert adapter(f"http://127.0.0.1:{port}").suggest(CTX) == RuleBasedFollowUps().suggest(CTX)


def test_a_custom_fallback_is_used(model) -> None:
    fake, url = model
    fake.status, fake.body = 503, {}

    class Quiet:
        def suggest(self, ctx: FollowUpContext) -> list:
            return []

    assert adapter(url, fallback=Quiet()).suggest(CTX) == []


@pytest.mark.parametrize(
    ("content", "texts"),
    [
        ('{"followups": [{"question": "What was the result?"}]}', ["What was the result?"]),
        ('{"questions": ["What was the result?"]}', ["What was the result?"]),
        ('```\n{"follow_ups": []}\n```', []),
        ("not json at all", None),
        (None, None),
        ('["ok?"]', None),
    ],
)
def test_parse_model_follow_ups(content, texts) -> None:
    parsed = parse_model_follow_ups(content)
    assert (None if parsed is None else [f.text for f in parsed]) == texts


def test_questions_that_break_the_follow_up_rules_are_dropped(model) -> None:
    """One question per item ending with "?", never about a covered talking point, no invented
    "you mentioned": the rest is kept, and when nothing is left the rules answer instead."""
    fake, url = model
    fake.reply_with(
        json.dumps(
            {
                "follow_ups": [
                    {"question": "How did you find the bottleneck?", "reason": "probe"},  # covered
                    {
                        "question": "You mentioned retries: how did you avoid retry storms?",
                        "reason": "probe",
                    },  # never said
                    {"question": "What was the report used for. Who read it?", "reason": "probe"},  # not one question
                    {"question": "How much faster was the report after caching?", "reason": "missing_result"},
                ]
            }
        )
    )
    suggestions = adapter(url, max_follow_ups=4).suggest(CTX)
    assert [(s.text, s.priority) for s in suggestions] == [("How much faster was the report after caching?", 1)]
    fake.reply_with(json.dumps({"follow_ups": [{"question": "Tell me more about the bottleneck", "reason": "probe"}]}))
    assert adapter(url).suggest(CTX) == RuleBasedFollowUps().suggest(CTX)


def test_a_models_request_for_what_a_follow_up_just_got_is_dropped(model) -> None:
    """QA walk J8 for the model: an answer to "Can you give me one concrete example that shows
    that?" is not asked for an example again. The request says what the follow-up asked for, and
    a reply asking for it anyway is dropped like any other broken rule."""
    fake, url = model
    context = FollowUpContext(
        question_text="Can you give me one concrete example that shows that?",
        category="general",
        transcript=(
            "On your website I saw that small shops use your checkout. The first thing I would fix is the failed "
            "payment retry flow, and I would measure the recovered payments."
        ),
        asked_count=1,
        is_follow_up=True,
    )
    fake.reply_with(
        json.dumps(
            {
                "follow_ups": [
                    {"question": "Can you give me another concrete example of that?", "reason": "vague"},
                    {"question": "Why would you start with the retry flow?", "reason": "probe"},
                ]
            }
        )
    )
    suggestions = adapter(url).suggest(context)
    assert [s.text for s in suggestions] == ["Why would you start with the retry flow?"]
    prompt = fake.requests[0]["json"]["messages"][-1]["content"]
    assert "asking for: example" in prompt and "never ask for that again" in prompt
