// The feedback report of one session (GET /api/sessions/{id} -> feedback), with a breakdown per
// question and playback of each recorded answer (fetched with the bearer token as a blob).

import { api, ApiError } from "../api.js";
import { h, clear, score, band, formatDateTime, titleCase, sessionLabel, categoryLabel } from "../dom.js";
import { ring, dimensionBar, DIMENSIONS, topics, grammarNotes } from "./scorecard.js";
import { annotate } from "../live/transcript.js";
import { followUpSuffix } from "./interview/question-panel.js";

function structureNote(q, entry) {
  const details = q.score_details && q.score_details.details ? q.score_details.details : {};
  // An answer to another question has no structure verdict (the report's text says so too).
  if ((entry && entry.off_topic) || details.non_answer || details.cap === "off_topic") {
    return details.structure || (entry && entry.star_missing) ? h("p.small.muted", "Structure not judged: the answer does not address this question.") : null;
  }
  const structure = details.structure || null;
  const missing = structure ? structure.missing || [] : (entry && entry.star_missing) || [];
  if (!missing.length) return null;
  const what = structure && structure.kind === "plan" ? "Plan parts to add" : "STAR parts to add";
  return h("p.small.muted", `${what}: ${missing.map(titleCase).join(", ")}`);
}

// The card's talking points with the ones its follow-up's answer made marked as made (the
// report's entry carries them: `in_follow_up`), so that the chips agree with "Next steps".
function withFollowUpCredit(data, entry) {
  const credited = new Map(((entry && entry.talking_points) || []).filter((t) => t.in_follow_up).map((t) => [t.topic, t]));
  const keywords = data.details && data.details.keywords;
  if (!credited.size || !keywords || !keywords.topics) return data;
  const topics = keywords.topics.map((t) => (credited.has(t.topic) ? { ...t, verdict: credited.get(t.topic).verdict, evidence: credited.get(t.topic).evidence, in_follow_up: true } : t));
  return { ...data, details: { ...data.details, keywords: { ...keywords, topics } } };
}

function transcriptNode(q) {
  const details = q.score_details && q.score_details.details;
  if (!details || !q.transcript) return h("p.quote", q.transcript);
  const annotated = annotate(q.transcript, {
    fillers: (details.fluency && details.fluency.fillers) || [],
    grammar: details.grammar ? details.grammar.matches : [],
    uncertain: details.uncertain || [],
  });
  annotated.node.classList.add("quote");
  // The text numbers its grammar issues: the notes they point to come with it.
  return annotated.notes.length ? h("div", annotated.node, grammarNotes(annotated.notes)) : annotated.node;
}

const POLL_MS = 2000;
const POLL_LIMIT = 45;

