"""The UI's own behaviour in a real browser: keyboard-only use with visible focus, labelled
controls, the transparent token refresh, the profile, and the score card's annotations (fillers
highlighted, grammar issues underlined with their fix, reachable by keyboard)."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from server.schemas import UserOut
from tests.web.conftest import unique_email
from tests.web.helpers import account_and_session, sign_in

pytestmark = [pytest.mark.model, pytest.mark.slow]

UNLABELLED_CONTROLS = """() => [...document.querySelectorAll('input, select, textarea, button')]
  .filter(el => el.type !== 'hidden' && el.offsetParent !== null)
  .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label')
                && !el.getAttribute('aria-labelledby') && !(el.textContent || '').trim())
  .map(el => el.outerHTML)"""


async def focus_outline(page) -> str:
    return await page.evaluate(
        "() => { const s = getComputedStyle(document.activeElement); return `${s.outlineStyle} ${s.outlineWidth}`; }"
    )


async def tab_to(page, accessible_name: str, limit: int = 25) -> None:
    """Press Tab until the focused element's label or text is `accessible_name`."""
    for _ in range(limit):
        await page.keyboard.press("Tab")
        name = await page.evaluate(
            """() => { const el = document.activeElement;
                 const label = el.labels && el.labels[0] && el.labels[0].textContent;
                 return (label || el.getAttribute('aria-label') || el.textContent || '').trim(); }"""
        )
        if name.startswith(accessible_name):
            return
    raise AssertionError(f"Tab never reached {accessible_name!r}")


async def test_sign_up_and_log_in_with_the_keyboard_only(server, page, shot) -> None:
    await page.goto(server + "/app/#/signup")
    await page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    await expect(skip).to_be_focused()
    await expect(skip).to_be_in_viewport()  # the skip link appears when focused
    email = unique_email()
    await tab_to(page, "Your name")
    assert (await focus_outline(page)).startswith("solid"), "no visible focus indicator"
    await page.keyboard.type("Kim Keyboard")
    await tab_to(page, "E-mail")
    await page.keyboard.type(email)
    await tab_to(page, "Password")
    await page.keyboard.type("short")
    await page.keyboard.press("Enter")
    error = page.get_by_text("Use at least 8 characters.")
    await expect(error).to_be_visible()
    await expect(page.get_by_label("Password")).to_be_focused()  # focus goes to the field to fix
    await expect(page.get_by_label("Password")).to_have_attribute("aria-invalid", "true")
    await shot(page, "validation")
    await page.keyboard.press("Control+A")
    await page.keyboard.type("a long password")
    # a fixed field does not stay red (issue 13)
    await expect(error).to_be_hidden()
    await expect(page.get_by_label("Password")).not_to_have_attribute("aria-invalid", "true")
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("heading", name="Your first practice interview")).to_be_focused()
    assert await page.evaluate(UNLABELLED_CONTROLS) == []

    await tab_to(page, "Log out")
    button = page.get_by_role("button", name="Log out")
    await expect(button).to_be_focused()
    assert (await focus_outline(page)).startswith("solid")
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    await tab_to(page, "E-mail")
    await page.keyboard.type(email)
    await tab_to(page, "Password")
    await page.keyboard.type("a long password")
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("heading", name="Welcome back, Kim")).to_be_visible()
    assert page.script_errors == []


