"""Probes of what a candidate proposed in a technical answer: the design choice, the tool, the
number, quoted back with the question a good interviewer would ask about its depth, edge case
or trade-off ("You said “on writes we delete the affected keys”: what happens if a read puts
the old value back just after that delete?").

Each probe is worded for an answer in any tense (what they did or what they would do), never
repeats a talking point's label (interview.followup_rules would reject it: the quotation is
grounding, the question's own words are its subject), and is skipped when the answer already
deals with what it asks (`unless`). The tables of known choices are data, one per field:
interview/tech_probes_systems.py and interview/tech_probes_product.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from interview.answer_text import has_quantity
from interview.tech_probes_product import PRODUCT_CHOICES
from interview.tech_probes_systems import SYSTEMS_CHOICES

#: Longest quotation, in words, and how many words before the choice it may start.
QUOTE_WORDS = 12
LEAD_WORDS = 5
QUOTE_CHARS = 76


@dataclass(frozen=True, slots=True)
class Probe:
    """A question about one thing the candidate proposed, with their words that named it."""

    quote: str
    question: str
    kind: str  # depth | edge_case | trade_off

    @property
    def text(self) -> str:
        return f"You said \u201c{self.quote}\u201d: {self.question}"


#: Most specific first: the first choice in this order that the rules accept is asked.
_CHOICES = SYSTEMS_CHOICES + PRODUCT_CHOICES
_COMPILED = tuple(
    (re.compile(r"\b(?:" + p + r")", re.IGNORECASE), q, k, re.compile(u, re.IGNORECASE) if u else None)
    for p, q, k, u in _CHOICES
)
#: A statement of what the candidate does or would do: the clause that holds a design choice.
_PROPOSES = re.compile(
    r"\b(?:i|we)(?:'d| would| will|'ll| usually| always| then| also| first)? (?:use|add|put|pick|choose|chose|set|"
    r"start|run|keep|make|check|compare|split|store|move|switch|limit|cap|prefer|build|deploy|write|measure|"
    r"decide|look|read|tune|raise|lower|track|watch|test|recruit|give|ask|record|count|sort|interview)\b",
    re.IGNORECASE,
)
#: A step of an investigation ("I run df -h", "I check the logs"): its follow-up is what next.
_DIAGNOSES = re.compile(r"\b(?:run|check|look|read|compare|measure|watch|track|test)\b", re.IGNORECASE)
_TIME = re.compile(r"\b(?:seconds?|minutes?|hours?|days?|weeks?|months?)\b", re.IGNORECASE)
_CLAUSE = re.compile(r"(?<=[.!?;:])\s+|,\s+|\s+(?=(?:and then|but|so|because|while)\b)", re.IGNORECASE)
_WORD = re.compile(r"\S+")
_LEAD = re.compile(
    r"^(?:(?:so|and|but|then|well|um|uh|i think|basically|first(?:ly)?|also|finally)[, ]+)+", re.IGNORECASE
)


def _clauses(text: str) -> list[str]:
    return [c.strip(" ,.;:!?") for c in _CLAUSE.split(text) if c and len(c.split()) >= 3]


def _quote(clause: str, at: int) -> str:
    """The candidate's words around character `at` of a clause: from the clause's start, or
    from LEAD_WORDS words before it, QUOTE_WORDS at most, with "…" where words were cut."""
    body = _LEAD.sub("", clause)
    at = max(0, at - (len(clause) - len(body)))
    words = [(m.start(), m.group()) for m in _WORD.finditer(body)]
    index = max((i for i, (start, _) in enumerate(words) if start <= at), default=0)
    first = max(0, index - LEAD_WORDS) if index >= QUOTE_WORDS - 2 else 0
    chosen = [w.strip(" ,.;:!?") for _, w in words[first : first + QUOTE_WORDS]]
    # interview.followup_rules reads a quotation of at most 80 characters as one.
    while len(chosen) > 3 and len(" ".join(chosen)) > QUOTE_CHARS:
        chosen.pop()
    head = "\u2026" if first else ""
    tail = "\u2026" if first + len(chosen) < len(words) else ""
    return head + " ".join(chosen) + tail


def probes(answer: str, *, choices_only: bool = False) -> list[Probe]:
    """What to ask about the candidate's own choices, best first: a known design choice (most
    specific first), then a number they chose, then the first thing they said they would do
    (what next if it shows nothing, or its trade-off). `choices_only`: known design choices
    alone (a vague answer's "I would look at it" is no choice worth a trade-off)."""
    parts = _clauses(answer)
    out: list[Probe] = []
    for pattern, ask, kind, unless in _COMPILED:
        if unless is not None and unless.search(answer):
            continue
        for clause in parts:
            found = pattern.search(clause)
            if found:
                out.append(Probe(_quote(clause, found.start()), ask, kind))
                break
    if choices_only:
        return out
    for clause in parts:
        if has_quantity(clause) and _PROPOSES.search(clause):
            ask = (
                "what would you do if that turned out to be too short?"
                if _TIME.search(clause)
                else "where does that number come from, and what would change if it were wrong?"
            )
            out.append(Probe(_quote(clause, 0), ask, "depth"))
            break
    for clause in parts:
        found = _PROPOSES.search(clause)
        if found and len(clause.split()) >= 5:
            if _DIAGNOSES.search(found.group()):
                out.append(
                    Probe(_quote(clause, 0), "what would you do next if that showed nothing unusual?", "edge_case")
                )
            else:
                ask = "what does that choice cost you compared with the alternatives?"
                out.append(Probe(_quote(clause, 0), ask, "trade_off"))
            break
    return out
