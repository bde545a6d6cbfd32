// The connection banner: what the socket's state (live/connection.js `onStatus`) means for the
// candidate, with the one action that helps.

import { h, clear } from "../../dom.js";

export class ConnectionBanner {
  constructor() {
    this.kind = null;
    this.element = h("div.connection-banner", { hidden: true, role: "status" });
    this.goodTimer = null;
  }

  show(kind, message, action) {
    clearTimeout(this.goodTimer);
    const el = clear(this.element);
    this.kind = kind;
    el.dataset.kind = kind || "";
    el.hidden = !kind;
    if (!kind) return;
    el.className = `connection-banner notice notice--${kind}`;
    el.setAttribute("role", kind === "error" ? "alert" : "status");
    el.append(h("div.row.row--between", h("span", { "data-testid": "connection-message" }, message), action ? h("button.button", { type: "button", onclick: action[1] }, action[0]) : null));
    if (kind === "good") this.goodTimer = setTimeout(() => this.kind === "good" && this.show(null), 4000);
  }

  /** Map a connection status to the banner. Returns "session_closed" when the report should open. */
  status(status, { retry, signOut }) {
    switch (status.state) {
      case "connecting":
        return this.show(null);
      case "open":
        return status.reconnected ? this.show("good", "Reconnected. Your answer continues where it stopped.") : this.show(null);
      case "reconnecting":
        return this.show(
          "warn",
          status.now ? "Reconnecting…" : `Connection lost. Reconnecting in ${Math.ceil(status.delay / 1000)} s (attempt ${status.attempt}). Keep talking if you like: what you say is kept and sent when we are back.`,
          ["Reconnect now", retry],
        );
      case "full":
        return this.show("error", `The practice server is full right now: every interview room is in use. Nothing is lost; we will try again in ${status.retryIn} seconds.`, ["Try now", retry]);
      case "taken_over":
        return this.show("error", "This interview continued in another tab or window. Everything you said here is saved.", ["Continue here", retry]);
      case "busy":
        return this.show("error", "This interview is already open in another tab or window. Close it there, then try again here.", ["Try again", retry]);
      case "unauthorized":
        return this.show("error", "Your sign-in has expired. Log in again to continue; your answers so far are saved.", ["Log in again", signOut]);
      case "closed":
        if (status.reason === "session_closed") return "session_closed";
        return this.show("error", `The connection was closed${status.message ? `: ${status.message}` : ""}. Reload the page to try again.`);
      default:
        return undefined;
    }
  }
}