async def test_an_expired_access_token_is_refreshed_transparently(server, page) -> None:
    tokens, _ = await account_and_session(server)
    await sign_in(page, tokens)
    await page.goto(server + "/app/#/history")
    # The heading is drawn before the page's data arrives: wait for the data (it needed a token).
    await expect(page.get_by_role("heading", name="All sessions (1)")).to_be_visible()
    first_access = await page.evaluate("sessionStorage.getItem('mi.access')")
    assert first_access  # a new tab starts with the refresh token only, and refreshes at once

    await page.evaluate("sessionStorage.setItem('mi.access', 'expired.or.forged')")
    responses: list[tuple[str, int]] = []
    page.on("response", lambda r: responses.append((r.url.split("/api/")[-1], r.status)) if "/api/" in r.url else None)
    await page.get_by_role("navigation", name="Main").get_by_role("link", name="Profile").click()
    await expect(page.get_by_role("heading", name="Your profile")).to_be_visible()
    await expect(page.get_by_label("Name", exact=True)).to_have_value("Sam Candidate")
    assert ("users/me", 401) in responses and ("auth/refresh", 200) in responses and ("users/me", 200) in responses
    assert await page.evaluate("sessionStorage.getItem('mi.access')") not in (None, "expired.or.forged")

    # A refresh token that no longer works ends the session on the log-in page.
    await page.evaluate("sessionStorage.setItem('mi.access', 'x'); localStorage.setItem('mi.refresh', 'y')")
    await page.get_by_role("navigation", name="Main").get_by_role("link", name="History").click()
    await expect(page.get_by_text("Your session has expired")).to_be_visible()
    assert page.script_errors == []


async def test_the_profile_is_saved(server, page, shot) -> None:
    tokens, _ = await account_and_session(server)
    await sign_in(page, tokens)
    await page.goto(server + "/app/#/profile")
    await expect(page.get_by_label("Target role (optional)")).to_have_value("Backend Engineer")
    await page.get_by_label("Target company (optional)").fill("Acme Robotics")
    await page.get_by_label("Years of experience (optional)").fill("6")
    await page.get_by_label("Education (optional)").select_option("Master")
    await page.get_by_label("Skills (optional)").fill("Python, Kubernetes,  SQL ,")
    await page.get_by_label("Browser notifications").check()
    assert await page.evaluate(UNLABELLED_CONTROLS) == []
    await page.get_by_role("button", name="Save profile").click()
    await expect(page.get_by_role("status").filter(has_text="Saved.")).to_be_visible()
    await shot(page, "profile")
    await page.reload()
    await expect(page.get_by_label("Skills (optional)")).to_have_value("Python, Kubernetes, SQL")
    await expect(page.get_by_label("Target company (optional)")).to_have_value("Acme Robotics")
    await expect(page.get_by_label("Education (optional)")).to_have_value("Master")
    await expect(page.get_by_label("Browser notifications")).to_be_checked()
    if "voice_enabled" in UserOut.__struct_fields__:  # the interviewer's voice (issue 13)
        voice = page.get_by_label("The interviewer reads the questions aloud")
        await expect(voice).to_be_checked()
        await voice.uncheck()
        await page.get_by_role("button", name="Save profile").click()
        await expect(page.get_by_role("status").filter(has_text="Saved.")).to_be_visible()
        await page.reload()
        await expect(page.get_by_label("The interviewer reads the questions aloud")).not_to_be_checked()
    await page.get_by_label("Years of experience (optional)").fill("200")
    await page.get_by_role("button", name="Save profile").click()
    await expect(page.get_by_text("between 0 and 70")).to_be_visible()


SCORE = {
    "relevance": 72.5,
    "grammar": 80.0,
    "fluency": 61.0,
    "keywords": 50.0,
    "overall": 67.4,
    "grammar_available": True,
    "word_count": 16,
    "evaluation_summary": "A fair answer; its strongest side is grammar.",
    "suggestions": [
        {"category": "fluency", "message": "Replace fillers with a short silent pause.", "priority": 1},
        {"category": "keywords", "message": "Mention Kubernetes explicitly.", "priority": 2},
    ],
    "covered_topics": ["Python"],
    "missing_topics": ["Kubernetes"],
    "details": {
        "fluency": {
            "score": 61.0,
            "word_count": 14,
            "speaking_time_s": 6.1,
            "speech_rate_wpm": 138.0,
            "filler_count": 2,
            "filler_breakdown": {"um": 1, "you know": 1},
            "fillers": [{"text": "um", "index": 0, "start": 0.1}, {"text": "you know", "index": 5, "start": 2.0}],
            "fillers_per_minute": 19.7,
            "long_pause_count": 0,
            "long_pauses": [],
            "long_pauses_per_minute": 0.0,
            "repetition_count": 0,
            "repetitions": [],
            "repetitions_per_100_words": 0.0,
            "components": {},
        },
        "grammar": {
            "score": 80.0,
            "errors": 1,
            "words": 14,
            "errors_per_100_words": 7.1,
            "matches": [
                {
                    "offset": 4,
                    "length": 5,
                    "message": "Possible agreement error.",
                    "replacements": ["I have"],
                    "rule_id": "AGREEMENT",
                    "category": "GRAMMAR",
                }
            ],
        },
        "keywords": None,
        "relevance": {},
        "star": {"present": ["situation", "action"], "missing": ["task", "result"], "complete": False, "evidence": {}},
        "flags": [],
    },
}
TRANSCRIPT = "Um, I has built APIs, you know, in Python for years."


