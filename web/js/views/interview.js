// The live interview: microphone check, then question by question over the WebSocket
// (docs/protocol.md), with the live transcript, a gentle timer, the speaking indicator, and a
// score card after each answer.
//
// Phases: preflight -> connecting -> answering <-> reviewing -> finished.
// Audio is sent only while answering: while the candidate reads a score card the next question
// is already open on the server, but its clock (audio time) does not run.

import { api, freshAccessToken, refreshTokens, signOut } from "../api.js";
import { h, clear, announce, formatClock, titleCase } from "../dom.js";
import { Microphone } from "../audio/microphone.js";
import { InterviewConnection, socketUrl } from "../live/connection.js";
import { LiveTranscript } from "../live/transcript.js";
import { micCheck } from "./mic-check.js";
import { scoreCard } from "./scorecard.js";

const icon = {
  done: () => svg("M5 12.5l4.5 4.5L19 7.5"),
  skip: () => svg("M5 6l7 6-7 6M13 6l7 6-7 6"),
  repeat: () => svg("M4 12a8 8 0 1 0 2.3-5.6M4 4v4.5h4.5"),
};

function svg(path) {
  const el = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  el.setAttribute("viewBox", "0 0 24 24");
  el.setAttribute("aria-hidden", "true");
  el.setAttribute("class", "icon");
  const p = document.createElementNS("http://www.w3.org/2000/svg", "path");
  p.setAttribute("d", path);
  p.setAttribute("fill", "none");
  p.setAttribute("stroke", "currentColor");
  p.setAttribute("stroke-width", "2.2");
  p.setAttribute("stroke-linecap", "round");
  p.setAttribute("stroke-linejoin", "round");
  el.append(p);
  return el;
}

