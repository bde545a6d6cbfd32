"""A candidate's whole practice session in a real browser, against the real server and model:
sign up, create an interview, pass the microphone check, answer out loud and watch the words
appear, read the score card, finish, read the report, play the answer back, see the history."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import expect

from tests.web.conftest import spoken, unique_email
from tests.web.helpers import pass_microphone_check, wait_until_spoken, watch_for_tails

pytestmark = [pytest.mark.model, pytest.mark.slow]


async def answer_out_loud(page, shot, step: str) -> str:
    """Wait for the spoken words in the live transcript, then press "I'm done"."""
    await expect(page.get_by_test_id("answer-done")).to_be_enabled(timeout=30_000)
    heard = await wait_until_spoken(page, at_least=4)
    await shot(page, f"{step}-live-transcript")
    await page.get_by_role("button", name="I’m done").click()
    return heard


async def test_a_candidate_practises_an_interview_end_to_end(server, page, shot) -> None:
    await page.goto(server + "/")
    await expect(page.get_by_role("heading", name="Practise interviews out loud")).to_be_visible()
    await shot(page, "login")

    await page.get_by_role("link", name="Create a free account").click()
    await page.get_by_label("Your name").fill("Alex Candidate")
    await page.get_by_label("E-mail").fill(unique_email())
    await page.get_by_label("Password").fill("a long password")
    await page.get_by_label("Role you are preparing for").fill("Backend Engineer")
    await shot(page, "signup")
    await page.get_by_role("button", name="Create account").click()

    await expect(page.get_by_role("heading", name="Your first practice interview")).to_be_visible()
    await expect(page.get_by_label("Role (optional)")).to_have_value("Backend Engineer")  # from the profile
    await page.get_by_label("Number of questions").fill("1")
    await page.get_by_role("radio", name=re.compile("^Technical")).check()
    await shot(page, "new-interview")
    await page.get_by_role("button", name="Continue to microphone check").click()

    await expect(page.get_by_role("heading", name="Check your microphone")).to_be_visible()
    await expect(page.get_by_test_id("start-interview")).to_be_disabled()
    await pass_microphone_check(page)
    meter = page.get_by_role("meter", name="Microphone level")
    await expect(meter).not_to_have_attribute("aria-valuenow", "0", timeout=5_000)
    await shot(page, "microphone-check")

    await page.get_by_test_id("start-interview").click()
    await watch_for_tails(page)
    await expect(page.get_by_test_id("question-counter")).to_contain_text("Question 1 of 1", timeout=30_000)
    await expect(page.get_by_test_id("question-text")).not_to_be_empty()
    await expect(page.get_by_test_id("speaking")).to_contain_text("Speaking", timeout=30_000)
    await answer_out_loud(page, shot, "answer-1")
    counts = await page.evaluate("window.__interview.connection.counts")
    assert counts.get("partial", 0) + counts.get("partial_with_tail", 0) > 0 and counts.get("final", 0) > 0, counts
    if counts.get("partial_with_tail"):
        assert await page.evaluate("window.__sawTail"), "a partial's tail was never shown dimmed and italic"

    card = page.get_by_test_id("score-card")
    await expect(card).to_be_visible(timeout=90_000)
    for dimension in ("Relevance", "Grammar", "Fluency", "Talking points"):
        await expect(card.locator(".dimension__label", has_text=dimension)).to_be_visible()
    overall = await card.locator(".ring__value").inner_text()
    assert re.match(r"^\d{1,3}", overall), overall
    assert spoken(await card.locator(".annotated").inner_text())
    await expect(card.get_by_role("heading", name="Try this next time")).to_be_visible()
    await shot(page, "score-card")

    # Follow-up questions arrive conversationally; answer the first, then end the interview.
    see_report, next_button = page.get_by_test_id("see-report"), page.get_by_test_id("continue")
    await expect(see_report.or_(next_button)).to_be_visible(timeout=60_000)
    rounds = 0
    while await next_button.is_visible() and rounds < 2:
        rounds += 1
        if rounds == 1:
            await expect(page.get_by_test_id("follow-up")).to_be_visible()
            await expect(next_button).to_be_focused()
            await next_button.click()
            await expect(page.get_by_test_id("question-text")).to_contain_text("?")
            await answer_out_loud(page, shot, "follow-up")
            await expect(page.get_by_test_id("score-card")).to_be_visible(timeout=90_000)
            await expect(see_report.or_(next_button)).to_be_visible(timeout=60_000)
        else:
            await page.get_by_role("button", name="End interview").click()
            await page.get_by_role("button", name="End and see my report").click()
    await expect(page.get_by_text("Your feedback report is ready")).to_be_visible(timeout=60_000)
    await shot(page, "interview-complete")
    await see_report.click()

    summary = page.get_by_test_id("report-summary")
    await expect(summary).to_be_visible(timeout=60_000)
    await expect(page.get_by_test_id("rating")).to_have_text(re.compile(r"Excellent|Good|Fair|Poor"))
    await expect(page.get_by_test_id("readiness")).to_contain_text(re.compile(r"\d+/100"))
    await expect(page.get_by_test_id("percentile")).to_have_text(re.compile(r"Not enough peers yet|Better than \d+%"))
    await expect(page.get_by_role("heading", name="Question by question")).to_be_visible()
    await expect(page.get_by_role("heading", name="Next steps")).to_be_visible()
    await page.get_by_test_id("play-answer").first.click()
    audio = page.locator("audio").first
    await expect(audio).to_have_attribute("src", re.compile(r"^blob:"))
    await page.wait_for_function("() => document.querySelector('audio').duration > 1", timeout=10_000)
    await shot(page, "report")

    await page.get_by_role("navigation", name="Main").get_by_role("link", name="History").click()
    await expect(page.get_by_role("heading", name="Your progress")).to_be_visible()
    await page.wait_for_function(
        "() => window.Chart && Chart.getChart(document.getElementById('trend-chart'))"
        " && Chart.getChart(document.getElementById('dimension-chart'))",
        timeout=10_000,
    )
    assert await page.evaluate("Chart.getChart(document.getElementById('trend-chart')).data.datasets[0].data.length") == 1
    await expect(page.locator(".stat", has_text="completed interviews")).to_contain_text("1")
    await page.wait_for_timeout(600)  # let the chart's entry animation finish for the screenshot
    await shot(page, "history")

    await page.set_viewport_size({"width": 390, "height": 844})
    await page.get_by_role("link", name="View report").first.click()
    await expect(page.get_by_test_id("report-summary")).to_be_visible()
    await shot(page, "report-phone")
    assert await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), "horizontal scrolling at phone width"
    assert page.script_errors == []
