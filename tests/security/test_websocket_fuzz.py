"""WebSocket fuzzing against the real command-line server in a child process (real tiny.en model,
SQLite): random and malformed frames, messages out of order, floods, a client that never
reads, and answers made of long silences, noise, hum and speech at changing paces (real time,
4x, full speed) with pings behind the audio: a reader that stops reading is found by a ping
that never comes back (issue 11, finding 1). The server stays up, answers only with events, error
codes and close codes that docs/protocol.md documents, keeps its memory bounded, and a candidate
streaming real speech at the same time still gets their transcript."""

from __future__ import annotations

import json
import re
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import psutil
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from tests.security.servers import spawn_server
from tests.support.speech import synthesize, to_pcm16
from tests.support.text import normalise_words

pytestmark = [pytest.mark.model, pytest.mark.slow]

PROTOCOL = (Path(__file__).resolve().parents[2] / "docs" / "protocol.md").read_text()


def _first_column_names(section: str) -> set[str]:
    """Backticked names in the first column of the tables of one `## section` of the document."""
    body = PROTOCOL.split(f"## {section}", 1)[1].split("\n## ", 1)[0]
    return {name for cell in re.findall(r"^\| ([^|]+) \|", body, re.M) for name in re.findall(r"`([a-z_]+)`", cell)}


#: Event types: the "Server → client" table.
DOCUMENTED_EVENTS = _first_column_names("Server → client")
#: Error codes: the "Error codes" table and the handshake table ("| 1008 | `unauthorized` |").
DOCUMENTED_ERRORS = _first_column_names("Error codes") | set(re.findall(r"\| \d{4} \| `([a-z_]+)` \|", PROTOCOL))
#: Close codes the document gives (table cells and bold), and 1000 (a normal close).
DOCUMENTED_CLOSE_CODES = {int(code) for code in re.findall(r"(?:\*\*|\| )(\d{4})(?:\*\*| \|)", PROTOCOL)} | {1000}
MAX_FRAME = 64_000
#: Resident memory the server may grow by over the whole module (model loaded before the baseline).
MEMORY_HEADROOM = 150 * 2**20
#: The paced answers' server: which encoder windows (5-30 s) each of the two decode workers
#: meets depends on the machine's load, and the model's working set grows with each new one
#: after the warm-up: +285 MB was seen in a CI run at load ~5 (it passed with 150 MB on a quiet
#: machine). Not understood yet (allocator caching per shape is the suspect); the bound still
#: catches a buffer kept per pause or per frame over the whole run.
PACED_MEMORY_HEADROOM = 400 * 2**20
CANDIDATE = (
    "I have five years of experience building backend services in Python.",
    0.7,
    "Last year I moved our payment system to Kubernetes.",
)


@dataclass
class Hostile:
    base: str
    process: psutil.Process
    headers: dict[str, str]
    token: str
    baseline_rss: int = 0
    peak_rss: int = 0

    def session(
        self,
        *,
        text: str = "Tell me about a project you are proud of.",
        topics: tuple[str, ...] = (),
        time_limit: int = 30,
    ) -> str:
        created = httpx.post(
            f"{self.base}/api/sessions",
            json={
                "title": "fuzz",
                "num_questions": 1,
                "custom_questions": [{"text": text, "time_limit": time_limit, "expected_topics": list(topics)}],
            },
            headers=self.headers,
            timeout=30,
        )
        assert created.status_code == 201, created.text
        return created.json()["id"]

    def url(self, session_id: str) -> str:
        return self.base.replace("http://", "ws://") + f"/ws/sessions/{session_id}?token={self.token}"

    def sample_memory(self) -> None:
        self.peak_rss = max(self.peak_rss, self.process.memory_info().rss)

    def alive(self) -> None:
        assert self.process.is_running() and self.process.status() != psutil.STATUS_ZOMBIE
        assert httpx.get(f"{self.base}/health", timeout=30).status_code == 200
        self.sample_memory()


