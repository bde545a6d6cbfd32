"""A keyboard-only candidate in a real browser against the real server, each test with the place
where the focus was lost when a whole interview was walked with Tab, Enter, Space (and the arrow
keys a radio group or a list of devices needs): after "Check my microphone" the focus fell to
<body> (the button was disabled while it had the focus), and so it did after choosing another
microphone in the list (the list was drawn anew), and after deleting a session in the history
(its button was removed; the count above the list kept the old number)."""

from __future__ import annotations

import httpx
import pytest
from playwright.async_api import expect

from tests.web.conftest import new_page
from tests.web.helpers import QUESTIONS, account_and_session, open_interview, sign_in

pytestmark = [pytest.mark.model, pytest.mark.slow]

FOCUSED = "document.activeElement && (document.activeElement.dataset.testid || document.activeElement.id || document.activeElement.tagName)"


async def test_the_microphone_check_keeps_the_keyboard_focus(server, context) -> None:
    tokens, session = await account_and_session(server)
    page = await open_interview(context, server, tokens, session)
    check = page.get_by_test_id("mic-check")
    await check.focus()
    await page.keyboard.press("Enter")
    await expect(page.get_by_test_id("start-interview")).to_be_enabled(timeout=20_000)
    await expect(check).to_have_text("Check again")
    assert await page.evaluate(FOCUSED) == "mic-check"

    # Chromium's fake capture offers three devices: the arrow key picks the next one at once.
    devices = page.locator("#mic-device")
    await expect(devices).to_be_visible()
    first = await devices.input_value()
    await devices.focus()
    await page.evaluate("window.__oldList = document.querySelector('#mic-device')")
    await page.keyboard.press("ArrowDown")
    # the microphone re-opens on the chosen device and the list is drawn anew, focused
    await page.wait_for_function("() => document.querySelector('#mic-device') !== window.__oldList", timeout=20_000)
    await expect(devices).not_to_have_value(first)
    await expect(devices).to_be_focused()
    await page.keyboard.press("Tab")
    assert await page.evaluate(FOCUSED) == "start-interview"
    assert page.script_errors == []


async def test_deleting_a_session_in_the_history_keeps_the_keyboard_focus(server, context) -> None:
    tokens, _ = await account_and_session(server)
    async with httpx.AsyncClient(base_url=server) as http:
        second = await http.post(
            "/api/sessions",
            json={"title": "Second practice", "custom_questions": QUESTIONS, "num_questions": 1},
            headers={"Authorization": f"Bearer {tokens['access_token']}"},
        )
        assert second.status_code == 201, second.text
    page = await new_page(context)
    page.on("dialog", lambda dialog: dialog.accept())  # "Delete ... This cannot be undone."
    await sign_in(page, tokens)
    await page.goto(f"{server}/app/#/history")
    heading = page.locator("#sessions-title")
    await expect(heading).to_have_text("All sessions (2)")
    await page.get_by_role("button", name="Delete “Second practice”").focus()
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("button", name="Delete “Second practice”")).to_have_count(0)
    await expect(heading).to_have_text("All sessions (1)")
    await expect(heading).to_be_focused()
    await expect(page.locator("#announce-polite")).to_have_text("Deleted “Second practice”.")
    await page.keyboard.press("Tab")  # on to the remaining session, not back to the top of the page
    assert await page.evaluate("document.activeElement.closest('.session-list') !== null")
    assert page.script_errors == []
