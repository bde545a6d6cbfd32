// "Share live": a popover that creates a read-only watch link (POST /api/sessions/{id}/share).
// The panel has its own width (it is not squeezed to the width of its summary) and stays inside
// the viewport: anchored under the button on wide screens, across the screen on phones (CSS).

import { api } from "../../api.js";
import { h, clear } from "../../dom.js";

export function shareWidget(sessionId) {
  const output = h("div.share__output");
  const panel = h("div.card.share__panel", { "data-testid": "share-panel" }, h("p.small", "Anyone with this link can watch your transcript live (read-only) for a few hours."), output);
  const details = h("details.share", h("summary", "Share live"), panel);
  details.addEventListener("toggle", async () => {
    if (!details.open || output.childNodes.length) return;
    output.textContent = "Creating a link…";
    try {
      const share = await api(`/api/sessions/${sessionId}/share`, { method: "POST" });
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
      clear(output).append(input, copy);
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