@dataclass
class Conversation:
    """What one socket received: events in order, and how it closed (None: still open)."""

    events: list[dict[str, Any]] = field(default_factory=list)
    close_code: int | None = None

    def check_documented(self) -> None:
        for event in self.events:
            assert event["type"] in DOCUMENTED_EVENTS, event
            if event["type"] == "error":
                assert event["code"] in DOCUMENTED_ERRORS, f"undocumented error code {event['code']!r}"
        if self.close_code is not None:
            assert self.close_code in DOCUMENTED_CLOSE_CODES, f"undocumented close code {self.close_code}"


def _signed_up(base: str, process) -> Hostile:
    """The server at `base` (run by `process`) with a new candidate signed up on it."""
    email = f"{uuid.uuid4().hex[:10]}@example.com"
    tokens = httpx.post(
        f"{base}/api/auth/register",
        json={"email": email, "password": "long password", "full_name": "F"},
        timeout=30,
    ).json()
    return Hostile(base, process, {"Authorization": f"Bearer {tokens['access_token']}"}, tokens["access_token"])


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> Iterator[Hostile]:
    with spawn_server(tmp_path_factory.mktemp("hostile")) as (base, process):
        server = _signed_up(base, process)
        # Warm up every path a candidate uses (decode, store, score) before taking the baseline.
        transcript = _candidate_answer(server)
        assert "python" in normalise_words(transcript)
        server.baseline_rss = server.peak_rss = process.memory_info().rss
        yield server
        server.alive()
        assert server.peak_rss - server.baseline_rss < MEMORY_HEADROOM, (
            server.baseline_rss >> 20,
            server.peak_rss >> 20,
        )


def _receive_until(socket: ClientConnection, conversation: Conversation, done, *, timeout: float = 120) -> None:
    """Read events until `done(event)` or the server closes the socket (TimeoutError after
    `timeout` seconds without an event: the server stalled)."""
    try:
        while True:
            event = json.loads(socket.recv(timeout=timeout))
            conversation.events.append(event)
            if done(event):
                return
    except ConnectionClosed as closed:
        conversation.close_code = closed.rcvd.code if closed.rcvd else None


def _candidate_answer(server: Hostile) -> str:
    """A well-behaved candidate: start, stream speech faster than real time, answer_done; returns
    the transcript of answer_complete."""
    session_id = server.session(text="Tell me about your backend experience.", topics=("Python", "Kubernetes"))
    speech = np.concatenate([np.zeros(8000, np.float32), synthesize(CANDIDATE), np.zeros(16000, np.float32)])
    pcm = to_pcm16(speech)
    conversation = Conversation()
    with connect(server.url(session_id), max_size=1 << 22) as socket:
        socket.send(json.dumps({"type": "start"}))
        _receive_until(socket, conversation, lambda event: event["type"] == "question")
        for start in range(0, len(pcm), 3200):
            socket.send(pcm[start : start + 3200])
        socket.send(json.dumps({"type": "answer_done"}))
        _receive_until(socket, conversation, lambda event: event["type"] == "answer_complete")
    conversation.check_documented()
    complete = conversation.events[-1]
    assert complete["type"] == "answer_complete", conversation.events[-3:]
    return complete["transcript"]


# --- random frames --------------------------------------------------------------------------

_controls = st.sampled_from(["start", "answer_done", "skip", "repeat", "end"]).map(
    lambda kind: json.dumps({"type": kind})
)
_pings = st.one_of(st.integers(), st.text(max_size=20), st.none()).map(
    lambda ident: json.dumps({"type": "ping", "id": ident})
)
_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=10,
)
_odd_json = st.one_of(
    _json_values.map(json.dumps),  # any JSON at all: arrays, numbers, objects without a type
    st.dictionaries(st.text(max_size=10), _json_values, max_size=3).map(lambda d: json.dumps({"type": "start", **d})),
    st.text(max_size=12).map(lambda kind: json.dumps({"type": kind})),  # unknown types
    st.text(max_size=60).map(lambda token: json.dumps({"type": "auth", "token": token})),  # auth after auth
)
_text_frames = st.one_of(_controls, _pings, _odd_json, st.text(max_size=80), st.just("x" * 5000))
_binary_frames = st.one_of(
    st.binary(max_size=64),
    st.builds(
        lambda size, byte: bytes([byte]) * size, st.integers(1, 40_000), st.integers(0, 255)
    ),  # odd and even sizes
    st.builds(lambda size: b"\x00" * size, st.integers(MAX_FRAME - 2, MAX_FRAME + 2)),  # either side of the limit
)
_conversations = st.lists(st.one_of(_text_frames, _binary_frames), min_size=1, max_size=14)