export async function render(root, { params, navigate, setTitle }) {
  const [sessionId] = params;
  const session = await api(`/api/sessions/${sessionId}`);
  if (session.status === "completed") return navigate(`/report/${sessionId}`, { replace: true });
  setTitle(session.title);

  const state = {
    phase: "preflight",
    question: null, // the question being answered or last answered
    pending: null, // the next question, open on the server, shown after the review
    total: session.num_questions || session.questions.length,
    answerStartedAt: 0,
    elapsedBase: 0,
    warned: false,
    lastAnswer: null,
    finished: false,
    feedbackReady: false,
  };

  const microphone = new Microphone({
    onFrame: (buffer) => {
      if (state.phase === "answering" && connection) connection.sendAudio(buffer);
    },
    onEnded: () => showBanner("warn", "Your microphone stopped (it was unplugged or switched off). Reconnect it, then reload this page to continue: your answer so far is saved."),
  });
  let connection = null;
  let timerInterval = null;
  const transcriptBox = h("div.transcript#live-transcript", { "aria-label": "Live transcript of your answer", "data-testid": "live-transcript", role: "region" });
  const transcript = new LiveTranscript(transcriptBox);

  // ---- preflight -----------------------------------------------------------------------------
  const startButton = h("button.button.button--primary.button--large", { type: "button", disabled: true, "data-testid": "start-interview" }, "Start the interview");
  const startHint = h("p.muted.small", "Check your microphone first.");
  const preflight = h(
    "div.stack",
    h(
      "div.page-head",
      h("h1", session.title),
      h("p.lede", `${state.total} question${state.total === 1 ? "" : "s"} · ${titleCase(session.interview_type)} · ${titleCase(session.difficulty)}${session.status === "in_progress" ? " · continuing where you left off" : ""}`),
    ),
    micCheck(microphone, {
      onReady: (ok) => {
        startButton.disabled = !ok;
        startHint.textContent = ok ? "Ready when you are." : "The interview needs a working microphone.";
      },
    }),
    h(
      "section.card",
      h("h2", "How it works"),
      h(
        "ul",
        h("li", "Each question appears on screen. Answer out loud, as you would to an interviewer."),
        h("li", "Your words appear as you speak. Pauses to think are fine: nothing ends your answer except you."),
        h("li", "Press ", h("strong", "I’m done"), " when you have finished. You will see a score card, then move on when you are ready."),
        h("li", "A timer shows the suggested length. It is a guide; near the limit we let you know."),
      ),
      h("div.row", startButton, startHint),
    ),
  );
  root.append(preflight);
  startButton.addEventListener("click", begin);

  // ---- the live layout -----------------------------------------------------------------------
  const banner = h("div.connection-banner", { hidden: true, role: "status" });
  const progressFill = h("div.progress__fill", { style: { width: "0%" } });
  const counter = h("p.eyebrow", { "data-testid": "question-counter" });
  const followNote = h("p.follow-up-note", { hidden: true });
  const questionText = h("h2.question-text", { tabindex: "-1", "data-testid": "question-text" });
  const clock = h("span.timer__clock", "0:00");
  const timerFill = h("div.timer__fill");
  const timer = h("div.timer", clock, h("div.timer__track", { "aria-hidden": "true" }, timerFill), h("span.muted.small.timer__limit"));
  const timerNote = h("p.small.muted", { role: "status" });
  const speaking = h("span.speaking", { "data-testid": "speaking" }, h("span.speaking__bars", { "aria-hidden": "true" }, h("i"), h("i"), h("i")), h("span.speaking__label", "Waiting for you to speak"));
  const doneButton = h("button.button.button--primary.button--large", { type: "button", "data-testid": "answer-done" }, icon.done(), "I’m done");
  const skipButton = h("button.button", { type: "button" }, icon.skip(), "Skip question");
  const repeatButton = h("button.button.button--quiet.repeat", { type: "button" }, icon.repeat(), "Repeat question");
  const endButton = h("button.button.button--quiet", { type: "button" }, "End interview");
  const answerCard = h(
    "section.card.stack",
    { "aria-labelledby": "answer-title" },
    h("div.row.row--between", h("h2#answer-title.visually-hidden", "Your answer"), speaking, timer),
    transcriptBox,
    timerNote,
    h("div.controls", doneButton, skipButton, h("span.spacer")),
  );
  const reviewCard = h("section.stack", { hidden: true, "aria-live": "polite", "data-testid": "review" });
  const shareBox = shareWidget(sessionId);
  const live = h(
    "div.interview",
    { hidden: true },
    banner,
    h("div.interview__bar", h("h1.visually-hidden", session.title), h("span.muted", session.title), h("div.row", shareBox, endButton)),
    h("div.progress", { "aria-hidden": "true" }, progressFill),
    h("section.card.question-card", { "aria-labelledby": "question-label" }, h("span#question-label", counter), followNote, questionText, repeatButton),
    answerCard,
    reviewCard,
  );
  const endDialog = h(
    "dialog.card",
    { "aria-labelledby": "end-title" },
    h("h2#end-title", "End the interview now?"),
    h("p", "Your current answer is kept and you will get a report on the questions you answered."),
    h(
      "div.form-actions",
      h("button.button.button--primary", { type: "button", onclick: () => (endDialog.close(), endInterview()) }, "End and see my report"),
      h("button.button", { type: "button", onclick: () => endDialog.close() }, "Keep going"),
    ),
  );
  root.append(live, endDialog);

  doneButton.addEventListener("click", () => {
    if (state.phase !== "answering") return;
    doneButton.disabled = true;
    skipButton.disabled = true;
    connection.send({ type: "answer_done" });
    setPhase("closing");
  });
  skipButton.addEventListener("click", () => {
    if (state.phase !== "answering") return;
    doneButton.disabled = true;
    skipButton.disabled = true;
    connection.send({ type: "skip" });
    setPhase("closing");
  });
  repeatButton.addEventListener("click", () => {
    if (connection) connection.send({ type: "repeat" });
    questionText.focus();
  });
  endButton.addEventListener("click", () => endDialog.showModal());

  function endInterview() {
    state.ending = true;
    connection.send({ type: "end" });
    if (state.phase === "answering") setPhase("closing");
  }

  // ---- connection ----------------------------------------------------------------------------
  function begin() {
    preflight.hidden = true;
    live.hidden = false;
    setPhase("connecting");
    transcript.reset();
    questionText.textContent = "Connecting to your interviewer…";
    connection = new InterviewConnection({
      url: socketUrl(`/ws/sessions/${sessionId}`),
      getToken: () => freshAccessToken(),
      refreshToken: refreshTokens,
      onEvent,
      onStatus,
    });
    window.__interview = { connection, state }; // a hook for tests and debugging
    connection.connect();
    questionText.focus();
  }

  function onStatus(status) {
    switch (status.state) {
      case "connecting":
        return showBanner(null);
      case "open":
        if (status.reconnected) {
          showBanner("good", "Reconnected. Your answer continues where it stopped.");
          setTimeout(() => banner.dataset.kind === "good" && showBanner(null), 4000);
        } else showBanner(null);
        return;
      case "reconnecting":
        return showBanner(
          "warn",
          status.now ? "Reconnecting…" : `Connection lost. Reconnecting in ${Math.ceil(status.delay / 1000)} s (attempt ${status.attempt}). Keep talking if you like: what you say is kept and sent when we are back.`,
          ["Reconnect now", () => connection.retry()],
        );
      case "full":
        return showBanner(
          "error",
          `The practice server is full right now: every interview room is in use. Nothing is lost; we will try again in ${status.retryIn} seconds.`,
          ["Try now", () => connection.retry()],
        );
      case "busy":
        return showBanner("error", "This interview is already open in another tab or window. Close it there, then try again here.", ["Try again", () => connection.retry()]);
      case "unauthorized":
        return showBanner("error", "Your sign-in has expired. Log in again to continue; your answers so far are saved.", [
          "Log in again",
          () => signOut("expired"),
        ]);
      case "closed":
        if (status.reason === "session_closed") return navigate(`/report/${sessionId}`, { replace: true });
        return showBanner("error", `The connection was closed${status.message ? `: ${status.message}` : ""}. Reload the page to try again.`);
      default:
        return undefined;
    }
  }

  function showBanner(kind, message, action) {
    clear(banner);
    banner.dataset.kind = kind || "";
    if (!kind) {
      banner.hidden = true;
      return;
    }
    banner.hidden = false;
    banner.className = `connection-banner notice notice--${kind}`;
    banner.setAttribute("role", kind === "error" ? "alert" : "status");
    banner.append(h("div.row.row--between", h("span", { "data-testid": "connection-message" }, message), action ? h("button.button", { type: "button", onclick: action[1] }, action[0]) : null));
  }

  function onEvent(event) {
    switch (event.type) {
      case "question":
        return onQuestion(event);
      case "resumed":
        // After a reconnect: the server's committed transcript replaces ours.
        if (state.phase === "answering" || state.phase === "connecting") {
          transcript.resume(event.transcript);
          if (!state.answerStartedAt || state.resumedFromReload) {
            state.elapsedBase = event.audio_duration || 0;
            state.answerStartedAt = performance.now();
          }
        }
        return;
      case "speech_started":
        return setSpeaking(true);
      case "speech_stopped":
        return setSpeaking(false);
      case "partial":
        if (isCurrent(event)) transcript.onPartial(event);
        return;
      case "final":
        if (isCurrent(event)) transcript.onFinal(event);
        return;
      case "time_warning":
        state.warned = true;
        timer.classList.add("timer--warning");
        timerNote.textContent = `About ${Math.round(event.remaining)} seconds left for this answer. Finish your thought; it will be saved automatically.`;
        return;
      case "answer_complete":
        return onAnswerComplete(event);
      case "event":
        return onNamedEvent(event.name, event.data || {});
      case "session_complete":
        return onSessionComplete(event);
      case "error":
        return onError(event);
      default:
        return undefined;
    }
  }

  function isCurrent(event) {
    return !state.question || event.question === null || event.question === state.question.number;
  }

  function onQuestion(event) {
    const question = { number: event.number, of: event.of, text: event.text, category: event.category, difficulty: event.difficulty, timeLimit: event.time_limit, followUp: event.follow_up };
    state.total = event.of;
    if (state.phase === "connecting" || (state.phase === "answering" && state.question && state.question.number === question.number)) {
      const same = state.question && state.question.number === question.number;
      if (state.phase === "connecting") state.resumedFromReload = !same;
      showQuestion(question, { keepTranscript: same });
      if (state.phase === "connecting") startAnswering({ keepClock: same });
      return;
    }
    // The next question is open on the server; show it when the candidate continues.
    state.pending = question;
    if (state.phase === "closing" && state.lastAnswer && state.lastAnswer.skipped) return continueToNext();
    renderReview();
  }

  function showQuestion(question, { keepTranscript = false } = {}) {
    state.question = question;
    counter.textContent = `Question ${question.number} of ${question.of}${question.category ? ` · ${titleCase(question.category)}` : ""}`;
    progressFill.style.width = `${((question.number - 1) / question.of) * 100}%`;
    questionText.textContent = question.text;
    followNote.hidden = !question.followUp;
    followNote.textContent = question.followUp ? "Follow-up: the interviewer would like to hear a little more." : "";
    clock.nextElementSibling.nextElementSibling.textContent = `suggested ${formatClock(question.timeLimit)}`;
    if (!keepTranscript) transcript.reset();
  }

  function startAnswering({ keepClock = false } = {}) {
    if (!keepClock) {
      state.elapsedBase = 0;
      state.answerStartedAt = performance.now();
      state.warned = false;
      timer.classList.remove("timer--warning", "timer--over");
      timerNote.textContent = "";
    }
    setPhase("answering");
    answerCard.hidden = false;
    reviewCard.hidden = true;
    doneButton.disabled = false;
    skipButton.disabled = false;
    setSpeaking(false);
    announce(`Question ${state.question.number} of ${state.question.of}. ${state.question.text}`);
    questionText.focus();
    clearInterval(timerInterval);
    timerInterval = setInterval(tick, 250);
    tick();
  }

  function tick() {
    if (state.phase !== "answering" || !state.question) return;
    const elapsed = state.elapsedBase + (performance.now() - state.answerStartedAt) / 1000;
    const limit = state.question.timeLimit || 120;
    clock.textContent = formatClock(elapsed);
    timerFill.style.width = `${Math.min(100, (elapsed / limit) * 100)}%`;
    if (elapsed >= limit) timer.classList.add("timer--over");
  }

  function setSpeaking(on) {
    speaking.classList.toggle("speaking--on", on);
    speaking.lastChild.textContent = on ? "Speaking" : state.phase === "answering" ? "Listening" : "Paused";
  }

  function setPhase(phase) {
    state.phase = phase;
    live.dataset.phase = phase;
    if (phase !== "answering") {
      clearInterval(timerInterval);
      if (connection) connection.dropQueuedAudio();
    }
    const answering = phase === "answering";
    repeatButton.disabled = !answering;
  }

  function onAnswerComplete(event) {
    if (state.phase === "reviewing" && state.ending) return; // `end` closed the unstarted next question
    state.lastAnswer = {
      number: event.question ?? (state.question && state.question.number),
      question: state.question,
      transcript: event.transcript,
      wordCount: event.word_count,
      skipped: event.skipped,
      score: null,
      followUp: null,
      scoringFailed: false,
    };
    setSpeaking(false);
    if (event.skipped) {
      setPhase("closing");
      announce("Question skipped.");
      return;
    }
    setPhase("reviewing");
    answerCard.hidden = true;
    reviewCard.hidden = false;
    renderReview();
    announce(event.word_count ? "Answer saved. Scoring it now." : "Answer saved. We did not hear any words in it.");
  }

  function onNamedEvent(name, data) {
    if (name === "score" && state.lastAnswer) {
      state.lastAnswer.score = data;
      renderReview();
      announce(`Your answer scored ${Math.round(data.overall)} out of 100.`);
    } else if (name === "follow_up" && state.lastAnswer) {
      state.lastAnswer.followUp = data;
      renderReview();
    } else if (name === "feedback") {
      state.feedbackReady = true;
      renderReview();
    }
  }

  function onSessionComplete() {
    state.finished = true;
    endButton.hidden = true;
    repeatButton.hidden = true;
    shareBox.hidden = true;
    progressFill.style.width = "100%";
    if (state.phase === "answering" || state.phase === "closing" || !state.lastAnswer) {
      setPhase("reviewing");
      answerCard.hidden = true;
      reviewCard.hidden = false;
    } else setPhase("reviewing");
    renderReview();
    announce("The interview is complete. Your report is being prepared.");
    // The report is pushed as a `feedback` event; if it never comes, the report page polls.
    setTimeout(() => {
      if (!state.feedbackReady) {
        state.feedbackReady = true;
        renderReview();
      }
    }, 20000);
  }

  function onError(event) {
    if (event.code === "time_limit_reached") {
      timer.classList.add("timer--over");
      timerNote.textContent = "Time is up for this question: your answer has been saved.";
      announce("Time is up for this question. Your answer has been saved.");
    } else if (event.code === "scoring_failed" && state.lastAnswer) {
      state.lastAnswer.scoringFailed = true;
      renderReview();
    } else if (event.code === "feedback_failed") {
      state.feedbackReady = true;
      renderReview();
    } else if (event.code === "no_open_answer" && state.phase === "closing") {
      setPhase("reviewing");
    }
  }

  function continueToNext() {
    if (!state.pending) return;
    const next = state.pending;
    state.pending = null;
    showQuestion(next);
    startAnswering();
  }

  function renderReview() {
    if (state.phase !== "reviewing") return;
    clear(reviewCard);
    const last = state.lastAnswer;
    if (last && !last.skipped) {
      if (last.score) {
        reviewCard.append(scoreCard(last.score, { transcript: last.transcript, title: `Question ${last.number}: how it went` }));
      } else if (!last.wordCount) {
        reviewCard.append(h("div.card", h("h2", "We did not hear an answer"), h("p.muted", "No words were recognised for this question, so there is nothing to score. Check that your microphone is not muted.")));
      } else if (last.scoringFailed) {
        reviewCard.append(h("div.card", h("h2", "Answer saved"), h("p.muted", "This answer could not be scored right now. It is saved, and the interview goes on.")));
      } else {
        reviewCard.append(h("div.card", h("h2.row", h("span.spinner", { "aria-hidden": "true" }), "Scoring your answer…"), h("p.muted", "Relevance, grammar, fluency and talking points take a few seconds."), h("p.quote", last.transcript)));
      }
      if (last.followUp) {
        reviewCard.append(h("div.card.question-card", { "data-testid": "follow-up" }, h("p.eyebrow", "The interviewer follows up"), h("p.question-text", last.followUp.text)));
      }
    }
    const actions = h("div.card.row.row--between");
    if (state.finished) {
      const ready = state.feedbackReady;
      actions.append(
        h("div", h("h2", "Interview complete"), h("p.muted", ready ? "Your feedback report is ready." : "Preparing your feedback report…")),
        h("a.button.button--primary.button--large", { href: `#/report/${sessionId}`, "data-testid": "see-report" }, ready ? "See your report" : "Open the report"),
      );
    } else if (state.pending) {
      const label = state.pending.followUp ? "Answer the follow-up" : `Continue to question ${state.pending.number}`;
      const go = h("button.button.button--primary.button--large", { type: "button", onclick: continueToNext, "data-testid": "continue" }, label);
      actions.append(h("p.muted", { style: { margin: 0 } }, "Take a breath. The next question starts when you are ready."), go);
      if (state.focusContinue !== state.pending.number) {
        state.focusContinue = state.pending.number;
        setTimeout(() => go.focus(), 0);
      }
    } else {
      actions.append(h("p.muted.row", { style: { margin: 0 } }, h("span.spinner", { "aria-hidden": "true" }), "Getting the next question ready…"));
    }
    reviewCard.append(actions);
  }

  return () => {
    clearInterval(timerInterval);
    if (connection) connection.close();
    microphone.close();
    if (window.__interview && window.__interview.state === state) delete window.__interview;
  };
}

