// The live transcript of one answer: finals (never change) + the current utterance's partial
// (`committed` is stable, `tail` may still change and is shown dimmed and italic).
//
// Screen readers: the visible box is not a live region (partials would be read over and over);
// each final sentence is announced once through the page's polite live region instead.

import { h, clear, announce } from "../dom.js";

export class LiveTranscript {
  constructor(element, { placeholder = "Your words will appear here as you speak.", announceFinals = true } = {}) {
    this.element = element;
    this.placeholder = placeholder;
    this.announceFinals = announceFinals;
    this.reset();
  }

  reset(initial = "") {
    this.finals = initial ? [{ utterance: -1, text: initial }] : [];
    this.partial = null;
    this.render();
  }

  /** The committed transcript after a reconnect (`resumed`): it replaces what we had. */
  resume(transcript) {
    this.finals = transcript ? [{ utterance: -1, text: transcript }] : [];
    this.partial = null;
    this.render();
  }

  onPartial(event) {
    this.partial = { utterance: event.utterance, committed: event.committed || "", tail: event.tail || "" };
    this.render();
  }

  onFinal(event) {
    if (!event.text) return;
    this.finals.push({ utterance: event.utterance, text: event.text });
    if (this.partial && this.partial.utterance <= event.utterance) this.partial = null;
    this.render();
    if (this.announceFinals) announce(event.text);
  }

  get text() {
    return this.finals.map((f) => f.text.trim()).filter(Boolean).join(" ");
  }

  render() {
    const el = clear(this.element);
    const finalText = this.text;
    const committed = this.partial ? this.partial.committed.trim() : "";
    const tail = this.partial ? this.partial.tail.trim() : "";
    if (!finalText && !committed && !tail) {
      el.append(h("span.transcript__placeholder", this.placeholder));
      return;
    }
    // The pieces are whole words (the server joins each piece's words with spaces but not the
    // pieces themselves): one space goes between pieces, else "spring," + "a" reads "spring,a".
    let before = false;
    for (const [kind, text] of [["final", finalText], ["committed", committed], ["tail", tail]]) {
      if (!text) continue;
      const attrs = kind === "tail" ? { title: "Still listening: this part may change" } : {};
      el.append(h(`span.${kind}`, attrs, (before ? " " : "") + text));
      before = true;
    }
    el.scrollTop = el.scrollHeight;
  }
}

// --- the annotated transcript of a scored answer ---------------------------------------------

// The scorer's tokenizer (scoring/text.py `_TOKEN`): filler indexes count these tokens.
const TOKEN = /[A-Za-z0-9]+(?:['’][A-Za-z]+)*(?:[-.][A-Za-z0-9]+)*/g;

export function tokens(text) {
  const out = [];
  for (const match of text.matchAll(TOKEN)) out.push({ text: match[0], start: match.index, end: match.index + match[0].length });
  return out;
}

/** Character ranges [start, end) of each filler (by token index, checked against its words). */
export function fillerRanges(text, fillers) {
  const toks = tokens(text);
  const ranges = [];
  for (const filler of fillers || []) {
    const words = (filler.text || "").toLowerCase().match(TOKEN) || [];
    if (!words.length) continue;
    const matchesAt = (i) => words.every((w, k) => toks[i + k] && toks[i + k].text.toLowerCase().replace("’", "'") === w);
    let index = Number.isInteger(filler.index) && matchesAt(filler.index) ? filler.index : -1;
    if (index < 0) {
      // the scorer tokenised the timed words; fall back to the nearest matching occurrence
      let best = -1;
      for (let i = 0; i < toks.length; i++) {
        if (matchesAt(i) && !ranges.some((r) => r.start === toks[i].start) && (best < 0 || Math.abs(i - filler.index) < Math.abs(best - filler.index))) best = i;
      }
      index = best;
    }
    if (index < 0) continue;
    ranges.push({ start: toks[index].start, end: toks[index + words.length - 1].end, filler });
  }
  return ranges;
}

/**
 * The transcript as nodes: fillers in <mark class="filler">, grammar issues underlined with a
 * numbered marker, a tooltip (hover and keyboard focus) and the same text in `notes`.
 * Returns {node, notes: [{number, excerpt, message, replacements}]}.
 */
export function annotate(text, { fillers = [], grammar = [], uncertain = [] } = {}) {
  const fillerMarks = fillerRanges(text, fillers);
  // Words the recogniser was unsure of ([start, end] in the text): dotted, with a title, so the
  // candidate can tell its doubt from their own words.
  const doubts = (uncertain || [])
    .filter((r) => Array.isArray(r) && Number.isInteger(r[0]) && Number.isInteger(r[1]) && 0 <= r[0] && r[0] < r[1] && r[1] <= text.length)
    .map(([start, end]) => ({ start, end }));
  const issues = (grammar || [])
    .filter((m) => Number.isInteger(m.offset) && m.length > 0 && m.offset + m.length <= text.length)
    .sort((a, b) => a.offset - b.offset)
    .filter((m, i, all) => i === 0 || m.offset >= all[i - 1].offset + all[i - 1].length) // no overlaps
    .map((m, i) => ({ ...m, number: i + 1, start: m.offset, end: m.offset + m.length, excerpt: text.slice(m.offset, m.offset + m.length) }));

  const cuts = new Set([0, text.length]);
  for (const r of [...fillerMarks, ...issues, ...doubts]) {
    cuts.add(r.start);
    cuts.add(r.end);
  }
  const points = [...cuts].sort((a, b) => a - b);
  const root = h("p.annotated");
  let wrapper = null;
  let wrapperIssue = null;
  for (let i = 0; i < points.length - 1; i++) {
    const [start, end] = [points[i], points[i + 1]];
    if (start === end) continue;
    const piece = text.slice(start, end);
    const filler = fillerMarks.find((r) => r.start <= start && end <= r.end);
    const issue = issues.find((r) => r.start <= start && end <= r.end);
    const doubt = doubts.find((r) => r.start <= start && end <= r.end);
    const plain = doubt ? h("span.uncertain", { title: "The recogniser was unsure of this word: it is not counted against you" }, piece) : document.createTextNode(piece);
    const node = filler ? h("mark.filler", { title: "Filler word" }, piece) : plain;
    if (issue) {
      if (wrapperIssue !== issue) {
        wrapperIssue = issue;
        const fix = issue.replacements && issue.replacements.length ? `Try: “${issue.replacements[0]}”` : "";
        wrapper = h("span.gram", {
          tabindex: "0",
          title: `${issue.message}${fix ? " " + fix : ""}`,
          "aria-describedby": `gram-tip-${issue.number}-${uid}`,
        });
        root.append(wrapper);
        wrapper.dataset.end = String(issue.end);
      }
      wrapper.append(node);
      if (end === issue.end) {
        wrapper.append(
          h("sup", { "aria-hidden": "true" }, String(issue.number)),
          h("span.gram__tip", { role: "tooltip", id: `gram-tip-${issue.number}-${uid}` }, issue.message, issue.replacements && issue.replacements.length ? h("span", " Try: ", h("b", issue.replacements[0])) : null),
        );
        wrapperIssue = null;
      }
    } else {
      root.append(node);
    }
  }
  uid += 1;
  return { node: root, notes: issues, fillers: fillerMarks.length, uncertain: doubts.length };
}

let uid = 1;
