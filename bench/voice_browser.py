"""The interviewer's first sound in Chromium, as a new user meets it: a freshly started server
process, a candidate who signs up in the web UI at once, creates an interview with the form,
passes the microphone check and starts.

Per round (--rounds): a new `interview-server run` process with an empty DATA_DIR (no voice
cached, the Piper model not loaded yet; LanguageTool from LANGUAGETOOL_URL when set), polled
until /health answers; then at once, in Debian's Chromium (Playwright, a fake microphone
playing synthesised speech, 1366 x 900): sign-up, "Your first practice interview" (3 questions,
the difficulty cycling easy / medium / hard), microphone check, Start. The candidate answers the
first question out loud and presses "I'm done"; after the score card it answers the follow-up
if there is one (or else moves on), then presses Repeat on the next question, then skips it.

The page's own trace (`window.__interview.trace`) gives, per ask, the time from the question
text appearing to the audio element's `playing` event ("first sound"). Also recorded: seconds
from /health to each step, and when each spoken question was stored in the server's voice
cache (the file's mtime), so that a slow first sound can be put on the time line.

    .venv/bin/python bench/voice_browser.py --rounds 5 --out bench/results/voice_browser_cold.json

Run it holding the benchmark lock (HELPERS.md); the JSON is written after every round.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import socket
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

ANSWER = (
    "I have five years of experience building backend services in Python.",
    0.7,
    "Last year I led the migration of our payment system to Kubernetes.",
    0.7,
    "We measured latency before and after the change, and it dropped by forty percent.",
)
TRACE = "window.__interview ? window.__interview.trace.map(t => ({...t, origin: performance.timeOrigin})) : []"


def say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.asynccontextmanager
async def fresh_server(data: Path):
    """`interview-server run` in its own process on an empty DATA_DIR; yields (base URL, the
    wall time /health first answered)."""
    import httpx

    port = free_port()
    env = {**os.environ, "DATA_DIR": str(data), "LOGIN_RATE_LIMIT_PER_MINUTE": "1000", "LOG_FORMAT": "text"}
    log = (data / "server.log").open("wb")
    process = await asyncio.create_subprocess_exec(
        str(REPO / ".venv" / "bin" / "interview-server"),
        "run",
        "--port",
        str(port),
        env=env,
        stdout=log,
        stderr=asyncio.subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(base_url=base, timeout=2) as http:
            for _ in range(1200):
                if process.returncode is not None:
                    raise RuntimeError(f"the server exited ({process.returncode}); see {data / 'server.log'}")
                with contextlib.suppress(httpx.HTTPError):
                    if (await http.get("/health")).status_code == 200:
                        break
                await asyncio.sleep(0.1)
            else:
                raise RuntimeError("the server never answered /health")
        yield base, time.time()
    finally:
        process.terminate()
        try:
            await asyncio.wait_for(process.wait(), 30)
        except TimeoutError:
            process.kill()
            await process.wait()
        log.close()


async def one_round(browser, base: str, ready: float, difficulty: str, data: Path) -> dict:
    from playwright.async_api import expect

    steps: dict[str, float] = {}

    def step(name: str) -> None:
        steps[name] = round(time.time() - ready, 2)

    context = await browser.new_context(viewport={"width": 1366, "height": 900})
    page = await context.new_page()
    try:
        await page.goto(base + "/")
        await page.get_by_role("link", name="Create a free account").click()
        await page.get_by_label("Your name").fill("Bench Candidate")
        await page.get_by_label("E-mail").fill(f"bench-{uuid.uuid4().hex[:10]}@example.com")
        await page.get_by_label("Password").fill("a long password")
        await page.get_by_label("Role you are preparing for").fill("Backend Engineer")
        await page.get_by_role("button", name="Create account").click()
        await expect(page.get_by_role("heading", name="Your first practice interview")).to_be_visible(timeout=60_000)
        step("signed_up")
        await page.get_by_label("Number of questions").fill("3")
        await page.locator(f"input[name=difficulty][value={difficulty}]").check()
        await page.get_by_role("button", name="Continue to microphone check").click()
        await expect(page.get_by_role("heading", name="Check your microphone")).to_be_visible(timeout=60_000)
        step("session_created")
        await page.get_by_role("button", name="Check my microphone").click()
        await expect(page.get_by_test_id("start-interview")).to_be_enabled(timeout=60_000)
        step("microphone_ok")
        await page.get_by_test_id("start-interview").click()
        step("started")

        async def heard(asks: int) -> None:
            await page.wait_for_function(f"() => (window.__interview?.trace || []).length >= {asks}", timeout=60_000)
            await expect(page.get_by_test_id("answer-done")).to_be_enabled(timeout=60_000)

        async def answer() -> None:
            await page.wait_for_function(
                "() => document.querySelectorAll('#live-transcript .final').length > 0", timeout=90_000
            )
            await page.get_by_test_id("answer-done").click()
            await expect(page.get_by_test_id("score-card")).to_be_visible(timeout=120_000)
            await expect(page.locator("[data-testid=continue]:visible, [data-testid=closing]:visible")).to_be_visible(
                timeout=90_000
            )

        kinds = ["first question"]
        await heard(1)
        step("first_question_heard")
        await answer()
        go = page.get_by_test_id("continue")
        while len(kinds) < 3 and await go.is_visible() and (await go.inner_text()) == "Answer the follow-up":
            await go.click()
            kinds.append("follow-up")
            await heard(len(kinds))
            await answer()
        if await go.is_visible() and (await go.inner_text()).startswith("Continue to question"):
            await go.click()
            kinds.append("next question")
            await heard(len(kinds))
            await page.get_by_test_id("repeat-question").click()
            kinds.append("repeat")
            await heard(len(kinds))
        step("done")
        trace = await page.evaluate(TRACE)
    finally:
        await context.close()
    cached = {
        entry.name: round(entry.stat().st_mtime - ready, 2)
        for entry in os.scandir(data / "voice")
        if entry.name.endswith(".wav")
    }
    asks = []
    for kind, entry in zip(kinds, trace, strict=False):
        shown = (entry["origin"] + entry["shownAt"]) / 1000 - ready
        asks.append(
            {
                "kind": kind,
                "label": entry["label"],
                "shown_s": round(shown, 2),
                "first_sound_ms": round(entry["firstSoundAt"] - entry["shownAt"], 1) if entry["firstSoundAt"] else None,
                # from Start / Continue / Repeat (or the question event) to the first sound
                "asked_to_sound_ms": round(entry["firstSoundAt"] - entry.get("askedAt", entry["shownAt"]), 1)
                if entry["firstSoundAt"]
                else None,
                "played": entry["played"],
            }
        )
    return {"difficulty": difficulty, "steps_s_after_health": steps, "asks": asks, "voice_cached_s": cached}


def summary(rounds: list[dict], measure: str) -> dict:
    by_kind: dict[str, list[float]] = {}
    for r in rounds:
        for ask in r["asks"]:
            if ask[measure] is not None:
                by_kind.setdefault(ask["kind"], []).append(ask[measure])
    out = {}
    for kind, values in by_kind.items():
        values.sort()
        out[kind] = {
            "n": len(values),
            "p50_ms": round(statistics.median(values), 1),
            "p95_ms": round(values[min(len(values) - 1, round(0.95 * (len(values) - 1)))], 1),
            "max_ms": round(values[-1], 1),
        }
    return out


async def run(args, result: dict, save) -> None:
    import numpy as np
    from playwright.async_api import async_playwright

    from tests.support.chromium import launch
    from tests.support.speech import synthesize, write_wav

    microphone = Path(tempfile.mkdtemp()) / "microphone.wav"
    speech = synthesize(ANSWER)
    silence = np.zeros(8000, np.float32)
    write_wav(microphone, np.concatenate([silence, speech, np.zeros(24000, np.float32)]), 16000)
    difficulties = ["easy", "medium", "hard"]
    async with async_playwright() as driver:
        browser = await launch(driver, fake_microphone=microphone)
        for index in range(args.rounds):
            data = Path(tempfile.mkdtemp(prefix="voice-bench-"))
            say(f"round {index + 1} of {args.rounds}: starting a fresh server")
            async with fresh_server(data) as (base, ready):
                say("server answers /health; signing up")
                outcome = await one_round(browser, base, ready, difficulties[index % 3], data)
            heard = [(a["kind"], a["first_sound_ms"], a["asked_to_sound_ms"]) for a in outcome["asks"]]
            say(f"round {index + 1}: {heard}")
            result["rounds"].append(outcome)
            result["text_to_first_sound"] = summary(result["rounds"], "first_sound_ms")
            result["asked_to_first_sound"] = summary(result["rounds"], "asked_to_sound_ms")
            save()
        await browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "voice_browser_cold.json")
    args = parser.parse_args()
    result: dict = {
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "load_average_before": [round(x, 2) for x in os.getloadavg()],
        },
        "command": " ".join(["bench/voice_browser.py", *sys.argv[1:]]),
        "started_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "rounds": [],
    }

    def save() -> None:
        result["machine"]["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(result, indent=2) + "\n")

    asyncio.run(run(args, result, save))
    print(json.dumps({k: result[k] for k in ("text_to_first_sound", "asked_to_first_sound", "machine")}, indent=2))


if __name__ == "__main__":
    main()
