// Watch a session live (read-only): /ws/sessions/{id}/watch?token=... with the owner's access
// token or a share token. The first event is `event`/`snapshot` with the transcript so far.

import { freshAccessToken, tokens } from "../api.js";
import { h, clear, score } from "../dom.js";
import { InterviewConnection, socketUrl } from "../live/connection.js";
import { LiveTranscript } from "../live/transcript.js";

export async function render(root, { params, navigate, setTitle }) {
  const [sessionId, shareToken] = params;
  if (!shareToken && !tokens.signedIn) return navigate(`/login?next=${encodeURIComponent(`/watch/${sessionId}`)}`, { replace: true });
  const token = shareToken || (await freshAccessToken());

  const title = h("h1", "Watching live");
  const status = h("p.muted", { role: "status" }, "Connecting…");
  const list = h("ol.stack", { style: { listStyle: "none", padding: 0 } });
  root.append(h("div.page-head", h("p.muted", { style: { marginBottom: ".25rem" } }, "Live transcript (read-only)"), title, status), list);

  const questions = new Map(); // number -> {el, transcript, scoreEl, textEl}

  function questionEntry(number, text) {
    let entry = questions.get(number);
    if (!entry) {
      const textEl = h("p.question-text", text || "");
      const scoreEl = h("span.chip", { hidden: true });
      const box = h("div.transcript", { "data-testid": `watch-transcript-${number}` });
      const el = h("li.card.question-card", { "data-question": number }, h("div.row.row--between", h("p.eyebrow", `Question ${number}`), scoreEl), textEl, box);
      entry = { el, textEl, scoreEl, transcript: new LiveTranscript(box, { placeholder: "Waiting for the answer…", announceFinals: false }) };
      questions.set(number, entry);
      const after = [...list.children].find((child) => Number(child.dataset.question) > number);
      list.insertBefore(el, after || null);
    }
    if (text) entry.textEl.textContent = text;
    return entry;
  }

  function onEvent(event) {
    if (event.type === "event" && event.name === "snapshot") {
      const data = event.data;
      title.textContent = data.title;
      setTitle(`Watching: ${data.title}`);
      clear(list);
      questions.clear();
      for (const q of data.questions) {
        const entry = questionEntry(q.number, q.text);
        if (q.transcript) entry.transcript.reset(q.transcript);
        if (q.overall_score !== null && q.overall_score !== undefined) showScore(entry, q.overall_score);
      }
      status.textContent = data.status === "completed" ? "This interview is complete." : data.status === "in_progress" ? "Live: new words appear as they are spoken." : "Waiting for the interview to start.";
      return;
    }
    const number = event.question;
    if (event.type === "question") {
      const entry = questionEntry(event.number, event.text);
      status.textContent = `Live: question ${event.number} of ${event.of}.`;
      entry.el.scrollIntoView({ block: "nearest", behavior: "smooth" });
    } else if (event.type === "partial" && number) questionEntry(number).transcript.onPartial(event);
    else if (event.type === "final" && number) questionEntry(number).transcript.onFinal(event);
    else if (event.type === "answer_complete" && number) questionEntry(number).transcript.reset(event.transcript);
    else if (event.type === "event" && event.name === "score" && number) showScore(questionEntry(number), event.data.overall);
    else if (event.type === "session_complete") status.textContent = "This interview is complete.";
  }

  function showScore(entry, value) {
    entry.scoreEl.hidden = false;
    entry.scoreEl.textContent = `Score ${score(value)}`;
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
