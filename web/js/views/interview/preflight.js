// Before the interview: the microphone check and how it works; "Start the interview" is enabled
// once the microphone works.

import { h, sessionLabel } from "../../dom.js";
import { micCheck } from "../mic-check.js";

export function preflight({ session, total, microphone, onStart }) {
  const startButton = h("button.button.button--primary.button--large", { type: "button", disabled: true, "data-testid": "start-interview" }, "Start the interview");
  const startHint = h("p.muted.small", "Check your microphone first.");
  startButton.addEventListener("click", onStart);
  return h(
    "div.stack",
    h(
      "div.page-head",
      h("h1", session.title),
      h("p.lede", `${total} question${total === 1 ? "" : "s"} · ${sessionLabel("interview_type", session.interview_type)} · ${sessionLabel("difficulty", session.difficulty)}${session.status === "in_progress" ? " · continuing where you left off" : ""}`),
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
        h("li", "The interviewer reads each question aloud (you can turn the voice off), and it appears on screen. Answer out loud, as you would to an interviewer."),
        h("li", "Your words appear as you speak. Pauses to think are fine: a silence never ends your answer."),
        h("li", "Press ", h("strong", "I’m done"), " when you have finished. You will see a score card; you can try the answer again, or move on when you are ready."),
        h("li", "The interviewer may follow up on an answer. Follow-ups belong to their question and do not add to the count."),
        h("li", "Each question has a time limit, shown by the timer. Near the end we let you know; when the time is up, your answer is saved as it is."),
      ),
      h("div.row", startButton, startHint),
    ),
  );
}
