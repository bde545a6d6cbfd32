"""The voice preference on a candidate's first visit, in a real browser: turned off in the
profile before any interview exists (the server has nowhere to keep it yet, and once answered
409 `no_session_yet`), it is honoured by the first interview: no question is spoken, the
microphone opens at once, and from then on the server keeps it with the interviews."""

from __future__ import annotations

import httpx
import pytest
from playwright.async_api import expect

from tests.web.conftest import unique_email
from tests.web.helpers import pass_microphone_check, sign_in

pytestmark = [pytest.mark.model, pytest.mark.slow]


async def test_a_voice_turned_off_on_the_first_visit_is_honoured(server, page, shot) -> None:
    async with httpx.AsyncClient(base_url=server) as http:
        registered = await http.post(
            "/api/auth/register",
            json={"email": unique_email(), "password": "a long password", "full_name": "Noor First"},
        )
        tokens = registered.json()
    assert tokens["user"]["preferences_saved"] is False  # no interview yet
    await sign_in(page, tokens)

    await page.goto(server + "/app/#/profile")
    voice = page.get_by_label("The interviewer reads the questions aloud")
    await expect(voice).to_be_checked()
    await voice.uncheck()
    await page.get_by_role("button", name="Save profile").click()
    saved = page.get_by_role("status").filter(has_text="Saved.")
    await expect(saved).to_contain_text("Your first interview will use this voice setting")
    await expect(page.get_by_text("can be changed once you have started")).to_have_count(0)  # the old 409 note
    await shot(page, "profile-before-first-interview")
    await page.reload()
    await expect(page.get_by_label("The interviewer reads the questions aloud")).not_to_be_checked()

    await page.goto(server + "/app/#/new")
    await page.get_by_label("Role").first.fill("Backend Engineer")
    await page.get_by_label("Number of questions").fill("1")
    await page.get_by_role("button", name="Continue to microphone check").click()
    await expect(page.get_by_role("heading", name="Check your microphone")).to_be_visible(timeout=30_000)
    session_id = page.url.rsplit("/", 1)[-1]
    await pass_microphone_check(page)
    await page.get_by_test_id("start-interview").click()
    await expect(page.get_by_test_id("question-counter")).to_contain_text("Question 1 of 1", timeout=60_000)
    await expect(page.get_by_test_id("answer-done")).to_be_enabled(timeout=30_000)
    entry = await page.evaluate("window.__interview.trace.at(-1)")
    assert entry["voiceUrl"] is None and not entry["played"], entry  # the server knew: voice off
    await expect(page.get_by_test_id("voice-toggle")).to_have_attribute("aria-pressed", "false")
    await expect(page.get_by_test_id("interviewer-speaking")).to_be_hidden()
    await shot(page, "first-question-without-voice")

    access = await page.evaluate("sessionStorage.getItem('mi.access')")
    async with httpx.AsyncClient(base_url=server, headers={"Authorization": f"Bearer {access}"}) as http:
        me = (await http.get("/api/users/me")).json()
        detail = (await http.get(f"/api/sessions/{session_id}")).json()
    assert me["voice_enabled"] is False and me["preferences_saved"] is True
    assert detail["metadata"]["preferences"] == {"voice_enabled": False}
    assert await page.evaluate("localStorage.getItem('mi.voice-pending')") is None  # the server keeps it now
    assert page.script_errors == []
