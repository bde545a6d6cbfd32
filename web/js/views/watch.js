// Watch a session live (read-only): /ws/sessions/{id}/watch?token=... with the owner's access
// token or a share token. The first event is `event`/`snapshot` with the transcript so far.
//
// Only questions that were asked are listed, numbered as the candidate sees them ("Question 2
// of 3", its follow-ups under it as "Question 2 · follow-up"); live events go to the question
// asked last, so a follow-up never overwrites its question.

import { freshAccessToken, tokens } from "../api.js";
import { h, clear, score } from "../dom.js";
import { InterviewConnection, socketUrl } from "../live/connection.js";
import { LiveTranscript } from "../live/transcript.js";
import { followUpSuffix, questionFromEvent, questionLabel } from "./interview/question-panel.js";

/** A snapshot question as {number, followUpIndex, text, ...}; null when it was never asked. */
export function snapshotQuestion(q, index, all) {
  const asked = q.asked ?? (q.answered || Boolean(q.transcript));
  if (!asked) return null;
  const followUp = Boolean(q.follow_up);
  // Older servers number follow-ups in the same sequence as questions: count planned ones.
  const number = q.planned_number ?? (followUp ? null : all.slice(0, index + 1).filter((x) => !x.follow_up).length);
  return { number: number ?? q.number, followUpIndex: followUp ? q.follow_up_index || 1 : 0, text: q.text, transcript: q.transcript, overall: q.overall_score, skipped: Boolean(q.skipped) };
}

/** A card's label: "Question 2 of 3", its follow-ups "Question 2 · follow-up", "… · follow-up 2". */
export function watchLabel({ number, followUpIndex }, total) {
  return followUpIndex ? `Question ${number}${followUpSuffix(followUpIndex)}` : `Question ${number}${total ? ` of ${total}` : ""}`;
}

const WAITING = "Waiting for the answer…";

export async function render(root, { params, navigate, setTitle }) {
  const [sessionId, shareToken] = params;
  if (!shareToken && !tokens.signedIn) return navigate(`/login?next=${encodeURIComponent(`/watch/${sessionId}`)}`, { replace: true });
  const token = shareToken || (await freshAccessToken());

  const title = h("h1", "Watching live");
  const status = h("p.muted", { role: "status" }, "Connecting…");
  const list = h("ol.stack.watch-list", { style: { listStyle: "none", padding: 0 } });
  root.append(h("div.page-head", h("p.muted", { style: { marginBottom: ".25rem" } }, "Live transcript (read-only)"), title, status), list);

  const entries = new Map(); // "number.followUpIndex" -> {el, textEl, scoreEl, transcript, followUps}
  let current = null; // the entry asked last: live words go there
  let total = null;

  function entry({ number, followUpIndex, text }) {
    const key = `${number}.${followUpIndex}`;
    let found = entries.get(key);
    if (!found) {
      const label = watchLabel({ number, followUpIndex }, total);
      const textEl = h("p.question-text", text || "");
      const scoreEl = h("span.chip", { hidden: true });
      const box = h("div.transcript", { "data-testid": `watch-transcript-${number}${followUpIndex ? `-f${followUpIndex}` : ""}` });
      const followUps = h("ol.watch-follow-ups", { style: { listStyle: "none", padding: 0 } });
      const el = h(`li.card.question-card${followUpIndex ? ".watch-follow-up" : ""}`, { "data-testid": "watch-question", "data-question": key }, h("div.row.row--between", h("p.eyebrow", { "data-testid": "watch-label" }, label), scoreEl), textEl, box, followUps);
      found = { el, textEl, scoreEl, followUps, transcript: new LiveTranscript(box, { placeholder: WAITING, announceFinals: false }) };
      entries.set(key, found);
      const parent = followUpIndex ? entries.get(`${number}.0`) : null;
      const into = parent ? parent.followUps : list;
      const after = [...into.children].find((child) => !followUpIndex && Number(child.dataset.question.split(".")[0]) > number);
      into.insertBefore(el, after || null);
    }
    if (text) found.textEl.textContent = text;
    return found;
  }

  function showScore(found, value, skipped = false) {
    if (!found) return;
    found.scoreEl.hidden = false;
    found.scoreEl.textContent = skipped ? "Skipped" : `Score ${score(value)}`;
    if (skipped) settle(found, "Skipped: no answer was given.");
  }

  /** No more words will come for this question: say so instead of "Waiting for the answer…". */
  function settle(found, message) {
    found.transcript.placeholder = message;
    found.transcript.reset(found.transcript.text);
  }

  function settleAll() {
    for (const found of entries.values()) if (!found.transcript.text && found.transcript.placeholder === WAITING) settle(found, "Not answered.");
  }

  function onEvent(event) {
    if (event.type === "event" && event.name === "snapshot") {
      const data = event.data;
      title.textContent = data.title;
      setTitle(`Watching: ${data.title}`);
      total = data.of ?? null;
      clear(list);
      entries.clear();
      current = null;
      data.questions.forEach((q, i, all) => {
        const asked = snapshotQuestion(q, i, all);
        if (!asked) return;
        current = entry(asked);
        if (asked.transcript) current.transcript.reset(asked.transcript);
        if (asked.skipped) showScore(current, null, true);
        else if (asked.overall !== null && asked.overall !== undefined) showScore(current, asked.overall);
      });
      if (data.status === "completed" || data.status === "cancelled") {
        settleAll();
        stopWatching();
      }
      status.textContent = data.status === "completed" ? "This interview is complete." : data.status === "cancelled" ? "This interview was cancelled." : data.status === "in_progress" ? "Live: new words appear as they are spoken." : "Waiting for the interview to start.";
      return;
    }
    if (event.type === "question") {
      const asked = questionFromEvent(event);
      total = asked.of;
      current = entry(asked);
      current.transcript.placeholder = WAITING;
      current.transcript.reset(); // a new attempt starts afresh
      current.scoreEl.hidden = true;
      status.textContent = `Live: ${questionLabel(asked).replace(/^Q/, "q")}.`;
      current.el.scrollIntoView({ block: "nearest", behavior: "smooth" });
    } else if (!current) {
      // live words before any question was shown: nothing to attach them to yet
    } else if (event.type === "partial") current.transcript.onPartial(event);
    else if (event.type === "final") current.transcript.onFinal(event);
    else if (event.type === "answer_complete") {
      current.transcript.reset(event.transcript);
      if (event.skipped) showScore(current, null, true);
    } else if (event.type === "event" && event.name === "score") showScore(current, event.data.overall);
    if (event.type === "session_complete") {
      status.textContent = "This interview is complete.";
      settleAll();
      stopWatching();
    }
  }

  // An ended interview sends nothing more: its socket is closed, so that a server restart or a
  // lost network does not turn "This interview is complete." into "Connection lost,
  // reconnecting…" and reconnect for as long as the page stays open.
  function stopWatching() {
    setTimeout(() => connection.close(), 0);
  }

  const connection = new InterviewConnection({
    url: socketUrl(`/ws/sessions/${sessionId}/watch?token=${encodeURIComponent(token)}`),
    getToken: null,
    refreshToken: null,
    autoStart: false,
    watch: true,
    onEvent,
    onStatus: (s) => {
      if (s.state === "reconnecting") status.textContent = "Connection lost, reconnecting…";
      if (s.state === "unauthorized") status.textContent = shareToken ? "This watch link has expired or is not valid." : "You cannot watch this interview.";
      if (s.state === "closed") status.textContent = "The connection was closed.";
    },
  });
  connection.connect();
  return () => connection.close();
}