export async function render(root, { params, navigate }) {
  const [sessionId] = params;
  const objectUrls = [];
  let stopped = false;
  let session = await api(`/api/sessions/${sessionId}`);

  if (!session.feedback && (session.status === "created" || session.status === "in_progress")) {
    root.append(
      h(
        "div.card.card--narrow",
        h("h1", session.title),
        h("p", "This interview is not finished yet, so there is no report."),
        h("a.button.button--primary", { href: `#/interview/${sessionId}` }, session.status === "created" ? "Start it" : "Continue it"),
      ),
    );
    return undefined;
  }

  if (!session.feedback && session.status === "completed") {
    // The report is built right after the last answer: wait a little for it.
    const waiting = h("div.card.card--narrow", { role: "status" }, h("h1", "Preparing your report"), h("p.row", h("span.spinner", { "aria-hidden": "true" }), "Scoring the last answers and writing your feedback…"));
    root.append(waiting);
    for (let i = 0; i < POLL_LIMIT && !session.feedback && !stopped; i++) {
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      if (stopped) return undefined;
      session = await api(`/api/sessions/${sessionId}`);
    }
    waiting.remove();
  }

  const tree = questionTree(session);
  const counts = {
    planned: session.num_questions || tree.length,
    answered: tree.filter((item) => answeredQuestion(item.question) && !item.skipped).length,
    skipped: tree.filter((item) => item.skipped).length,
  };
  draw();
  return () => {
    stopped = true;
    for (const url of objectUrls) URL.revokeObjectURL(url);
  };

  /** "2 of 3 answered · 1 skipped": planned questions only; follow-ups never count here. */
  function answeredLine() {
    return `${counts.answered} of ${counts.planned} answered${counts.skipped ? ` · ${counts.skipped} skipped` : ""}`;
  }

  function draw() {
    const fb = session.feedback;
    root.append(
      h(
        "div.page-head",
        h("p.muted", { style: { marginBottom: ".25rem" } }, "Feedback report"),
        h("h1", session.title),
        h("p.muted", { "data-testid": "report-meta" }, [sessionLabel("interview_type", session.interview_type), sessionLabel("difficulty", session.difficulty), formatDateTime(session.completed_at || session.created_at), answeredLine()].filter(Boolean).join(" · ")),
      ),
    );
    if (!fb && session.status === "cancelled") {
      root.append(h("div.notice", { "data-testid": "cancelled-notice" }, h("strong", "This interview was cancelled"), ", so it has no feedback report. What you answered before cancelling is kept below: read it and play it back."));
      root.append(breakdown([]));
      return;
    }
    if (!fb) {
      root.append(h("div.notice", "No report is available for this session (nothing was answered)."));
      root.append(breakdown([]));
      return;
    }
    const overall = session.overall_score;
    const percentile = fb.comparison_percentile;
    root.append(
      h(
        "section.card",
        { "aria-labelledby": "summary-title", "data-testid": "report-summary" },
        h(
          "div.report-hero",
          ring(overall),
          h(
            "div",
            h("h2#summary-title", h("span", { class: `rating rating--${band(overall)}`, "data-testid": "rating" }, fb.overall_rating)),
            h("p", fb.summary),
            h(
              "dl.facts",
              h("div", h("dt", "Readiness"), h("dd", { "data-testid": "readiness" }, fb.readiness_score !== null ? `${fb.readiness_score}/100` : "–", fb.readiness_level ? h("span.muted.small", { style: { display: "block", fontWeight: 500 } }, fb.readiness_level) : null)),
              h(
                "div",
                h("dt", "Compared with others"),
                h("dd", { "data-testid": "percentile" }, percentile === null || percentile === undefined ? h("span.small", { style: { fontWeight: 500 } }, "Not enough peers yet") : `Better than ${percentile}%`),
              ),
              h("div", h("dt", "Questions answered"), h("dd", { "data-testid": "answered-count" }, `${counts.answered} of ${counts.planned}`, counts.skipped ? h("span.muted.small", { style: { display: "block", fontWeight: 500 } }, `${counts.skipped} skipped`) : null)),
            ),
          ),
        ),
        h(
          "ul.dimensions",
          { style: { marginTop: "1.25rem" } },
          dimensionBar("Relevance", session.relevance_avg),
          dimensionBar("Grammar", session.grammar_avg),
          dimensionBar("Fluency", session.fluency_avg),
          dimensionBar("Talking points", session.keyword_avg),
        ),
        fb.ai_insights ? h("p.muted", { style: { marginTop: "1rem" } }, fb.ai_insights) : null,
      ),
    );
    root.append(
      h(
        "div.grid.grid--2",
        { style: { marginTop: "1rem" } },
        listCard("What went well", fb.strengths, "strength", "Keep practising: strengths show up after a few answers."),
        listCard("What to work on", fb.weaknesses, "weakness", "Nothing stood out as weak. Try a harder session."),
      ),
    );
    if ((fb.suggestions && fb.suggestions.length) || (fb.next_steps && fb.next_steps.length)) {
      root.append(
        h(
          "div.grid.grid--2",
          { style: { marginTop: "1rem" } },
          fb.suggestions && fb.suggestions.length
            ? h("section.card", h("h2", "Suggestions"), h("ul.suggestions", [...fb.suggestions].sort((a, b) => (a.priority || 9) - (b.priority || 9)).map((s) => h("li", s.category ? h("span.cat", categoryLabel(s.category)) : null, s.message))))
            : null,
          fb.next_steps && fb.next_steps.length ? h("section.card", h("h2", "Next steps"), h("ol", fb.next_steps.map((step) => h("li", typeof step === "string" ? step : step.message || JSON.stringify(step))))) : null,
        ),
      );
    }
    if (fb.resources && fb.resources.length) {
      root.append(
        h(
          "section.card",
          { style: { marginTop: "1rem" } },
          h("h2", "Resources"),
          h(
            "ul",
            fb.resources.map((r) =>
              h("li", h("a", { href: r.url, target: "_blank", rel: "noopener noreferrer" }, r.title, h("span.visually-hidden", " (opens in a new tab)")), h("span.muted.small", ` · ${[titleCase(r.type), r.skill_area].filter(Boolean).join(" · ")}`)),
            ),
          ),
        ),
      );
    }
    root.append(breakdown(fb.question_feedback || []));
    root.append(h("div.row", { style: { marginTop: "1.5rem" } }, h("a.button.button--primary", { href: "#/new" }, "Practise again"), h("a.button", { href: "#/history" }, "See your progress")));
  }

  function listCard(title, items, kind, empty) {
    return h(
      "section.card",
      h("h2", title),
      items && items.length
        ? h(`ul.item-list.item-list--${kind}`, [...items].sort((a, b) => (a.priority || 9) - (b.priority || 9)).map((item) => h("li", item.category ? h("span.cat", categoryLabel(item.category)) : null, item.message || String(item))))
        : h("p.muted", empty),
    );
  }

  function breakdown(entries) {
    const byNumber = new Map(entries.map((e) => [e.question_number, e]));
    return h(
      "section.card",
      { style: { marginTop: "1rem" }, "aria-labelledby": "breakdown-title" },
      h("h2#breakdown-title", "Question by question"),
      tree.map((item, i) =>
        questionBlock(item.question, byNumber.get(item.question.question_number), {
          label: `Question ${i + 1}`,
          skipped: item.skipped,
          followUps: item.followUps.map((f, k) => questionBlock(f.question, byNumber.get(f.question.question_number), { label: `Question ${i + 1}${followUpSuffix(k + 1)}`, skipped: f.skipped, followUp: true })),
        }),
      ),
    );
  }

  function questionBlock(q, entry, { label, skipped = false, followUp = false, followUps = [] }) {
    const answered = answeredQuestion(q) && !skipped;
    // A question skipped after the candidate had spoken keeps its words and its recording (the
    // interview said so: "its recording is kept"); they are shown, not scored.
    const keptWords = skipped && q.transcript && q.transcript.trim() ? q.transcript : null;
    const scores = entry && entry.scores ? entry.scores : { relevance: q.relevance_score, grammar: q.grammar_score, fluency: q.fluency_score, keywords: q.keyword_score };
    const overall = entry && entry.overall_score !== undefined ? entry.overall_score : q.overall_score;
    const player = h("div");
    const playButton = h("button.button", { type: "button", "data-testid": "play-answer" }, "Play my answer");
    playButton.addEventListener("click", async () => {
      playButton.disabled = true;
      playButton.textContent = "Loading recording…";
      try {
        const response = await api(`/api/sessions/${sessionId}/questions/${q.id}/audio`, { raw: true });
        const url = URL.createObjectURL(await response.blob());
        objectUrls.push(url);
        const audio = h("audio", { controls: true, src: url, "aria-label": `Your answer to ${label.toLowerCase()}` });
        clear(player).append(audio);
        playButton.remove();
        audio.play().catch(() => {});
        audio.focus();
      } catch (error) {
        playButton.disabled = false;
        playButton.textContent = "Play my answer";
        clear(player).append(h("p.small.muted", error instanceof ApiError && error.status === 404 ? "No recording is stored for this answer." : error.message));
      }
    });
    const details = [];
    if (entry && entry.speech_rate_wpm) details.push(`${entry.speech_rate_wpm} words/min`);
    if (entry && entry.filler_count !== undefined && answered) details.push(`${entry.filler_count} filler${entry.filler_count === 1 ? "" : "s"}`);
    return h(
      `article.question-breakdown${followUp ? ".question-breakdown--follow-up" : ""}`,
      { "data-testid": followUp ? "follow-up-breakdown" : "question-breakdown" },
      h("div.row.row--between", h(followUp ? "h4" : "h3", label), answered ? h("span", { class: `rating rating--${band(overall)}`, style: { fontSize: "1.2rem" } }, `${score(overall)}/100`) : h("span.chip", { "data-testid": "question-state" }, skipped ? "Skipped" : "Not answered")),
      h("p", { style: { fontFamily: "var(--font-read)", fontSize: "1.05rem" } }, q.question_text),
      answered
        ? [
            h(
              "ul.mini-scores",
              DIMENSIONS.map(([key, name]) => h("li", `${name} `, h("b", scores[key] === null || scores[key] === undefined ? "n/a" : String(Math.round(scores[key]))))),
              details.length ? h("li.muted", details.join(" · ")) : null,
            ),
            entry && entry.summary ? h("p", entry.summary) : q.evaluation_summary ? h("p", q.evaluation_summary) : null,
            // A follow-up that answered better lifts its question in the session's score (README,
            // "The session report"): the card says so, so that the cards add up to the session's number.
            !followUp && entry && typeof entry.counted_score === "number" && entry.counted_score > overall
              ? h("p.small.muted", { "data-testid": "counted-score" }, `Counts as ${score(entry.counted_score)}/100 in the session score, lifted by its follow-up.`)
              : null,
            // The stored score details (the live card's data) when the API has them: verdicts
            // with the candidate's words, the structure that applied, the recogniser's doubts.
            q.score_details
              ? topics(withFollowUpCredit(q.score_details, entry), "h4")
              : [
                  entry && entry.covered_topics && entry.covered_topics.length ? h("ul.chips", { "aria-label": "Covered talking points" }, entry.covered_topics.map((t) => h("li.chip.chip--good", "✓ ", t))) : null,
                  entry && entry.missing_topics && entry.missing_topics.length ? h("ul.chips", { "aria-label": "Missed talking points" }, entry.missing_topics.map((t) => h("li.chip.chip--missing", t))) : null,
                ],
            structureNote(q, entry),
            h("details", h("summary", "Your transcript"), transcriptNode(q)),
          ]
        : null,
      keptWords
        ? h("div", { "data-testid": "skipped-words" }, h("p.small.muted", "Skipped, so not scored. What you said before skipping:"), h("p.quote", keptWords))
        : null,
      (answered || keptWords) && q.audio_file_path ? h("div", playButton, player) : null,
      attemptsOf(q).length ? earlierAttempts(q, label) : null,
      followUps,
    );
  }

  /** Earlier attempts ("Try this answer again"): their transcript, scores and recording. */
  function earlierAttempts(q, label) {
    const attempts = attemptsOf(q);
    return h(
      "details.attempts",
      { "data-testid": "earlier-attempts" },
      h("summary", `${attempts.length} earlier attempt${attempts.length === 1 ? "" : "s"}`),
      h(
        "ol.attempt-list",
        attempts.map((a, i) =>
          h(
            "li",
            h("div.row.row--between", h("span", `Attempt ${a.attempt ?? i + 1}`), a.state === "skipped" ? h("span.chip", "Skipped") : a.overall_score !== null && a.overall_score !== undefined ? h("span", { class: `rating rating--${band(a.overall_score)}` }, `${score(a.overall_score)}/100`) : null),
            a.transcript ? h("p.quote", a.transcript) : h("p.muted.small", "No words were recognised."),
            a.audio_url ? attemptPlayer(a.audio_url, `${label}, attempt ${a.attempt ?? i + 1}`) : null,
          ),
        ),
      ),
    );
  }

  function attemptPlayer(url, label) {
    const slot = h("div");
    const button = h("button.button", { type: "button" }, "Play this attempt");
    button.addEventListener("click", async () => {
      button.disabled = true;
      try {
        const blobUrl = URL.createObjectURL(await (await api(url, { raw: true })).blob());
        objectUrls.push(blobUrl);
        const audio = h("audio", { controls: true, src: blobUrl, "aria-label": label });
        clear(slot).append(audio);
        audio.focus(); // the button that had the focus is gone (as for "Play my answer")
        audio.play().catch(() => {});
      } catch (error) {
        button.disabled = false;
        clear(slot).append(button, h("p.small.muted", error.message));
      }
    });
    slot.append(button);
    return slot;
  }
}

