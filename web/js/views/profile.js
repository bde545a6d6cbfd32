// Profile and preferences (PATCH /api/users/me), and account deletion.

import { api, tokens, signOut } from "../api.js";
import { h, announce } from "../dom.js";
import { field, selectField, checkbox, setFieldError, clearErrors, formError, busy } from "../forms.js";
import { rememberVoice, voiceEnabled } from "../preferences.js";

const EDUCATION = [
  ["", "Prefer not to say"],
  ["High school", "High school"],
  ["Associate", "Associate degree"],
  ["Bachelor", "Bachelor’s degree"],
  ["Master", "Master’s degree"],
  ["PhD", "PhD"],
  ["Bootcamp", "Bootcamp / self-taught"],
  ["Other", "Other"],
];

const LANGUAGES = [
  ["en", "English"],
  ["en-US", "English (US)"],
  ["en-GB", "English (UK)"],
];

export async function render(root) {
  const user = await api("/api/users/me");
  tokens.saveUser(user);
  const education = EDUCATION.some(([v]) => v === (user.education_level || "")) ? EDUCATION : [...EDUCATION, [user.education_level, user.education_level]];
  const languages = LANGUAGES.some(([v]) => v === user.preferred_language) ? LANGUAGES : [...LANGUAGES, [user.preferred_language, user.preferred_language]];
  const submit = h("button.button.button--primary", { type: "submit" }, "Save profile");
  const saved = h("p.muted", { role: "status" });
  const form = h(
    "form.form",
    { novalidate: true },
    h(
      "section.card.form",
      h("h2", "About you"),
      field({ name: "full_name", label: "Name", value: user.full_name, required: true, autocomplete: "name", attrs: { maxlength: 100 } }),
      h("div.field", h("span.label", "E-mail"), h("p", { style: { margin: 0 } }, user.email)),
      field({ name: "phone_number", label: "Phone", type: "tel", value: user.phone_number, autocomplete: "tel", attrs: { maxlength: 20 } }),
    ),
    h(
      "section.card.form",
      h("h2", "What you are preparing for"),
      h("p.muted", "New interviews use these as their defaults, and questions are picked for this role."),
      h(
        "div.grid.grid--2",
        field({ name: "target_role", label: "Target role", value: user.target_role, attrs: { maxlength: 100, placeholder: "e.g. Backend Engineer" } }),
        field({ name: "target_company", label: "Target company", value: user.target_company, attrs: { maxlength: 100 } }),
        field({ name: "experience_years", label: "Years of experience", type: "number", value: user.experience_years ?? "", attrs: { min: 0, max: 70, inputmode: "numeric" } }),
        selectField({ name: "education_level", label: "Education", options: education, value: user.education_level || "" }),
      ),
      field({
        name: "skills",
        label: "Skills",
        value: (user.skills || []).join(", "),
        hint: "Separate skills with commas, e.g. Python, SQL, stakeholder management.",
      }),
    ),
    h(
      "section.card.form",
      h("h2", "Preferences"),
      selectField({ name: "preferred_language", label: "Interview language", options: languages, value: user.preferred_language || "en", required: true }),
      checkbox({ name: "voice_enabled", label: "The interviewer reads the questions aloud", checked: voiceEnabled(user), hint: "You can also switch the voice on or off during an interview." }),
      h("fieldset", h("legend", "Notifications"), h("div.stack", checkbox({ name: "notification_email", label: "E-mail me my feedback reports", checked: user.notification_email !== false }), checkbox({ name: "notification_push", label: "Browser notifications", checked: Boolean(user.notification_push) }))),
    ),
    h("div.form-actions", submit, saved),
  );

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    saved.textContent = "";
    const e = form.elements;
    const years = e.experience_years.value.trim();
    const skills = e.skills.value.split(",").map((s) => s.trim()).filter(Boolean);
    if (!e.full_name.value.trim()) return setFieldError(form, "full_name", "Your name cannot be empty.") && e.full_name.focus();
    if (years && (!/^\d+$/.test(years) || Number(years) > 70)) return setFieldError(form, "experience_years", "Enter a whole number of years between 0 and 70.") && e.experience_years.focus();
    if (skills.some((s) => s.length > 60)) return setFieldError(form, "skills", "Each skill can be at most 60 characters.") && e.skills.focus();
    const phone = e.phone_number.value.trim();
    // The server's rule (server/schemas.py `Phone`): at least six digits, an optional leading +, and spaces, dots, hyphens or brackets.
    if (phone && !/^\+?[ ().-]*(?:[0-9][ ().-]*){6,}$/.test(phone)) return setFieldError(form, "phone_number", "Enter a phone number: digits, optionally starting with +, with spaces, dots, hyphens or brackets.") && e.phone_number.focus();
    const body = {
      full_name: e.full_name.value.trim(),
      phone_number: phone || null,
      target_role: e.target_role.value.trim() || null,
      target_company: e.target_company.value.trim() || null,
      education_level: e.education_level.value || null,
      skills: skills.slice(0, 50),
      preferred_language: e.preferred_language.value,
      notification_email: e.notification_email.checked,
      notification_push: e.notification_push.checked,
    };
    if (years) body.experience_years = Number(years);
    // Sent only when changed (servers before the voice do not know it).
    const voiceOn = e.voice_enabled.checked;
    if ("voice_enabled" in user && voiceOn !== voiceEnabled(user)) body.voice_enabled = voiceOn;
    try {
      const updated = await busy(submit, "Saving…", () => api("/api/users/me", { method: "PATCH", body }));
      // Before the first interview the server cannot keep the voice setting: this browser keeps
      // it and sends it with that interview (preferences.js).
      if ("voice_enabled" in body) rememberVoice(updated, voiceOn);
      const voiceNote = "voice_enabled" in body && updated.preferences_saved === false ? " Your first interview will use this voice setting." : "";
      Object.assign(user, updated);
      tokens.saveUser(updated);
      saved.textContent = `Saved.${voiceNote}`;
      announce(`Profile saved.${voiceNote}`);
    } catch (error) {
      const name = error.field && error.field.replace(/^\$\./, "");
      if (!(name && setFieldError(form, name, error.message))) formError(form, error.message);
      else form.elements[name].focus();
    }
  });

  const confirmDelete = h(
    "dialog.card",
    { "aria-labelledby": "delete-title" },
    h("h2#delete-title", "Delete your account?"),
    h("p", "This removes your profile, every interview, recording and report. It cannot be undone."),
    h(
      "div.form-actions",
      h("button.button.button--danger", { type: "button", onclick: deleteAccount }, "Delete everything"),
      h("button.button", { type: "button", onclick: () => confirmDelete.close() }, "Keep my account"),
    ),
  );

  async function deleteAccount() {
    await api("/api/users/me", { method: "DELETE" });
    confirmDelete.close();
    signOut();
  }

  root.append(
    h("div.page-head", h("h1", "Your profile"), h("p.lede", "Tell us what you are aiming for, and practice sessions will match it.")),
    form,
    h(
      "section.card",
      { style: { marginTop: "1.5rem" } },
      h("h2", "Delete account"),
      h("p.muted", "Remove your account and all your practice data."),
      h("button.button.button--danger", { type: "button", onclick: () => confirmDelete.showModal() }, "Delete my account…"),
    ),
    confirmDelete,
  );
}
