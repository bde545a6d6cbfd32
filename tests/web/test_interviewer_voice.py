"""The interviewer speaks the first question in a real browser against the real server (Piper
behind `/voice`), also when its voice is not in the browser yet as the question arrives (a
candidate who starts at once, before the synthesis that creating the session began is done):
the question waits for its voice and then appears as the interviewer starts saying it, the
microphone stays closed meanwhile, and "Repeat question" says it again. No timing is asserted;
bench/voice_browser.py measures how soon the first sound comes."""

from __future__ import annotations

import asyncio

import pytest
from playwright.async_api import expect

from tests.web.helpers import account_and_session, open_interview, pass_microphone_check

pytestmark = [pytest.mark.model, pytest.mark.slow]

#: Every text the question's heading shows, in order (recorded in the page).
WATCH_TEXTS = """() => {
  window.__texts = [];
  const seen = () => {
    const el = document.querySelector('[data-testid=question-text]');
    if (el && el.textContent && window.__texts.at(-1) !== el.textContent) window.__texts.push(el.textContent);
  };
  new MutationObserver(seen).observe(document.body, { subtree: true, childList: true, characterData: true });
}"""

FIRST = {
    "text": "Tell me about a time you had to learn a new tool quickly.",
    "category": "behavioral",
    "expected_topics": ["learning"],
    "time_limit": 120,
}


async def test_the_first_question_waits_for_its_voice_then_is_spoken_and_repeated(server, context, shot) -> None:
    tokens, session = await account_and_session(server, questions=[FIRST])
    held: list = []
    release = asyncio.Event()

    async def hold_first_voice(route) -> None:
        if not held:  # the first fetch (the page's prefetch during the microphone check) waits
            held.append(route.request.url)
            await release.wait()
        await route.continue_()

    await context.route("**/api/sessions/*/questions/*/voice", hold_first_voice)
    page = await open_interview(context, server, tokens, session)
    await pass_microphone_check(page)
    await page.evaluate(WATCH_TEXTS)
    await page.get_by_test_id("start-interview").click()

    # The question is open on the server, its voice not in the browser: its counter shows, the
    # interviewer is about to ask, the microphone is not open.
    await expect(page.get_by_test_id("question-counter")).to_contain_text("Question 1 of 1", timeout=60_000)
    await page.wait_for_function("() => window.__texts.includes('One moment…')")
    await expect(page.get_by_test_id("answer-done")).to_be_disabled()
    assert held, "the page never fetched the first question's voice"
    await shot(page, "waiting-for-the-voice")
    release.set()

    await expect(page.get_by_test_id("question-text")).to_have_text(FIRST["text"], timeout=60_000)
    await expect(page.get_by_test_id("answer-done")).to_be_enabled(timeout=60_000)  # spoken whole, then open
    first = await page.evaluate("window.__interview.trace.at(-1)")
    assert first["played"] and first["firstSoundAt"] is not None, first
    assert first["audioSentWhileSpeaking"] == 0 and first["clockAfterSpeaking"] == "0:00", first
    texts = await page.evaluate("window.__texts")
    assert texts.index("One moment…") < texts.index(FIRST["text"]), texts

    await page.get_by_test_id("repeat-question").click()
    await expect(page.get_by_test_id("interviewer-speaking")).to_be_visible()
    await expect(page.get_by_test_id("answer-done")).to_be_enabled(timeout=60_000)
    trace = await page.evaluate("window.__interview.trace")
    assert len(trace) == 2 and trace[1]["played"] and trace[1]["audioSentWhileSpeaking"] == 0, trace
    await expect(page.get_by_test_id("question-text")).to_have_text(FIRST["text"])
    await shot(page, "first-question-spoken-and-repeated")
    assert page.script_errors == []
