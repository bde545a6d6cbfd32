"""Cheap, deterministic reading of an answer transcript for the follow-up rules: does it give
numbers, does it tell a concrete story, which specific terms did the candidate use.

Transcripts come from speech recognition, so numbers may be digits ("40%") or words ("forty
percent"), and there is no reliable capitalisation to lean on; the term vocabulary below is
matched case-insensitively and the capitalised-word heuristic is only a fallback.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from interview.quotes import phrase_quote

_NUMBER_WORDS = (
    "two three four five six seven eight nine ten eleven twelve fifteen twenty thirty forty fifty "
    "sixty seventy eighty ninety tens hundred hundreds thousand thousands million millions billion "
    "dozen dozens half twice double doubled triple tripled quadrupled percent"
)
_QUANTITY_RE = re.compile(
    r"\d|[$€£]|%|\b(?:" + "|".join(_NUMBER_WORDS.split()) + r")\b",
    re.IGNORECASE,
)
_CONCRETE_RE = re.compile(
    r"\b(?:for example|for instance|specifically|in particular|at my (?:last|previous|current) "
    r"(?:job|company|role|team)|in my (?:last|previous|current) (?:job|company|role|team)|"
    r"when i was|last (?:year|quarter|month|week|sprint)|one time|i remember|the project was|"
    r"(?:i|we) (?:led|built|shipped|wrote|designed|migrated|launched|reduced|increased|cut|fixed|"
    r"rolled out|rolled back|set up|introduced|replaced|rewrote|created|ran|organised|organized|"
    r"negotiated|closed|interviewed|presented))\b",
    re.IGNORECASE,
)
_HEDGE_RE = re.compile(
    r"\b(?:usually|generally|typically|normally|things like that|stuff like that|and so on|"
    r"kind of|sort of|i guess|i think i would|it depends|basically|various|some things)\b",
    re.IGNORECASE,
)
_WORD_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9'+#./-]*")


@dataclass(frozen=True, slots=True)
class Term:
    """A specific thing the candidate mentioned, and the probe it deserves."""

    text: str
    probe: str
    #: The candidate's own words that named it (quoted back in "You mentioned ...").
    said: str = ""


# (shown as, pattern, what to ask about it). Ordered roughly from most to least specific; the
# earliest mention in the answer wins among equals.
_VOCABULARY: tuple[tuple[str, str, str], ...] = (
    ("blue-green deployments", r"blue[- ]green(?: deploy\w*)?", "how did you handle rollback?"),
    (
        "canary releases",
        r"canar(?:y|ies)(?: releases?| deploy\w*)?",
        "which metrics decided whether to continue or roll back?",
    ),
    ("feature flags", r"feature (?:flags?|toggles?)", "how did you keep old flags from piling up?"),
    ("rollbacks", r"roll(?:ed)?[- ]?backs?|rolled back", "how long did a rollback take, and had you rehearsed it?"),
    ("Kubernetes", r"kubernetes|k8s", "how did you size resource requests and limits?"),
    ("Terraform", r"terraform", "how did you manage state and review changes safely?"),
    ("Docker", r"docker", "how did you keep images small and secure?"),
    ("Kafka", r"kafka", "how did you handle ordering and duplicate messages?"),
    ("message queues", r"(?:message )?queues?|rabbitmq|sqs", "what happened to messages that kept failing?"),
    ("Redis", r"redis", "what did you do about cache invalidation?"),
    ("caching", r"cach(?:e|es|ing)", "how did you keep the cache from serving stale data?"),
    ("database indexes", r"index(?:es)?|indices", "how did you confirm the index was actually used?"),
    ("sharding", r"shard(?:s|ing|ed)?", "how did you choose the shard key?"),
    ("replication", r"replica(?:s|tion)?", "how did you deal with replication lag?"),
    ("microservices", r"micro[- ]?services?", "how did you handle failures between services?"),
    ("rate limiting", r"rate[- ]limit\w*|throttl\w*", "how did you pick the limits?"),
    ("idempotency", r"idempoten\w*", "where did you store the idempotency keys, and for how long?"),
    ("retries", r"retr(?:y|ies|ied)", "how did you avoid retry storms?"),
    (
        "monitoring and alerts",
        r"alert(?:s|ing)?|monitoring|on[- ]call|pager\w*",
        "which signal would have told you first that something was wrong?",
    ),
    ("a postmortem", r"post[- ]?mortems?|retrospectives?|retros?\b", "which action item made the biggest difference?"),
    (
        "CI/CD",
        r"ci ?/ ?cd|continuous (?:integration|delivery|deployment)|(?:build|deploy\w*|ci|release) pipelines?",
        "what did you do about slow or flaky stages?",
    ),
    (
        "unit tests",
        r"unit tests?|integration tests?|end[- ]to[- ]end tests?|test coverage",
        "which kinds of bugs did those tests actually catch?",
    ),
    ("code reviews", r"code reviews?|pull requests?", "what do you look for first in a review?"),
    ("React", r"react(?:\.?js)?\b", "how did you manage state and re-renders?"),
    ("TypeScript", r"typescript", "how strict was the configuration, and was it worth it?"),
    ("server-side rendering", r"server[- ]side render\w*|ssr\b", "how did you handle hydration issues?"),
    ("accessibility", r"accessib\w*|screen readers?|a11y", "how did you test with assistive technology?"),
    ("a design system", r"design systems?|component librar(?:y|ies)", "how did you get other teams to adopt it?"),
    (
        "A/B tests",
        r"a ?/ ?b test\w*|split test\w*|experiments?",
        "how did you decide the sample size and when to stop?",
    ),
    (
        "statistical significance",
        r"statistical(?:ly)? significan\w*|p[- ]values?|confidence intervals?",
        "what would you have done if the result had been borderline?",
    ),
    ("cross-validation", r"cross[- ]validat\w*", "how did you make sure the folds did not leak information?"),
    (
        "feature engineering",
        r"feature engineering|feature importance",
        "which feature mattered most, and how did you find out?",
    ),
    ("overfitting", r"overfit\w*|regulari[sz]\w*", "how did you notice it?"),
    ("model drift", r"drift\w*", "how did you detect it before it hurt the business?"),
    ("embeddings", r"embeddings?|vector (?:database|store|index)", "how did you evaluate retrieval quality?"),
    ("fine-tuning", r"fine[- ]?tun\w*", "how did you avoid overfitting such a small dataset?"),
    ("a feature store", r"feature stores?", "how did you keep training and serving features consistent?"),
    ("SQL", r"sql\b|window functions?", "how did you check the query was correct and fast enough?"),
    ("dashboards", r"dashboards?|tableau|looker|power ?bi", "who used it, and which decision did it change?"),
    (
        "user interviews",
        r"user interviews?|customer interviews?|talked to (?:users|customers)",
        "how many people did you talk to, and what surprised you?",
    ),
    ("usability testing", r"usability test\w*|user test\w*", "what did you change because of it?"),
    ("prototypes", r"prototyp\w*|wireframes?|mock[- ]?ups?", "what did the prototype help you rule out?"),
    ("personas", r"personas?", "what evidence were they based on?"),
    ("a roadmap", r"road ?maps?", "how did you decide what dropped off it?"),
    ("OKRs", r"okrs?|key results?", "how did you pick the key results?"),
    (
        "prioritisation frameworks",
        r"rice\b|moscow|prioriti[sz]ation framework",
        "when did the framework give an answer you overruled?",
    ),
    ("stakeholders", r"stakeholders?", "which stakeholder was hardest to bring along, and why?"),
    ("churn", r"churn\w*", "how did you define churn and measure it?"),
    ("NPS", r"\bnps\b|net promoter", "what did you do with the detractors' comments?"),
    ("the CRM", r"\bcrm\b|salesforce|hubspot", "how did you keep the data in it trustworthy?"),
    ("discovery calls", r"discovery calls?|discovery", "what question uncovers the real pain for you?"),
    ("objections", r"objections?", "which objection is hardest for you, and how do you answer it?"),
    ("a champion", r"champions?", "how did you test that they really had influence?"),
    (
        "the pipeline",
        r"sales pipeline|pipeline (?:coverage|reviews?)|deals? in (?:the|my|our) pipeline",
        "how did you decide which deals were real?",
    ),
    ("negotiation", r"negotiat\w*|discounts?", "what was your walk-away point?"),
    ("SEO", r"\bseo\b|search rankings?|organic search", "how did you measure the effect of your changes?"),
    ("attribution", r"attribution|last[- ]click|multi[- ]touch", "how much did you trust the model, and why?"),
    ("the funnel", r"funnels?|conversion rates?", "which step lost the most people, and why?"),
    ("segmentation", r"segment(?:s|ation|ed)?", "how did you choose the segments?"),
    ("escalations", r"escalat\w*", "what made you decide it needed escalating?"),
    (
        "the knowledge base",
        r"knowledge base|help (?:center|centre) articles?|macros?",
        "how did you know it reduced tickets?",
    ),
    ("SLAs", r"\bslas?\b|service level", "what happened when you were about to breach it?"),
    ("customer satisfaction", r"csat|customer satisfaction", "what did you change when the score dropped?"),
)
# A term must end at a word boundary too: "retr(y|ies)" must not fire inside another word.
_COMPILED = tuple(
    (shown, re.compile(r"\b(?:" + pattern + r")\b", re.IGNORECASE), probe) for shown, pattern, probe in _VOCABULARY
)
_DEFAULT_PROBE = "how exactly does that part work, and where would it break first?"
# Words that are capitalised or upper-case in transcripts without being interesting.
_COMMON_CAPS = frozenset(
    "I I'M I'VE I'D I'LL OK OKAY SO AND BUT THE A AN WE MY IT THEN WELL YES NO ALSO AFTER WHEN "
    "MONDAY TUESDAY WEDNESDAY THURSDAY FRIDAY SATURDAY SUNDAY JANUARY FEBRUARY MARCH APRIL MAY "
    "JUNE JULY AUGUST SEPTEMBER OCTOBER NOVEMBER DECEMBER CEO CTO CFO VP HR US UK EU Q1 Q2 Q3 Q4".split()
)


#: Fillers a quotation leaves out ("the deploy time and, um, check" is quoted "the deploy time
#: and check"): hesitations, and the discourse fillers when set off by a comma.
_FILLERS = re.compile(r",?\s*\b(?:um+|uh+|erm|hmm+)\b,?|,?\s*\b(?:like|you know|i mean),(?=\s)", re.IGNORECASE)
#: "like," after these is the verb ("the ones I like, and"), not a filler.
_LIKES = re.compile(r"\b(?:i|you|we|they|would|'d|do|don't|did|didn't)\s*$", re.IGNORECASE)


def without_fillers(text: str) -> str:
    """The answer as a person would quote it: fillers dropped, every other word kept in order."""

    def drop(match: re.Match[str]) -> str:
        said = match.group().strip(" ,").lower()
        return match.group() if said == "like" and _LIKES.search(text[: match.start()]) else ""

    return re.sub(r"^[\s,]+", "", _FILLERS.sub(drop, text))


def word_count(text: str) -> int:
    return len(_WORD_RE.findall(text))


def has_quantity(text: str) -> bool:
    """Numbers, percentages, money, multiples or time spans with a count ("three weeks")."""
    return bool(_QUANTITY_RE.search(text))


def quantity_end(text: str) -> int:
    """Where the first quantity of `text` ends (0 when it has none): a quotation of a number
    the candidate chose must reach it."""
    found = _QUANTITY_RE.search(text)
    return found.end() if found else 0


def has_concrete_marker(text: str) -> bool:
    """Signs of a specific story: "for example", "last quarter", "we migrated", ..."""
    return bool(_CONCRETE_RE.search(text))


def hedge_count(text: str) -> int:
    return len(_HEDGE_RE.findall(text))


def salient_terms(answer: str, *, exclude: str = "") -> list[Term]:
    """Specific terms the candidate used, most specific first, skipping any that already appear
    in `exclude` (the question), since probing the question's own words adds nothing."""
    found: list[tuple[int, int, Term]] = []
    for rank, (shown, pattern, probe) in enumerate(_COMPILED):
        match = pattern.search(answer)
        if match and not pattern.search(exclude):
            found.append((rank, match.start(), Term(shown, probe, match.group())))
    # Fallback for technologies outside the vocabulary: an acronym or a capitalised word in
    # the middle of a sentence ("we moved to Cassandra"), which ASR output usually keeps.
    excluded = exclude.lower()
    for match in re.finditer(r"(?<=[a-z,] )([A-Z][A-Za-z0-9+#]{2,}|[A-Z]{2,5}s?)\b", answer):
        word = match.group(1)
        if word.upper() in _COMMON_CAPS or word.lower() in excluded:
            continue
        found.append((len(_COMPILED), match.start(), Term(word, _DEFAULT_PROBE, word)))
    found.sort(key=lambda item: (item[0], item[1]))
    unique: dict[str, Term] = {}
    for _, _, term in found:
        unique.setdefault(term.text.lower(), term)
    return list(unique.values())


