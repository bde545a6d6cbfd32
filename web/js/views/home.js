// Home: a greeting, the next step, unfinished interviews and recent results.

import { api, tokens } from "../api.js";
import { h, score, formatDate, sessionLabel, titleCase } from "../dom.js";

export function sessionItem(session, { onDelete } = {}) {
  const done = session.status === "completed";
  const cancelled = session.status === "cancelled";
  const open = session.status === "created" || session.status === "in_progress";
  const resume = session.status === "created" ? "Start" : session.follow_up_waiting ? "Answer the follow-up" : "Resume";
  const meta = [sessionLabel("interview_type", session.interview_type), sessionLabel("difficulty", session.difficulty), session.target_company, formatDate(session.completed_at || session.started_at || session.created_at)]
    .filter(Boolean)
    .join(" · ");
  return h(
    "li",
    h(
      "div.session-item",
      h(
        "div",
        h("div.session-item__title", session.title),
        h("div.session-item__meta", h(`span.status.status--${session.status}`, titleCase(session.status)), " · ", meta, answeredText(session)),
      ),
      h("div.session-item__score", done && session.overall_score !== null ? h("span", { "aria-label": `Score ${score(session.overall_score)} out of 100` }, score(session.overall_score)) : ""),
      h(
        "div.session-item__actions",
        done ? h("a.button", { href: `#/report/${session.id}` }, "View report") : null,
        // a cancelled interview has no report, but what was answered is kept and can be read
        cancelled ? h("a.button", { href: `#/report/${session.id}`, "aria-label": `See what was recorded in “${session.title}”` }, "See what was recorded") : null,
        open ? h("a.button.button--primary", { href: `#/interview/${session.id}` }, resume) : null,
        onDelete
          ? h("button.button.button--quiet", { type: "button", onclick: () => onDelete(session), "aria-label": `Delete “${session.title}”` }, "Delete")
          : null,
      ),
    ),
  );
}

/**
 * "2 of 3 answered · 1 skipped", as the report counts: planned questions only (a follow-up
 * belongs to its question and never counts). An unfinished interview whose next question is a
 * follow-up says so: "1 of 1 answered" with a Resume button would look finished.
 */
function answeredText(session) {
  if (!session.num_questions) return "";
  const parts = [`${session.questions_answered || 0} of ${session.num_questions} answered`];
  if (session.questions_skipped) parts.push(`${session.questions_skipped} skipped`);
  const open = session.status === "created" || session.status === "in_progress";
  if (open && session.follow_up_waiting) parts.push("a follow-up is waiting");
  return parts.map((part) => ` · ${part}`).join("");
}

export async function render(root) {
  const user = tokens.user;
  const firstName = user && user.full_name ? user.full_name.split(" ")[0] : "";
  root.append(
    h(
      "div.page-head",
      h("h1", firstName ? `Welcome back, ${firstName}` : "Welcome"),
      h("p.lede", "A few minutes of practice out loud makes the real interview feel familiar. Pick up where you left off, or start a fresh session."),
      h("div.row", h("a.button.button--primary.button--large", { href: "#/new" }, "Start a practice interview"), h("a.button", { href: "#/history" }, "See your progress")),
    ),
  );
  const statsBox = h("section.grid.grid--3.stats", { "aria-label": "Your numbers" });
  const openBox = h("section.card", { hidden: true }, h("h2", "Unfinished interviews"));
  const recentBox = h("section.card", h("h2", "Recent sessions"), h("p.muted", "Loading…"));
  root.append(statsBox, h("div", { style: { height: "1rem" } }), openBox, recentBox);

  const [stats, page] = await Promise.all([api("/api/users/me/stats"), api("/api/sessions?limit=10")]);
  statsBox.append(
    stat(stats.total_interviews, "completed interviews"),
    stat(score(stats.average_score), "average score"),
    stat(score(stats.best_score), "best score"),
  );
  const open = page.items.filter((s) => s.status === "created" || s.status === "in_progress");
  if (open.length) {
    openBox.hidden = false;
    openBox.append(h("ul.session-list", open.slice(0, 3).map((s) => sessionItem(s))));
  }
  recentBox.lastChild.remove();
  const recent = page.items.filter((s) => s.status === "completed").slice(0, 5);
  if (recent.length) recentBox.append(h("ul.session-list", recent.map((s) => sessionItem(s))), h("p", h("a", { href: "#/history" }, "All sessions and your progress chart")));
  else recentBox.append(h("div.empty", h("p", "No finished sessions yet. Your first one takes about ten minutes."), h("a.button.button--primary", { href: "#/new" }, "Start now")));
}

function stat(value, label) {
  return h("div.card.stat", h("span.stat__value", String(value ?? "–")), h("span.stat__label", label));
}
