// The live interview: microphone check, then question by question over the WebSocket
// (docs/protocol.md): the interviewer asks (aloud, live/voice.js), the candidate answers with a
// live transcript, then reads a score card and moves on (or tries the answer again).
//
// This module is the controller: it owns the declared `state`, the one place that changes the
// phase (`setPhase`, checked against PHASES), and the socket's events. What the candidate sees
// is drawn by the panels in ./interview/ (question, answer, review, closing), which never reach
// into each other.

import { api, freshAccessToken, refreshTokens, signOut, tokens } from "../api.js";
import { h, announce } from "../dom.js";
import { Microphone } from "../audio/microphone.js";
import { InterviewConnection, socketUrl } from "../live/connection.js";
import { InterviewerVoice } from "../live/voice.js";
import { rememberVoice, voiceEnabled } from "../preferences.js";
import { preflight } from "./interview/preflight.js";
import { QuestionPanel, questionFromEvent, questionLabel } from "./interview/question-panel.js";
import { AnswerPanel } from "./interview/answer-panel.js";
import { ReviewPanel } from "./interview/review-panel.js";
import { ClosingPanel } from "./interview/closing-panel.js";
import { ConnectionBanner } from "./interview/banner.js";
import { shareWidget } from "./interview/share.js";

/**
 * The phases and where each may go. Audio is sent only while `answering`; the answer's clock
 * runs only then. `asking`: the interviewer speaks the question (or repeats it). `closing`:
 * "I'm done", Skip or End was sent and the answer is being stored. `reviewing`: the score card.
 * `retrying`: "Try this answer again" was sent; the same question comes back.
 */
const PHASES = {
  preflight: ["connecting"],
  connecting: ["asking", "answering", "closing", "finished"],
  asking: ["answering", "closing", "finished"],
  answering: ["asking", "closing", "reviewing", "finished"],
  closing: ["asking", "answering", "reviewing", "finished"],
  reviewing: ["asking", "answering", "closing", "retrying", "finished"],
  retrying: ["asking", "answering", "closing", "reviewing", "finished"],
  finished: [],
};

/** At most this long a question's text waits for its voice (then it shows, and the voice follows). */
const VOICE_WAIT_MS = 2500;

