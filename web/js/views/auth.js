// Log in and sign up.

import { auth } from "../api.js";
import { h } from "../dom.js";
import { field, setFieldError, clearErrors, formError, busy } from "../forms.js";

function intro() {
  return h(
    "section.auth__intro",
    h("h1", "Practise interviews out loud"),
    h("p.lede", "Answer real interview questions by speaking, see your words appear as you talk, and get calm, specific feedback after every answer."),
    h(
      "ul",
      h("li", "A live transcript while you answer: no typing, no pressure."),
      h("li", "Scores for relevance, grammar, fluency and talking points, with your filler words and grammar slips highlighted."),
      h("li", "A report after each session and a history that shows your progress."),
    ),
  );
}

function nextPath(query) {
  const next = query.get("next");
  return next && next.startsWith("/") && !next.startsWith("//") ? next : "/";
}

export async function login(root, { query, navigate }) {
  // "Log in instead" after a sign-up with a known e-mail brings the address along.
  const email = field({ name: "email", label: "E-mail", type: "email", value: query.get("email") || "", required: true, autocomplete: "email" });
  const password = field({ name: "password", label: "Password", type: "password", required: true, autocomplete: "current-password" });
  const submit = h("button.button.button--primary.button--large", { type: "submit" }, "Log in");
  const form = h(
    "form.form",
    { novalidate: true, "aria-labelledby": "login-title" },
    query.get("expired") ? h("div.notice.notice--warn", { role: "status" }, "Your session has expired. Please log in again to continue.") : null,
    email,
    password,
    h("div.form-actions", submit),
    h("p.muted", "New here? ", h("a", { href: `#/signup${query.get("next") ? "?next=" + encodeURIComponent(query.get("next")) : ""}` }, "Create a free account")),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    const values = { email: form.elements.email.value.trim(), password: form.elements.password.value };
    let invalid = false;
    if (!values.email) invalid = setFieldError(form, "email", "Enter your e-mail address.");
    if (!values.password) invalid = setFieldError(form, "password", "Enter your password.") || invalid;
    if (invalid) return form.querySelector("[aria-invalid]").focus();
    try {
      await busy(submit, "Logging in…", () => auth.login(values.email, values.password));
      navigate(nextPath(query), { replace: true });
    } catch (error) {
      formError(form, error.status === 401 ? "That e-mail and password do not match an account." : error.message);
    }
  });
  root.append(h("div.auth", intro(), h("section.card", h("h2#login-title", "Log in"), form)));
}

export async function signup(root, { query, navigate }) {
  const name = field({ name: "full_name", label: "Your name", required: true, autocomplete: "name", attrs: { maxlength: 100 } });
  const email = field({ name: "email", label: "E-mail", type: "email", required: true, autocomplete: "email", attrs: { maxlength: 255 } });
  const password = field({
    name: "password",
    label: "Password",
    type: "password",
    required: true,
    autocomplete: "new-password",
    hint: "At least 8 characters.",
    attrs: { minlength: 8, maxlength: 72 },
  });
  const role = field({ name: "target_role", label: "Role you are preparing for", hint: "For example: Backend Engineer, Product Manager, Data Analyst.", attrs: { maxlength: 100 } });
  const submit = h("button.button.button--primary.button--large", { type: "submit" }, "Create account");
  const form = h(
    "form.form",
    { novalidate: true, "aria-labelledby": "signup-title" },
    name,
    email,
    password,
    role,
    h("div.form-actions", submit),
    h("p.muted", "Already have an account? ", h("a", { href: "#/login" }, "Log in")),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    const values = {
      full_name: form.elements.full_name.value.trim(),
      email: form.elements.email.value.trim(),
      password: form.elements.password.value,
    };
    const targetRole = form.elements.target_role.value.trim();
    if (targetRole) values.target_role = targetRole;
    let invalid = false;
    if (!values.full_name) invalid = setFieldError(form, "full_name", "Tell us your name.") || invalid;
    if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(values.email)) invalid = setFieldError(form, "email", "Enter an e-mail address like name@example.com.") || invalid;
    if (values.password.length < 8) invalid = setFieldError(form, "password", "Use at least 8 characters.") || invalid;
    if (invalid) return form.querySelector("[aria-invalid]").focus();
    try {
      await busy(submit, "Creating your account…", () => auth.register(values));
      navigate(nextPath(query) === "/" ? "/new?welcome=1" : nextPath(query), { replace: true });
    } catch (error) {
      if (error.status === 409) {
        setFieldError(form, "email", "An account with this e-mail already exists.");
        formError(form, "An account with this e-mail already exists. ");
        const login = new URLSearchParams({ email: values.email });
        if (query.get("next")) login.set("next", query.get("next"));
        form.querySelector(".form-error").append(h("a", { href: `#/login?${login}`, "data-testid": "login-instead" }, "Log in instead"));
      } else if (error.field && setFieldError(form, error.field.replace(/^\$\./, ""), error.message)) {
        formError(form, error.message);
      } else formError(form, error.message);
    }
  });
  root.append(h("div.auth", intro(), h("section.card", h("h2#signup-title", "Create your account"), form)));
}
