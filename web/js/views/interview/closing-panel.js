// The end of the interview: "Interview complete", what happened, and the report link, which
// takes keyboard focus (after End as after the last answer).

import { h } from "../../dom.js";

export class ClosingPanel {
  constructor({ sessionId }) {
    this.reportReady = false;
    this.ended = false; // the candidate pressed End (rather than answering the last question)
    this.heading = h("h2", { tabindex: "-1" }, "Interview complete");
    this.message = h("p.muted", { "data-testid": "closing-message" });
    this.note = h("p.small.muted", { "data-testid": "closing-note", hidden: true });
    this.link = h("a.button.button--primary.button--large", { href: `#/report/${sessionId}`, "data-testid": "see-report" });
    this.element = h("section.card.closing", { "data-testid": "closing", "aria-labelledby": "closing-title", hidden: true }, h("div.row.row--between", h("div#closing-title", this.heading, this.message, this.note), this.link));
    this.render();
  }

  /** Show the screen and put focus on the report link; `note`: what happened to the last
   * question when it was skipped ("Question 3 skipped: …"). */
  show({ ended, keepScroll = false, note = null }) {
    this.ended = ended;
    this.note.textContent = note || "";
    this.note.hidden = !note;
    this.element.hidden = false;
    this.render();
    this.link.focus({ preventScroll: true });
    // After the last score card the candidate is reading it: do not scroll it away.
    if (!keepScroll) this.element.scrollIntoView({ block: "nearest" });
  }

  setReportReady() {
    this.reportReady = true;
    this.render();
  }

  render() {
    const why = this.ended ? "You ended the interview; your answers so far are kept. " : "";
    this.message.textContent = `${why}${this.reportReady ? "Your feedback report is ready." : "Preparing your feedback report…"}`;
    this.link.textContent = this.reportReady ? "See your report" : "Open the report";
  }
}
