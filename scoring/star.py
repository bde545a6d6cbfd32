"""Answer structure: STAR (Situation, Task, Action, Result) for behavioural answers, and a plan
(approach, reasoning, risks) for hypothetical ones, from cue phrases.

Interviewers expect behavioural answers to set the scene, state the candidate's goal, say what
*they* did and how it ended (the STAR method, e.g. MIT CAPD "The STAR method for behavioral
interviews"). Each part is detected by cue phrases in the sentences, in a fixed order of
precedence, deterministically; the first sentence that shows a part is kept as its evidence.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from scoring.standard import standard_reading

PARTS = ("situation", "task", "action", "result")

_CUES = {
    "situation": (
        r"\b(in|at) my (last|previous|current|first|old) (job|role|team|company|position|project|internship)\b",
        r"\b(years?|months?|weeks?) ago\b",
        r"\blast (year|month|quarter|summer|spring|autumn|fall|winter)\b",
        r"\bonce\b",
        r"\bwhen i was\b",
        r"\bwe were (working|building|migrating|launching)\b",
        r"\bthe (situation|context|background|problem) was\b",
        r"\bthere was a\b",
        r"\bi was working\b",
        r"\bat (my|our) company\b",
        r"\bwhile (i was|working)\b",
        r"\bdisagreed\b",
    ),
    "task": (
        r"\bmy (task|job|goal|responsibility|role) was\b",
        r"\bi was (responsible|in charge|asked|tasked)\b",
        r"\bi (needed|had|wanted) to\b",
        r"\bwe (needed|had) to\b",
        r"\bthe goal was\b",
        r"\bmy aim\b",
        r"\bthe challenge was\b",
        r"\bas the (lead|owner|manager)\b",
        r"\bi led\b",
        # Someone else set the task: "my manager asked me to leave two bad months out" (QA J22).
        (
            r"(?<!nobody )(?<!nobody had )(?<!no one )(?<!no one had )(?<!never )"
            r"\b(?:asked|told|wanted|expected|pressured|pushed) me to\b"
        ),
    ),
    "action": (
        (
            r"\bi (decided|set up|organi[sz]ed|talked|spoke|met|proposed|suggested|implemented|wrote|built|"
            r"created|introduced|scheduled|asked|listened|started|reached out|took|ran|worked|explained|"
            r"repeated|practi[sc]ed|changed|added|reviewed|tested|analy[sz]ed|investigated|called|"
            r"brought|split|mentored|helped|made sure|profiled|optimi[sz]ed|refactored|fixed|designed|deployed|"
            r"automated|migrated|measured|rewrote|removed|moved|replaced|configured|debugged|coordinated|"
            r"negotiated|prioriti[sz]ed|documented|presented|trained|identified|drafted|contacted|escalated|"
            r"resolved|raised|offered|refused|declined|flagged|pushed back|insisted|"
            r"warned|volunteered|convinced|persuaded)\b"
        ),
        r"\bso i\b",
        r"\bwhat i did\b",
        r"\bmy approach\b",
        r"\bfirst,? i\b",
        r"\bthen i\b",
    ),
    "result": (
        r"\bas a result\b",
        r"\bin the end\b",
        r"\beventually\b",
        r"\bthe (outcome|result)\b",
        r"\bwe (shipped|delivered|launched|finished|reduced|increased|improved|saved|reached|met the|hit)\b",
        r"\b(resulted|led) (in|to)\b",
        r"\bon time\b",
        r"\bon schedule\b",
        r"\b\d+ ?(%|percent)\b",
        r"\bi (learned|learnt|realised|realized)\b",
        r"\blessons? learned\b",
        r"\bsince then\b",
        r"\bfrom then on\b",
        r"\bnext (project|time)\b",
        r"\bafterwards\b",
        r"\b(fell|dropped|went|rose|grew|came down|shrank) (from|to|by)\b",
        r"\b(is|are|was) now\b",
        r"\bnow (\w+s)\b",
        r"\bso i knew\b",
        r"\bit worked\b",
        r"\bstill work\b",
    ),
}
_COMPILED = {part: [re.compile(p, re.IGNORECASE) for p in cues] for part, cues in _CUES.items()}
ADVICE = {
    "situation": "set the scene first: where you were and what was going on",
    "task": "state what you were responsible for or trying to achieve",
    "action": 'describe the specific steps you personally took (say "I", not only "we")',
    "result": "finish with the outcome, ideally measurable, and what you learned",
}


#: Hypothetical ("what would you do if...") answers are not stories: an interviewer listens
#: for a plan, the reasons behind it, and what could go wrong with it.
PLAN_PARTS = ("approach", "reasoning", "risks")
_PLAN_CUES = {
    "approach": (
        r"\bi(?: would|'d| will|'ll)\b",
        r"\bfirst(?:ly)?\b",
        r"\bmy first\b",
        r"\bstart (?:by|with)\b",
        r"\bstep (?:one|1)\b",
        r"\bi (?:start|begin|ask|check|talk|look|set|make)\b",
        r"\bwhat i do\b",
    ),
    "reasoning": (
        r"\bbecause\b",
        r"\bso that\b",
        r"\bthe reason\b",
        r"\bsince\b",
        r"\bin order to\b",
        r"\bthat way\b",
        r"\bwhich means\b",
        r"\bthe point is\b",
        r"\bto make sure\b",
        r"\bto avoid\b",
        # A purpose or consequence clause after a comma or a word ("..., so any change I make that
        # breaks something shows up"); a sentence-initial "So I..." is only a discourse marker.
        (
            r"\w,? so (?:that )?"
            r"(?:i|we|they|it|the|any|nobody|no one|everyone|people|at least|there|you|he|she|this|our|my)\b"
        ),
        # Weighing an alternative is a reason too ("a range rather than one number").
        r"\brather than\b",
        r"\binstead of\b",
        r"\bwhich (?:gets|means|lets|gives|keeps|saves|avoids|costs)\b",
        # An infinitive of purpose: "review the funnel to see where users drop off" (QA J16).
        r"\bto (?:see|find out|learn|understand|know|figure out|spot|check) (?:where|whether|if|which|why|how|who)\b",
        r"\bto (?:find out|figure out|understand|learn) what\b",
        # The recogniser often ends the sentence before a purpose clause: "... I would ship one or
        # two quick wins. So, the team sees progress" (QA J16). A sentence-initial "So" followed
        # by someone other than the speaker is that clause; "So I ..." stays a discourse marker.
        (
            r"^so,? (?:that )?(?:the \w+|everyone|nobody|no one|people|users|customers) "
            r"(?:(?!is\b|was\b|has\b)\w+s|can|will|won't|do|does|don't|doesn't|get|see|know|stay)\b"
        ),
    ),
    "risks": (
        r"\brisks?\b",
        r"\btrade[- ]?offs?\b",
        r"\bdownsides?\b",
        (
            r"\bif (?:that|it|this|they|he|she) "
            r"(?:fails|failed|does ?n[o']?t|did ?n[o']?t|still|refuses|refused|can ?n[o']?t|won'?t)"
        ),
        r"\botherwise\b",
        r"\bfall ?back\b",
        r"\bplan b\b",
        r"\bworst case\b",
        r"\bin case\b",
        r"\bif not\b",
        r"\bescalat\w*",
        r"\bthe danger\b",
        r"\bat the cost of\b",
        r"\bbut if\b",
        r"\bif that doesn'?t\b",
        # A plan that branches on what it finds names its contingencies: "If the drop holds, I'd
        # compare the distributions", "If the designer is away, I'd go with our patterns".
        r"\bif\b[^,.;:]*, (?:then )?(?:i|we)(?:'d|'ll| would| will| can| could)?\b",
        r"\bunless\b",
        # Safeguards against what could go wrong: the catch, until I know, before deleting ...
        r"\bthe catch\b",
        r"\bgo(?:es)? wrong\b",
        r"\buntil (?:i|we) (?:know|understand|are sure)\b",
        r"\bbefore (?:touching|deleting|changing|removing|shipping|anything)\b",
        r"\bbefore (?:i|we) (?:build|start|commit|ship|change|touch|delete)\b",
        # A check that the plan is working ("check I am heading in the right direction").
        r"\b(?:check|verify|confirm) (?:afterwards |again |early )?(?:that|whether|i am|i'm|we are|we're)\b",
        r"\bso (?:that )?(?:nobody|no one|nothing)\b",
        r"\bwarn\w*\b",
        r"\broll(?:ing)? (?:it |them |that )?back\b|\brollbacks?\b",
        r"\bsafety net\b",
        r"\b(?:do|does|cause|causes) (?:a lot of |real |serious )?damage\b",
    ),
}
_PLAN_COMPILED = {part: [re.compile(p, re.IGNORECASE) for p in cues] for part, cues in _PLAN_CUES.items()}
#: A sentence that gives up on a plan is not an approach, though it says "I would": "I guess I would
#: just keep trying and see what happens" (QA J17).
_PLAN_VETOES = {
    "approach": re.compile(
        r"\b(?:see what happens|keep trying|(?:just )?try (?:something|stuff|things|my best)|play it by ear|wing it|"
        r"figure it out as i go|hope for the best)\b",
        re.IGNORECASE,
    )
}
PLAN_ADVICE = {
    "approach": "say what you would do first, in order, in the first person",
    "reasoning": "give the reason for each step (\u201cbecause\u2026\u201d, \u201cso that\u2026\u201d)",
    "risks": "say what could go wrong with your plan and what you would do then",
}
_STORY_QUESTION = re.compile(
    r"\b(?:tell me about|describe|give (?:me )?an example of|talk me through|share) (?:a|an|the|one) "
    r"(?:time|situation|occasion|moment|case)\b|\bhave you ever\b|\bwhen did you last\b",
    re.IGNORECASE,
)
_HYPOTHETICAL_QUESTION = re.compile(
    r"\bwhat (?:would|do|will) you do\b|\bhow (?:would|do|will) you (?:handle|respond|approach|proceed|deal|react)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class StructureResult:
    """Which parts of the expected structure an answer shows ("star" for stories, "plan" for
    hypothetical answers), with the sentence that showed each."""

    kind: str
    evidence: dict[str, str]

    @property
    def parts(self) -> tuple[str, ...]:
        return PARTS if self.kind == "star" else PLAN_PARTS

    @property
    def present(self) -> list[str]:
        return [p for p in self.parts if p in self.evidence]

    @property
    def missing(self) -> list[str]:
        return [p for p in self.parts if p not in self.evidence]

    @property
    def complete(self) -> bool:
        return not self.missing

    def advice(self, part: str) -> str:
        return (ADVICE if self.kind == "star" else PLAN_ADVICE)[part]

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "parts": list(self.parts),
            "present": self.present,
            "missing": self.missing,
            "complete": self.complete,
            "evidence": self.evidence,
        }


#: Kept for callers that only know STAR results.
StarResult = StructureResult


def _detect(
    sentences: Sequence[str],
    kind: str,
    parts: Sequence[str],
    compiled: Mapping[str, Sequence[re.Pattern[str]]],
    vetoes: Mapping[str, re.Pattern[str]] | None = None,
) -> StructureResult:
    # Cues are looked for in the grammar-neutral reading ("I taked the data" shows an action as
    # "I took the data" does); the evidence is the candidate's own sentence.
    evidence: dict[str, str] = {}
    for sentence in sentences:
        reading = standard_reading(sentence)
        for part in parts:
            if part in evidence or not any(p.search(reading) for p in compiled[part]):
                continue
            veto = vetoes.get(part) if vetoes else None
            if veto is None or not veto.search(reading):
                evidence[part] = sentence
    return StructureResult(kind, evidence)


def detect_star(sentences: Sequence[str]) -> StructureResult:
    """Evidence per STAR part: the first sentence matching one of its cues (in its standard
    reading: scoring.standard)."""
    return _detect(sentences, "star", PARTS, _COMPILED)


def detect_plan(sentences: Sequence[str]) -> StructureResult:
    """Evidence per plan part (approach, reasoning, risks) of a hypothetical answer."""
    return _detect(sentences, "plan", PLAN_PARTS, _PLAN_COMPILED, _PLAN_VETOES)


def structure_kind(category: str, question_text: str = "") -> str | None:
    """ "star" for behavioural questions (the category, or a story prompt such as "tell me
    about a time"), "plan" for situational and hypothetical ones ("what would you do if"),
    None otherwise: technical and general answers get no structure check."""
    category = category.strip().lower()
    if category.startswith("behav") or (category not in ("technical",) and _STORY_QUESTION.search(question_text)):
        return "star"
    if category.startswith("situat") or (category == "general" and _HYPOTHETICAL_QUESTION.search(question_text)):
        return "plan"
    return None


def detect_structure(category: str, question_text: str, sentences: Sequence[str]) -> StructureResult | None:
    kind = structure_kind(category, question_text)
    if kind == "star":
        return detect_star(sentences)
    if kind == "plan":
        return detect_plan(sentences)
    return None


def is_behavioural(category: str, question_text: str = "") -> bool:
    """Whether STAR applies: behavioural questions only (never situational or technical)."""
    return structure_kind(category, question_text) == "star"
