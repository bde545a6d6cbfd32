"""Conversational follow-up questions: what to ask after an answer, and whether to ask at all.

The shared shapes of every generator: a `FollowUpGenerator` proposes ranked `FollowUp`s for one
answer (`FollowUpContext`: the question, the transcript and what the scorer judged of it);
`should_ask` applies the session's policy (caps per question and per session) to pick at most
one; `keep_acceptable` keeps the suggestions interview.followup_rules accepts. Two generators:
`RuleBasedFollowUps` (interview/followups_builtin.py), deterministic and the default, and a chat
model, whose reply `parse_model_follow_ups` reads (the OpenAI-compatible adapter itself is I/O
and lives in `server/llm_followups.py`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from interview.followup_rules import asks_for, follow_up_problems

#: Why a follow-up is asked (an enum-like string, stored in follow_up_questions JSON).
REASONS: tuple[str, ...] = ("missing_result", "vague", "missing_topic", "probe", "off_topic")
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
    # An answer that is not about the question is brought back to it.
    "refocus",
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
    #: The scorer judged that the answer is not about the question (scoring's "off_topic" cap):
    #: nothing it says is a ground for a probe, so the only follow-up brings the candidate back.
    off_topic: bool = False
    #: The answer is to a follow-up question: one judged off topic gets no further follow-up (a
    #: short follow-up is a poor yardstick for the similarity, and the candidate was asked once).
    is_follow_up: bool = False

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
        """Why `text` would be a bad follow-up to this answer (interview.followup_rules). For an
        answer to a follow-up, also asking again for what that follow-up asked for: the answer
        (one that got this far: not empty, not a fragment, not off topic) is what the candidate
        had to say to it, and an interviewer who asks for it again was not listening (QA walk
        J8: "Can you give me one concrete example that shows that?" after an example)."""
        problems = follow_up_problems(
            text,
            transcript=self.transcript,
            covered_topics=self.covered_topics or (),
            expected_topics=self.expected_topics,
            question_text=self.question_text,
        )
        again = self.answered_asks & asks_for(text)
        if again:
            problems.append(f"asks again for what the answer to the follow-up gave: {', '.join(sorted(again))}")
        return problems

    @property
    def answered_asks(self) -> frozenset[str]:
        """What the question this answer is to asked for, when it is a follow-up (`asks_for`)."""
        return asks_for(self.question_text) if self.is_follow_up else frozenset()


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
    "keep_acceptable",
    "parse_model_follow_ups",
    "same_question_key",
    "should_ask",
]
