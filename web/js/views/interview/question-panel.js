// The question card: "Question 2 of 3 · follow-up", the question's text, "Repeat question" and
// the interviewer-voice switch. The voice itself is played by the controller (live/voice.js);
// this panel shows whether the interviewer is speaking.

import { h, categoryLabel } from "../../dom.js";
import { icon } from "./icons.js";

/**
 * A `question` event as a value (docs/protocol.md). `number`/`of` count only the planned
 * questions; a follow-up has its question's `number` and a `followUpIndex` (1, 2, …).
 */
export function questionFromEvent(event) {
  const followUp = Boolean(event.follow_up);
  const question = {
    number: event.number,
    of: event.of,
    text: event.text,
    category: event.category || null,
    difficulty: event.difficulty || null,
    timeLimit: event.time_limit || 120,
    followUp,
    followUpIndex: followUp ? event.follow_up_index || 1 : 0,
    voiceUrl: event.voice_url || null,
    attempt: event.attempt || 1,
  };
  question.key = `${question.number}.${question.followUpIndex}.${question.attempt}`;
  return Object.freeze(question);
}

/**
 * " · follow-up", " · follow-up 2": a question's follow-ups as every page names them (the
 * interview page, the watch page and the report), the first unnumbered, the next by their place.
 * The interview page said "follow-up" for both of two while the others said "follow-up 2".
 */
export function followUpSuffix(followUpIndex) {
  if (!followUpIndex) return "";
  return ` · follow-up${followUpIndex > 1 ? ` ${followUpIndex}` : ""}`;
}

/** "Question 2 of 3 · follow-up 2": what the candidate reads, and what the watch page shows. */
export function questionLabel(question) {
  return `Question ${question.number} of ${question.of}${followUpSuffix(question.followUp ? question.followUpIndex || 1 : 0)}`;
}

export class QuestionPanel {
  /** `onRepeat()` and `onVoiceToggle(on)` are the controller's. */
  constructor({ voiceOn, onRepeat, onVoiceToggle }) {
    this.question = null;
    this.counter = h("p.eyebrow", { "data-testid": "question-counter" });
    this.note = h("p.follow-up-note", { hidden: true });
    this.text = h("h2.question-text", { tabindex: "-1", "data-testid": "question-text" });
    this.speakingNote = h("span.interviewer", { "data-testid": "interviewer-speaking", hidden: true }, h("span.speaking__bars", { "aria-hidden": "true" }, h("i"), h("i"), h("i")), "The interviewer is asking…");
    this.repeatNote = h("span.small.muted", { role: "status", "data-testid": "repeat-note" });
    this.repeatButton = h("button.button.button--quiet.repeat", { type: "button", "data-testid": "repeat-question" }, icon("repeat"), "Repeat question");
    this.voiceSwitch = h("button.button.button--quiet.voice-switch", { type: "button", "aria-pressed": String(voiceOn), "data-testid": "voice-toggle" }, icon("voice"), "Interviewer voice");
    this.repeatButton.addEventListener("click", onRepeat);
    this.voiceSwitch.addEventListener("click", () => {
      const on = this.voiceSwitch.getAttribute("aria-pressed") !== "true";
      this.voiceSwitch.setAttribute("aria-pressed", String(on));
      onVoiceToggle(on);
    });
    this.element = h(
      "section.card.question-card",
      { "aria-labelledby": "question-label" },
      h("div.row.row--between", h("span#question-label", this.counter), this.voiceSwitch),
      this.note,
      this.text,
      h("div.row", this.repeatButton, this.speakingNote, this.repeatNote),
    );
  }

  /** `question` is being asked but its voice is not ready yet: its counter, not yet its text. */
  waitFor(question) {
    this.show(question);
    this.text.textContent = "One moment…";
  }

  show(question) {
    this.question = question;
    // A follow-up is stored as "general" when its question was behavioural or situational (it asks
    // for more, not for a new story): its own category would read "· follow-up · General".
    const category = question.category && !question.followUp ? ` · ${categoryLabel(question.category)}` : "";
    this.counter.textContent = `${questionLabel(question)}${category}${question.attempt > 1 ? ` · attempt ${question.attempt}` : ""}`;
    this.text.textContent = question.text;
    this.note.hidden = !question.followUp;
    this.note.textContent = question.followUp ? "Follow-up: the interviewer would like to hear a little more about your answer." : "";
    this.repeatNote.textContent = "";
  }

  placeholder(text) {
    this.question = null;
    this.counter.textContent = "";
    this.text.textContent = text;
  }

  setSpeaking(on) {
    this.speakingNote.hidden = !on;
    this.element.classList.toggle("question-card--speaking", on);
  }

  /** Without a voice, "Repeat question" still visibly does something: the text is highlighted. */
  flash(message) {
    this.repeatNote.textContent = message;
    this.text.classList.remove("question-text--flash");
    void this.text.offsetWidth; // restart the animation
    this.text.classList.add("question-text--flash");
  }

  setRepeatEnabled(on) {
    this.repeatButton.disabled = !on;
  }

  focus() {
    this.text.focus();
  }

  /** The interview is over: no question is open any more, so none is shown. */
  finish() {
    this.setSpeaking(false);
    this.element.hidden = true;
  }
}
