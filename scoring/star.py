"""STAR structure (Situation, Task, Action, Result) of behavioural answers, from cue phrases.

Interviewers expect behavioural answers to set the scene, state the candidate's goal, say what
*they* did and how it ended (the STAR method, e.g. MIT CAPD "The STAR method for behavioral
interviews"). Each part is detected by cue phrases in the sentences, in a fixed order of
precedence, deterministically; the first sentence that shows a part is kept as its evidence.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

PARTS = ("situation", "task", "action", "result")

_CUES = {
    "situation": (
        r"\b(in|at) my (last|previous|current|first|old) (job|role|team|company|position|project|internship)\b",
        r"\b(years?|months?|weeks?) ago\b", r"\blast (year|month|quarter|summer|spring|autumn|fall|winter)\b",
        r"\bonce\b", r"\bwhen i was\b", r"\bwe were (working|building|migrating|launching)\b",
        r"\bthe (situation|context|background|problem) was\b", r"\bthere was a\b", r"\bi was working\b",
        r"\bat (my|our) company\b", r"\bwhile (i was|working)\b", r"\bdisagreed\b",
    ),
    "task": (
        r"\bmy (task|job|goal|responsibility|role) was\b", r"\bi was (responsible|in charge|asked|tasked)\b",
        r"\bi (needed|had|wanted) to\b", r"\bwe (needed|had) to\b", r"\bthe goal was\b", r"\bmy aim\b",
        r"\bthe challenge was\b", r"\bas the (lead|owner|manager)\b", r"\bi led\b",
    ),
    "action": (
        r"\bi (decided|set up|organi[sz]ed|talked|spoke|met|proposed|suggested|implemented|wrote|built|"
        r"created|introduced|scheduled|asked|listened|started|reached out|took|ran|worked|explained|"
        r"repeated|practi[sc]ed|changed|added|reviewed|tested|analy[sz]ed|investigated|called|"
        r"brought|split|mentored|helped|made sure|profiled|optimi[sz]ed|refactored|fixed|designed|deployed|"
        r"automated|migrated|measured|rewrote|removed|moved|replaced|configured|debugged|coordinated|"
        r"negotiated|prioriti[sz]ed|documented|presented|trained|identified|drafted|contacted|escalated|"
        r"resolved)\b",
        r"\bso i\b", r"\bwhat i did\b", r"\bmy approach\b", r"\bfirst,? i\b", r"\bthen i\b",
    ),
    "result": (
        r"\bas a result\b", r"\bin the end\b", r"\beventually\b", r"\bthe (outcome|result)\b",
        r"\bwe (shipped|delivered|launched|finished|reduced|increased|improved|saved|reached|"
        r"met the|hit)\b", r"\b(resulted|led) (in|to)\b", r"\bon time\b", r"\bon schedule\b",
        r"\b\d+ ?(%|percent)\b", r"\bi (learned|learnt|realised|realized)\b", r"\blessons? learned\b",
        r"\bsince then\b", r"\bfrom then on\b", r"\bnext (project|time)\b",
    ),
}
_COMPILED = {part: [re.compile(p, re.IGNORECASE) for p in cues] for part, cues in _CUES.items()}
ADVICE = {
    "situation": "set the scene first: where you were and what was going on",
    "task": "state what you were responsible for or trying to achieve",
    "action": "describe the specific steps you personally took (say \"I\", not only \"we\")",
    "result": "finish with the outcome, ideally measurable, and what you learned",
}


@dataclass(frozen=True)
class StarResult:
    """Which STAR parts an answer shows, with the sentence that showed each."""

    evidence: dict[str, str]

    @property
    def present(self) -> list[str]:
        return [p for p in PARTS if p in self.evidence]

    @property
    def missing(self) -> list[str]:
        return [p for p in PARTS if p not in self.evidence]

    @property
    def complete(self) -> bool:
        return not self.missing

    def to_json(self) -> dict:
        return {"present": self.present, "missing": self.missing, "complete": self.complete, "evidence": self.evidence}


def detect_star(sentences: Sequence[str]) -> StarResult:
    """Evidence per part: the first sentence matching one of its cues."""
    evidence: dict[str, str] = {}
    for sentence in sentences:
        for part in PARTS:
            if part not in evidence and any(p.search(sentence) for p in _COMPILED[part]):
                evidence[part] = sentence
    return StarResult(evidence)


def is_behavioural(category: str) -> bool:
    """Behavioural and situational questions are the ones STAR applies to."""
    return category.strip().lower().startswith(("behav", "situat"))
