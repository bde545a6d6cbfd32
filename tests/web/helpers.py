"""Steps shared by the browser tests: accounts through the API, the microphone check, answering."""

from __future__ import annotations

import asyncio
import json

import httpx
from playwright.async_api import Page, expect

from tests.web.conftest import new_page, spoken, unique_email

QUESTIONS = [
    {
        "text": "Tell me about your backend experience and a project you are proud of.",
        "category": "technical",
        "expected_topics": ["Python", "Kubernetes", "latency"],
        "time_limit": 120,
    }
]


async def account_and_session(base: str, *, questions=QUESTIONS, role: str = "Backend Engineer") -> tuple[dict, dict]:
    """Register through the API and create a session with known questions."""
    async with httpx.AsyncClient(base_url=base) as http:
        tokens = (
            await http.post(
                "/api/auth/register",
                json={
                    "email": unique_email(),
                    "password": "a long password",
                    "full_name": "Sam Candidate",
                    "target_role": role,
                },
            )
        ).json()
        headers = {"Authorization": f"Bearer {tokens['access_token']}"}
        created = await http.post(
            "/api/sessions",
            json={
                "title": "Backend Engineer interview",
                "target_role": role,
                "custom_questions": questions,
                "num_questions": len(questions),
            },
            headers=headers,
        )
        assert created.status_code == 201, created.text
        return tokens, created.json()


async def sign_in(page: Page, tokens: dict) -> None:
    """Put the tokens where the app keeps them (as after a log-in) before any page script runs."""
    await page.add_init_script(
        f"""
        if (!localStorage.getItem("mi.refresh")) {{
          localStorage.setItem("mi.refresh", {json.dumps(tokens["refresh_token"])});
          localStorage.setItem("mi.user", {json.dumps(json.dumps(tokens["user"]))});
        }}
        """
    )


async def open_interview(context, base: str, tokens: dict, session: dict) -> Page:
    """A new page in `context`, signed in, on the session's microphone check."""
    page = await new_page(context)
    await sign_in(page, tokens)
    await page.goto(f"{base}/app/#/interview/{session['id']}")
    await expect(page.get_by_role("heading", name="Check your microphone")).to_be_visible()
    return page


async def pass_microphone_check(page: Page) -> None:
    await page.get_by_role("button", name="Check my microphone").click()
    await expect(page.get_by_text("We can hear you")).to_be_visible(timeout=20_000)
    await expect(page.get_by_test_id("start-interview")).to_be_enabled()


async def watch_for_tails(page: Page) -> None:
    """Record whether a partial's unstable tail was ever rendered (dimmed) in the transcript."""
    await page.evaluate(
        """() => {
          window.__sawTail = false;
          new MutationObserver(() => {
            const tail = document.querySelector('#live-transcript .tail');
            if (tail && getComputedStyle(tail).fontStyle === 'italic') window.__sawTail = true;
          }).observe(document.body, {subtree: true, childList: true, characterData: true});
        }"""
    )


async def transcript_text(page: Page) -> str:
    return await page.get_by_test_id("live-transcript").inner_text()


async def final_text(page: Page) -> str:
    return await page.evaluate(
        "() => [...document.querySelectorAll('#live-transcript .final')].map(e => e.textContent).join(' ')"
    )


async def wait_until_spoken(page: Page, *, timeout: float = 90, at_least: int = 2, finals_only: bool = True) -> str:
    """Poll the live transcript until it holds `at_least` words of the spoken answer."""
    deadline = asyncio.get_running_loop().time() + timeout
    text = ""
    while asyncio.get_running_loop().time() < deadline:
        text = await (final_text(page) if finals_only else transcript_text(page))
        if spoken(text, at_least=at_least):
            return text
        await asyncio.sleep(0.5)
    raise AssertionError(f"the live transcript never showed the spoken words; it says: {text!r}")
