// The score card of one answer, from the `score` event (scoring's AnswerScore.to_json()).

import { h, score, band, titleCase, categoryLabel } from "../dom.js";
import { annotate } from "../live/transcript.js";

export const DIMENSIONS = [
  ["relevance", "Relevance", "Did the answer address the question?"],
  ["grammar", "Grammar", "Accuracy of the spoken sentences"],
  ["fluency", "Fluency", "Pace, fillers and pauses"],
  ["keywords", "Talking points", "Coverage of the expected topics"],
];

export function ring(value, label = "overall") {
  const b = band(value);
  return h(
    "div",
    { class: `ring ring--${b}`, style: { "--value": value === null || value === undefined ? 0 : Math.round(value) } },
    h("div.ring__value", { "aria-hidden": "true" }, score(value), h("small", label)),
    h("span.visually-hidden", `${titleCase(label)} score ${score(value)} out of 100`),
  );
}

export function dimensionBar(name, value, note) {
  const b = band(value);
  return h(
    "li.dimension",
    h("div.dimension__label", h("span", name), h("span", value === null || value === undefined ? "n/a" : `${Math.round(value)}`)),
    h(
      "div.bar",
      { role: "img", "aria-label": value === null || value === undefined ? `${name}: not scored` : `${name}: ${Math.round(value)} out of 100` },
      h("div", { class: `bar__fill bar__fill--${b}`, style: { width: `${Math.max(0, Math.min(100, value || 0))}%` } }),
    ),
    note ? h("span.dimension__note", note) : null,
  );
}

function dimensionNote(key, data) {
  const details = data.details || {};
  if (key === "grammar" && !data.grammar_available) return "Not checked this time: the grammar service is unavailable.";
  if (key === "keywords" && (data.keywords === null || data.keywords === undefined)) return "No expected talking points for this question.";
  if (key === "fluency" && details.fluency) {
    const f = details.fluency;
    const parts = [];
    if (f.speech_rate_wpm) parts.push(`${Math.round(f.speech_rate_wpm)} words/min`);
    parts.push(`${f.filler_count} filler${f.filler_count === 1 ? "" : "s"}`);
    if (f.long_pause_count) parts.push(`${f.long_pause_count} long pause${f.long_pause_count === 1 ? "" : "s"}`);
    return parts.join(" · ");
  }
  if (key === "grammar" && details.grammar) {
    const n = details.grammar.errors;
    return n ? `${n} issue${n === 1 ? "" : "s"} found` : "No issues found";
  }
  return DIMENSIONS.find(([k]) => k === key)[2];
}

/**
 * The whole card. `transcript` is the answer's text (answer_complete.transcript): grammar
 * offsets and filler token indexes refer to it. `heading` is the card's heading level text.
 * `compact` (the live interview, where the candidate reads it between questions, often on a
 * phone): the score, the dimensions and the first suggestion show; the annotated answer, the
 * talking points and STAR open on demand, so the card is not several screens tall.
 */
export function scoreCard(data, { transcript = "", headingLevel = 3, title = "How that answer went", compact = false } = {}) {
  const details = data.details || {};
  const fluency = details.fluency || {};
  const grammar = details.grammar || null;
  const structure = details.structure || (details.star ? { kind: "star", parts: ["situation", "task", "action", "result"], ...details.star } : null);
  const Heading = `h${headingLevel}`;
  const Sub = `h${Math.min(6, headingLevel + 1)}`;

  const fold = (summary, ...content) => (compact ? h("details.score-card__more", h("summary", summary), ...content) : h("div", ...content));
  const suggestions = [...(data.suggestions || [])].sort((a, b) => (a.priority || 9) - (b.priority || 9));
  const annotated = transcript
    ? annotate(transcript, { fillers: fluency.fillers || [], grammar: grammar ? grammar.matches : [], uncertain: details.uncertain || [] })
    : null;
  const breakdown = fluency.filler_breakdown ? Object.entries(fluency.filler_breakdown) : [];

  return h(
    "section.card.score-card",
    { "aria-label": title, "data-testid": "score-card" },
    h(
      "div.score-head",
      ring(data.overall),
      h(
        "div",
        { style: { flex: "1", minWidth: "14rem" } },
        h(Heading, title),
        data.evaluation_summary ? h("p", { "data-testid": "evaluation-summary" }, data.evaluation_summary) : null,
      ),
    ),
    h("ul.dimensions", DIMENSIONS.map(([key, name]) => dimensionBar(name, data[key], dimensionNote(key, data)))),
    annotated
      ? fold(
          annotated.notes.length || annotated.fillers ? "Your answer, with notes" : "Your answer",
          compact ? null : h(Sub, "Your answer"),
          annotated.node,
          h(
            "p.legend",
            // Named by its look, as the other two: a sample "um" read as the filler heard when
            // the candidate had said "like".
            annotated.fillers ? h("span", h("mark.filler", "highlighted"), " filler word") : null,
            annotated.notes.length ? h("span", h("span.gram", { style: { cursor: "default" } }, "underlined"), " grammar note (hover or focus for the fix)") : null,
            annotated.uncertain ? h("span", h("span.uncertain", "dotted"), " the recogniser was unsure (not counted)") : null,
          ),
          breakdown.length ? h("p.small.muted", "Fillers: ", breakdown.map(([word, n]) => `“${word}” × ${n}`).join(", ")) : null,
          annotated.notes.length
            ? h(
                "div",
                h(Sub, "Grammar notes"),
                grammarNotes(annotated.notes),
              )
            : null,
        )
      : null,
    suggestions.length
      ? h(
          "div",
          h(Sub, "Try this next time"),
          h("ul.suggestions", (compact ? suggestions.slice(0, 1) : suggestions).map(suggestion)),
        )
      : null,
    topics(data, Sub) || structure || (compact && suggestions.length > 1)
      ? fold("Talking points, structure and more tips", topics(data, Sub), structure ? structurePanel(structure, Sub, details.non_answer || details.cap === "off_topic") : null, compact && suggestions.length > 1 ? h("ul.suggestions", suggestions.slice(1).map(suggestion)) : null)
      : null,
  );
}