_CLAUSE_SPLIT = re.compile(
    r"(?<=[.!?;:])\s+|,\s+(?:and |but |so |then )?|\s+(?=(?:and then|but|so|because)\b)", re.IGNORECASE
)
_VAGUE_CLAIM = re.compile(
    r"\b(?:do|did|done|doing) (?:some|something|things|stuff)\b|\bsome (?:improvements|things|changes|tools)\b|"
    r"\blook(?:ed)? into it\b|\bfigure(?:d)? it out\b|\bmy best\b|\bsort(?:ed)? (?:it|things) out\b|"
    r"\bgood (?:company|fit|things)\b|"
    r"\bmake things (?:better|faster|good)\b|\bcheck (?:some|a few) things\b|\bsee what happens\b|"
    r"\bit depends\b|\bdepending on the (?:case|situation)\b|\b(?:where|when) it makes sense\b|\btry to find out\b|"
    r"\bthings like that\b|\bbe careful\b|\bdo what i think is right\b",
    re.IGNORECASE,
)


def _clauses(text: str) -> list[str]:
    return [c.strip(" ,.;:!?") for c in _CLAUSE_SPLIT.split(text) if c and len(c.split()) >= 3]


def vague_claim(answer: str) -> str | None:
    """The candidate's own words of their vaguest claim ("made some improvements to the code"),
    a whole phrase of it (interview.quotes), to be quoted back; None when nothing in the answer
    is vague."""
    for clause in _clauses(answer):
        found = _VAGUE_CLAIM.search(clause)
        quote = phrase_quote(clause, found.start(), must_reach=found.end()) if found else None
        if quote:
            return quote
    return None


def first_step(answer: str) -> str | None:
    """The candidate's first proposed step ("put a per-client limit on requests at the gateway"),
    from the first clause saying what they would do; None when there is none."""
    for clause in _clauses(answer):
        found = re.search(
            r"\b(?:i(?:'d| would| will|'ll)|i start by|start by)\s+"
            r"(?:first\s+|starts? (?:by|with)\s+|begins? (?:by|with)\s+)?(.+)",
            clause,
            re.IGNORECASE,
        )
        # "I would not take their word for it" says what they would not do, and "I would be
        # honest" how they would be: neither is a step that can fail.
        if (
            found
            and len(found.group(1).split()) >= 3
            and not re.match(r"(?:not|never|n't|be|stay|remain|keep calm)\b", found.group(1), re.IGNORECASE)
        ):
            quote = phrase_quote(found.group(1))
            if quote:
                return quote
    return None
