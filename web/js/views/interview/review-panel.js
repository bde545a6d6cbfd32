// After an answer: its score card, the interviewer's follow-up if there is one, and the way on
// ("Continue to question 3", "Answer the follow-up", "Try this answer again").
//
// When the score arrives the card's heading takes focus without scrolling and the card is
// scrolled to its top, so the overall score is in view. Continue is not focused for the
// candidate (that scrolled the score away); Tab reaches it after the card's few controls.

import { h, clear } from "../../dom.js";
import { scoreCard } from "../scorecard.js";
import { icon } from "./icons.js";
import { questionLabel } from "./question-panel.js";

export class ReviewPanel {
  constructor({ onContinue, onRetry }) {
    this.answer = null; // {question, transcript, wordCount, score, scoringFailed}
    this.followUp = null; // the `follow_up` event's data: {text, reason}
    this.next = null; // the question open on the server, asked when the candidate continues
    this.retrying = false; // "Try this answer again" was pressed; waiting for the question again

    this.scoreSlot = h("div");
    this.followSlot = h("div");
    this.waiting = h("p.muted.row.review__waiting", h("span.spinner", { "aria-hidden": "true" }), "Getting the next question ready…");
    this.continueButton = h("button.button.button--primary.button--large", { type: "button", "data-testid": "continue", hidden: true });
    this.retryButton = h("button.button", { type: "button", "data-testid": "try-again", hidden: true }, icon("retry"), "Try this answer again");
    this.continueButton.addEventListener("click", onContinue);
    this.retryButton.addEventListener("click", onRetry);
    this.actions = h(
      "div.card.review__actions",
      { "data-testid": "review-actions" },
      h("p.muted.review__breath", "Take a breath. The next question starts when you are ready."),
      h("div.row", this.continueButton, this.retryButton, this.waiting),
    );
    this.element = h("section.stack.review", { "data-testid": "review", "aria-label": "How your answer went" }, this.scoreSlot, this.followSlot, this.actions);
  }

  /** A new answer was stored (answer_complete): it is being scored. */
  showAnswer(answer) {
    this.answer = { score: null, scoringFailed: false, ...answer };
    this.followUp = null;
    this.next = null;
    this.retrying = false;
    clear(this.followSlot);
    this.renderScore();
    this.renderActions();
  }

  setScore(score) {
    if (!this.answer) return;
    this.answer.score = score;
    this.renderScore();
    this.renderActions();
    const card = this.scoreSlot.querySelector("[data-testid=score-card]");
    const heading = card && card.querySelector("h3");
    if (heading) {
      heading.setAttribute("tabindex", "-1");
      heading.focus({ preventScroll: true });
    }
    if (card) card.scrollIntoView({ block: "start", behavior: "instant" });
  }

  scoringFailed() {
    if (!this.answer) return;
    this.answer.scoringFailed = true;
    this.renderScore();
  }

  setFollowUp(data) {
    this.followUp = data;
    clear(this.followSlot);
    if (data)
      this.followSlot.append(
        h("div.card.question-card", { "data-testid": "follow-up" }, h("p.eyebrow", "The interviewer follows up"), h("p.question-text", data.text)),
      );
    this.renderActions();
  }

  setNext(question) {
    this.next = question;
    this.retrying = false;
    this.renderActions();
  }

  setRetrying() {
    this.retrying = true;
    this.next = null;
    this.setFollowUp(null);
  }

  /** Nothing to review (the answer just closed was skipped): the last score card goes. */
  clear() {
    this.answer = null;
    this.followUp = null;
    this.next = null;
    this.retrying = false;
    clear(this.scoreSlot);
    clear(this.followSlot);
    this.renderActions();
  }

  /** The interview is over: the last score card stays, its way on goes. */
  finish() {
    this.next = null;
    this.actions.hidden = true;
    this.setFollowUp(null);
  }

  renderScore() {
    const answer = this.answer;
    clear(this.scoreSlot);
    if (!answer) return;
    const title = `${questionLabel(answer.question).replace(/ of \d+/, "")}: how it went`;
    if (answer.score) {
      this.scoreSlot.append(scoreCard(answer.score, { transcript: answer.transcript, title, compact: true }));
    } else if (!answer.wordCount) {
      this.scoreSlot.append(h("div.card", h("h2", "We did not hear an answer"), h("p.muted", "No words were recognised for this question, so there is nothing to score. Check that your microphone is not muted.")));
    } else if (answer.scoringFailed) {
      this.scoreSlot.append(h("div.card", h("h2", "Answer saved"), h("p.muted", "This answer could not be scored right now. It is saved, and the interview goes on.")));
    } else {
      this.scoreSlot.append(h("div.card", h("h2.row", h("span.spinner", { "aria-hidden": "true" }), "Scoring your answer…"), h("p.muted", "Relevance, grammar, fluency and talking points take a few seconds."), h("p.quote", answer.transcript)));
    }
  }

  renderActions() {
    const next = this.next;
    const focused = this.actions.contains(document.activeElement) ? document.activeElement : null;
    this.continueButton.hidden = !next;
    if (next) this.continueButton.textContent = next.followUp ? "Answer the follow-up" : `Continue to question ${next.number}`;
    this.retryButton.hidden = !(this.answer && this.answer.score) || this.retrying;
    this.waiting.hidden = Boolean(next);
    this.waiting.lastChild.textContent = this.retrying ? "Asking the question again…" : "Getting the next question ready…";
    if (focused && focused.hidden) (next ? this.continueButton : this.retryButton).focus({ preventScroll: true });
  }
}