function shareWidget(sessionId) {
  const output = h("div.small");
  const details = h(
    "details",
    h("summary", "Share live"),
    h(
      "div.card",
      { style: { position: "absolute", right: "1rem", zIndex: 6, maxWidth: "min(26rem, 90vw)" } },
      h("p.small", "Anyone with this link can watch your transcript live (read-only) for a few hours."),
      output,
    ),
  );
  details.addEventListener("toggle", async () => {
    if (!details.open || output.childNodes.length) return;
    output.textContent = "Creating a link…";
    try {
      const share = await api(`/api/sessions/${sessionId}/share`, { method: "POST" });
      const link = `${location.origin}${location.pathname}#/watch/${sessionId}/${share.token}`;
      const input = h("input", { type: "text", readonly: true, value: link, "aria-label": "Watch link", onfocus: (e) => e.target.select() });
      clear(output).append(
        input,
        h(
          "button.button",
          { type: "button", style: { marginTop: ".5rem" }, onclick: async (e) => {
            try {
              await navigator.clipboard.writeText(link);
              e.target.textContent = "Copied";
            } catch {
              input.select();
            }
          } },
          "Copy link",
        ),
      );
    } catch (error) {
      output.textContent = error.message;
    }
  });
  details.style.position = "relative";
  return details;
}
