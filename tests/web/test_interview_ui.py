"""The interview page's parts in a real browser, each with the defect it once had (issue 13):
words run together where the live transcript's committed text meets its tail, the Share-live
popover crushed to 100 px or off the edge of a phone, the score card scrolling its overall score
out of view (and 3000 px tall on a phone), "Repeat question" doing nothing visible, history
charts blank while they load, sign-up errors staying red after the field is fixed."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from tests.web.helpers import account_and_session, pass_microphone_check, sign_in
from tests.web.test_ui import SCORE, TRANSCRIPT

pytestmark = [pytest.mark.model, pytest.mark.slow]


async def test_the_live_transcript_keeps_a_space_where_committed_text_meets_the_tail(server, page) -> None:
    await page.goto(server + "/app/#/login")
    texts = await page.evaluate(
        """async () => {
          const { LiveTranscript } = await import('/app/js/live/transcript.js');
          const box = document.createElement('div');
          document.getElementById('main').replaceChildren(box);
          const live = new LiveTranscript(box, { announceFinals: false });
          const seen = [];
          // what the server sends: each piece's words joined by spaces, the pieces without one
          live.onPartial({ utterance: 0, committed: 'I started in the spring,', tail: 'a month later' });
          seen.push(box.innerText);
          live.onFinal({ utterance: 0, text: 'I started in the spring, a month later.' });
          live.onPartial({ utterance: 1, committed: 'It took one', tail: 'hour' });
          seen.push(box.innerText);
          live.onPartial({ utterance: 1, committed: '', tail: 'later defects' });
          seen.push(box.innerText);
          live.onPartial({ utterance: 1, committed: 'I realized', tail: ' that' });
          seen.push(box.innerText);
          return seen;
        }"""
    )
    assert texts == [
        "I started in the spring, a month later",
        "I started in the spring, a month later. It took one hour",
        "I started in the spring, a month later. later defects",
        "I started in the spring, a month later. I realized that",
    ]
    assert page.script_errors == []


REVIEW = """async ([score, transcript]) => {
  const { ReviewPanel } = await import('/app/js/views/interview/review-panel.js');
  const { questionFromEvent } = await import('/app/js/views/interview/question-panel.js');
  const main = document.getElementById('main');
  // an answer card above, as on the interview page, long enough to be scrolled past
  const above = document.createElement('div');
  above.style.height = '1400px';
  const review = new ReviewPanel({ onContinue: () => {}, onRetry: () => {} });
  main.replaceChildren(above, review.element);
  window.scrollTo(0, 1000);
  const question = questionFromEvent({ number: 2, of: 3, text: 'Why?', time_limit: 90, follow_up: true, follow_up_index: 1 });
  review.showAnswer({ question, transcript, wordCount: 11 });
  review.setNext(questionFromEvent({ number: 3, of: 3, text: 'Next?', time_limit: 90 }));
  review.setScore(score);
  await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
  const ring = document.querySelector('[data-testid=score-card] .ring').getBoundingClientRect();
  const card = document.querySelector('[data-testid=score-card]').getBoundingClientRect();
  return {
    ringInView: ring.top >= 0 && ring.bottom <= innerHeight,
    focused: document.activeElement.textContent,
    cardHeight: card.height,
    title: document.querySelector('[data-testid=score-card] h3').textContent,
  };
}"""


@pytest.mark.parametrize("width,height", [(1366, 768), (390, 844)])
async def test_the_overall_score_is_in_view_when_the_score_card_arrives(server, page, shot, width, height) -> None:
    await page.set_viewport_size({"width": width, "height": height})
    await page.goto(server + "/app/#/login")
    seen = await page.evaluate(REVIEW, [SCORE, TRANSCRIPT])
    assert seen["ringInView"], seen
    assert seen["focused"] == "Question 2 · follow-up: how it went"  # the card's heading, not Continue
    assert seen["title"] == "Question 2 · follow-up: how it went"
    # the annotated answer, talking points and STAR fold away: a phone card is a screen or so
    assert seen["cardHeight"] < 1.6 * height, seen
    await expect(page.get_by_test_id("continue")).to_have_text("Continue to question 3")
    await expect(page.get_by_test_id("try-again")).to_be_visible()
    await page.get_by_text("Your answer, with notes").click()
    await expect(page.locator(".annotated mark.filler").first).to_be_visible()
    await shot(page, f"score-card-{width}", full_page=False)
    assert page.script_errors == []


async def test_share_live_and_repeat_question_on_desktop_and_phone(server, page, shot) -> None:
    tokens, session = await account_and_session(server)
    await sign_in(page, tokens)
    await page.set_viewport_size({"width": 1366, "height": 768})
    await page.goto(f"{server}/app/#/interview/{session['id']}")
    await pass_microphone_check(page)
    await page.get_by_test_id("start-interview").click()
    await expect(page.get_by_test_id("question-counter")).to_contain_text("Question 1 of 1", timeout=30_000)

    for width in (1366, 390):
        await page.set_viewport_size({"width": width, "height": 844})
        await page.get_by_text("Share live").click()
        panel = page.get_by_test_id("share-panel")
        link = panel.get_by_label("Watch link")
        await expect(link).to_be_visible(timeout=10_000)
        box = await panel.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, (width, box)  # on screen
        assert box["width"] >= min(320, width - 40), (width, box)  # not crushed to one word a line
        assert (await link.bounding_box())["width"] >= 0.8 * box["width"] - 40
        assert (await link.input_value()).startswith(f"{server}/app/#/watch/{session['id']}/")
        await shot(page, f"share-{width}", full_page=False)
        await page.keyboard.press("Escape")
        await expect(panel).to_be_hidden()

    # Without the interviewer's voice, "Repeat question" still visibly does something.
    voice = page.get_by_test_id("voice-toggle")
    if await voice.get_attribute("aria-pressed") == "true":
        await voice.click()
    await expect(voice).to_have_attribute("aria-pressed", "false")
    await expect(page.get_by_test_id("answer-done")).to_be_enabled(timeout=30_000)
    await page.get_by_test_id("repeat-question").click()
    await expect(page.get_by_test_id("repeat-note")).to_have_text("Here is the question again.")
    await expect(page.get_by_test_id("question-text")).to_be_focused()
    await expect(page.get_by_test_id("question-text")).to_have_class("question-text question-text--flash")
    assert page.script_errors == []


async def test_the_interviewers_voice_is_fetched_with_the_token_and_played(server, page) -> None:
    """The voice player against a route that answers like the server's voice endpoint (the
    journey test hears the real one): bearer token sent, WAV played to its end from a blob URL;
    a 503 means text only, with no error."""
    import io

    from tests.support.speech import synthesize, write_wav

    wav = io.BytesIO()
    write_wav(wav, synthesize("Tell me about yourself."), 16000)
    seen: list[str | None] = []

    async def voice(route) -> None:
        seen.append(route.request.headers.get("authorization"))
        if route.request.url.endswith("/missing"):
            await route.fulfill(status=503, json={"detail": "no voice right now"})
        else:
            await route.fulfill(status=200, body=wav.getvalue(), headers={"Content-Type": "audio/wav"})

    await page.route("**/api/voice-test/**", voice)
    await page.goto(server + "/app/#/login")
    await page.evaluate("sessionStorage.setItem('mi.access', 'a-token')")
    result = await page.evaluate(
        """async () => {
          const { InterviewerVoice } = await import('/app/js/live/voice.js');
          const voice = new InterviewerVoice();
          await voice.prefetch('/api/voice-test/q1');
          let started = 0;
          const played = await voice.speak('/api/voice-test/q1', { onStart: () => started++ });
          const missing = await voice.speak('/api/voice-test/missing');
          const off = new InterviewerVoice({ enabled: false });
          return { played, started, missing, off: await off.speak('/api/voice-test/q1') };
        }"""
    )
    assert result == {"played": True, "started": 1, "missing": False, "off": False}
    assert seen == ["Bearer a-token", "Bearer a-token"]  # fetched once (prefetched), then the 503
    assert page.script_errors == []


COUNTER = """async () => {
  const { QuestionPanel, questionFromEvent } = await import('/app/js/views/interview/question-panel.js');
  const panel = new QuestionPanel({ voiceOn: false, onRepeat: () => {}, onVoiceToggle: () => {} });
  const seen = [];
  for (const event of [
    { number: 2, of: 3, text: 'Tell me about a time you led a change.', category: 'behavioral' },
    { number: 2, of: 3, text: 'What did you do yourself?', category: 'general', follow_up: true, follow_up_index: 1 },
  ]) {
    panel.show(questionFromEvent(event));
    seen.push(panel.counter.textContent);
  }
  return seen;
}"""


async def test_the_counter_names_the_category_as_the_form_does_and_not_for_a_follow_up(server, page) -> None:
    """The new-user trial read "· Behavioral" (the form says Behavioural) and "· follow-up ·
    General" under a behavioural question's follow-up (stored as general: it asks for more)."""
    await page.goto(server + "/app/#/login")
    assert await page.evaluate(COUNTER) == ["Question 2 of 3 · Behavioural", "Question 2 of 3 · follow-up"]
    assert page.script_errors == []


async def test_a_second_follow_up_is_named_as_the_watch_page_and_report_name_it(server, page) -> None:
    # The interview page said "Question 2 of 5 · follow-up" for both follow-ups of question 2,
    # while the watch page and the report said "Question 2 · follow-up 2" for the second.
    await page.goto(server + "/app/#/login")
    labels = await page.evaluate(
        """async () => {
          const { questionFromEvent, questionLabel } = await import('/app/js/views/interview/question-panel.js');
          const ask = (index) => questionFromEvent({ number: 2, of: 5, text: 'Why?', follow_up: index > 0, follow_up_index: index });
          return [0, 1, 2].map((index) => questionLabel(ask(index)));
        }"""
    )
    assert labels == ["Question 2 of 5", "Question 2 of 5 · follow-up", "Question 2 of 5 · follow-up 2"]
    assert page.script_errors == []
