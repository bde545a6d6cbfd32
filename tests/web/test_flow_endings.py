"""How a question and an interview end, in a real browser against the real server and model
(issue 13's defects left open): skipping the last question shows the closing screen, not the
previous question's score card, and the report then shows what was said and plays it; what a
skip says is true whether something was said or not; the keyboard focus outline is never cut off
on a 390 px phone; history counts as the report counts, says when a follow-up is waiting, and
opens what a cancelled interview recorded."""

from __future__ import annotations

import io
from dataclasses import replace

import httpx
import numpy as np
import pytest
from playwright.async_api import expect

from server.app import create_app
from tests.support.chromium import launch
from tests.support.live_server import serve
from tests.support.speech import write_wav
from tests.web.conftest import new_page, spoken
from tests.web.helpers import account_and_session, sign_in, wait_until_spoken

pytestmark = [pytest.mark.model, pytest.mark.slow]

#: Two planned questions; follow-ups are off in `quiet_server`, so the second follows the first.
TWO = [
    {
        "text": "Tell me about your backend experience and a project you are proud of.",
        "category": "technical",
        "expected_topics": ["Python", "Kubernetes", "latency"],
        "time_limit": 120,
    },
    {
        "text": "How do you decide what to test first in a new codebase?",
        "category": "technical",
        "expected_topics": ["risk"],
        "time_limit": 120,
    },
]


@pytest.fixture
async def quiet_server(settings, transcriber, embedder):
    """The server without follow-ups: every answer goes on to the next planned question."""
    quiet = replace(settings, review=replace(settings.review, follow_ups_per_session=0))
    async with serve(create_app(quiet, transcriber=transcriber, embedder=embedder)) as base:
        yield base


@pytest.fixture(scope="module")
async def silent_browser(playwright, tmp_path_factory):
    """Chromium whose microphone hears nothing at all."""
    path = tmp_path_factory.mktemp("silence") / "silence.wav"
    write_wav(path, np.zeros(16000 * 5, np.float32), 16000)
    browser = await launch(playwright, fake_microphone=path)
    yield browser
    await browser.close()


async def start(page, server: str, tokens: dict, session: dict) -> None:
    """Signed in, on the interview page, microphone opened (not necessarily heard), started."""
    await sign_in(page, tokens)
    await page.goto(f"{server}/app/#/interview/{session['id']}")
    await page.get_by_role("button", name="Check my microphone").click()
    await expect(page.get_by_test_id("start-interview")).to_be_enabled(timeout=20_000)
    await page.get_by_test_id("start-interview").click()


async def test_skipping_the_last_question_shows_the_closing_screen(quiet_server, browser, shot) -> None:
    server = quiet_server
    tokens, session = await account_and_session(server, questions=TWO)
    context = await browser.new_context(viewport={"width": 1100, "height": 900})
    page = await new_page(context)
    await start(page, server, tokens, session)
    await expect(page.get_by_test_id("answer-done")).to_be_enabled(timeout=60_000)
    await wait_until_spoken(page, at_least=4)
    await page.get_by_test_id("answer-done").click()
    await expect(page.get_by_test_id("score-card")).to_be_visible(timeout=120_000)
    await expect(page.get_by_test_id("continue")).to_have_text("Continue to question 2", timeout=60_000)
    await page.get_by_test_id("continue").click()

    await expect(page.get_by_test_id("question-counter")).to_contain_text("Question 2 of 2", timeout=60_000)
    await expect(page.get_by_test_id("answer-done")).to_be_enabled(timeout=60_000)
    await wait_until_spoken(page, at_least=2)
    await page.get_by_test_id("skip").click()

    closing = page.get_by_test_id("closing")
    await expect(closing).to_contain_text("Interview complete", timeout=60_000)
    # not question 1's score card, left over from before the skip (F1)
    await expect(page.get_by_test_id("score-card")).to_have_count(0)
    await expect(page.get_by_test_id("review")).to_be_hidden()
    await expect(page.get_by_test_id("closing-note")).to_have_text(
        "Question 2 skipped: its recording is kept, it is not scored."
    )
    await expect(page.get_by_test_id("see-report")).to_be_focused()
    await shot(page, "last-question-skipped")
    await page.get_by_test_id("see-report").click()
    await expect(page.get_by_test_id("answered-count")).to_contain_text("1 of 2", timeout=60_000)
    await expect(page.get_by_test_id("answered-count")).to_contain_text("1 skipped")
    # The closing screen said the recording is kept: the report shows the words and plays them
    # (it showed only "Skipped" and the question, though the API had both).
    skipped = page.get_by_test_id("question-breakdown").nth(1)
    await expect(skipped.get_by_test_id("question-state")).to_have_text("Skipped")
    kept = skipped.get_by_test_id("skipped-words")
    await expect(kept).to_be_visible()
    assert spoken(await kept.inner_text()), await kept.inner_text()
    await skipped.get_by_test_id("play-answer").click()
    await expect(skipped.locator("audio")).to_be_visible(timeout=20_000)
    await expect(skipped.locator("audio")).to_be_focused()
    assert page.script_errors == []
    await context.close()