async def test_the_score_card_marks_fillers_and_grammar(server, page, shot) -> None:
    await page.goto(server + "/app/#/login")
    await page.evaluate(
        """async ([score, transcript]) => {
          const { scoreCard } = await import('/app/js/views/scorecard.js');
          const main = document.getElementById('main');
          main.replaceChildren(scoreCard(score, { transcript, title: 'Question 1: how it went' }));
        }""",
        [SCORE, TRANSCRIPT],
    )
    card = page.get_by_test_id("score-card")
    assert await card.locator(".annotated mark.filler").all_inner_texts() == ["Um", "you know"]
    issue = card.locator(".annotated .gram")
    await expect(issue).to_have_count(1)
    await expect(issue).to_have_attribute("title", "Possible agreement error. Try: “I have”")
    assert (await issue.inner_text()).startswith("I has")
    # keyboard users reach the issue and see its tooltip; everyone sees the note in the list
    await issue.focus()
    await expect(issue.get_by_role("tooltip")).to_be_visible()
    await expect(card.locator(".grammar-notes li")).to_have_text("“I has”: Possible agreement error. Suggested: I have")
    await expect(card.get_by_text("“um” × 1, “you know” × 1")).to_be_visible()
    # the legend names the mark by its look, as for the other marks (its sample "um" was read
    # as the filler heard when the candidate had said "like")
    await expect(card.locator(".legend mark.filler")).to_have_text("highlighted")
    await expect(card.locator(".chip--good", has_text="Python")).to_be_visible()
    await expect(card.locator(".chip--missing", has_text="Kubernetes")).to_be_visible()
    await expect(card.locator(".chip--missing", has_text="Result")).to_be_visible()  # STAR part
    await expect(card.get_by_role("img", name="Fluency: 61 out of 100")).to_be_visible()
    await expect(card.get_by_text("Overall score 67 out of 100")).to_be_attached()
    suggestions = card.locator(".suggestions li")
    await expect(suggestions.nth(0)).to_contain_text("Replace fillers")  # by priority
    await expect(suggestions.nth(1)).to_contain_text("Mention Kubernetes")
    await shot(page, "score-card")
    assert page.script_errors == []


PLAN_SCORE = {
    **SCORE,
    "covered_topics": ["rate limiting"],
    "touched_topics": ["quotas"],
    "missing_topics": ["monitoring"],
    "details": {
        **SCORE["details"],
        "grammar": {**SCORE["details"]["grammar"], "matches": [], "errors": 0, "uncertain_matches": []},
        "keywords": {
            "topics": [
                {"topic": "rate limiting", "verdict": "covered", "evidence": "I would throttle that client's key"},
                {"topic": "quotas", "verdict": "touched", "evidence": "quotas"},
                {"topic": "monitoring", "verdict": "missing", "evidence": ""},
            ]
        },
        "star": None,
        "structure": {
            "kind": "plan",
            "parts": ["approach", "reasoning", "risks"],
            "present": ["approach"],
            "missing": ["reasoning", "risks"],
        },
        "uncertain": [[8, 16]],
    },
}
PLAN_TRANSCRIPT = "I would throttle that client's key, and quotas."


