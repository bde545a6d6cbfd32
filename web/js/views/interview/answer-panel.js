// The answer card: whether the candidate is heard, the answer's clock against its suggested
// length, the live transcript, and "I'm done" / "Skip question".
//
// The clock shows answer time as the server counts it (audio sent): it runs only while the
// microphone is sent, so it starts after the interviewer has asked and pauses while a question
// is repeated aloud.

import { h, formatClock } from "../../dom.js";
import { LiveTranscript } from "../../live/transcript.js";
import { icon } from "./icons.js";

export class AnswerPanel {
  constructor({ onDone, onSkip }) {
    this.limit = 120; // seconds suggested for this answer
    this.elapsedBase = 0; // seconds counted before `runningSince`
    this.runningSince = null; // performance.now() when the clock last started, null when paused
    this.interval = null;

    this.clock = h("span.timer__clock", { "data-testid": "answer-clock" }, "0:00");
    this.fill = h("div.timer__fill");
    this.limitLabel = h("span.muted.small.timer__limit");
    this.timer = h("div.timer", this.clock, h("div.timer__track", { "aria-hidden": "true" }, this.fill), this.limitLabel);
    this.note = h("p.small.muted", { role: "status" });
    this.speakingLabel = h("span.speaking__label", "Waiting for you to speak");
    this.speaking = h("span.speaking", { "data-testid": "speaking" }, h("span.speaking__bars", { "aria-hidden": "true" }, h("i"), h("i"), h("i")), this.speakingLabel);
    this.doneButton = h("button.button.button--primary.button--large", { type: "button", "data-testid": "answer-done" }, icon("done"), "I’m done");
    this.skipButton = h("button.button", { type: "button", "data-testid": "skip" }, icon("skip"), "Skip question");
    this.doneButton.addEventListener("click", onDone);
    this.skipButton.addEventListener("click", onSkip);
    const box = h("div.transcript#live-transcript", { "aria-label": "Live transcript of your answer", "data-testid": "live-transcript", role: "region" });
    this.transcript = new LiveTranscript(box);
    this.element = h(
      "section.card.stack",
      { "aria-labelledby": "answer-title", "data-testid": "answer-card" },
      h("div.row.row--between", h("h2#answer-title.visually-hidden", "Your answer"), this.speaking, this.timer),
      box,
      this.note,
      h("div.controls", this.doneButton, this.skipButton, h("span.spacer")),
    );
  }

  /** A new answer (or the same one after a reload, `keep`: transcript and clock stay). */
  prepare(question, { keep = false } = {}) {
    this.limit = question.timeLimit;
    this.limitLabel.textContent = `suggested ${formatClock(this.limit)}`;
    if (keep) return;
    this.transcript.reset();
    this.pause();
    this.elapsedBase = 0;
    this.timer.classList.remove("timer--warning", "timer--over");
    this.note.textContent = "";
    this.render();
  }

  get elapsed() {
    return this.elapsedBase + (this.runningSince === null ? 0 : (performance.now() - this.runningSince) / 1000);
  }

  /** The server's count after a reconnect (`resumed.audio_duration`). */
  setElapsed(seconds) {
    this.elapsedBase = seconds;
    if (this.runningSince !== null) this.runningSince = performance.now();
    this.render();
  }

  run() {
    if (this.runningSince !== null) return;
    this.runningSince = performance.now();
    this.interval = setInterval(() => this.render(), 250);
    this.render();
  }

  pause() {
    if (this.runningSince !== null) this.elapsedBase = this.elapsed;
    this.runningSince = null;
    clearInterval(this.interval);
  }

  render() {
    const elapsed = this.elapsed;
    this.clock.textContent = formatClock(elapsed);
    this.fill.style.width = `${Math.min(100, (elapsed / this.limit) * 100)}%`;
    if (elapsed >= this.limit) this.timer.classList.add("timer--over");
  }

  warn(remaining) {
    this.timer.classList.add("timer--warning");
    this.note.textContent = `About ${Math.round(remaining)} seconds left for this answer. Finish your thought; it will be saved automatically.`;
  }

  timeUp() {
    this.timer.classList.add("timer--over");
    this.note.textContent = "Time is up for this question: your answer has been saved.";
  }

  setControlsEnabled(on) {
    this.doneButton.disabled = !on;
    this.skipButton.disabled = !on;
  }

  /** `on`: the candidate's voice is heard; otherwise `listening` says whether we are recording. */
  setSpeaking(on, listening) {
    this.speaking.classList.toggle("speaking--on", on);
    this.speakingLabel.textContent = on ? "Speaking" : listening ? "Listening" : "Paused";
  }

  close() {
    this.pause();
  }
}
