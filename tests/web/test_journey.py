"""A candidate's whole practice session in a real browser, against the real server and model,
on a desktop (the report and the history also on a 390 px phone): sign up, pass the microphone
check, hear each question spoken, answer out loud and watch the words appear, read the score
card, try an answer again, answer a follow-up, skip a question, finish, read the report, play an
answer back, see the history; a watcher with the share link follows along. At each step the test
checks what the candidate sees ("of 3" throughout: follow-ups belong to their question)."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.async_api import expect

from server.live import protocol as wire
from tests.web.conftest import new_page, spoken, unique_email
from tests.web.helpers import account_and_session, pass_microphone_check, sign_in, wait_until_spoken, watch_for_tails

pytestmark = [pytest.mark.model, pytest.mark.slow]

#: The journey needs the server side of issue 13 (spoken questions, follow-ups numbered under
#: their question, retry); until the protocol carries `voice_url` it cannot pass, so it waits.
SERVER_SPEAKS = "voice_url" in wire.QuestionAsked.__struct_fields__
needs_issue_13_server = pytest.mark.skipif(
    not SERVER_SPEAKS, reason="the server does not speak questions yet (issue 13, protocol `voice_url`)"
)

#: Three planned questions. The first misses talking points the recorded answer never covers,
#: so the interviewer follows up on it; the last is covered by the answer.
QUESTIONS = [
    {
        "text": "Tell me about a backend project you led and how you mentored the team.",
        "category": "technical",
        "expected_topics": ["Python", "mentoring", "code review"],
        "time_limit": 120,
    },
    {
        "text": "How do you decide what to test first in a new codebase?",
        "category": "technical",
        "expected_topics": ["risk"],
        "time_limit": 120,
    },
    {
        "text": "Describe a migration you ran and how you measured its effect.",
        "category": "technical",
        "expected_topics": ["Kubernetes", "latency"],
        "time_limit": 120,
    },
]

WATCH_COUNTERS = """() => {
  window.__counters = [];
  const seen = () => {
    const el = document.querySelector('[data-testid=question-counter]');
    if (el && el.textContent && window.__counters.at(-1) !== el.textContent) window.__counters.push(el.textContent);
  };
  new MutationObserver(seen).observe(document.body, { subtree: true, childList: true, characterData: true });
}"""

#: Whether the history's charts have pixels on the first frame after their canvas appears.
WATCH_CHARTS = """() => {
  window.__chartFirstFrame = null;
  new MutationObserver((_, observer) => {
    const canvas = document.getElementById('trend-chart');
    if (!canvas) return;
    observer.disconnect();
    requestAnimationFrame(() => {
      const { width, height } = canvas;
      const pixels = canvas.getContext('2d').getImageData(0, 0, width, height).data;
      let drawn = 0;
      for (let i = 3; i < pixels.length; i += 4) if (pixels[i]) drawn++;
      window.__chartFirstFrame = drawn;
    });
  }).observe(document.body, { subtree: true, childList: true });
}"""


async def press(page, locator) -> None:
    """Activate a control with the keyboard, as a keyboard-only candidate would."""
    await locator.focus()
    await page.keyboard.press("Enter")


async def asked(page, counter: str) -> dict:
    """The question `counter` is on screen, was spoken, and the microphone then opened."""
    await expect(page.get_by_test_id("question-counter")).to_contain_text(counter, timeout=60_000)
    await expect(page.get_by_test_id("answer-done")).to_be_enabled(timeout=60_000)
    entry = await page.evaluate("window.__interview.trace.at(-1)")
    assert entry["label"].startswith(counter), entry
    assert entry["voiceUrl"], f"no interviewer voice for {counter}"
    assert entry["played"], f"the interviewer's voice did not play for {counter}: {entry}"
    assert entry["audioSentWhileSpeaking"] == 0, entry  # the microphone waits for the interviewer
    assert entry["clockAfterSpeaking"] == "0:00", entry  # the answer's clock starts after the question
    return entry


async def answer_out_loud(page, shot, step: str) -> str:
    """Wait for the spoken words in the live transcript, then press "I'm done"."""
    heard = await wait_until_spoken(page, at_least=4)
    assert not re.search(r"[a-z][,.][a-z]", await page.get_by_test_id("live-transcript").inner_text(), re.I)
    await shot(page, f"{step}-live-transcript")
    await press(page, page.get_by_test_id("answer-done"))
    return heard


async def score_card_arrives(page, shot, step: str, title: str):
    card = page.get_by_test_id("score-card")
    await expect(card).to_be_visible(timeout=120_000)
    await expect(card.get_by_role("heading", level=3)).to_have_text(f"{title}: how it went")
    await expect(card.locator(".ring")).to_be_in_viewport()  # the overall score is in view
    # focus is on the card's heading (or, after the last answer, on the report link): never on
    # Continue, which scrolled the score away
    focused = await page.evaluate("document.activeElement.textContent")
    assert focused in (f"{title}: how it went", "See your report", "Open the report"), focused
    for dimension in ("Relevance", "Grammar", "Fluency", "Talking points"):
        await expect(card.locator(".dimension__label", has_text=dimension)).to_be_visible()
    assert re.match(r"^\d{1,3}", await card.locator(".ring__value").inner_text())
    assert spoken(await card.locator(".annotated").text_content())
    height = (await card.bounding_box())["height"]
    viewport = page.viewport_size
    assert height < 1.8 * viewport["height"], f"the score card is {height:.0f} px tall"
    await shot(page, f"{step}-score-card", full_page=False)
    return card


async def way_on(page) -> str:
    """After a score card: "follow-up", "next" (Continue to question N) or "done" (closing)."""
    go, closing = page.get_by_test_id("continue"), page.get_by_test_id("closing")
    await expect(page.locator("[data-testid=continue]:visible, [data-testid=closing]:visible")).to_be_visible(
        timeout=90_000
    )
    if await closing.is_visible():
        return "done"
    return "follow-up" if (await go.inner_text()) == "Answer the follow-up" else "next"


async def follow_ups(page, shot, number: int, step: str) -> tuple[int, str]:
    """Answer every follow-up the interviewer asks about question `number`."""
    answered = 0
    while (next_step := await way_on(page)) == "follow-up":
        await expect(page.get_by_test_id("follow-up")).to_be_visible()
        await press(page, page.get_by_test_id("continue"))
        await asked(page, f"Question {number} of 3 · follow-up")
        answered += 1
        await answer_out_loud(page, shot, f"{step}-follow-up-{answered}")
        # the second is "follow-up 2", as the watch page and the report name it
        title = f"Question {number} · follow-up" + (f" {answered}" if answered > 1 else "")
        await score_card_arrives(page, shot, f"{step}-follow-up-{answered}", title)
        assert answered <= 2, "more than two follow-ups on one question"
    return answered, next_step


@needs_issue_13_server
async def test_a_candidate_practises_an_interview_end_to_end(server, browser, shot) -> None:
    """On a desktop; then the report and the history again on a 390 px phone. (The interview
    screen on a phone, without a second spoken interview: the score card in view and about a
    screen tall, the share panel and the controls in test_interview_ui.py; the keyboard focus
    outline in test_flow_endings.py.)"""
    viewport = {"width": 1100, "height": 900}
    context = await browser.new_context(viewport=viewport)
    page = await new_page(context)
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

    # Three known questions (through the API, with the candidate's own token).
    access = await page.evaluate("sessionStorage.getItem('mi.access')")
    async with httpx.AsyncClient(base_url=server, headers={"Authorization": f"Bearer {access}"}) as http:
        created = await http.post(
            "/api/sessions",
            json={
                "title": "Backend Engineer interview",
                "custom_questions": QUESTIONS,
                "num_questions": 3,
                "interview_type": "technical",
            },
        )
        assert created.status_code == 201, created.text
        session = created.json()
        share = (await http.post(f"/api/sessions/{session['id']}/share")).json()
    watcher_context = await browser.new_context(viewport=viewport)
    watcher = await new_page(watcher_context)
    await watcher.goto(f"{server}/app/#/watch/{session['id']}/{share['token']}")
    await expect(watcher.get_by_role("heading", name="Backend Engineer interview")).to_be_visible(timeout=15_000)
    await expect(watcher.get_by_test_id("watch-question")).to_have_count(0)  # nothing asked yet

    await page.goto(f"{server}/app/#/interview/{session['id']}")
    await expect(page.get_by_role("heading", name="Check your microphone")).to_be_visible()
    await expect(page.get_by_text("3 questions")).to_be_visible()
    await expect(page.get_by_test_id("start-interview")).to_be_disabled()
    await pass_microphone_check(page)
    await shot(page, "microphone-check")
    await page.evaluate(WATCH_COUNTERS)
    await press(page, page.get_by_test_id("start-interview"))
    await watch_for_tails(page)

    # Question 1: answered, then tried again.
    first = await asked(page, "Question 1 of 3")
    print(f"first sound {first['firstSoundAt'] - first['shownAt']:.0f} ms after question 1 appeared")
    await expect(page.get_by_test_id("speaking")).to_contain_text("Speaking", timeout=30_000)
    await answer_out_loud(page, shot, "q1")
    counts = await page.evaluate("window.__interview.connection.counts")
    assert counts.get("partial", 0) + counts.get("partial_with_tail", 0) > 0 and counts.get("final", 0) > 0, counts
    if counts.get("partial_with_tail"):
        assert await page.evaluate("window.__sawTail"), "a partial's tail was never shown dimmed and italic"
    await score_card_arrives(page, shot, "q1", "Question 1")
    await press(page, page.get_by_test_id("try-again"))
    await asked(page, "Question 1 of 3")
    await expect(page.get_by_test_id("question-counter")).to_contain_text("attempt 2")
    await answer_out_loud(page, shot, "q1-attempt-2")
    await score_card_arrives(page, shot, "q1-attempt-2", "Question 1")
    answered_follow_ups, next_step = await follow_ups(page, shot, 1, "q1")

    # Question 2: the candidate starts, then skips: no score, no follow-up, straight on.
    assert next_step == "next"
    await expect(page.get_by_test_id("continue")).to_have_text("Continue to question 2")
    await press(page, page.get_by_test_id("continue"))
    await asked(page, "Question 2 of 3")
    await wait_until_spoken(page, at_least=3)
    await shot(page, "q2-before-skip")
    await press(page, page.get_by_test_id("skip"))
    await asked(page, "Question 3 of 3")
    await expect(page.get_by_test_id("score-card")).to_be_hidden()
    await expect(page.get_by_text("Question 2 skipped: its recording is kept, it is not scored.")).to_be_visible()

    # Question 3: "Repeat question" speaks it again (the microphone waits meanwhile); answered;
    # its follow-ups, if any; then the interview is complete.
    asks = len(await page.evaluate("window.__interview.trace"))
    await press(page, page.get_by_test_id("repeat-question"))
    await expect(page.get_by_test_id("interviewer-speaking")).to_be_visible()
    await expect(page.get_by_test_id("answer-done")).to_be_enabled(timeout=60_000)
    repeated = (await page.evaluate("window.__interview.trace"))[asks:]
    assert len(repeated) == 1 and repeated[0]["played"] and repeated[0]["audioSentWhileSpeaking"] == 0, repeated
    await answer_out_loud(page, shot, "q3")
    await score_card_arrives(page, shot, "q3", "Question 3")
    more, next_step = await follow_ups(page, shot, 3, "q3")
    answered_follow_ups += more
    assert next_step == "done"
    assert answered_follow_ups >= 1, "the interviewer never followed up"
    closing = page.get_by_test_id("closing")
    await expect(closing).to_contain_text("Interview complete")
    await expect(closing).to_contain_text("Your feedback report is ready", timeout=60_000)
    await expect(page.get_by_test_id("see-report")).to_be_focused()
    await expect(page.get_by_text("We did not hear an answer")).to_have_count(0)
    await shot(page, "interview-complete")
    counters = await page.evaluate("window.__counters")
    assert counters and all(re.match(r"Question [1-3] of 3\b", c) for c in counters), counters
    trace = await page.evaluate("window.__interview.trace")
    print(
        "first sound after the question appeared (ms):",
        [round(t["firstSoundAt"] - t["shownAt"]) for t in trace if t["firstSoundAt"]],
    )

    # The watcher saw only the asked questions, numbered as the candidate saw them.
    labels = await watcher.get_by_test_id("watch-label").all_inner_texts()
    assert labels[0] == "Question 1 of 3" and "Question 2 of 3" in labels and "Question 3 of 3" in labels, labels
    assert len([x for x in labels if "follow-up" in x]) == answered_follow_ups, labels
    assert all(re.match(r"Question [1-3]( of 3| · follow-up)", x) for x in labels), labels
    await shot(watcher, "watcher")
    await watcher_context.close()

    # The report: 2 of 3 answered, 1 skipped; follow-ups under their question; earlier attempts.
    await press(page, page.get_by_test_id("see-report"))
    summary = page.get_by_test_id("report-summary")
    await expect(summary).to_be_visible(timeout=60_000)
    await expect(page.get_by_test_id("answered-count")).to_contain_text("2 of 3")
    await expect(page.get_by_test_id("answered-count")).to_contain_text("1 skipped")
    await expect(page.get_by_test_id("rating")).to_have_text(re.compile(r"Excellent|Good|Fair|Poor"))
    await expect(page.get_by_test_id("readiness")).to_contain_text(re.compile(r"\d+/100"))
    blocks = page.get_by_test_id("question-breakdown")
    await expect(blocks).to_have_count(3)
    await expect(blocks.nth(1).get_by_test_id("question-state")).to_have_text("Skipped")
    # skipped after speaking: its words and recording were kept (the closing said so) and are shown,
    # not scored
    await expect(blocks.nth(1).get_by_test_id("skipped-words")).to_be_visible()
    await expect(blocks.nth(1).get_by_test_id("play-answer")).to_have_count(1)
    await expect(blocks.nth(0).get_by_test_id("earlier-attempts")).to_contain_text("1 earlier attempt")
    await expect(page.get_by_test_id("follow-up-breakdown")).to_have_count(answered_follow_ups)
    await expect(page.get_by_test_id("play-answer")).to_have_count(3 + answered_follow_ups)
    report_text = await page.locator("main").inner_text()
    assert not re.search(r"\bof [4-9]\b", report_text), "the report counts follow-ups as questions"
    # questions are named as the candidate saw them ("questions 1, 2 and 3", "Q2"), never by the
    # stored row that follow-ups shifted
    named = [
        int(n)
        for group in re.findall(r"\b[Qq]uestions? ((?:\d+(?:, | and | or )?)+)", report_text)
        for n in re.findall(r"\d+", group)
    ]
    named += [int(n) for n in re.findall(r"\bQ(\d+)\b", report_text)]
    assert all(1 <= n <= 3 for n in named), f"the report names questions {named} in a 3-question interview"
    await page.get_by_test_id("play-answer").first.click()
    audio = page.locator("audio").first
    await expect(audio).to_have_attribute("src", re.compile(r"^blob:"))
    await page.wait_for_function("() => document.querySelector('audio').duration > 1", timeout=10_000)
    await shot(page, "report")
    assert await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), "horizontal scrolling"
    report_url = page.url

    # History: the charts are drawn on their first frame.
    await page.evaluate(WATCH_CHARTS)
    await page.get_by_role("navigation", name="Main").get_by_role("link", name="History").click()
    await expect(page.get_by_role("heading", name="Your progress")).to_be_visible()
    await page.wait_for_function("() => window.__chartFirstFrame !== null", timeout=10_000)
    assert await page.evaluate("window.__chartFirstFrame") > 0, "the trend chart was blank on its first frame"
    assert (
        await page.evaluate("Chart.getChart(document.getElementById('trend-chart')).data.datasets[0].data.length") == 1
    )
    await expect(page.locator(".stat", has_text="completed interviews")).to_contain_text("1")
    await shot(page, "history")

    # The same report and history on a phone: everything there, nothing wider than the screen.
    await page.set_viewport_size({"width": 390, "height": 844})
    await page.goto(report_url)
    await expect(page.get_by_test_id("report-summary")).to_be_visible(timeout=60_000)
    await expect(page.get_by_test_id("answered-count")).to_contain_text("2 of 3")
    await expect(page.get_by_test_id("question-breakdown")).to_have_count(3)
    await expect(page.get_by_test_id("play-answer")).to_have_count(3 + answered_follow_ups)
    await shot(page, "report-phone")
    assert await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), "horizontal scrolling"
    await page.evaluate(WATCH_CHARTS)
    await page.get_by_role("navigation", name="Main").get_by_role("link", name="History").click()
    await expect(page.get_by_role("heading", name="Your progress")).to_be_visible()
    await page.wait_for_function("() => window.__chartFirstFrame !== null", timeout=10_000)
    assert await page.evaluate("window.__chartFirstFrame") > 0, "the trend chart was blank on its first frame"
    await shot(page, "history-phone")
    assert await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), "horizontal scrolling"
    assert page.script_errors == []
    await context.close()


@needs_issue_13_server
async def test_ending_during_a_follow_up_shows_a_clear_closing_screen(server, page, shot) -> None:
    tokens, session = await account_and_session(server, questions=QUESTIONS[:1])
    await sign_in(page, tokens)
    await page.goto(f"{server}/app/#/interview/{session['id']}")
    await pass_microphone_check(page)
    await page.get_by_test_id("start-interview").click()
    await asked(page, "Question 1 of 1")
    await answer_out_loud(page, shot, "answer")
    await score_card_arrives(page, shot, "answer", "Question 1")
    assert await way_on(page) == "follow-up", (
        "the interviewer did not follow up on an answer missing two talking points"
    )
    await press(page, page.get_by_test_id("continue"))
    await asked(page, "Question 1 of 1 · follow-up")
    await wait_until_spoken(page, at_least=2)

    await page.get_by_role("button", name="End interview").click()
    await page.get_by_role("button", name="End and see my report").click()
    closing = page.get_by_test_id("closing")
    await expect(closing).to_contain_text("Interview complete")
    await expect(closing).to_contain_text("You ended the interview")
    await expect(page.get_by_test_id("see-report")).to_be_focused()  # not the page's body
    await expect(page.get_by_text("We did not hear an answer")).to_have_count(0)
    await expect(page.get_by_test_id("follow-up")).to_be_hidden()  # no dead follow-up card
    await expect(page.get_by_test_id("answer-card")).to_be_hidden()
    await shot(page, "ended")
    await press(page, page.get_by_test_id("see-report"))
    await expect(page.get_by_test_id("answered-count")).to_contain_text("1 of 1", timeout=60_000)
    assert not re.search(r"\bof [2-9]\b", await page.locator("main").inner_text())
    assert page.script_errors == []
