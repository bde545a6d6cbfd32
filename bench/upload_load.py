"""Benchmark: what uploads cost everyone else (issue 11, finding 2).

Starts the server as a subprocess (SQLite in a temporary folder, default settings unless
`--env NAME=VALUE`), and runs one live candidate who speaks a sentence, then pauses 2 s, over and
over at real-time pace, while `/health` and the candidate's `GET /api/users/me` are polled every
0.2 s. Three phases of `--seconds` each:

- idle: nothing else;
- hostile: six concurrent uploads of the issue's file, `sox -D -n -r 384000 -c 8 -b 16 x.flac
  trim 0 300` (1 MB, 28 s of CPU each before the fix), sent again as soon as each is answered;
- heavy: six concurrent uploads of legal but costly audio (48 kHz stereo white noise, 60 s,
  5 MB: decoded, then transcribed through the shared model), sent again as each is answered.

Reports per phase, to bench/results/upload_load.json: health and REST latency (p50, p95, max),
the live candidate's final latency (from the end of each sentence's audio being sent to its
final; p50, p95, max), upload answers by status, and the load average (the machine is shared).

Usage: .venv/bin/python bench/upload_load.py --seconds 60
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx
import websockets

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.security.conftest import new_owner
from tests.security.servers import spawn_server
from tests.support.live_server import ws_url
from tests.support.speech import synthesize, to_pcm16

SENTENCE = "Last year I moved our payment service to Kubernetes and measured the latency every week."
PAUSE_S = 2.0
CHUNK = 3200  # 0.1 s of 16 kHz s16le


def _quantiles(values: list[float]) -> dict[str, float | int | None]:
    if not values:
        return {"n": 0, "p50": None, "p95": None, "max": None}
    ordered = sorted(values)
    return {
        "n": len(ordered),
        "p50": round(statistics.median(ordered), 3),
        "p95": round(ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))], 3),
        "max": round(ordered[-1], 3),
    }


def _sox(path: Path, *args: str) -> bytes:
    subprocess.run(["sox", *args[:-1], str(path), *args[-1].split()], check=True)
    return path.read_bytes()


class Phase:
    def __init__(self, name: str) -> None:
        self.name = name
        self.health: list[float] = []
        self.rest: list[float] = []
        self.finals: list[float] = []
        self.uploads: Counter[str] = Counter()
        self.load: tuple[float, float, float] | None = None

    def report(self) -> dict:
        return {
            "health_s": _quantiles(self.health),
            "rest_me_s": _quantiles(self.rest),
            "live_final_latency_s": _quantiles(self.finals),
            "upload_answers": dict(self.uploads),
            "load_average_1m_at_end": self.load[0] if self.load else None,
        }


async def _poll(base: str, headers: dict, phase: list[Phase], stop: asyncio.Event) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=300) as http:
        while not stop.is_set():
            started = time.monotonic()
            await http.get("/health")
            middle = time.monotonic()
            await http.get("/api/users/me", headers=headers)
            phase[0].health.append(middle - started)
            phase[0].rest.append(time.monotonic() - middle)
            await asyncio.sleep(0.2)


async def _candidate(base: str, owner, phase: list[Phase], stop: asyncio.Event) -> None:
    speech = to_pcm16(synthesize(SENTENCE))
    pause = bytes(int(PAUSE_S * 16000) * 2)
    async with websockets.connect(
        ws_url(base, f"/ws/sessions/{owner.session_id}?token={owner.access}"), max_size=1 << 22
    ) as socket:
        await socket.send(json.dumps({"type": "start"}))
        while json.loads(await socket.recv())["type"] != "question":
            pass
        speech_ends: list[float] = []

        async def receive() -> None:
            async for raw in socket:
                event = json.loads(raw)
                if event["type"] == "final" and speech_ends:
                    phase[0].finals.append(time.monotonic() - speech_ends.pop(0))

        receiver = asyncio.create_task(receive())
        started = time.monotonic()
        sent = 0
        while not stop.is_set():
            for part, is_speech in ((speech, True), (pause, False)):
                for begin in range(0, len(part), CHUNK):
                    await socket.send(part[begin : begin + CHUNK])
                    sent += min(CHUNK, len(part) - begin)
                    await asyncio.sleep(max(0.0, started + sent / 32000 - time.monotonic()))  # real time
                if is_speech:
                    speech_ends.append(time.monotonic())
        receiver.cancel()


async def _uploader(base: str, owners: list, body: bytes, phase: Phase, stop: asyncio.Event) -> None:
    async def one(owner) -> None:
        async with httpx.AsyncClient(base_url=base, timeout=900, headers=owner.headers) as http:
            while not stop.is_set():
                response = await http.post(
                    f"/api/sessions/{owner.session_id}/questions/{owner.question_ids[0]}/audio", content=body
                )
                phase.uploads[str(response.status_code)] += 1
                if response.status_code == 200:
                    return  # answered: this question takes no more uploads
                await asyncio.sleep(
                    float(response.headers.get("retry-after", "0.5")) if response.status_code in (429, 503) else 0.5
                )

    await asyncio.gather(*(one(owner) for owner in owners))


async def run(seconds: float, environment: dict[str, str]) -> dict:
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        hostile = _sox(folder / "hostile.flac", "-D", "-n", "-r", "384000", "-c", "8", "-b", "16", "trim 0 300")
        heavy = _sox(
            folder / "heavy.flac", "-D", "-n", "-r", "48000", "-c", "2", "-b", "16", "synth 60 whitenoise vol 0.3"
        )
        (folder / "data").mkdir()
        with spawn_server(folder / "data", **environment) as (base, _):
            candidate = await asyncio.to_thread(new_owner, base)
            async with httpx.AsyncClient(
                base_url=base, headers=candidate.headers, timeout=60
            ) as http:  # one long question
                question = {
                    "text": "Tell me about a migration you led.",
                    "expected_topics": ["Kubernetes"],
                    "time_limit": 600,
                }
                created = await http.post(
                    "/api/sessions", json={"title": "bench", "num_questions": 1, "custom_questions": [question]}
                )
                candidate.session = created.json()
            owners = [await asyncio.to_thread(new_owner, base) for _ in range(12)]
            current = [Phase("idle")]
            stop_all = asyncio.Event()
            tasks = [
                asyncio.create_task(_poll(base, candidate.headers, current, stop_all)),
                asyncio.create_task(_candidate(base, candidate, current, stop_all)),
            ]
            phases = []
            for name, body, group in (
                ("idle", None, []),
                ("hostile", hostile, owners[:6]),
                ("heavy", heavy, owners[6:]),
            ):
                phase = current[0] = Phase(name)
                stop = asyncio.Event()
                uploads = asyncio.create_task(_uploader(base, group, body, phase, stop)) if body else None
                await asyncio.sleep(seconds)
                stop.set()
                phase.load = os.getloadavg()
                if uploads:
                    await uploads
                phases.append(phase)
            stop_all.set()
            await asyncio.gather(*tasks, return_exceptions=True)
    return {
        "what": "one live candidate at real time + /health and /api/users/me polled every 0.2 s, beside uploads",
        "seconds_per_phase": seconds,
        "hostile_upload": f"384 kHz x 8 channels, 300 s of silence, FLAC, {len(hostile)} bytes, 6 concurrent",
        "heavy_upload": f"48 kHz stereo white noise, 60 s, FLAC, {len(heavy)} bytes, 6 concurrent",
        "env": environment,
        "cpus": os.cpu_count(),
        "phases": {phase.name: phase.report() for phase in phases},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--env", action="append", default=[], help="NAME=VALUE passed to the server")
    parser.add_argument("--output", type=Path, default=REPO / "bench" / "results" / "upload_load.json")
    args = parser.parse_args()
    environment = dict(item.split("=", 1) for item in args.env)
    result = asyncio.run(run(args.seconds, environment))
    args.output.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result["phases"], indent=2))


if __name__ == "__main__":
    main()
