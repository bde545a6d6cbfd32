"""What the candidate sees when things go wrong: a blocked microphone, a dropped connection (the
answer continues), a full server, the interview already open in another tab. Also the
read-only watch page following the same answer live."""

from __future__ import annotations

import re
from dataclasses import replace

import httpx
import pytest
from playwright.async_api import expect

from server.app import create_app
from tests.support.chromium import launch
from tests.support.live_server import serve
from tests.web.conftest import new_page, spoken, words_of
from tests.web.helpers import (
    account_and_session,
    final_text,
    open_interview,
    pass_microphone_check,
    wait_until_spoken,
)

pytestmark = [pytest.mark.model, pytest.mark.slow]


async def test_a_denied_microphone_is_explained(server, playwright, answer_wav, shot) -> None:
    # A microphone exists (the fake device) but the permission prompt is answered "deny".
    browser = await launch(playwright, "--use-fake-device-for-media-stream", "--deny-permission-prompts")
    try:
        context = await browser.new_context(viewport={"width": 1000, "height": 900})
        await context.grant_permissions([])
        tokens, session = await account_and_session(server)
        page = await open_interview(context, server, tokens, session)
        await page.get_by_role("button", name="Check my microphone").click()
        problem = page.get_by_test_id("mic-problem")
        await expect(problem).to_be_visible(timeout=15_000)
        await expect(problem).to_have_attribute("data-kind", "denied")
        await expect(problem.get_by_role("heading", name="Microphone access is blocked")).to_be_visible()
        await expect(problem).to_contain_text("address bar")
        await expect(page.get_by_test_id("start-interview")).to_be_disabled()
        await expect(page.locator("#announce-assertive")).to_contain_text("Microphone access is blocked")
        await shot(page, "denied")
        assert page.script_errors == []
    finally:
        await browser.close()


async def test_a_dropped_connection_reconnects_and_the_answer_continues(server, context, shot) -> None:
    tokens, session = await account_and_session(server)
    page = await open_interview(context, server, tokens, session)

    # Someone with the share link watches, without an account.
    async with httpx.AsyncClient(base_url=server) as http:
        share = (
            await http.post(
                f"/api/sessions/{session['id']}/share", headers={"Authorization": f"Bearer {tokens['access_token']}"}
            )
        ).json()
    watcher_context = await context.browser.new_context()
    watcher = await new_page(watcher_context)
    await watcher.goto(f"{server}/app/#/watch/{session['id']}/{share['token']}")
    await expect(watcher.get_by_role("heading", name="Backend Engineer interview")).to_be_visible(timeout=15_000)

    await pass_microphone_check(page)
    await page.get_by_test_id("start-interview").click()
    await expect(page.get_by_test_id("question-counter")).to_contain_text("Question 1 of 1", timeout=30_000)
    before = await wait_until_spoken(page, at_least=3)
    await shot(page, "before-drop")

    await page.evaluate("window.__interview.connection.simulateDrop()")
    message = page.get_by_test_id("connection-message")
    await expect(message).to_contain_text("Reconnect", timeout=5_000)
    await shot(page, "reconnecting")
    await expect(message).to_contain_text("Reconnected", timeout=30_000)
    # The same answer continues: the committed words are back, and new words follow them.
    await expect(page.get_by_test_id("question-counter")).to_contain_text("Question 1 of 1")
    after_resume = await final_text(page)
    assert len(words_of(after_resume) & words_of(before)) >= 2, (before, after_resume)
    for _ in range(120):
        if len((await final_text(page)).split()) > len(after_resume.split()) + 3:
            break
        await page.wait_for_timeout(500)
    else:
        raise AssertionError("no new words after the reconnect")
    await shot(page, "after-reconnect")
    assert await page.evaluate("window.__interview.connection.counts.resumed") == 1

    await page.get_by_role("button", name="I’m done").click()
    card = page.get_by_test_id("score-card")
    await expect(card).to_be_visible(timeout=90_000)
    answer = await card.locator(".annotated").text_content()
    assert spoken(answer, at_least=4) and len(words_of(answer) & words_of(before)) >= 2

    # The watcher saw the same answer.
    watched = watcher.get_by_test_id("watch-transcript-1")
    await expect(watched).not_to_be_empty()
    assert spoken(await watched.inner_text())
    await shot(watcher, "watcher")

    async with httpx.AsyncClient(base_url=server) as http:
        detail = (
            await http.get(
                f"/api/sessions/{session['id']}", headers={"Authorization": f"Bearer {tokens['access_token']}"}
            )
        ).json()
    stored = detail["questions"][0]
    assert stored["answered_at"] and spoken(stored["transcript"], at_least=4)
    assert page.script_errors == [] and watcher.script_errors == []
    await watcher_context.close()