export async function render(root, { params, navigate, setTitle }) {
  const [sessionId] = params;
  const session = await api(`/api/sessions/${sessionId}`);
  if (session.status === "completed") return navigate(`/report/${sessionId}`, { replace: true });
  setTitle(session.title);

  const state = {
    phase: "preflight",
    total: session.num_questions || session.questions.length, // planned questions ("of N")
    question: null, // the question on screen (questionFromEvent)
    pending: null, // the next question, open on the server, asked when the candidate continues
    closingBy: null, // "done" | "skip" | "end": why the open answer is being closed
    resumedFromReload: false, // this page opened mid-interview: the server's answer clock wins
    askSeq: 0, // one per ask: a voice that ends after the next ask began is ignored
    retryOf: null, // the question whose answer is being tried again
    skipped: null, // what happened to the question just skipped, said once under the next one (or on the closing screen)
  };
  const user = tokens.user || {};
  const voice = new InterviewerVoice({ enabled: voiceEnabled(user) });
  let connection = null;
  const trace = []; // one entry per ask, for the tests: when the voice started, what was sent meanwhile

  const microphone = new Microphone({
    onFrame: (buffer) => {
      if (state.phase === "answering" && connection) connection.sendAudio(buffer);
    },
    onEnded: () => banner.show("warn", "Your microphone stopped (it was unplugged or switched off). Reconnect it, then reload this page to continue: your answer so far is saved."),
  });

  const banner = new ConnectionBanner();
  const question = new QuestionPanel({ voiceOn: voice.enabled, onRepeat: repeat, onVoiceToggle: setVoice });
  const answer = new AnswerPanel({ onDone: () => closeAnswer("done"), onSkip: () => closeAnswer("skip") });
  const review = new ReviewPanel({ onContinue: continueToNext, onRetry: retry });
  const closing = new ClosingPanel({ sessionId });
  const progressFill = h("div.progress__fill", { style: { width: "0%" } });
  const endButton = h("button.button.button--quiet", { type: "button", onclick: () => endDialog.showModal() }, "End interview");
  const shareBox = shareWidget(sessionId);
  const live = h(
    "div.interview",
    { hidden: true },
    banner.element,
    h("div.interview__bar", h("h1.visually-hidden", session.title), h("span.muted", session.title), h("div.row", shareBox, endButton)),
    h("div.progress", { "aria-hidden": "true" }, progressFill),
    question.element,
    answer.element,
    review.element,
    closing.element,
  );
  const endDialog = h(
    "dialog.card",
    { "aria-labelledby": "end-title" },
    h("h2#end-title", "End the interview now?"),
    h("p", "Your current answer is kept and you will get a report on the questions you answered."),
    h(
      "div.form-actions",
      h("button.button.button--primary", { type: "button", onclick: () => (endDialog.close(), closeAnswer("end")) }, "End and see my report"),
      h("button.button", { type: "button", onclick: () => endDialog.close() }, "Keep going"),
    ),
  );
  const before = preflight({ session, total: state.total, microphone, onStart: begin });
  // While the candidate checks the microphone, fetch the first question's voice (the server
  // synthesises it ahead, and it is the same URL the `question` event will carry).
  const opening = [...session.questions].sort((a, b) => a.question_number - b.question_number).find((q) => !q.answered_at && q.state !== "skipped");
  if (opening) voice.prefetch(`/api/sessions/${sessionId}/questions/${opening.id}/voice`);
  root.append(before, live, endDialog);

  // ---- phases --------------------------------------------------------------------------------

  function setPhase(phase) {
    if (phase === state.phase) return true;
    if (!PHASES[state.phase].includes(phase)) {
      console.warn(`interview: no transition from ${state.phase} to ${phase}`);
      return false;
    }
    state.phase = phase;
    live.dataset.phase = phase;
    const answering = phase === "answering";
    if (answering) answer.run();
    else {
      answer.pause();
      if (connection) connection.dropQueuedAudio();
    }
    question.setSpeaking(phase === "asking");
    question.setRepeatEnabled(answering);
    answer.setControlsEnabled(answering);
    answer.skipButton.disabled = !(answering || phase === "asking");
    answer.setSpeaking(false, answering);
    answer.element.hidden = !["connecting", "asking", "answering", "closing"].includes(phase);
    review.element.hidden = !(phase === "reviewing" || phase === "retrying" || (phase === "finished" && review.answer && review.answer.score && state.closingBy !== "end"));
    if (phase === "finished") {
      question.finish();
      endButton.hidden = true;
      shareBox.hidden = true;
    }
    return true;
  }

  /**
   * Put `next` on screen and ask it: aloud when there is a voice, then the microphone opens.
   * Its text appears when the interviewer can start saying it (the voice in memory, or after
   * VOICE_WAIT_MS at most), so text and first sound come together even when the voice was still
   * being synthesised (a session started right after it was created, a follow-up taken at once).
   */
  async function ask(next, { keep = false } = {}) {
    const askedAt = performance.now();
    const seq = ++state.askSeq;
    state.question = next;
    state.pending = null;
    state.closingBy = null;
    answer.prepare(next, { keep });
    if (state.skipped) answer.note.textContent = state.skipped;
    state.skipped = null;
    progressFill.style.width = `${((next.number - 1) / next.of) * 100}%`;
    if (voice.enabled && next.voiceUrl && !voice.isReady(next.voiceUrl) && setPhase("asking")) {
      question.waitFor(next);
      question.focus();
      await voice.whenReady(next.voiceUrl, { within: VOICE_WAIT_MS });
      if (seq !== state.askSeq || state.phase !== "asking") return; // skipped, ended or asked anew meanwhile
    }
    question.show(next);
    announce(`${questionLabel(next)}. ${next.text}`);
    question.focus();
    await speak(next, askedAt);
  }

  async function speak(current, askedAt = performance.now()) {
    const seq = ++state.askSeq;
    const entry = { key: current.key, label: question.counter.textContent, voiceUrl: current.voiceUrl, askedAt, shownAt: performance.now(), firstSoundAt: null, played: false };
    trace.push(entry);
    if (!(voice.enabled && current.voiceUrl) || !setPhase("asking")) return setPhase("answering");
    const sentBefore = connection ? connection.sentAudioBytes : 0;
    entry.played = await voice.speak(current.voiceUrl, { onStart: () => (entry.firstSoundAt = performance.now()) });
    entry.audioSentWhileSpeaking = (connection ? connection.sentAudioBytes : 0) - sentBefore;
    entry.clockAfterSpeaking = answer.clock.textContent;
    if (seq === state.askSeq && state.phase === "asking") setPhase("answering");
  }

  function repeat() {
    const current = state.question;
    if (!current || state.phase !== "answering") return;
    question.focus();
    if (voice.enabled && current.voiceUrl) {
      question.flash("");
      speak(current);
    } else {
      question.flash("Here is the question again.");
      announce(current.text);
    }
  }

  function setVoice(on) {
    voice.setEnabled(on); // a voice playing now stops, and the answer begins
    if (on && state.pending) voice.prefetch(state.pending.voiceUrl);
    announce(on ? "The interviewer will read the questions aloud." : "Questions are shown as text only.");
    api("/api/users/me", { method: "PATCH", body: { voice_enabled: on } }).then((updated) => {
      rememberVoice(updated, on);
      tokens.saveUser(updated);
    }, () => {});
  }

  function closeAnswer(why) {
    if (why !== "end" && !(state.phase === "answering" || (why === "skip" && state.phase === "asking"))) return;
    if (why === "end" && state.phase === "finished") return;
    state.closingBy = why;
    voice.stop();
    connection.send({ type: why === "done" ? "answer_done" : why });
    if (why !== "end" || ["asking", "answering", "connecting"].includes(state.phase)) setPhase("closing");
  }

  function continueToNext() {
    if (state.pending) ask(state.pending);
  }

  function retry() {
    if (state.phase !== "reviewing" || !connection.send({ type: "retry" })) return;
    state.pending = null;
    state.retryOf = state.question;
    review.setRetrying();
    setPhase("retrying");
    announce("Trying this answer again: the question comes back in a moment.");
  }

  // ---- the socket ----------------------------------------------------------------------------

  function begin() {
    before.hidden = true;
    live.hidden = false;
    setPhase("connecting");
    question.placeholder("Connecting to your interviewer…");
    connection = new InterviewConnection({
      url: socketUrl(`/ws/sessions/${sessionId}`),
      getToken: () => freshAccessToken(),
      refreshToken: refreshTokens,
      onEvent,
      onStatus: (status) => {
        if (banner.status(status, { retry: () => connection.retry(), signOut: () => signOut("expired") }) === "session_closed") navigate(`/report/${sessionId}`, { replace: true });
      },
    });
    window.__interview = { connection, state, voice, trace }; // a hook for tests and debugging
    connection.connect();
    question.focus();
  }

  function onEvent(event) {
    switch (event.type) {
      case "question":
        return onQuestion(questionFromEvent(event));
      case "resumed":
        // After a reconnect or a reload: the server's committed transcript replaces ours.
        if (["connecting", "asking", "answering"].includes(state.phase)) {
          answer.transcript.resume(event.transcript);
          if (state.resumedFromReload) answer.setElapsed(event.audio_duration || 0);
        }
        return undefined;
      case "speech_started":
      case "speech_stopped":
        return answer.setSpeaking(event.type === "speech_started", state.phase === "answering");
      case "partial":
        return state.phase !== "reviewing" && answer.transcript.onPartial(event);
      case "final":
        return state.phase !== "reviewing" && answer.transcript.onFinal(event);
      case "time_warning":
        return answer.warn(event.remaining);
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

  function onQuestion(next) {
    state.total = next.of;
    voice.prefetch(next.voiceUrl);
    const same = state.question && state.question.key === next.key;
    if (state.closingBy === "end" || state.phase === "finished") return undefined;
    if (state.phase === "connecting") {
      state.resumedFromReload = true;
      return ask(next);
    }
    if (same && ["asking", "answering", "closing"].includes(state.phase)) {
      // The same question again after a reconnect: the answer goes on (the server reopened it).
      if (state.phase === "closing") {
        state.closingBy = null;
        setPhase("answering");
      }
      return undefined;
    }
    if (state.phase === "retrying") {
      // Only the question tried again; a next question that was opened before `retry` is not.
      const again = state.retryOf;
      return next.number === again.number && next.followUpIndex === again.followUpIndex ? ask(next) : undefined;
    }
    if (state.phase === "closing" && state.closingBy === "skip") return ask(next);
    state.pending = next;
    review.setNext(next);
    return undefined;
  }

  function onAnswerComplete(event) {
    const why = state.closingBy;
    answer.setSpeaking(false, false);
    if (why === "end" || state.phase === "finished") return; // the closing screen follows
    if (event.skipped || why === "skip") {
      const label = questionLabel(state.question).replace(/ of \d+/, "");
      state.skipped = skippedNote(label, { spoken: event.word_count > 0, pressed: why === "skip" });
      announce(`${label} skipped.`); // the note under the next question (a status region) says the rest
      // The score card of an earlier answer must not come back on the closing screen, and an
      // "I'm done" that heard no words goes on as a skip does (the next question is asked).
      review.clear();
      state.closingBy = "skip";
      setPhase("closing"); // (the server may close it: the time limit)
      if (state.pending) ask(state.pending);
      return;
    }
    if (!setPhase("reviewing")) return;
    review.showAnswer({ question: state.question, transcript: event.transcript, wordCount: event.word_count });
    if (state.pending) review.setNext(state.pending);
    announce(event.word_count ? "Answer saved. Scoring it now." : "Answer saved. We did not hear any words in it.");
  }

  function onNamedEvent(name, data) {
    if (name === "score" && state.phase === "reviewing") {
      review.setScore(data);
      announce(`Your answer scored ${Math.round(data.overall)} out of 100.`);
    } else if (name === "follow_up" && state.closingBy !== "end" && state.phase !== "finished") {
      review.setFollowUp(data);
    } else if (name === "feedback") {
      closing.setReportReady();
    }
  }

  function onSessionComplete() {
    const scoredLast = state.phase === "reviewing" && review.answer && review.answer.score;
    setPhase("finished");
    review.finish();
    progressFill.style.width = "100%";
    closing.show({ ended: state.closingBy === "end", keepScroll: scoredLast, note: state.skipped });
    state.skipped = null;
    announce("The interview is complete. Your report is being prepared.");
    // The report comes as a `feedback` event; if it never does, the report page polls.
    setTimeout(() => closing.setReportReady(), 20000);
  }

  function onError(event) {
    if (event.code === "time_limit_reached") {
      answer.timeUp();
      announce("Time is up for this question. Your answer has been saved.");
    } else if (event.code === "scoring_failed") review.scoringFailed();
    else if (event.code === "feedback_failed") closing.setReportReady();
    else if (event.code === "no_open_answer" && state.phase === "closing" && state.closingBy !== "end") setPhase(state.pending ? "reviewing" : "answering");
  }

  /**
   * What the candidate is told about a question that was skipped, true in each case: skipped
   * after speaking (the words and the recording are kept, not scored), skipped before a word
   * was heard, or closed with "I'm done" when no word was heard (it counts as skipped).
   */
  function skippedNote(label, { spoken, pressed }) {
    if (spoken) return `${label} skipped: its recording is kept, it is not scored.`;
    if (pressed) return `${label} skipped: nothing was said, so there is nothing to score.`;
    return `${label} skipped: we heard no words, so there is nothing to score. Check that your microphone is not muted.`;
  }

  return () => {
    answer.close();
    voice.close();
    if (connection) connection.close();
    microphone.close();
    if (window.__interview && window.__interview.state === state) delete window.__interview;
  };
}