async def test_a_skip_with_nothing_said_does_not_claim_a_recording(quiet_server, silent_browser, shot) -> None:
    server = quiet_server
    tokens, session = await account_and_session(server, questions=TWO)
    context = await silent_browser.new_context(viewport={"width": 1100, "height": 900})
    page = await new_page(context)
    await start(page, server, tokens, session)
    await expect(page.get_by_test_id("answer-done")).to_be_enabled(timeout=60_000)
    await page.get_by_test_id("skip").click()

    # F2: "its recording is kept" was said of a skip with nothing recorded.
    await expect(page.get_by_test_id("question-counter")).to_contain_text("Question 2 of 2", timeout=60_000)
    await expect(
        page.get_by_text("Question 1 skipped: nothing was said, so there is nothing to score.")
    ).to_be_visible()
    await expect(page.get_by_text("its recording is kept")).to_have_count(0)
    await shot(page, "silent-skip")

    # "I'm done" with no word heard counts as skipped, and the closing screen says so.
    await expect(page.get_by_test_id("answer-done")).to_be_enabled(timeout=60_000)
    await page.get_by_test_id("answer-done").click()
    await expect(page.get_by_test_id("closing")).to_contain_text("Interview complete", timeout=60_000)
    await expect(page.get_by_test_id("closing-note")).to_contain_text(
        "Question 2 skipped: we heard no words, so there is nothing to score."
    )
    await expect(page.get_by_text("We did not hear an answer")).to_have_count(0)
    await expect(page.get_by_test_id("see-report")).to_be_focused()
    await shot(page, "silent-done")
    assert page.script_errors == []
    await context.close()


