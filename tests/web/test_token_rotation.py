"""The web client with rotating refresh tokens, in a real browser: two tabs share one refresh
token and refresh at the same moment, several times, and stay signed in (the exchanges are
serialised across tabs, so no token is ever presented twice); logging out revokes on the server."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from playwright.async_api import expect

from tests.web.conftest import new_page
from tests.web.helpers import account_and_session, sign_in

pytestmark = [pytest.mark.model, pytest.mark.slow]


async def test_two_tabs_refreshing_together_stay_signed_in_and_log_out_revokes(server, context) -> None:
    tokens, _ = await account_and_session(server)
    tabs = [await new_page(context), await new_page(context)]
    for tab in tabs:
        await sign_in(tab, tokens)
    seen = [tokens["refresh_token"]]
    for round_ in range(3):
        if round_ == 0:
            await asyncio.gather(*(tab.goto(server + "/app/#/history") for tab in tabs))
        else:  # no access token in either tab: both refresh at once on reload
            for tab in tabs:
                await tab.evaluate("sessionStorage.removeItem('mi.access')")
            await asyncio.gather(*(tab.reload() for tab in tabs))
        for tab in tabs:  # each tab got its own access token by a refresh, and is still signed in
            await tab.wait_for_function(
                "() => sessionStorage.getItem('mi.access') || location.hash.startsWith('#/login')"
            )
            await expect(tab.get_by_role("heading", name="Your progress")).to_be_visible()
            assert "#/login" not in tab.url
        current = await tabs[0].evaluate("localStorage.getItem('mi.refresh')")
        assert current not in seen, "the refresh token was not rotated"
        seen.append(current)
    assert all(not tab.script_errors for tab in tabs), [tab.script_errors for tab in tabs]
    async with httpx.AsyncClient(base_url=server) as http:  # last: a reuse revokes the family
        assert (await http.post("/api/auth/refresh", json={"refresh_token": seen[0]})).status_code == 401


async def test_log_out_revokes_the_tokens_on_the_server(server, page) -> None:
    tokens, _ = await account_and_session(server)
    await sign_in(page, tokens)
    await page.goto(server + "/app/#/history")
    await expect(page.get_by_role("heading", name="Your progress")).to_be_visible()
    await page.wait_for_function("() => sessionStorage.getItem('mi.access')")  # the refresh is done
    refresh = await page.evaluate("localStorage.getItem('mi.refresh')")
    access = {"Authorization": "Bearer " + await page.evaluate("sessionStorage.getItem('mi.access')")}
    await page.get_by_role("button", name="Log out").click()
    await expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    async with httpx.AsyncClient(base_url=server) as http:
        for _ in range(50):  # the log-out request is sent without waiting for it
            if (await http.get("/api/users/me", headers=access)).status_code == 401:
                break
            await asyncio.sleep(0.1)
        else:
            raise AssertionError("the access token still works after logging out")
        assert (await http.post("/api/auth/refresh", json={"refresh_token": refresh})).status_code == 401
    assert not page.script_errors