async def test_a_full_server_is_explained(settings, transcriber, embedder, context, shot) -> None:
    full = replace(settings, live=replace(settings.live, max_live_streams=0))
    async with serve(create_app(full, transcriber=transcriber, embedder=embedder)) as base:
        tokens, session = await account_and_session(base)
        page = await open_interview(context, base, tokens, session)
        await pass_microphone_check(page)
        await page.get_by_test_id("start-interview").click()
        message = page.get_by_test_id("connection-message")
        await expect(message).to_contain_text("server is full", timeout=15_000)
        await expect(page.get_by_role("button", name="Try now")).to_be_visible()
        await expect(page.get_by_role("alert")).to_contain_text("Nothing is lost")
        await shot(page, "server-full")
        await page.close()


async def test_a_second_tab_takes_the_interview_over_and_the_first_is_told(server, context, shot) -> None:
    """The newest connection wins (docs/protocol.md, "Connecting"): the second tab continues the
    interview, the first says where it went and does not take it back by itself."""
    tokens, session = await account_and_session(server)
    first = await open_interview(context, server, tokens, session)
    await pass_microphone_check(first)
    await first.get_by_test_id("start-interview").click()
    await expect(first.get_by_test_id("question-counter")).to_contain_text("Question 1", timeout=30_000)

    second = await open_interview(context, server, tokens, session)
    await pass_microphone_check(second)
    await second.get_by_test_id("start-interview").click()
    await expect(second.get_by_test_id("question-counter")).to_contain_text("Question 1", timeout=30_000)
    await expect(first.get_by_test_id("connection-message")).to_contain_text("continued in another tab", timeout=15_000)
    await shot(first, "taken-over-tab")
    await expect(second.get_by_test_id("connection-message")).to_be_hidden()  # no tug of war
    await second.close()
    await first.close()


async def test_the_timer_warns_and_the_answer_is_kept_at_the_limit_as_the_page_before_says(
    server, context, shot
) -> None:
    questions = [
        {
            "text": "Describe your backend experience briefly.",
            "category": "technical",
            "expected_topics": ["Python"],
            "time_limit": 30,
        }
    ]
    tokens, session = await account_and_session(server, questions=questions)
    page = await open_interview(context, server, tokens, session)
    # The page before the interview once promised "nothing ends your answer except you" and
    # called the timer "a guide", but at the limit the server ends and scores the answer.
    how = page.locator("section.card", has_text="How it works")
    await expect(how).to_contain_text("when the time is up, your answer is saved")
    await expect(how).not_to_contain_text("nothing ends your answer except you")
    await pass_microphone_check(page)
    await page.get_by_test_id("start-interview").click()
    await expect(page.get_by_text("suggested 0:30")).to_be_visible(timeout=30_000)
    await expect(page.get_by_text(re.compile(r"About \d+ seconds left"))).to_be_visible(timeout=40_000)
    await expect(page.locator(".timer")).to_have_class(re.compile("timer--warning"))
    await shot(page, "time-warning")
    # At the limit the server closes the answer itself; nothing is cut off or lost.
    await expect(page.get_by_test_id("score-card")).to_be_visible(timeout=60_000)
    assert spoken(await page.get_by_test_id("score-card").locator(".annotated").text_content(), at_least=3)
    assert page.script_errors == []