@settings(max_examples=30, derandomize=True, database=None, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(frames=_conversations)
def test_random_frames_get_documented_answers_and_the_server_stays_up(
    hostile: Hostile, frames: list[str | bytes]
) -> None:
    conversation = Conversation()
    with connect(hostile.url(hostile.session()), max_size=1 << 22) as socket:
        _receive_until(socket, conversation, lambda event: event["type"] == "ready")
        try:
            for frame in frames:
                socket.send(frame)
            # Frames are handled in order, so the pong to this ping comes after every answer to
            # what was sent before it (unless the server closed the socket on the way).
            socket.send(json.dumps({"type": "ping", "id": "barrier"}))
        except ConnectionClosed:
            pass
        _receive_until(socket, conversation, lambda event: event["type"] == "pong" and event["id"] == "barrier")
    conversation.check_documented()
    too_big = any(isinstance(frame, bytes) and len(frame) > MAX_FRAME for frame in frames)
    if conversation.close_code is None:
        assert not too_big and conversation.events[-1]["id"] == "barrier", conversation.events[-3:]
    elif conversation.close_code == 1009:
        assert too_big
    else:  # the only other way to be closed: a fatal error, said before the close
        assert conversation.close_code == 1008, conversation.close_code
        assert any(event["type"] == "error" and event["fatal"] for event in conversation.events)
    hostile.alive()


# --- floods and a reader that never reads, beside a real candidate --------------------------


def _slow_reader(server: Hostile, outcome: dict[str, Any]) -> None:
    """Starts an interview, then floods pings and never reads a single event: the server must
    give up on it (its outbound queue is bounded) instead of buffering without end."""
    session_id = server.session()
    # No keep-alive pings: only the server may end this connection.
    with connect(server.url(session_id), max_queue=1, ping_interval=None) as socket:
        socket.send(json.dumps({"type": "start"}))
        sent = 0
        try:
            while sent < 2_000_000:  # far more than the queue, socket buffers and client queue hold
                socket.send(json.dumps({"type": "ping", "id": sent}))
                sent += 1
                if sent % 20_000 == 0:
                    server.sample_memory()
        except ConnectionClosed:
            outcome["dropped_after"] = sent
    # The dropped connection gave its session back: the candidate may reconnect and resume.
    conversation = Conversation()
    with connect(server.url(session_id)) as socket:
        _receive_until(socket, conversation, lambda event: event["type"] in ("ready", "error"))
    outcome["reconnected"] = conversation


def _audio_flood(server: Hostile, outcome: dict[str, Any]) -> None:
    """Starts an answer and pours loud noise in far faster than real time until the time limit,
    then frames that are too big: backpressure, a closed answer, then 1009."""
    rng = np.random.default_rng(11)
    noise = to_pcm16((rng.standard_normal(16000) * 0.3).astype(np.float32))
    conversation = Conversation()
    with connect(server.url(server.session()), max_size=1 << 22) as socket:
        socket.send(json.dumps({"type": "start"}))
        _receive_until(socket, conversation, lambda event: event["type"] == "question")
        try:
            for second in range(45):  # beyond the 30 s limit of the question
                socket.send(noise + b"\x01")  # odd sizes: the odd byte waits for the next frame
                if second % 5 == 0:
                    server.sample_memory()
            _receive_until(socket, conversation, lambda event: event["type"] == "answer_complete")
            socket.send(b"\x00" * (MAX_FRAME + 1))
        except ConnectionClosed:
            pass
        _receive_until(socket, conversation, lambda event: False)
    conversation.check_documented()
    outcome["audio"] = conversation


def _message_flood(server: Hostile, outcome: dict[str, Any]) -> None:
    """Thousands of bad and unexpected control messages from a client that reads its answers
    (in batches: one that does not read at all is the slow reader's case)."""
    conversation = Conversation()
    with connect(server.url(server.session()), max_size=1 << 22) as socket:
        for batch in range(30):
            for number in range(100):
                socket.send(["{", '{"type": "answer_done"}', '{"type": "fly"}', '{"type": "repeat"}'][number % 4])
            socket.send(json.dumps({"type": "ping", "id": f"batch {batch}"}))
            _receive_until(socket, conversation, lambda event, batch=batch: event.get("id") == f"batch {batch}")
    conversation.check_documented()
    outcome["messages"] = conversation


def test_floods_and_a_slow_reader_leave_a_streaming_candidate_unaffected(hostile: Hostile) -> None:
    outcome: dict[str, Any] = {}
    attackers = [
        threading.Thread(target=attack, args=(hostile, outcome))
        for attack in (_slow_reader, _audio_flood, _message_flood)
    ]
    for attacker in attackers:
        attacker.start()
    transcript = _candidate_answer(hostile)  # meanwhile, a candidate answers a question
    for attacker in attackers:
        attacker.join()

    assert {"python", "kubernetes"} <= set(normalise_words(transcript)), transcript
    assert "dropped_after" in outcome, "the server kept buffering for a client that never reads"
    assert outcome["reconnected"].events[-1]["type"] == "ready", outcome["reconnected"].events
    audio = outcome["audio"]
    assert audio.close_code == 1009
    assert any(event["type"] == "error" and event["code"] == "time_limit_reached" for event in audio.events)
    complete = [event for event in audio.events if event["type"] == "answer_complete"]
    assert len(complete) == 1 and complete[0]["audio_duration"] <= 32.5
    messages = outcome["messages"]
    assert messages.close_code is None and messages.events[-1]["id"] == "batch 29"  # still served
    assert "bad_message" in {event["code"] for event in messages.events if event["type"] == "error"}
    hostile.alive()


# --- pauses, noise and pace changes: a stall is found by a ping that never comes back ----------

#: (kind, seconds, pace): pace is a multiple of real time, or None for as fast as the socket takes it.
Segment = tuple[str, float, float | None]
FRAME = 3200  # 100 ms
#: Longest wait for the pong of a barrier ping. A healthy server answers in milliseconds even
#: while it is minutes behind in decoding (its reader never waits); a stalled one never does.
STALL_BOUND_S = 60


def _segment_audio(kind: str, seconds: float, seed: int) -> np.ndarray:
    samples = int(seconds * 16000)
    rng = np.random.default_rng(seed)
    if kind == "speech":
        return synthesize(CANDIDATE)
    if kind == "noise":  # loud broadband noise: the VAD takes much of it for speech
        return np.clip(rng.standard_normal(samples) * 0.25, -1, 1).astype(np.float32)
    if kind == "hum":
        return (0.1 * np.sin(2 * np.pi * 50 * np.arange(samples) / 16000)).astype(np.float32)
    return np.zeros(samples, np.float32)


def _real_time_capped(segments: list[Segment]) -> list[Segment]:
    """Real-time segments cost wall time: keep each under 8 s of wall clock."""
    return [(kind, min(seconds, 8.0 * pace) if pace else seconds, pace) for kind, seconds, pace in segments]


_segments = st.lists(
    st.tuples(
        st.sampled_from(["silence", "noise", "speech", "hum"]),
        st.floats(1.0, 45.0),
        st.sampled_from([1.0, 4.0, None]),
    ),
    min_size=2,
    max_size=5,
).map(_real_time_capped)


@pytest.fixture(scope="module")
def thinker(tmp_path_factory) -> Iterator[Hostile]:
    """A server of its own for the paced answers: long noisy windows raise the model's working
    set (two decode workers, windows up to 29 s) once, which is not what the floods' memory
    bound is about. Its baseline is taken after one such answer; what the paced answers add
    beyond it must stay under the same headroom (a buffer kept per pause or per frame would not)."""
    with spawn_server(tmp_path_factory.mktemp("thinker")) as (base, process):
        server = _signed_up(base, process)
        _paced_answer(server, [("speech", 8.0, None), ("noise", 45.0, None), ("speech", 8.0, None)])
        server.baseline_rss = server.peak_rss = process.memory_info().rss
        yield server
        server.alive()
        assert server.peak_rss - server.baseline_rss < PACED_MEMORY_HEADROOM, (
            server.baseline_rss >> 20,
            server.peak_rss >> 20,
        )


def _paced_answer(server: Hostile, segments: list[Segment]) -> None:
    """One answer made of `segments`, a ping every second of audio and a barrier ping after each
    segment; checks that every ping came back and that answer_complete came."""
    conversation = Conversation()
    pings = 0
    sent_seconds = 0.0
    with connect(server.url(server.session(time_limit=600)), max_size=1 << 22) as socket:
        socket.send(json.dumps({"type": "start"}))
        _receive_until(socket, conversation, lambda event: event["type"] == "question")
        for index, (kind, seconds, pace) in enumerate(segments):
            pcm = to_pcm16(_segment_audio(kind, seconds, seed=index))
            started = time.monotonic()
            for number, begin in enumerate(range(0, len(pcm), FRAME)):
                socket.send(pcm[begin : begin + FRAME])
                if number % 10 == 9:  # a ping every second of audio, behind the frames before it
                    socket.send(json.dumps({"type": "ping", "id": pings}))
                    pings += 1
                if pace:
                    time.sleep(max(0.0, started + (number + 1) * FRAME / 32000 / pace - time.monotonic()))
            sent_seconds += len(pcm) / 32000
            barrier = f"after {index}: {kind} {seconds:.0f} s at {pace or 'full speed'}"
            socket.send(json.dumps({"type": "ping", "id": barrier}))
            _receive_until(
                socket, conversation, lambda event, barrier=barrier: event.get("id") == barrier, timeout=STALL_BOUND_S
            )
            assert conversation.close_code is None and conversation.events[-1].get("id") == barrier, (
                barrier,
                conversation.events[-3:],
            )
            server.sample_memory()
        socket.send(json.dumps({"type": "answer_done"}))
        _receive_until(socket, conversation, lambda event: event["type"] == "answer_complete")
    conversation.check_documented()
    complete = conversation.events[-1]
    assert complete["type"] == "answer_complete", conversation.events[-3:]
    answered = {event["id"] for event in conversation.events if event["type"] == "pong"}
    assert set(range(pings)) <= answered  # every ping came back
    errors = [event for event in conversation.events if event["type"] == "error"]
    assert all(event["code"] == "audio_dropped" and not event["fatal"] for event in errors), errors
    assert complete["audio_duration"] <= sent_seconds + 0.01
    if not errors:
        assert complete["audio_duration"] == pytest.approx(sent_seconds, abs=0.05)  # nothing lost
    server.sample_memory()


@settings(max_examples=5, derandomize=True, database=None, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(segments=_segments)
# Finding 1 of issue 11: a final, then a long pause. The old backpressure waited forever 30 s of
# audio after the last final (at any pace), reading nothing; then the same with noise.
@example(segments=[("speech", 8.0, 4.0), ("silence", 40.0, None), ("speech", 8.0, 4.0)])
@example(segments=[("speech", 8.0, 4.0), ("noise", 45.0, None), ("silence", 30.0, None), ("speech", 8.0, 1.0)])
def test_pauses_noise_and_pace_changes_never_stall_the_socket(thinker: Hostile, segments: list[Segment]) -> None:
    _paced_answer(thinker, segments)
    thinker.alive()