/** Answered with words (a skipped answer may have words too: the tree says so). */
function answeredQuestion(q) {
  return Boolean(q.answered_at) && (q.word_count || 0) > 0;
}

function attemptsOf(q) {
  return Array.isArray(q.attempts) ? q.attempts.filter((a) => !a.current) : [];
}

/**
 * The planned questions in order, each with its follow-ups that were asked and its state.
 * Questions carry their place in the interview (`follow_up_of`, `planned_number`,
 * `follow_up_index`, `state`, `attempts`); sessions stored before that have
 * `metadata.progress.follow_ups` ({number: parent number}) and `skipped` (numbers).
 * Follow-ups never asked are left out: they do not count and are not shown.
 */
export function questionTree(session) {
  const questions = session.questions;
  if (questions.some((q) => q.state)) {
    const order = (q) => q.planned_number ?? q.question_number;
    return questions
      .filter((q) => !q.follow_up_of)
      .sort((a, b) => order(a) - order(b))
      .map((q) => ({
        question: q,
        skipped: q.state === "skipped" || Boolean(q.skipped),
        followUps: questions
          .filter((f) => f.follow_up_of === q.id && f.state && f.state !== "not_asked")
          .sort((a, b) => a.follow_up_index - b.follow_up_index)
          .map((f) => ({ question: f, skipped: f.state === "skipped" })),
      }));
  }
  const progress = (session.metadata && session.metadata.progress) || {};
  const legacyParents = progress.follow_ups || {};
  const skippedNumbers = new Set(progress.skipped || []);
  const parentOf = (q) => {
    const number = legacyParents[String(q.question_number)];
    return number ? questions.find((p) => p.question_number === number) || null : null;
  };
  const items = new Map();
  for (const q of [...questions].sort((a, b) => a.question_number - b.question_number)) {
    let parent = parentOf(q);
    while (parent && parentOf(parent)) parent = parentOf(parent); // a follow-up of a follow-up
    if (!parent) items.set(q.id, { question: q, skipped: skippedNumbers.has(q.question_number), followUps: [] });
    else if (q.answered_at || q.transcript) {
      const item = items.get(parent.id);
      if (item) item.followUps.push({ question: q, skipped: skippedNumbers.has(q.question_number) });
    }
  }
  return [...items.values()];
}
