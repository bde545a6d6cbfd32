// "Share live": a popover that creates a read-only watch link (POST /api/sessions/{id}/share).
// The panel has its own width (it is not squeezed to the width of its summary) and stays inside
// the viewport: anchored under the button on wide screens, across the screen on phones (CSS).

import { api } from "../../api.js";
import { h, clear } from "../../dom.js";

export function shareWidget(sessionId) {
  const output = h("div.share__output");
  const note = h("p.small", "Anyone with the link can watch your transcript live (read-only).");
  const panel = h("div.card.share__panel", { "data-testid": "share-panel" }, note, output);
  const details = h("details.share", h("summary", "Share live"), panel);
  details.addEventListener("toggle", async () => {
    if (!details.open || output.childNodes.length) return;
    output.textContent = "Creating a link…";
    try {
      const share = await api(`/api/sessions/${sessionId}/share`, { method: "POST" });
      // Say how long the link really works (the server's expires_in), and that it can be withdrawn.
      const hours = Math.round(share.expires_in / 3600);
      note.textContent = `Anyone with this link can watch your transcript live (read-only) for the next ${hours} hour${hours === 1 ? "" : "s"}, or until you stop sharing.`;
      const link = `${location.origin}${location.pathname}#/watch/${sessionId}/${share.token}`;
      const input = h("input", { type: "text", readonly: true, value: link, "aria-label": "Watch link", onfocus: (e) => e.target.select() });
      const copy = h("button.button", { type: "button" }, "Copy link");
      copy.addEventListener("click", async () => {
        try {
          await navigator.clipboard.writeText(link);
          copy.textContent = "Copied";
        } catch {
          input.select();
        }
      });
      const stop = h("button.button.button--quiet", { type: "button", "data-testid": "stop-sharing" }, "Stop sharing");
      stop.addEventListener("click", async () => {
        stop.disabled = true;
        try {
          await api(`/api/sessions/${sessionId}/share`, { method: "DELETE" });
          // Every link made so far stops working; opening the panel again makes a new one.
          // The focus was on Stop sharing, now removed: the message takes it (not <body>).
          const stopped = h("p.small", { role: "status", tabindex: "-1" }, "Sharing stopped: the links you shared no longer work.");
          clear(output).append(stopped);
          stopped.focus();
          note.textContent = "Anyone with the link can watch your transcript live (read-only).";
          details.addEventListener("toggle", () => details.open || clear(output), { once: true });
        } catch (error) {
          stop.disabled = false;
          output.append(h("p.small", { role: "alert" }, error.message));
        }
      });
      clear(output).append(input, h("div.row", copy, stop));
    } catch (error) {
      output.textContent = error.message;
    }
  });
  details.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && details.open) {
      details.open = false;
      details.querySelector("summary").focus();
    }
  });
  return details;
}
