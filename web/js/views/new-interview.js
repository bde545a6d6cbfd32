// A new interview: role, company, type, difficulty and length -> POST /api/sessions.

import { api, tokens } from "../api.js";
import { h, SESSION_LABELS } from "../dom.js";
import { field, choiceGroup, setFieldError, clearErrors, formError, busy } from "../forms.js";
import { preferencesSent, sessionPreferences } from "../preferences.js";

const ROLE_SUGGESTIONS = [
  "Backend Engineer",
  "Frontend Engineer",
  "Full Stack Developer",
  "Data Scientist",
  "Data Analyst",
  "Machine Learning Engineer",
  "DevOps Engineer",
  "Site Reliability Engineer",
  "Product Manager",
  "UX Designer",
  "Sales Representative",
  "Marketing Manager",
  "Customer Support Specialist",
];

export async function render(root, { query, navigate }) {
  let user = tokens.user;
  try {
    user = await api("/api/users/me");
    tokens.saveUser(user);
  } catch {
    /* the cached profile is good enough for defaults */
  }
  const role = field({
    name: "target_role",
    label: "Role",
    value: (user && user.target_role) || "",
    hint: "The job you are interviewing for. Questions are chosen for it.",
    attrs: { list: "role-suggestions", maxlength: 100, placeholder: "e.g. Backend Engineer" },
  });
  const company = field({ name: "target_company", label: "Company", value: (user && user.target_company) || "", attrs: { maxlength: 100 } });
  const count = field({
    name: "num_questions",
    label: "Number of questions",
    type: "number",
    value: "5",
    required: true,
    hint: "Between 1 and 20. Five questions take about 10–15 minutes.",
    attrs: { min: 1, max: 20, inputmode: "numeric" },
  });
  const submit = h("button.button.button--primary.button--large", { type: "submit" }, "Continue to microphone check");
  const form = h(
    "form.form.card",
    { novalidate: true, "aria-labelledby": "new-title" },
    h("div.grid.grid--2", role, company),
    h("datalist#role-suggestions", ROLE_SUGGESTIONS.map((r) => h("option", { value: r }))),
    choiceGroup({
      name: "interview_type",
      legend: "Type of interview",
      value: "mixed",
      options: [
        ["behavioral", SESSION_LABELS.interview_type.behavioral, "Stories about your experience"],
        ["technical", SESSION_LABELS.interview_type.technical, "Concepts and problem solving"],
        ["mixed", SESSION_LABELS.interview_type.mixed, "A bit of both"],
      ],
    }),
    choiceGroup({
      name: "difficulty",
      legend: "Difficulty",
      value: "medium",
      options: [
        ["easy", SESSION_LABELS.difficulty.easy, "Friendly questions"],
        ["medium", SESSION_LABELS.difficulty.medium, "A typical interview"],
        ["hard", SESSION_LABELS.difficulty.hard, "Senior-level depth"],
      ],
    }),
    count,
    h("div.form-actions", submit),
  );

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    const e = form.elements;
    const n = Number(e.num_questions.value);
    if (!Number.isInteger(n) || n < 1 || n > 20) {
      setFieldError(form, "num_questions", "Choose between 1 and 20 questions.");
      return e.num_questions.focus();
    }
    const roleText = e.target_role.value.trim();
    const companyText = e.target_company.value.trim();
    const type = e.interview_type.value;
    const body = {
      title: [roleText || "General", "interview", companyText ? `at ${companyText}` : ""].filter(Boolean).join(" ").slice(0, 200),
      interview_type: type,
      difficulty: e.difficulty.value,
      num_questions: n,
    };
    if (roleText) body.target_role = roleText;
    if (companyText) body.target_company = companyText;
    const preferences = sessionPreferences(user); // a voice choice made before the first interview
    Object.assign(body, preferences);
    try {
      const session = await busy(submit, "Preparing your questions…", () => api("/api/sessions", { method: "POST", body }));
      if ("voice_enabled" in preferences) preferencesSent(user, preferences);
      navigate(`/interview/${session.id}`);
    } catch (error) {
      const name = error.field && error.field.replace(/^\$\./, "");
      if (!(name && setFieldError(form, name, error.message))) formError(form, error.message);
    }
  });

  root.append(
    h(
      "div.page-head",
      h("h1#new-title", query.get("welcome") ? "Your first practice interview" : "New practice interview"),
      h("p.lede", "Choose what to practise. You will answer each question out loud; take your time: a pause to think never ends your answer."),
    ),
    form,
  );
}