/** The numbered grammar notes of an annotated answer: the numbers in the text point here. */
export function grammarNotes(notes) {
  return h(
    "ol.grammar-notes",
    notes.map((note) =>
      h(
        "li",
        h("span.quote-inline", `“${note.excerpt}”`),
        ": ",
        note.message,
        note.replacements && note.replacements.length ? h("span", " Suggested: ", h("span.fix", note.replacements.slice(0, 3).join(" / "))) : null,
      ),
    ),
  );
}

function suggestion(s) {
  return h("li", s.category ? h("span.cat", categoryLabel(s.category)) : null, s.message);
}

// Each expected topic with its verdict and, where it was found, the candidate's own words.
export function topics(data, Sub) {
  const judged = ((data.details || {}).keywords || {}).topics;
  const verdicts = judged
    ? judged
    : [...(data.covered_topics || []).map((t) => ({ topic: t, verdict: "covered" })), ...(data.touched_topics || []).map((t) => ({ topic: t, verdict: "touched" })), ...(data.missing_topics || []).map((t) => ({ topic: t, verdict: "missing" }))];
  if (!verdicts.length) return null;
  const said = verdicts.filter((t) => t.verdict !== "missing");
  const missing = verdicts.filter((t) => t.verdict === "missing");
  const chip = (t) =>
    h(
      `li.chip${t.verdict === "covered" ? ".chip--good" : t.verdict === "touched" ? ".chip--touched" : ".chip--missing"}`,
      { title: t.evidence ? `You said: “${t.evidence}”` : null },
      t.verdict === "covered" ? "✓ " : t.verdict === "touched" ? "◐ " : "",
      t.label || t.topic,
      t.verdict === "touched" ? h("span.small", " (only touched on)") : null,
      t.in_follow_up ? h("span.small", " (in the follow-up)") : null,
      t.evidence ? h("span.visually-hidden", ` — you said: “${t.evidence}”`) : null,
    );
  return h(
    "div.grid.grid--2",
    h("div", h(Sub, "Talking points you made"), said.length ? h("ul.chips", said.map(chip)) : h("p.muted.small", "None of the expected points yet.")),
    h("div", h(Sub, "Worth mentioning"), missing.length ? h("ul.chips", missing.map(chip)) : h("p.muted.small", "You covered them all.")),
  );
}

// STAR for a story, the plan (approach, reasoning, risks) for a hypothetical answer.
function structurePanel(structure, Sub, offTopic = false) {
  // An answer to another question: its structure is not judged (the summary says so too).
  if (offTopic) return h("div", h(Sub, structure.kind === "plan" ? "Your plan" : "STAR structure"), h("p.muted.small", "Not judged: the answer does not address this question."));
  const parts = structure.parts || ["situation", "task", "action", "result"];
  const present = new Set((structure.present || []).map((p) => p.toLowerCase()));
  return h(
    "div",
    h(Sub, structure.kind === "plan" ? "Your plan" : "STAR structure"),
    h(
      "ul.chips",
      parts.map((p) => h(`li.chip${present.has(p) ? ".chip--good" : ".chip--missing"}`, present.has(p) ? "✓ " : "○ ", titleCase(p), h("span.visually-hidden", present.has(p) ? " (present)" : " (missing)"))),
    ),
  );
}