async def test_the_score_card_shows_talking_point_verdicts_the_plan_and_the_recognisers_doubts(server, page) -> None:
    await page.goto(server + "/app/#/login")
    await page.evaluate(
        """async ([score, transcript]) => {
          const { scoreCard } = await import('/app/js/views/scorecard.js');
          document.getElementById('main').replaceChildren(scoreCard(score, { transcript }));
        }""",
        [PLAN_SCORE, PLAN_TRANSCRIPT],
    )
    card = page.get_by_test_id("score-card")
    covered = card.locator(".chip--good", has_text="rate limiting")
    await expect(covered).to_have_attribute("title", "You said: “I would throttle that client's key”")
    await expect(card.locator(".chip--touched", has_text="quotas")).to_contain_text("only touched on")
    await expect(card.locator(".chip--missing", has_text="monitoring")).to_be_visible()
    await expect(card.get_by_role("heading", name="Your plan")).to_be_visible()
    await expect(card.locator(".chip--missing", has_text="Risks")).to_be_visible()
    await expect(card.get_by_text("STAR structure")).to_have_count(0)
    assert await card.locator(".annotated .uncertain").all_inner_texts() == ["throttle"]
    assert page.script_errors == []


DOWNSAMPLE = """async ([rate, frequency, seconds]) => {
  // Feed a pure tone at `rate` through the capture worklet and collect what it would send.
  const context = new OfflineAudioContext(1, Math.round(rate * seconds), rate);
  await context.audioWorklet.addModule('/app/js/audio/pcm-worklet.js');
  const node = new AudioWorkletNode(context, 'pcm-downsampler',
                                    { processorOptions: { targetRate: 16000, frameMs: 100 } });
  const frames = [];
  node.port.onmessage = (event) => { if (event.data.type === 'pcm') frames.push(event.data.buffer); };
  const oscillator = new OscillatorNode(context, { frequency });
  const gain = new GainNode(context, { gain: 0.5 });
  oscillator.connect(gain).connect(node).connect(context.destination);
  oscillator.start();
  await context.startRendering();
  await new Promise((resolve) => setTimeout(resolve, 200));
  const sizes = frames.map((b) => b.byteLength);
  const samples = [];
  for (const buffer of frames) samples.push(...new Int16Array(buffer));
  const steady = samples.slice(800);  // skip the filter's warm-up
  const peak = Math.max(...steady.map(Math.abs));
  let crossings = 0;
  for (let i = 1; i < steady.length; i++) if ((steady[i - 1] < 0) !== (steady[i] < 0)) crossings++;
  return { sizes, count: samples.length, peak, crossingsPerSecond: crossings / (steady.length / 16000) };
}"""


@pytest.mark.parametrize("rate", [48000, 44100])
async def test_the_capture_worklet_sends_16_khz_pcm_frames(server, page, rate) -> None:
    await page.goto(server + "/app/#/login")
    speech_band = await page.evaluate(DOWNSAMPLE, [rate, 1000, 2.0])
    # 100 ms frames of 16-bit samples: 3200 bytes each, 16 000 samples a second
    assert set(speech_band["sizes"][:-1]) == {3200}
    assert abs(speech_band["count"] - 32000) <= 1600
    # a 1 kHz tone keeps its frequency (2000 zero crossings a second) and its level (0.5 of full scale)
    assert abs(speech_band["crossingsPerSecond"] - 2000) < 20
    assert 0.45 * 32767 < speech_band["peak"] < 0.55 * 32767
    # a 12 kHz tone cannot be represented at 16 kHz: the low-pass filter removes it instead of
    # letting it fold back into the speech band as a 4 kHz alias
    alias = await page.evaluate(DOWNSAMPLE, [rate, 12000, 1.0])
    assert alias["peak"] < 0.01 * 32767
