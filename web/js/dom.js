// Tiny DOM helpers: build elements without innerHTML (no injection from server text).

/**
 * h("button.primary#go", {type: "button", onclick}, "Go") -> <button class="primary" id="go">.
 * Attributes: `class`, `dataset`, `style` (object), `on<event>` handlers, booleans, strings.
 * Children: strings, numbers, nodes, arrays, null/false (skipped).
 */
export function h(tag, attrs = {}, ...children) {
  if (attrs === null || typeof attrs !== "object" || attrs instanceof Node || Array.isArray(attrs)) {
    children.unshift(attrs);
    attrs = {};
  }
  const [name, ...rest] = tag.split(/(?=[.#])/);
  const el = document.createElement(name || "div");
  for (const part of rest) {
    if (part[0] === ".") el.classList.add(part.slice(1));
    else el.id = part.slice(1);
  }
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") el.className = [el.className, value].filter(Boolean).join(" ");
    else if (key === "dataset") Object.assign(el.dataset, value);
    else if (key === "style" && typeof value === "object") {
      for (const [prop, v] of Object.entries(value)) {
        if (prop.startsWith("--")) el.style.setProperty(prop, String(v));
        else el.style[prop] = v;
      }
    }
    else if (key.startsWith("on") && typeof value === "function") el.addEventListener(key.slice(2), value);
    else if (value === true) el.setAttribute(key, "");
    else el.setAttribute(key, String(value));
  }
  append(el, children);
  return el;
}

export function append(parent, children) {
  for (const child of [children].flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return parent;
}

export function clear(el) {
  while (el.firstChild) el.firstChild.remove();
  return el;
}

export function $(selector, root = document) {
  return root.querySelector(selector);
}

/** Announce a short message to screen readers (polite unless `assertive`). */
export function announce(message, { assertive = false } = {}) {
  const region = document.getElementById(assertive ? "announce-assertive" : "announce-polite");
  if (!region) return;
  region.textContent = "";
  // A fresh text node after a tick makes repeated identical messages be read again.
  setTimeout(() => {
    region.textContent = message;
  }, 30);
}

export function formatDate(value) {
  if (!value) return "";
  const date = new Date(value.endsWith && !/[zZ]|[+-]\d\d:?\d\d$/.test(value) ? value + "Z" : value);
  return date.toLocaleDateString(undefined, { year: "numeric", month: "short", day: "numeric" });
}

export function formatDateTime(value) {
  if (!value) return "";
  const date = new Date(value.endsWith && !/[zZ]|[+-]\d\d:?\d\d$/.test(value) ? value + "Z" : value);
  return date.toLocaleString(undefined, { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" });
}

export function formatClock(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

export function score(value) {
  return value === null || value === undefined ? "–" : String(Math.round(value));
}

/**
 * A word for a 0-100 score, matching the report's bands, of the number as shown (`score`
 * rounds half up, as the server's texts do): 69.5 is shown "70" and is green, not amber.
 */
export function band(value) {
  if (value === null || value === undefined) return "none";
  value = Math.round(value);
  if (value >= 85) return "excellent";
  if (value >= 70) return "good";
  if (value >= 50) return "fair";
  return "poor";
}

export function titleCase(text) {
  return (text || "").replace(/_/g, " ").replace(/\b\w/g, (c) => c.toUpperCase());
}

/**
 * The words the new-interview form offers for a session's settings; the API stores their ids.
 * Every page names a session the way the candidate chose it ("Challenging", not "Hard").
 */
export const SESSION_LABELS = {
  difficulty: { easy: "Warm-up", medium: "Standard", hard: "Challenging" },
  interview_type: { behavioral: "Behavioural", technical: "Technical", mixed: "Mixed" },
};

/** `sessionLabel("difficulty", "hard")` -> "Challenging"; unknown values are title-cased. */
export function sessionLabel(kind, value) {
  return (SESSION_LABELS[kind] || {})[value] || titleCase(value);
}

/** Feedback categories as the rest of the UI names them: "keywords" are the talking points. */
const CATEGORY_LABELS = { keywords: "Talking points", behavioral: "Behavioural" };

export function categoryLabel(category) {
  return CATEGORY_LABELS[(category || "").toLowerCase()] || titleCase(category);
}
