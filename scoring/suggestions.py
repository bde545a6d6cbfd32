"""Per-answer feedback text: the evaluation summary and at most five evidence-citing suggestions.

Every sentence quotes a measurement from the answer (a filler count, the rate, a missing topic,
a LanguageTool example) so the candidate can check it; nothing is generic praise or blame.
Suggestions are ranked by how many overall points the weakness costs (dimension weight x
shortfall from 100) and numbered from 1 (most important).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from scoring.fluency import FluencyResult, display_filler
from scoring.grammar import GrammarResult
from scoring.keywords import KeywordResult
from scoring.numbers import half_up
from scoring.options import ScoringOptions
from scoring.relevance import RelevanceResult
from scoring.star import StructureResult

NAMES = {"relevance": "Relevance", "grammar": "Grammar", "fluency": "Fluency", "keywords": "Keywords"}
#: The category of the "develop your answer" tip (how long the answer was).
LENGTH_CATEGORY = "Completeness"
#: The dimensions inside a sentence, as the UI names them (its "Talking points" are `keywords`).
DIMENSION_WORDS = {
    "relevance": "relevance",
    "grammar": "grammar",
    "fluency": "fluency",
    "keywords": "talking points",
}


@dataclass(frozen=True)
class Suggestion:
    """One improvement suggestion, the JSON shape of interview_feedback.suggestions."""

    category: str
    message: str
    priority: int

    def to_json(self) -> dict[str, Any]:
        return {"category": self.category, "message": self.message, "priority": self.priority}


@dataclass(frozen=True)
class Findings:
    """Everything the text is written from (dimension results may be absent)."""

    relevance: RelevanceResult
    grammar: GrammarResult | None
    fluency: FluencyResult
    keywords: KeywordResult | None
    structure: StructureResult | None
    sentences: tuple[str, ...]
    transcript: str
    overall: float | None
    #: The calibration rule that limited the overall score ("off_topic", "keyword_list",
    #: "too_short", "fragment": scoring.answer.apply_caps), if any; `overall` is then its cap.
    cap: str | None = None
    #: The answer does not address the question (scoring.answer.is_non_answer), capped or not.
    non_answer: bool = False
    #: The answer is to a follow-up (one piece asked for): its length tip names
    #: `RelevanceCalibration.follow_up_words`, not a whole answer's 100-200 words (QA J28).
    follow_up: bool = False

    @property
    def off_topic(self) -> bool:
        """Whether the answer is about something other than the question: then its structure
        (STAR parts, a plan's parts) is not judged, for it is the structure of another answer."""
        return self.cap == "off_topic" or self.non_answer


GOOD, FAIR = 70.0, 50.0
#: A speaking rate earns a tip only when it is clearly outside the target band: by more than
#: this many words per minute (115 or 175 with the default 130-160). Within an answer the rate
#: swings by 10-15 wpm with every thinking pause, and a listener does not hear 129 as slow; a
#: tip at 129 for a 130-160 band read as pedantry (issue #12, QA J6/J14). The fluency score
#: still loses its 2 points per wpm outside the band.
RATE_TIP_TOLERANCE_WPM = 15.0
#: ... and only on an answer of at least this many words (about 20 s of speech at 130 wpm): on
#: a 27-word answer one second of hesitation moves the rate by 10 wpm, so it says little.
RATE_TIP_MIN_WORDS = 50
#: Fewest words of a sentence quoted as "does not address what was asked".
QUOTABLE_DRIFT_WORDS = 6
_CAP_REASON = {
    "off_topic": "it does not address the question, so it cannot score more than {cap}",
    "keyword_list": "it lists terms without explaining them, so it cannot score more than {cap}",
    "fragment": "at {words} words it is a fragment, not an answer, so it cannot score more than {cap}",
    "too_short": "at {words} words it is too short to answer the question, so it cannot score more than {cap}",
}


def band(score: float) -> str:
    """Words for a 0-100 score, with the same thresholds as the session rating (feedback.py) and
    the web UI's colours, of the score as shown (84.5 is shown 85: excellent)."""
    score = half_up(score)
    if score >= 85:
        return "excellent"
    if score >= 70:
        return "good"
    if score >= 50:
        return "fair"
    return "poor"


def _quote(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "\u2026"
    return f"\u201c{text}\u201d"


#: At most this many kinds of filler are named; with more, the list says "including".
FILLER_KINDS_NAMED = 4


def filler_phrase(fluency: FluencyResult) -> str:
    """The fillers with their counts, e.g. 7 fillers (“um” ×3, “I mean” ×2, “like” ×2): every
    kind when there are at most FILLER_KINDS_NAMED, else the most used ones after "including",
    so that counts which do not add up to the total never look like the whole."""
    breakdown = list(fluency.filler_breakdown().items())
    parts = [f"\u201c{word}\u201d \u00d7{n}" for word, n in breakdown[:FILLER_KINDS_NAMED]]
    lead = "including " if len(breakdown) > FILLER_KINDS_NAMED else ""
    return f"{fluency.filler_count} filler{'s' if fluency.filler_count != 1 else ''} ({lead}{', '.join(parts)})"


def rate_worth_a_tip(fluency: FluencyResult, options: ScoringOptions) -> bool:
    """Whether the speaking rate is worth a tip: measured over at least RATE_TIP_MIN_WORDS words
    and more than RATE_TIP_TOLERANCE_WPM outside the target band (as shown, rounded half up)."""
    if fluency.speech_rate_wpm is None or fluency.word_count < RATE_TIP_MIN_WORDS:
        return False
    low, high = options.target_wpm
    wpm = half_up(fluency.speech_rate_wpm)
    return wpm < low - RATE_TIP_TOLERANCE_WPM or wpm > high + RATE_TIP_TOLERANCE_WPM


def _candidates(f: Findings, options: ScoringOptions) -> list[tuple[float, Suggestion]]:
    w = options.weights
    out: list[tuple[float, Suggestion]] = []
    rel = f.relevance
    cost = w.relevance * (100 - rel.score) / 100
    if rel.structure_factor < 0.6:
        out.append(
            (
                cost + 5,
                Suggestion(
                    "Relevance",
                    "Answer in full sentences: your answer was mostly a list of terms, "
                    "which names topics without explaining them.",
                    0,
                ),
            )
        )
    elif rel.substance_factor < 1 and rel.topicality >= options.calibration.off_topic_relevance:
        # Only an answer about the question is asked to say more: a longer off-topic answer
        # would still be off topic.
        words = f.fluency.word_count
        # Filed under its own category: the length is a fact about the answer, not a verdict on
        # its relevance, and "too brief" under RELEVANCE beside a relevance of 84 read as a
        # contradiction (issue #12 item 5).
        if f.follow_up:
            fewest, most = options.relevance.follow_up_words
            text = (
                f"Develop your answer: {words} words is brief even for a follow-up; aim for about "
                f"{fewest}-{most} words that give the piece asked for with one concrete detail."
            )
        else:
            text = (
                f"Develop your answer: {words} words is too brief to answer fully; "
                "aim for about 100-200 words (one to two minutes) with a concrete example."
            )
        out.append((cost, Suggestion(LENGTH_CATEGORY, text, 0)))
    # The wording follows the number: a relevance shown as good (>= 70) gets no "off the
    # question" tip; a fair one (50-70) hears that one sentence drifted. Only an answer that is
    # not about the question (the off-topic line: its topicality, the score before the length
    # factor, under `off_topic_relevance`) hears that it did not address what was asked; a full
    # answer that is only loosely about it is asked to answer more directly, and an on-topic
    # answer that is only short hears "develop" above (a fragment was told it missed the
    # question). Sentences the recogniser was unsure of are never quoted.
    off_line = options.calibration.off_topic_relevance
    # A sentence of a few words ("It is getting better.") is far from any question in MiniLM's
    # space however on topic it is: only longer ones are quoted as drifting away.
    drifted = [i for i in rel.off_topic_sentences if len(f.sentences[i].split()) >= QUOTABLE_DRIFT_WORDS]
    if rel.structure_factor >= 0.6 and half_up(rel.score) < GOOD and f.sentences:
        if rel.work_story:
            # A story told for an abstract question (scoring/stories.py): on topic, but the
            # listener is left to infer its point; none of its sentences "drifted".
            out.append(
                (
                    cost + 2,
                    Suggestion(
                        "Relevance",
                        "Name your point first: your story shows it, but say in one sentence what it "
                        "answers (the strength, the weakness, what you prefer), then tell the story.",
                        0,
                    ),
                )
            )
        elif f.cap == "off_topic" or rel.topicality < off_line:
            out.append(
                (
                    cost + 5,
                    Suggestion(
                        "Relevance",
                        "Stay on the question: the answer does not address what was asked; "
                        "start by answering it directly, then give one example.",
                        0,
                    ),
                )
            )
        elif rel.topicality < FAIR and rel.substance_factor >= 1 and not rel.off_topic_sentences:
            out.append(
                (
                    cost + 2,
                    Suggestion(
                        "Relevance",
                        "Answer the question more directly: say your answer to it in the first "
                        "sentence, then back it up with one example.",
                        0,
                    ),
                )
            )
        elif drifted and len(rel.off_topic_sentences) < len(f.sentences):
            quoted = _quote(f.sentences[drifted[0]])
            if half_up(rel.score) < FAIR:
                out.append(
                    (
                        cost,
                        Suggestion("Relevance", f"Stay on the question: {quoted} does not address what was asked.", 0),
                    )
                )
            else:
                out.append(
                    (
                        cost,
                        Suggestion(
                            "Relevance", f"Keep every sentence on the question: {quoted} drifted away from it.", 0
                        ),
                    )
                )
    if f.keywords is not None and (f.keywords.missing or f.keywords.touched):
        cost = w.keywords * (100 - f.keywords.score) / 100
        covered = f"{len(f.keywords.covered)} of {len(f.keywords.topics)} covered"
        if f.keywords.missing:
            missing = ", ".join(f.keywords.labels("missing")[:4])
            touched = f"; say more about {', '.join(f.keywords.labels('touched')[:2])}" if f.keywords.touched else ""
            out.append(
                (cost, Suggestion("Keywords", f"Cover the missing talking points: {missing} ({covered}{touched}).", 0))
            )
        else:
            out.append(
                (
                    cost,
                    Suggestion(
                        "Keywords",
                        # "say what you did about them" read wrong for a technical answer's
                        # concepts ("memory space, context switching").
                        f"You only named {', '.join(f.keywords.labels('touched')[:3])}: explain "
                        f"{'it' if len(f.keywords.touched) == 1 else 'each'} with what you did or would do "
                        f"({covered}).",
                        0,
                    ),
                )
            )
    flu = f.fluency
    fcost = w.fluency * (100 - flu.score) / 100
    if flu.fillers_per_minute is not None and flu.fillers_per_minute > 2 or flu.filler_count >= 4:
        rate = f", {flu.fillers_per_minute:.1f} a minute" if flu.fillers_per_minute is not None else ""
        out.append(
            (
                fcost * 0.5 + 1,
                Suggestion(
                    "Fluency", f"Reduce filler words: you used {filler_phrase(flu)}{rate}; pause silently instead.", 0
                ),
            )
        )
    if rate_worth_a_tip(flu, options):
        low, high = options.target_wpm
        wpm = flu.speech_rate_wpm or 0.0
        verb = "Slow down" if wpm > high else "Speak a little faster"
        out.append(
            (
                fcost * 0.3 + 1,
                Suggestion(
                    "Fluency",
                    f"{verb}: you spoke at {half_up(wpm)} words per minute; aim for {half_up(low)}-{half_up(high)}.",
                    0,
                ),
            )
        )
    if len(flu.long_pauses) >= 2:
        longest = max(p.duration for p in flu.long_pauses)
        out.append(
            (
                fcost * 0.25 + 1,
                Suggestion(
                    "Fluency",
                    f"You paused longer than {options.long_pause_s:g} s {len(flu.long_pauses)} times "
                    f"(longest {longest:.1f} s); outline your answer first so you keep going.",
                    0,
                ),
            )
        )
    if len(flu.repetitions) >= 2:
        examples = ", ".join(
            f"\u201c{display_filler(r.text)} {display_filler(r.text)}\u201d" for r in flu.repetitions[:2]
        )
        out.append(
            (
                fcost * 0.2 + 1,
                Suggestion("Fluency", f"Avoid restarting phrases ({examples}): finish the thought you started.", 0),
            )
        )
    if f.grammar is not None and f.grammar.matches:
        m = f.grammar.matches[0]
        fix = f" \u2192 \u201c{m.replacements[0]}\u201d" if m.replacements else ""
        cost = w.grammar * (100 - f.grammar.score) / 100
        out.append(
            (
                cost,
                Suggestion(
                    "Grammar",
                    f"Check your grammar: {f.grammar.errors} error{'s' if f.grammar.errors != 1 else ''}, "
                    f"e.g. {_quote(m.excerpt(f.transcript), 40)}{fix} ({m.message.rstrip('.')}).",
                    0,
                ),
            )
        )
    if f.structure is not None and f.structure.missing and not f.off_topic:
        part = f.structure.missing[0]
        names = ", ".join(p.capitalize() for p in f.structure.missing)
        if f.structure.kind == "star":
            text = f"Use the STAR method: no clear {names} in your answer; {f.structure.advice(part)}."
        else:
            text = f"Structure your plan: no clear {names.lower()} in your answer; {f.structure.advice(part)}."
        out.append((8.0 + 2 * len(f.structure.missing), Suggestion("Structure", text, 0)))
    return out


def build_suggestions(f: Findings, options: ScoringOptions) -> tuple[Suggestion, ...]:
    """Up to options.max_suggestions suggestions, most costly weakness first."""
    ranked = sorted(_candidates(f, options), key=lambda item: -item[0])[: options.max_suggestions]
    return tuple(Suggestion(s.category, s.message, i) for i, (_, s) in enumerate(ranked, start=1))


def build_summary(f: Findings, scores: dict[str, float | None], options: ScoringOptions) -> str:
    """Two or three sentences: verdict with the best dimension, main weakness, topics/STAR."""
    if not f.sentences:
        return "No answer was recorded for this question, so it scored 0. Try to answer every question, even briefly."
    present = {k: v for k, v in scores.items() if v is not None}
    best = max(present, key=lambda k: present[k])
    worst = min(present, key=lambda k: present[k])
    overall = f.overall if f.overall is not None else 0.0
    verdict = band(overall)
    article = "an" if verdict[0] in "aeiou" else "a"
    if f.cap is not None:
        # A capped answer's overall score is its cap (keyword_list is 25 or 30: see apply_caps).
        words = f.fluency.word_count
        name = "fragment" if f.cap == "too_short" and words < options.calibration.fragment_words else f.cap
        reason = _CAP_REASON[name].format(cap=half_up(overall), words=words)
        first = f"Overall {half_up(overall)}/100, {article} {verdict} answer: {reason}."
        advice = {
            "off_topic": "Answer the question asked first",
            "keyword_list": "Explain those terms in full sentences",
        }.get(f.cap, "Say more: answer in a few full sentences with one example")
        second = f"{advice}; {DIMENSION_WORDS[best]} ({half_up(present[best])}) alone cannot carry an answer."
        return " ".join([first, second, *_not_judged(f)])
    first = (
        f"Overall {half_up(overall)}/100, {article} {verdict} answer; "
        f"its strongest side is {DIMENSION_WORDS[best]} ({half_up(present[best])})."
    )
    # The weakest dimension is "the main area to improve" only when its bar is not green (under
    # GOOD as shown); a green one is named as the one with the most room (issue #12, QA J7).
    lowest = f"{DIMENSION_WORDS[worst]} ({half_up(present[worst])})"
    if half_up(present[worst]) < GOOD:
        second = f"The main area to improve is {lowest}: {_evidence(worst, f, options)}."
    elif half_up(present[worst]) < 85:
        second = f"Every dimension scored 70 or more; {lowest} has the most room: {_evidence(worst, f, options)}."
    else:
        second = f"Every dimension scored 85 or more ({_evidence('fluency', f, options)})."
    sentences = [first, second]
    if f.off_topic:
        sentences.extend(_not_judged(f))
    elif f.structure is not None and f.structure.missing:
        name = "STAR structure" if f.structure.kind == "star" else "plan"
        sentences.append(
            f"The {name} is missing the {', '.join(f.structure.missing)} "
            f"part{'s' if len(f.structure.missing) > 1 else ''}."
        )
    elif f.keywords is not None and worst != "keywords":
        sentences.append(
            f"It covered {len(f.keywords.covered)} of {len(f.keywords.topics)} talking points"
            + (f" (missing: {', '.join(f.keywords.labels('missing')[:3])})." if f.keywords.missing else ".")
        )
    return " ".join(sentences[:3])


def _not_judged(f: Findings) -> list[str]:
    """The sentence that replaces a structure verdict on an answer to another question."""
    if f.structure is None or not f.off_topic:
        return []
    name = "STAR structure" if f.structure.kind == "star" else "plan"
    return [f"Its {name} was not judged, since it does not answer this question."]


def _evidence(dimension: str, f: Findings, options: ScoringOptions) -> str:
    if dimension == "relevance":
        rel = f.relevance
        if rel.structure_factor < 0.6:
            return "the answer listed terms instead of explaining them"
        # Brevity is the Completeness tip's (its length factor lowers relevance too): here it
        # read as a verdict on relevance, "relevance (62): at 38 words the answer stayed too
        # brief" (QA J23). An answer that is on the question apart from its length says so.
        if rel.substance_factor < 1 and half_up(rel.topicality * rel.structure_factor) >= GOOD:
            return "what you said was on the question; the Completeness tip says how to lift this score"
        if rel.off_topic_sentences and half_up(rel.score) < GOOD:
            return f"{len(rel.off_topic_sentences)} of {len(f.sentences)} sentences did not address the question"
        # In words a candidate can act on (it said "semantic similarity to the question was
        # 0.38": QA J7).
        if half_up(rel.score) < FAIR:
            return "the answer stayed only loosely on what was asked; answer the question itself in your first sentence"
        return "tie each point back to what was asked, starting with your first sentence"
    if dimension == "grammar" and f.grammar is not None:
        if not f.grammar.matches:
            return "no grammar errors were found"
        example = _quote(f.grammar.matches[0].excerpt(f.transcript), 40)
        errors = f"{f.grammar.errors} error{'s' if f.grammar.errors != 1 else ''}"
        return f"{errors} ({f.grammar.errors_per_100_words:.1f} per 100 words), e.g. {example}"
    if dimension == "keywords" and f.keywords is not None:
        if not f.keywords.missing and not f.keywords.touched:
            return "all expected topics were covered"
        if not f.keywords.missing:
            return f"only named, not explained: {', '.join(f.keywords.labels('touched')[:3])}"
        return f"missing {', '.join(f.keywords.labels('missing')[:3])}"
    flu = f.fluency
    rate = f"{half_up(flu.speech_rate_wpm)} words per minute, " if flu.speech_rate_wpm is not None else ""
    fillers = filler_phrase(flu) if flu.filler_count else "no fillers"
    pauses = len(flu.long_pauses)
    return f"{rate}{fillers}, {pauses or 'no'} long pause{'s' if pauses != 1 else ''}"
