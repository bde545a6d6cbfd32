"""Screen-reader announcements belong to the page that made them. The new-user trial found "The
interview is complete. Your report is being prepared." still in the live region on the history
and profile pages, where a screen reader reading the page meets it at the end."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from tests.web.helpers import account_and_session, sign_in

pytestmark = [pytest.mark.model, pytest.mark.slow]


async def test_a_pages_announcement_is_cleared_when_another_page_opens(server, page) -> None:
    tokens, _ = await account_and_session(server)
    await sign_in(page, tokens)
    await page.goto(server + "/app/#/history")
    await expect(page.get_by_role("heading", name="Your progress")).to_be_visible(timeout=15_000)
    await page.evaluate(
        """async () => {
          const { announce } = await import('/app/js/dom.js');
          announce('The interview is complete. Your report is being prepared.');
        }"""
    )
    region = page.locator("#announce-polite")
    await expect(region).to_have_text("The interview is complete. Your report is being prepared.")
    await page.evaluate("location.hash = '#/profile'")
    await expect(page.get_by_role("heading", name="Your profile")).to_be_visible(timeout=15_000)
    await expect(region).to_have_text("")
    assert page.script_errors == []
