// The microphone check before an interview: permission, a level meter, a device picker and a
// clear explanation when the microphone is blocked or missing.

import { h, clear, announce } from "../dom.js";
import { Microphone, MicrophoneError, EXPLANATIONS, levelPercent } from "../audio/microphone.js";

const HEARD_AT = 22; // meter percent (about -48 dBFS) that counts as "we can hear you"

/**
 * Renders into `root`; `microphone` is a Microphone whose onLevel this component drives.
 * `onReady(true|false)` is called whenever the microphone opens or fails.
 */
export function micCheck(microphone, { onReady = () => {} } = {}) {
  const fill = h("div.meter__fill");
  const meter = h("div.meter", { role: "meter", "aria-label": "Microphone level", "aria-valuemin": "0", "aria-valuemax": "100", "aria-valuenow": "0" }, fill);
  const statusDot = h("span.dot");
  const statusText = h("span", "Microphone not checked yet");
  const status = h("p.mic-status", { role: "status" }, statusDot, statusText);
  const problem = h("div", { "aria-live": "assertive" });
  const deviceBox = h("div");
  const button = h("button.button", { type: "button", "data-testid": "mic-check" }, "Check my microphone");
  let heard = false;
  // While the microphone opens the button says so with aria-disabled and ignores presses: a
  // disabled button loses the keyboard focus (it fell to <body>, and a keyboard or
  // screen-reader user had to find their place again from the top of the page).
  let opening = false;
  let lastMeterUpdate = 0;

  microphone.onLevel = (rms) => {
    const percent = levelPercent(rms);
    const now = performance.now();
    fill.style.width = `${percent}%`;
    if (now - lastMeterUpdate > 250) {
      meter.setAttribute("aria-valuenow", String(Math.round(percent)));
      lastMeterUpdate = now;
    }
    if (!heard && percent >= HEARD_AT) {
      heard = true;
      statusDot.className = "dot dot--on";
      statusText.textContent = "We can hear you. Your microphone is ready.";
    }
  };

  async function open(deviceId) {
    clear(problem);
    heard = false;
    statusDot.className = "dot";
    statusText.textContent = "Asking for your microphone…";
    opening = true;
    button.setAttribute("aria-disabled", "true");
    try {
      await microphone.open(deviceId);
      statusText.textContent = "Microphone on. Say a few words: the bar should move.";
      button.textContent = "Check again";
      await renderDevices();
      onReady(true);
    } catch (error) {
      const kind = error instanceof MicrophoneError ? error.kind : "unsupported";
      const text = EXPLANATIONS[kind];
      statusText.textContent = text.title;
      problem.append(
        h(
          "div.notice.notice--error",
          { "data-testid": "mic-problem", "data-kind": kind },
          h("h3", text.title),
          h("p", text.body),
          h("ol", text.steps.map((s) => h("li", s))),
        ),
      );
      announce(`${text.title}. ${text.body}`, { assertive: true });
      button.textContent = "Check my microphone";
      onReady(false);
    } finally {
      opening = false;
      button.removeAttribute("aria-disabled");
    }
  }

  async function renderDevices() {
    // Choosing a device re-opens the microphone and redraws this list: the new list keeps the
    // focus the old one had (arrow keys on a closed <select> change it at once).
    const hadFocus = deviceBox.contains(document.activeElement);
    clear(deviceBox);
    const devices = await Microphone.devices();
    if (devices.length < 2) return;
    const current = microphone.stream && microphone.stream.getAudioTracks()[0].getSettings().deviceId;
    const select = h(
      "select#mic-device",
      { onchange: () => open(select.value) },
      devices.map((d, i) => h("option", { value: d.deviceId, selected: d.deviceId === current }, d.label || `Microphone ${i + 1}`)),
    );
    deviceBox.append(h("div.field", h("label", { for: "mic-device" }, "Microphone"), select));
    if (hadFocus) select.focus();
  }

  button.addEventListener("click", () => opening || open());

  return h(
    "section.card.stack",
    { "aria-labelledby": "mic-title" },
    h("h2#mic-title", "Check your microphone"),
    h("p.muted", "Your browser will ask for permission. Then speak as you would in the interview: the bar moves when we hear you."),
    h("div.row", button),
    meter,
    status,
    deviceBox,
    problem,
  );
}