#: Whether the focused element's outline (its box grown by outline width + offset) is inside
#: the viewport and inside every ancestor that clips its overflow. Returns a problem or null.
OUTLINE_CLIPPED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  if (style.outlineStyle === 'none' || parseFloat(style.outlineWidth) === 0) {
    return `${el.tagName} "${el.textContent.trim().slice(0, 30)}" shows no focus outline`;
  }
  const grow = parseFloat(style.outlineWidth) + parseFloat(style.outlineOffset || '0');
  const r = el.getBoundingClientRect();
  const box = { left: r.left - grow, right: r.right + grow, top: r.top - grow, bottom: r.bottom + grow };
  const name = `${el.tagName} "${(el.getAttribute('aria-label') || el.textContent).trim().slice(0, 30)}"`;
  if (box.left < -0.5 || box.right > document.documentElement.clientWidth + 0.5) {
    return `${name}: outline ${box.left.toFixed(1)}..${box.right.toFixed(1)} outside the viewport`;
  }
  for (let p = el.parentElement; p && p !== document.documentElement; p = p.parentElement) {
    const s = getComputedStyle(p);
    const clipsX = s.overflowX !== 'visible', clipsY = s.overflowY !== 'visible';
    if (!clipsX && !clipsY) continue;
    const c = p.getBoundingClientRect();
    const inner = {
      left: c.left + p.clientLeft, top: c.top + p.clientTop,
      right: c.left + p.clientLeft + p.clientWidth, bottom: c.top + p.clientTop + p.clientHeight,
    };
    // a scroll container clips along both axes; scrolled-out parts are fine (they scroll in)
    const outY = box.top < inner.top - 0.5 || box.bottom > inner.bottom + 0.5;
    const outX = p.scrollWidth <= p.clientWidth && (box.left < inner.left - 0.5 || box.right > inner.right + 0.5);
    if (outY || outX) {
      return `${name}: outline clipped by ${p.tagName}.${p.className} (outline ${JSON.stringify(box)}, clip ${JSON.stringify(inner)})`;
    }
  }
  return null;
}"""


async def test_the_keyboard_focus_outline_is_never_cut_off_on_a_phone(server, browser, shot) -> None:
    tokens, session = await account_and_session(server, questions=TWO)
    context = await browser.new_context(viewport={"width": 390, "height": 844})
    page = await new_page(context)
    await sign_in(page, tokens)
    problems: list[str] = []
    pages = {
        "/app/#/": "Welcome back, Sam",
        "/app/#/new": "New practice interview",
        "/app/#/history": "Your progress",
        "/app/#/profile": "Your profile",
        f"/app/#/interview/{session['id']}": "Backend Engineer interview",
    }
    for route, heading in pages.items():
        await page.goto(server + route)
        await expect(page.get_by_role("heading", name=heading, level=1)).to_be_visible(timeout=15_000)
        # Tab from the very top of the page (the header's links first), as a keyboard user does
        await page.evaluate(
            """() => {
              const start = document.createElement('span');
              start.tabIndex = -1;
              document.body.prepend(start);
              start.focus();
            }"""
        )
        seen = set()
        for _ in range(40):  # Tab through the page's first 40 stops
            await page.keyboard.press("Tab")
            key = await page.evaluate(
                "(() => { const e = document.activeElement; return e ? e.outerHTML.slice(0, 120) : ''; })()"
            )
            if key in seen:
                break
            seen.add(key)
            problem = await page.evaluate(OUTLINE_CLIPPED)
            if problem:
                problems.append(f"{route}: {problem}")
                if len(problems) == 1:
                    await shot(page, "outline-clipped", full_page=False)
    assert not problems, "\n".join(problems)
    assert page.script_errors == []
    await context.close()


async def test_history_counts_as_the_report_and_opens_a_cancelled_interview(server, page, answer_wav, shot) -> None:
    # The journey's first question: the recorded answer misses two of its talking points, so the
    # interviewer follows up on it.
    led = {
        "text": "Tell me about a backend project you led and how you mentored the team.",
        "category": "technical",
        "expected_topics": ["Python", "mentoring", "code review"],
        "time_limit": 120,
    }
    tokens, waiting = await account_and_session(server, questions=[led])
    answer = answer_wav.read_bytes()
    silence = io.BytesIO()
    write_wav(silence, np.zeros(32000, np.float32), 16000)
    async with httpx.AsyncClient(
        base_url=server, timeout=180, headers={"Authorization": f"Bearer {tokens['access_token']}"}
    ) as http:

        async def create(questions: list[dict], title: str) -> dict:
            body = {"title": title, "custom_questions": questions, "num_questions": len(questions)}
            created = await http.post("/api/sessions", json=body)
            assert created.status_code == 201, created.text
            return created.json()

        async def upload(session: dict, number: int, body: bytes) -> dict:
            question = session["questions"][number - 1]["id"]
            answered = await http.post(f"/api/sessions/{session['id']}/questions/{question}/audio", content=body)
            assert answered.status_code == 200, answered.text
            return answered.json()

        await upload(waiting, 1, answer)
        assert (await http.get("/api/sessions")).json()["items"][0]["follow_up_waiting"], "no follow-up was chosen"
        skipped = await create(TWO, "Skipped one")
        await upload(skipped, 1, silence.getvalue())
        cancelled = await create(TWO, "Cancelled one")
        await upload(cancelled, 1, answer)
        assert (await http.post(f"/api/sessions/{cancelled['id']}/cancel")).status_code == 200

    await sign_in(page, tokens)
    await page.goto(f"{server}/app/#/history")
    items = page.locator(".session-item")
    await expect(items).to_have_count(3, timeout=15_000)
    by_title = {
        title: items.filter(has_text=title) for title in ("Backend Engineer interview", "Skipped one", "Cancelled one")
    }
    # F5: "1/1 answered" with a plain Resume looked finished; the follow-up belongs to question 1
    follow_up = by_title["Backend Engineer interview"]
    await expect(follow_up).to_contain_text("1 of 1 answered · a follow-up is waiting")
    await expect(follow_up.get_by_role("link", name="Answer the follow-up")).to_have_attribute(
        "href", f"#/interview/{waiting['id']}"
    )
    await expect(by_title["Skipped one"]).to_contain_text("0 of 2 answered · 1 skipped")
    await expect(by_title["Skipped one"].get_by_role("link", name="Resume")).to_be_visible()
    await shot(page, "history")

    # F6: a cancelled interview opens what was recorded
    gone = by_title["Cancelled one"]
    await expect(gone.locator(".status--cancelled")).to_have_text("Cancelled")
    await expect(gone).to_contain_text("1 of 2 answered")
    await gone.get_by_role("link", name="See what was recorded").click()
    await expect(page.get_by_test_id("cancelled-notice")).to_contain_text(
        "This interview was cancelled", timeout=15_000
    )
    blocks = page.get_by_test_id("question-breakdown")
    await expect(blocks).to_have_count(2)
    assert spoken(await blocks.nth(0).inner_text(), at_least=3)  # the recorded answer's words
    await expect(blocks.nth(1).get_by_test_id("question-state")).to_have_text("Not answered")
    await blocks.nth(0).get_by_test_id("play-answer").click()
    await page.wait_for_function(
        "() => document.querySelector('audio') && document.querySelector('audio').duration > 1"
    )
    await shot(page, "cancelled-report")
    assert page.script_errors == []
