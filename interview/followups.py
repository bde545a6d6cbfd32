"""Conversational follow-up questions: what to ask after an answer, and whether to ask at all.

A `FollowUpGenerator` proposes ranked `FollowUp`s for one answer; `should_ask` applies the
session's policy (caps per question and per session) to pick at most one. Two generators:
`RuleBasedFollowUps`, deterministic and the default; `parse_model_follow_ups` reads a chat
model's reply (the OpenAI-compatible adapter itself is I/O and lives in `server/llm_followups.py`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from interview.answer_text import (
    first_step,
    has_concrete_marker,
    has_quantity,
    hedge_count,
    salient_terms,
    vague_claim,
    without_fillers,
    word_count,
)
from interview.followup_rules import follow_up_problems
from interview.tech_probes import probes as tech_probes

#: Why a follow-up is asked (an enum-like string, stored in follow_up_questions JSON).
REASONS: tuple[str, ...] = ("missing_result", "vague", "missing_topic", "probe")
STAR_PARTS = frozenset({"situation", "task", "action", "result"})


#: What a follow-up probes (FollowUp.kind), by kind of question: behavioural answers are asked
#: for the candidate's own action, the result and numbers; hypothetical ones for risks,
#: trade-offs and "what if that fails"; technical ones for depth, edge cases and trade-offs of
#: what they proposed; general ones for the specifics behind a motivation or claim.
KINDS: tuple[str, ...] = (
    "own_action",
    "result",
    "numbers",
    "risk",
    "trade_off",
    "what_if",
    "depth",
    "edge_case",
    "motivation",
    "example",
    "more_detail",
)


@dataclass(frozen=True, slots=True)
class FollowUp:
    text: str
    #: One of REASONS.
    reason: str
    #: 1 is the most important; suggestions are returned sorted by it.
    priority: int
    #: The candidate's words or the part of the answer this follow-up is about, if any.
    topic: str | None = None
    #: "rules" or "llm": which generator produced it.
    source: str = "rules"
    #: One of KINDS ("" when unknown, e.g. a model's reply).
    kind: str = ""


@dataclass(frozen=True)
class FollowUpContext:
    question_text: str
    category: str
    transcript: str
    expected_topics: tuple[str, ...] = ()
    #: Expected topics the answer did not cover (as judged by the scorer).
    missing_topics: tuple[str, ...] = ()
    #: STAR parts present in the answer; None when the question is not behavioural.
    star_parts: frozenset[str] | None = None
    #: Follow-ups already asked for this question.
    asked_count: int = 0
    #: Expected topics the answer covered; None: every expected topic not in missing_topics.
    covered_topics: tuple[str, ...] | None = None
    #: Parts of a hypothetical answer's plan (approach, reasoning, risks) it lacks; None when
    #: no plan check applied.
    plan_missing: tuple[str, ...] | None = None
    #: The transcript in standard grammar, word for word (scoring.standard_reading): what the
    #: answer says is read from it, so that a grammar-poor answer gets the follow-up its clean
    #: twin would; quotations come from the transcript. "" reads the transcript itself.
    reading: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "expected_topics", tuple(self.expected_topics))
        object.__setattr__(self, "missing_topics", tuple(self.missing_topics))
        if self.covered_topics is None:
            missing = set(self.missing_topics)
            object.__setattr__(self, "covered_topics", tuple(t for t in self.expected_topics if t not in missing))
        else:
            object.__setattr__(self, "covered_topics", tuple(self.covered_topics))
        if self.star_parts is not None:
            object.__setattr__(self, "star_parts", frozenset(p.lower() for p in self.star_parts))

    def problems(self, text: str) -> list[str]:
        """Why `text` would be a bad follow-up to this answer (interview.followup_rules)."""
        return follow_up_problems(
            text,
            transcript=self.transcript,
            covered_topics=self.covered_topics or (),
            expected_topics=self.expected_topics,
        )


class FollowUpGenerator(Protocol):
    def suggest(self, ctx: FollowUpContext) -> list[FollowUp]:
        """Ranked follow-ups for one answer (most important first); [] when none is needed."""
        ...


@dataclass(frozen=True)
class FollowUpPolicy:
    max_per_question: int = 2
    max_per_session: int = 3
    #: Suggestions with a larger (less important) priority number are never asked.
    max_priority: int = 4
    reasons: frozenset[str] = field(default_factory=lambda: frozenset(REASONS))


def should_ask(
    suggestions: Sequence[FollowUp],
    asked_for_question: int,
    asked_in_session: int,
    policy: FollowUpPolicy = FollowUpPolicy(),
    *,
    already_asked: Collection[str] = (),
) -> FollowUp | None:
    """The one follow-up to ask now, or None when the caps are reached or nothing qualifies.

    `already_asked`: the texts the candidate was already asked about this question (the question
    itself and its follow-ups). A suggestion saying one of them again is never chosen: the rules'
    fixed wordings fit an answer to a follow-up as well as the first answer (the same recorded
    answer twice gave "What is the hardest edge case ...?" twice), so the next one down is asked."""
    if asked_for_question >= policy.max_per_question or asked_in_session >= policy.max_per_session:
        return None
    said = {same_question_key(text) for text in already_asked}
    allowed = [
        s
        for s in suggestions
        if s.reason in policy.reasons and s.priority <= policy.max_priority and same_question_key(s.text) not in said
    ]
    return min(allowed, key=lambda s: s.priority) if allowed else None


def same_question_key(text: str) -> str:
    """What two wordings of one question share: letters and digits, lower case, single spaces
    (quotes, punctuation and spacing do not make a question new)."""
    return " ".join(re.sub(r"[^\w]+", " ", text.casefold()).split())


def keep_acceptable(ctx: FollowUpContext, suggestions: Sequence[FollowUp]) -> list[FollowUp]:
    """The suggestions that pass interview.followup_rules for this answer, in order."""
    return [s for s in suggestions if not ctx.problems(s.text)]


_PAST = re.compile(
    r"\b(?:i|we)(?: just| then| also| first| \w+ly)? "
    r"(?:\w+ed|built|ran|wrote|made|took|found|set up|moved|switched|chose|used)\b",
    re.IGNORECASE,
)
_WOULD = re.compile(
    r"\b(?:i|we|you)(?: would|'d| will|'ll| can| could)\b|\byou (?:can|need|have to|should)\b", re.IGNORECASE
)
_MOTIVATION_QUESTION = re.compile(
    r"\bwhy\b|\bdraws? you\b|\binterested\b|\benjoy\b|\blooking for\b|\bexcites?\b|\binspires?\b", re.IGNORECASE
)
#: Words of a technical answer that is not sure of itself: it gets no probe of a "choice".
_UNSURE = re.compile(r"\b(?:maybe|perhaps|somewhere|something|not (?:totally |really )?sure)\b", re.IGNORECASE)
_DEPENDS = re.compile(r"\bdepend", re.IGNORECASE)
_I_RE = re.compile(r"\b(?:i|i'm|i've|i'd|me|my|myself)\b", re.IGNORECASE)
_WE_RE = re.compile(r"\b(?:we|we're|we've|us|our|the team)\b", re.IGNORECASE)

# Fixed wordings, written as an interviewer says them (no topic label is ever slotted in).
_ASK = {
    "own_action": "Which part of that did you do yourself, and what did you decide on your own?",
    "result": "What was the outcome, and how did you know it had worked?",
    "numbers": "Can you put a number on the difference it made, for example time saved or problems avoided?",
    "risk": "What could go wrong with that plan, and what would you do then?",
    "what_if": "Suppose your first step does not work out. What would you do next?",
    "trade_off_plan": "What would you be giving up by doing it that way, and why is it worth it?",
    "edge_case": "What is the hardest edge case for the approach you described, and how would you handle it?",
    "trade_off_tech": "What does your approach cost you, and when would you choose something else?",
    "motivation": "What is one specific moment or experience that made you sure about that?",
    "example_general": "Can you give me one concrete example that shows that?",
    "example_plan": "Can you walk me through what you would actually do first, step by step?",
    "example_tech": "Can you walk me through a concrete example of how you have applied this?",
    "more_detail": "Could you take me through your answer in a bit more detail?",
}


class RuleBasedFollowUps:
    """Deterministic follow-ups chosen by the kind of question and the gaps of the answer.

    Behavioural (STAR) answers: the candidate's own action when it is missing or hidden behind
    "we" (1-2), the result when it is missing (1), numbers when there are none (2-3).
    Hypothetical answers: risks when the plan names none (2), otherwise "what if that fails" and
    the trade-off (3-4). Technical answers: a probe of a specific thing they proposed, quoting
    their words (3), then an edge case (4); a thin answer is asked for an example (2).
    General answers: the specifics behind the claim (3), an example when vague (2).
    Every suggestion passes interview.followup_rules (never about a covered talking point, no
    invented "you mentioned"); a complete, concrete story gets no follow-up at all.
    """

    def __init__(self, *, max_suggestions: int = 3, short_answer_words: int = 40) -> None:
        self.max_suggestions = max_suggestions
        self.short_answer_words = short_answer_words

    def suggest(self, ctx: FollowUpContext) -> list[FollowUp]:
        # Quotations come from the candidate's words without their fillers; what the answer
        # says (numbers, hedges, a concrete story, "we" or "I") from its grammar-neutral reading.
        text = without_fillers(ctx.transcript.strip())
        reading = without_fillers(ctx.reading.strip()) if ctx.reading.strip() else text
        if word_count(text) < 5:
            return [FollowUp(_ASK["more_detail"], "vague", 1, kind="more_detail")]
        category = ctx.category.strip().lower()
        if ctx.star_parts is not None:
            out = self._story(ctx, text, reading)
        elif ctx.plan_missing is not None or category.startswith("situat"):
            out = self._plan(ctx, text, reading)
        elif category == "technical":
            out = self._technical(ctx, text, reading)
        else:
            out = self._general(ctx, text, reading)
        ranked = sorted(keep_acceptable(ctx, out), key=lambda f: f.priority)  # stable
        unique: dict[str, FollowUp] = {}
        for item in ranked:
            unique.setdefault(item.text, item)
        return list(unique.values())[: self.max_suggestions]

    def _story(self, ctx: FollowUpContext, text: str, reading: str) -> list[FollowUp]:
        parts = ctx.star_parts or frozenset()
        out: list[FollowUp] = []
        # A story that already gives numbers is not vague for one loose phrase in it.
        claim = None if has_quantity(reading) else vague_claim(text)
        if claim:
            out.append(
                FollowUp(
                    f"You said \u201c{claim}\u201d: what exactly did you do?", "vague", 1, claim, kind="own_action"
                )
            )
        if "result" not in parts:
            out.append(FollowUp(_ASK["result"], "missing_result", 1, "result", kind="result"))
        hidden = len(_WE_RE.findall(reading)) > 2 * max(1, len(_I_RE.findall(reading)))
        if "action" not in parts or hidden:
            out.append(
                FollowUp(_ASK["own_action"], "vague", 1 if "action" not in parts else 2, "action", kind="own_action")
            )
        if not has_quantity(reading):
            vague = not has_concrete_marker(reading) or hedge_count(reading) >= 2
            out.append(FollowUp(_ASK["numbers"], "vague", 2 if vague else 3, "numbers", kind="numbers"))
        return out

    def _plan(self, ctx: FollowUpContext, text: str, reading: str) -> list[FollowUp]:
        missing = set(ctx.plan_missing or ())
        out: list[FollowUp] = []
        claim = vague_claim(text)
        if claim:
            out.append(
                FollowUp(
                    f"You said \u201c{claim}\u201d: what exactly would you do first?", "vague", 1, claim, kind="example"
                )
            )
        elif word_count(text) < self.short_answer_words and (hedge_count(reading) or word_count(text) < 20):
            out.append(FollowUp(_ASK["example_plan"], "vague", 2, kind="example"))
        step = first_step(text)
        if step and not claim:
            question = f"Suppose your first step, \u201c{step}\u201d, does not work. What would you do next?"
            out.append(FollowUp(question, "probe", 2, step, kind="what_if"))
        if "risks" in missing:
            out.append(FollowUp(_ASK["risk"], "probe", 3, "risks", kind="risk"))
        if not step:
            out.append(FollowUp(_ASK["what_if"], "probe", 3, kind="what_if"))
        out.append(FollowUp(_ASK["trade_off_plan"], "probe", 4, kind="trade_off"))
        return out

    def _technical(self, ctx: FollowUpContext, text: str, reading: str) -> list[FollowUp]:
        out: list[FollowUp] = []
        claim = vague_claim(text)
        if claim and _DEPENDS.search(claim):
            question = (
                f"You said \u201c{claim}\u201d: can you give me one concrete case, and what would you choose there?"
            )
            out.append(FollowUp(question, "vague", 2, claim, kind="example"))
        elif claim:
            question = f"You said \u201c{claim}\u201d: how exactly would that work, and where could it go wrong?"
            out.append(FollowUp(question, "vague", 2, claim, kind="depth"))
        thin = (
            word_count(text) < self.short_answer_words
            and not has_concrete_marker(reading)
            and not has_quantity(reading)
            and not salient_terms(reading)
        )
        if thin and not claim:
            out.append(FollowUp(_ASK["example_tech"], "vague", 2, kind="example"))
        # What they proposed, quoted back with its depth, edge case or trade-off (the first one
        # the rules accept: never a covered talking point in the question's own words).
        vague = claim is not None or hedge_count(reading) >= 2 or bool(_UNSURE.search(reading))
        for probe in tech_probes(text, choices_only=vague):
            if not ctx.problems(probe.text):
                out.append(FollowUp(probe.text, "probe", 3, probe.quote, kind=probe.kind))
                break
        # The vocabulary's probes ask about experience ("how did you ..."): only for an answer
        # that tells what the candidate did, not what they would do.
        experience = len(_PAST.findall(reading)) > len(_WOULD.findall(reading))
        for term in salient_terms(text, exclude=ctx.question_text) if experience else ():
            question = f"You mentioned \u201c{term.said}\u201d: {term.probe}"
            if not ctx.problems(question):
                out.append(FollowUp(question, "probe", 3, term.said, kind="depth"))
                break
        out.append(FollowUp(_ASK["edge_case"], "probe", 4, kind="edge_case"))
        out.append(FollowUp(_ASK["trade_off_tech"], "probe", 4, kind="trade_off"))
        return out

    def _general(self, ctx: FollowUpContext, text: str, reading: str) -> list[FollowUp]:
        # A general answer with specifics (a number, a concrete story) needs no follow-up; a
        # vague one is asked for the specifics behind its own words.
        claim = vague_claim(text)
        vague = (
            claim is not None
            or hedge_count(reading) >= 2
            or (not has_concrete_marker(reading) and not has_quantity(reading))
        )
        if not vague:
            return []
        if claim:
            return [
                FollowUp(
                    f"You said \u201c{claim}\u201d: can you give me one concrete example of that?",
                    "vague",
                    2,
                    claim,
                    kind="example",
                )
            ]
        if _MOTIVATION_QUESTION.search(ctx.question_text):
            return [FollowUp(_ASK["motivation"], "vague", 2, kind="motivation")]
        return [FollowUp(_ASK["example_general"], "vague", 2, kind="example")]


def parse_model_follow_ups(content: Any, *, limit: int = 2) -> list[FollowUp] | None:
    """Follow-ups from a model's reply, tolerating code fences, surrounding prose, a bare list,
    plain strings instead of objects and unknown reasons (read as "probe"). None when nothing in
    the reply is the requested JSON or an item is unusable; [] for an explicit empty list."""
    if not isinstance(content, str):
        return None
    data = _first_json(content)
    if isinstance(data, dict):
        data = next(
            (data[k] for k in ("follow_ups", "followups", "follow_up_questions", "questions") if k in data), None
        )
    if not isinstance(data, list):
        return None
    out: list[FollowUp] = []
    for item in data[:limit]:
        text, reason = (item, "probe") if isinstance(item, str) else _item_fields(item)
        if not isinstance(text, str):
            return None
        text = " ".join(text.split())
        if not 8 <= len(text) <= 300 or not re.search(r"[A-Za-z]{3}", text):
            return None
        out.append(FollowUp(text, reason if reason in REASONS else "probe", len(out) + 1, source="llm"))
    return out


def _item_fields(item: Any) -> tuple[Any, Any]:
    if not isinstance(item, dict):
        return None, None
    return item.get("question", item.get("text")), item.get("reason")


def _first_json(content: str) -> Any:
    fenced = re.search(r"```(?:json)?\s*(.*?)```", content, re.DOTALL)
    text = (fenced.group(1) if fenced else content).strip()
    try:
        return json.loads(text)
    except ValueError:
        pass
    # Prose around the JSON: take the outermost object or list, whichever starts first.
    starts = [i for i in (text.find("{"), text.find("[")) if i >= 0]
    if not starts:
        return None
    start = min(starts)
    end = text.rfind("}" if text[start] == "{" else "]")
    try:
        return json.loads(text[start : end + 1]) if end > start else None
    except ValueError:
        return None


__all__ = [
    "KINDS",
    "REASONS",
    "FollowUp",
    "FollowUpContext",
    "FollowUpGenerator",
    "FollowUpPolicy",
    "should_ask",
    "RuleBasedFollowUps",
    "keep_acceptable",
    "parse_model_follow_ups",
]
