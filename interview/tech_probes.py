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

from interview.answer_text import has_quantity, quantity_end
from interview.quotes import phrase_quote
from interview.tech_probes_product import PRODUCT_CHOICES
from interview.tech_probes_systems import SYSTEMS_CHOICES


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


def _clauses(text: str) -> list[str]:
    return [c.strip(" ,.;:!?") for c in _CLAUSE.split(text) if c and len(c.split()) >= 3]


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
            quote = phrase_quote(clause, found.start(), must_reach=found.end()) if found else None
            if quote:
                out.append(Probe(quote, ask, kind))
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
            quote = phrase_quote(clause, must_reach=quantity_end(clause))
            if quote:
                out.append(Probe(quote, ask, "depth"))
                break
    for clause in parts:
        found = _PROPOSES.search(clause)
        quote = phrase_quote(clause, must_reach=found.end()) if found and len(clause.split()) >= 5 else None
        if found and quote:
            if _DIAGNOSES.search(found.group()):
                ask = "what would you do next if that showed nothing unusual?"
                out.append(Probe(quote, ask, "edge_case"))
            else:
                ask = "what does that choice cost you compared with the alternatives?"
                out.append(Probe(quote, ask, "trade_off"))
            break
    return out
