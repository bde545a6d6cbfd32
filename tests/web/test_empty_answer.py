"""An answer with no words, in a real browser against the real server. The microphone is a
MediaStream the page fills on demand (silence unless the test makes it speak), so "nothing was
said" is certain, not a matter of where Chromium's looped fake-capture file happens to be.

The new-user trial: silence, then "I'm done" on question 1 of 2. The server stores an empty
answer as skipped and opens question 2, but the page stayed on question 1 with every button
disabled ("Question 1 skipped." was announced, question 2 never shown)."""

from __future__ import annotations

import asyncio
import io

import numpy as np
import pytest
from playwright.async_api import expect

from tests.support.speech import write_wav
from tests.web.helpers import account_and_session, open_interview

pytestmark = [pytest.mark.model, pytest.mark.slow]

#: getUserMedia answers a stream of silence; `window.__say(url)` plays a WAV into it.
SILENT_MICROPHONE = """(() => {
  let context, destination;
  async function ready() {
    if (!context) { context = new AudioContext(); destination = context.createMediaStreamDestination(); }
    if (context.state === 'suspended') await context.resume();
    return destination;
  }
  navigator.mediaDevices.getUserMedia = async () =>
    new MediaStream([(await ready()).stream.getAudioTracks()[0].clone()]);
  window.__say = async (url) => {
    const out = await ready();
    const source = context.createBufferSource();
    source.buffer = await context.decodeAudioData(await (await fetch(url)).arrayBuffer());
    source.connect(out);
    source.start();
  };
})();"""

QUESTIONS = [
    {"text": "Tell me about a project you are proud of.", "category": "behavioral", "time_limit": 120},
    {"text": "What would you like to learn next?", "category": "general", "time_limit": 120},
]


def tone() -> bytes:
    """One second of a 440 Hz tone: enough for the microphone check's meter."""
    t = np.arange(16000) / 16000
    out = io.BytesIO()
    write_wav(out, (0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32), 16000)
    return out.getvalue()


async def test_im_done_with_no_words_moves_on_to_the_next_question(server, browser, shot) -> None:
    context = await browser.new_context(viewport={"width": 1366, "height": 900})
    await context.add_init_script(SILENT_MICROPHONE)
    sound = tone()

    async def serve_tone(route) -> None:
        await route.fulfill(status=200, body=sound, headers={"Content-Type": "audio/wav"})

    await context.route("**/test-audio/tone.wav", serve_tone)
    try:
        tokens, session = await account_and_session(server, questions=QUESTIONS)
        page = await open_interview(context, server, tokens, session)
        await page.get_by_role("button", name="Check my microphone").click()
        for _ in range(20):  # the check opens the microphone, then hears the tone
            await page.evaluate("window.__say('/test-audio/tone.wav')")
            if await page.get_by_test_id("start-interview").is_enabled():
                break
            await asyncio.sleep(0.5)
        await expect(page.get_by_test_id("start-interview")).to_be_enabled()
        await page.get_by_test_id("start-interview").click()

        await expect(page.get_by_test_id("question-text")).to_have_text(QUESTIONS[0]["text"], timeout=60_000)
        await expect(page.get_by_test_id("answer-done")).to_be_enabled(timeout=60_000)  # asked, microphone open
        await page.get_by_test_id("answer-done").click()  # nothing was said

        await expect(page.get_by_test_id("question-counter")).to_contain_text("Question 2 of 2", timeout=60_000)
        await expect(page.get_by_test_id("question-text")).to_have_text(QUESTIONS[1]["text"])
        await expect(page.get_by_test_id("answer-done")).to_be_enabled(timeout=60_000)
        await expect(page.get_by_test_id("score-card")).to_be_hidden()
        await expect(page.get_by_text("Question 1 skipped")).to_be_visible()
        await shot(page, "empty-answer-then-question-2")
        assert page.script_errors == []
    finally:
        await context.close()
