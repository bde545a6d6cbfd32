"""Probes of what a candidate proposed in a technical answer: the design choice, the tool, the
number, quoted back with the question a good interviewer would ask about its depth, edge case
or trade-off ("You said “on writes we delete the affected keys”: what happens if a read puts
the old value back just after that delete?").

Each probe is worded for an answer in any tense (what they did or what they would do), never
repeats a talking point's label (interview.followup_rules would reject it: the quotation is
grounding, the question's own words are its subject), and is skipped when the answer already
deals with what it asks (`unless`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from interview.answer_text import has_quantity

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


# (pattern in the answer, question, kind, unless: the answer already says this). Most specific
# first: the first choice in this order that the rules accept is asked.
_CHOICES: tuple[tuple[str, str, str, str], ...] = (
    # caching and data
    (
        r"delet\w* (?:the |its |their )?(?:affected )?(?:keys?|entr(?:y|ies))|evict\w*|purg\w*",
        "what happens if a read puts the old value back just after that delete?",
        "edge_case",
        r"race|version|lease",
    ),
    (
        r"only one request rebuilds|one of them rebuild|single flight|request coalescing",
        "what do the waiting requests do if that one rebuild is slow or fails?",
        "edge_case",
        r"timeout|old value|stale value",
    ),
    (
        r"cache[- ]aside|on a miss|looks in (?:redis|the cache) first|reads? from the cache first",
        "what happens to reads and writes when the cache node itself is down?",
        "edge_case",
        r"cache (?:node )?(?:is )?down|fall back to the database",
    ),
    (
        r"time to live|\bttl\b|expir\w* (?:after|on its own)|lives? for",
        "how would you pick that lifetime, and what do users see until it runs out?",
        "trade_off",
        r"",
    ),
    (r"\bredis\b|memcached", "what happens to your reads when that Redis node restarts empty?", "edge_case", r""),
    (
        r"columns? (?:we|you|i|they) (?:filter|join|query|search|sort)",
        "how would you decide their order when one index spans two of them?",
        "depth",
        r"column order|composite",
    ),
    (
        r"\bindex(?:es)?\b",
        "how would you confirm queries really use it, and what does it cost every write?",
        "trade_off",
        r"explain|query plan|slower (?:writes|inserts)|every write",
    ),
    (
        r"read replicas?|replicas?\b",
        "what does a user see when they read from a replica right after their own write?",
        "edge_case",
        r"replication lag",
    ),
    (r"shard\w*|partition\w*", "what happens when one key gets far more traffic than the rest?", "edge_case", r"hot"),
    (
        r"idempotency keys?|request ids?|dedupl\w*",
        "what happens when two copies of one request arrive at the very same moment?",
        "edge_case",
        r"unique constraint",
    ),
    (
        r"\bretr(?:y|ies|ied)\b",
        "how do you keep those retries from piling onto a service that is already struggling?",
        "edge_case",
        r"backoff|jitter",
    ),
    (
        r"(?:message|job|task) queues?|(?:on|to|onto) (?:a|the) queue|background (?:job|worker)s?|queue workers?",
        "what happens to a job whose worker crashes halfway through it?",
        "edge_case",
        r"dead[- ]letter",
    ),
    (
        r"\block(?:s|ing)?\b|database transactions?",
        "what happens when two requests need the same rows at the same moment?",
        "edge_case",
        r"deadlock",
    ),
    (
        r"rate[- ]limit\w*|throttl\w*|per[- ]client limit|limit on requests|cap on",
        "how would you pick the number, and what does a client see when they hit it?",
        "trade_off",
        r"429|retry-after",
    ),
    (
        r"fall ?back|fallback",
        "how would you notice that the fallback is answering far more often than it should?",
        "depth",
        r"",
    ),
    (
        r"(?:set|add|use|with) (?:a |the )?timeouts?|timeouts? (?:of|after)|times? out\b",
        "how would you choose that timeout, and what happens to work already in flight?",
        "edge_case",
        r"",
    ),
    (r"\bbatch\w*", "how would you choose how long to wait for a batch to fill?", "trade_off", r""),
    (
        r"\bcdn\b|content delivery network",
        "how would you handle content that changes while the CDN still serves the old copy?",
        "edge_case",
        r"purge|invalidat",
    ),
    (
        r"\bcach(?:e|es|ing)\b",
        "what would you do when a cached result is no longer right?",
        "edge_case",
        r"stale|invalidat",
    ),
    # releases and operations
    (
        r"feature (?:flags?|toggles?)",
        "what happens to users already halfway through a flow when you switch it off?",
        "edge_case",
        r"",
    ),
    (
        r"canar(?:y|ies)",
        "which numbers would make you stop it, and how soon would you see them?",
        "depth",
        r"",
    ),
    (r"blue[- ]green", "what do you do about database changes the old version cannot read?", "edge_case", r""),
    (
        r"roll(?:ed|ing)? ?back|revert\w*",
        "what would you do if the release had already changed the database schema?",
        "edge_case",
        r"migration|schema",
    ),
    (
        r"kubectl describe|the events\b",
        "what would you look at next if the events show nothing unusual?",
        "depth",
        r"",
    ),
    (
        r"logs? of the previous container|--previous|previous container",
        "what would you do if the container dies before it writes a single line?",
        "edge_case",
        r"",
    ),
    (
        r"(?:check|read|look at) the logs\b",
        "what would you look for in them first, and what if they show nothing useful?",
        "depth",
        r"",
    ),
    (
        r"memory limit|out of memory|\boom\b|oomkill\w*",
        "how would you tell a real leak from a limit that is simply set too low?",
        "depth",
        r"leak",
    ),
    (
        r"liveness probe|readiness probe",
        "how would you set it for an app that needs a whole minute to start?",
        "edge_case",
        r"startup probe|initial delay",
    ),
    (
        r"config ?maps?|secrets?\b|environment variables?",
        "how would you catch a missing setting before the pod is even deployed?",
        "depth",
        r"",
    ),
    (
        r"\blsof\b|held open|still open",
        "how would you free that space without restarting the process?",
        "depth",
        r"restart",
    ),
    (
        r"error budget",
        "what would you do if the budget was already spent and the business still wanted the release?",
        "trade_off",
        r"",
    ),
    (
        r"alert\w*|dashboards?|monitor\w*",
        "which signal would warn you first, and how would you keep it from firing for nothing?",
        "depth",
        r"false alarm|noise",
    ),
    # data and experiments
    (
        r"(?:decision )?threshold|cut-?off",
        "how would you check that it still holds once the data starts to shift?",
        "edge_case",
        r"drift|recalibrat|monitor",
    ),
    (
        r"how many visitors|sample size|calculator|power analysis",
        "what would you do if your traffic could not reach that number in a reasonable time?",
        "edge_case",
        r"",
    ),
    (
        r"guardrails?|counter[- ]metrics?",
        "what would you do if a guardrail moved the wrong way while the main number improved?",
        "trade_off",
        r"",
    ),
    (
        r"within (?:a|one|two|three|\d+) (?:hours?|days?|weeks?|months?)",
        "why that window, and what would a shorter or a longer one miss?",
        "depth",
        r"",
    ),
    (
        r"(?:sign[- ]up|conversion|click[- ]through) rate|the metric\b|primary metric",
        "what would you do if that number went up but something else you care about went down?",
        "trade_off",
        r"guardrail|counter[- ]metric",
    ),
    (
        r"do not stop early|don't stop early|stop early|peek\w*",
        "what would you say to a manager who wants to stop as soon as one version looks ahead?",
        "trade_off",
        r"",
    ),
    (
        r"see which (?:one|version|page)|which (?:one|version) (?:does|did|works|performs) better",
        "how would you know the difference is real and not just chance?",
        "depth",
        r"significan|chance|sample size|how many visitors",
    ),
    (
        r"cross[- ]validat\w*|hold[- ]?out|validation set",
        "how would you make sure no information leaks between those splits?",
        "edge_case",
        r"leak",
    ),
    (
        r"imput\w*|fill (?:in|them) with|the (?:mean|median)\b",
        "how would you check that filling those gaps did not bias the model?",
        "depth",
        r"",
    ),
    (
        r"regulari[sz]\w*|dropout|early stopping",
        "how would you decide how strong to make it?",
        "depth",
        r"",
    ),
    (
        r"learning rate",
        "how would you pick it, and what would you change if the loss stopped going down?",
        "depth",
        r"schedul|warm-?up",
    ),
    (r"fine[- ]?tun\w*", "how would you know the tuned model has not forgotten what it knew before?", "depth", r""),
    (
        r"embeddings?|vector (?:database|store|index)",
        "how would you measure whether retrieval is any good?",
        "depth",
        r"",
    ),
    # front end and design
    (
        r"real buttons|right elements|semantic (?:html|elements)|headings in order",
        "what would you do for a custom widget that has no native element, like a date picker?",
        "edge_case",
        r"aria-|role=",
    ),
    (
        r"tab key|keyboard|focus (?:ring|order)|focus moves",
        "how would you handle focus when a dialog opens and closes?",
        "edge_case",
        r"modal|dialog|focus trap",
    ),
    (
        r"contrast|four and a half to one|4\.5",
        "how would you check text that sits on top of an image or a gradient?",
        "edge_case",
        r"",
    ),
    (
        r"screen readers?|aria\b|assistive",
        "how would you check what a screen reader actually announces?",
        "depth",
        r"voiceover|nvda|jaws",
    ),
    (r"use ?memo|react\.memo|memoi[sz]\w*", "when does memoising cost more than it saves?", "trade_off", r""),
    (
        r"virtuali[sz]\w*|windowing|only render the (?:visible )?rows",
        "what happens to the browser's find-in-page and to screen readers when most rows are not rendered?",
        "edge_case",
        r"",
    ),
    (
        r"lazy[- ]load\w*|code[- ]split\w*",
        "how would you avoid a blank gap when that part is needed at once?",
        "edge_case",
        "",
    ),
    (r"web ?sockets?", "what happens to the edits made while the connection is down?", "edge_case", r"offline|queue"),
    (
        (
            r"user interviews?|talk(?:ed)? to users"
            r"|interview\w* (?:our |the |some |a few )?(?:\w+ ){0,2}(?:users|customers)"
        ),
        "how would you keep your questions from leading people to the answer you hoped for?",
        "depth",
        r"leading",
    ),
    (
        r"think(?:ing)? aloud",
        "how would you keep thinking aloud from changing how people use the product?",
        "depth",
        r"",
    ),
    (r"prototyp\w*", "what would you do if the prototype tested well but the real thing did not?", "edge_case", r""),
    (r"survey\w*", "how would you tell whether the people who answered represent everyone else?", "depth", r"bias"),
    # sales, marketing and support
    (r"discount\w*", "what would you ask for in return, and where is your limit?", "trade_off", r"in return"),
    (
        r"economic buyer|decision[- ]makers?",
        "how do you find the economic buyer when your contact will not tell you who it is?",
        "depth",
        r"",
    ),
    (
        r"\bslas?\b|sla clock|service level",
        "what do you do when two tickets are about to breach it at the same moment?",
        "edge_case",
        r"",
    ),
    (r"champion\w*", "how would you test that your champion really has influence?", "depth", r""),
    (r"segment\w*", "how would you know the segments behave differently enough to matter?", "depth", r""),
    (r"macros?\b|templates?\b", "how do you keep a template reply from sounding like one?", "trade_off", r""),
    (r"escalat\w*", "what exactly makes an issue worth escalating, and what do you include?", "depth", r""),
    (
        r"chatbot\w*|\bbot\b",
        "how would the customer reach a person when the bot gets it wrong?",
        "edge_case",
        r"hand ?off",
    ),
)
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
