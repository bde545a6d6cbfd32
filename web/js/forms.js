// Labelled form controls with hints and error messages wired up for assistive technology.

import { h } from "./dom.js";

let counter = 0;
const nextId = (name) => `f-${name}-${++counter}`;

/** <label> + <input> (+ hint) (+ error slot). Returns the wrapper; the input is `.control`. */
export function field({ name, label, type = "text", value = "", hint, required = false, autocomplete, attrs = {} }) {
  const id = nextId(name);
  const hintId = hint ? `${id}-hint` : null;
  const errorId = `${id}-error`;
  const input = h("input", {
    id,
    name,
    type,
    value: value ?? "",
    required,
    autocomplete,
    "aria-describedby": [hintId, errorId].filter(Boolean).join(" "),
    ...attrs,
  });
  const wrapper = h(
    "div.field",
    h("label", { for: id }, label, required ? null : h("span.muted.small", " (optional)")),
    hint ? h("p.hint", { id: hintId }, hint) : null,
    input,
    h("p.error-text", { id: errorId, hidden: true }),
  );
  // An error is about what was typed: once the candidate edits the field, it goes (the check
  // runs again on submit), so a fixed field does not stay red.
  input.addEventListener("input", () => {
    if (input.getAttribute("aria-invalid") !== "true") return;
    input.removeAttribute("aria-invalid");
    const error = wrapper.querySelector(".error-text");
    error.textContent = "";
    error.hidden = true;
  });
  wrapper.control = input;
  return wrapper;
}

export function selectField({ name, label, options, value = "", hint, required = false }) {
  const id = nextId(name);
  const hintId = hint ? `${id}-hint` : null;
  const select = h(
    "select",
    { id, name, required, "aria-describedby": hintId },
    options.map(([optionValue, text]) => h("option", { value: optionValue, selected: optionValue === (value ?? "") }, text)),
  );
  const wrapper = h("div.field", h("label", { for: id }, label, required ? null : h("span.muted.small", " (optional)")), hint ? h("p.hint", { id: hintId }, hint) : null, select);
  wrapper.control = select;
  return wrapper;
}

/** A radio group rendered as selectable cards. options: [[value, label, description?]] */
export function choiceGroup({ name, legend, options, value }) {
  return h(
    "fieldset",
    h("legend", legend),
    h(
      "div.choices",
      options.map(([optionValue, text, description]) =>
        h("label.choice", h("input", { type: "radio", name, value: optionValue, checked: optionValue === value }), h("span", text, description ? h("small", description) : null)),
      ),
    ),
  );
}

export function checkbox({ name, label, checked = false, hint }) {
  const id = nextId(name);
  return h("div.check", h("input", { type: "checkbox", id, name, checked }), h("label", { for: id }, label, hint ? h("span.hint.muted.small", { style: { display: "block" } }, hint) : null));
}

/** Show `message` under the field named `name` (or clear it with null). */
export function setFieldError(form, name, message) {
  const input = form.elements[name];
  if (!input || !input.id) return false;
  const error = document.getElementById(`${input.id}-error`);
  if (!error) return false;
  if (message) {
    input.setAttribute("aria-invalid", "true");
    error.textContent = message;
    error.hidden = false;
  } else {
    input.removeAttribute("aria-invalid");
    error.textContent = "";
    error.hidden = true;
  }
  return true;
}

export function clearErrors(form) {
  for (const input of form.querySelectorAll("[aria-invalid]")) setFieldError(form, input.name, null);
  const summary = form.querySelector(".form-error");
  if (summary) summary.remove();
}

/** A form-level error at the top of the form, announced and focused. */
export function formError(form, message) {
  let summary = form.querySelector(".form-error");
  if (!summary) {
    summary = h("div.notice.notice--error.form-error", { role: "alert", tabindex: "-1" });
    form.prepend(summary);
  }
  summary.textContent = message;
  summary.focus();
}

/** Disable the submit button with a busy label while `work` runs. */
export async function busy(button, label, work) {
  const original = button.textContent;
  button.disabled = true;
  button.setAttribute("aria-busy", "true");
  button.textContent = label;
  try {
    return await work();
  } finally {
    button.disabled = false;
    button.removeAttribute("aria-busy");
    button.textContent = original;
  }
}
