"""Other ways candidates say the talking points that recur across interview questions.

A bank topic lists its own alternatives ("rollback or feature flag",); this table adds the
everyday wordings of the recurring ones, so that "we traced it to a missing null check" covers
"root cause" and "I turned the feature off with its flag" covers "mitigation" in every question
that lists them. Keys are topic names or their last word (lower case); each phrase is matched
like a topic (scoring.keywords: inflections aside, its content words within a short window of
one sentence), so a phrase needs at least one word specific to the point. MiniLM alone puts a
one-phrase topic and a clause that paraphrases it at cosine 0.2-0.5, where unrelated clauses
sit too (tests/scoring/test_talking_points.py): the names people use carry the recall.
"""

from __future__ import annotations

SAYINGS: dict[str, tuple[str, ...]] = {
    # stories: what happened, what I did, how it ended
    "situation": ("at the time", "we were", "there was a"),
    "context": ("at the time", "we were working", "the background"),
    "problem": ("the problem was", "the issue was", "was broken", "kept failing"),
    "request": ("asked me", "wanted me", "asked for", "wanted a", "requested"),
    "goal": ("the goal was", "we wanted to", "the aim was", "target"),
    "action": ("I wrote", "I built", "I created", "I changed", "I set up", "I asked", "I moved", "I added"),
    "action taken": ("I wrote", "I built", "I created", "I set up"),
    "actions": ("I wrote", "I built", "I created", "I changed", "I set up"),
    "your approach": ("I started by", "what I did", "my approach", "I decided to"),
    "approach": ("I started by", "what I did", "my approach", "I decided to"),
    "your contribution": ("my part", "I was responsible", "I built", "I wrote", "my role"),
    "how you helped": ("I helped", "I showed", "I paired", "I sat down with"),
    "outcome": ("in the end", "as a result", "it ended", "we shipped", "turned out", "the result", "we delivered"),
    "result": (
        "in the end",
        "as a result",
        "it ended",
        "the outcome",
        "went from",
        "dropped from",
        "fell from",
        "now finishes",
    ),
    "final outcome": ("in the end", "as a result", "we shipped"),
    "measurable result": ("went from", "dropped from", "fell from", "rose from", "percent", "now takes", "cut the"),
    "measured improvement": ("went from", "dropped from", "fell from", "percent"),
    "reduction in tickets": ("fewer tickets", "tickets fell", "tickets dropped"),
    "impact": ("the effect", "made a difference", "saved", "percent"),
    "lesson learned": ("I learned", "I learnt", "taught me", "since then", "next time", "now I always"),
    "lasting lesson": ("I learned", "taught me", "since then", "now I always"),
    "what you learned": ("I learned", "I learnt", "taught me", "since then"),
    "reflection": ("looking back", "in hindsight", "I would do differently"),
    "recognition": ("thanked me", "praised", "recognised", "recognized", "award"),
    "relationship afterwards": ("still work well", "still work together", "trust me", "good terms"),
    "support gained": ("agreed to try", "got buy-in", "backed", "signed off", "on board"),
    "opportunity spotted": ("saw a chance", "noticed that", "I realised", "I realized"),
    "pattern spotted": ("same question", "same problem", "kept seeing", "again and again", "recurring"),
    "ownership": ("my fault", "my mistake", "I owned", "took responsibility", "I caused"),
    "failure": ("I failed", "went wrong", "my mistake"),
    # evidence and numbers
    "evidence": ("the data", "I counted", "numbers showed", "I measured", "tagged", "screenshots"),
    "data": ("the data", "I counted", "numbers", "metrics"),
    "baseline measurement": ("measured first", "benchmark", "profiled"),
    "baseline": ("I timed", "measured first", "benchmark", "before and after"),
    "bottleneck": ("slowest", "most of the time", "hot spot", "the culprit"),
    # incidents
    "detection": ("noticed", "spotted", "alerted", "caught it", "found out", "we saw", "reported it"),
    "mitigation": ("rolled back", "turned off", "disabled", "hotfix", "workaround", "stop the damage"),
    "root cause": ("traced it to", "turned out", "caused by", "the cause was", "because of a", "the culprit"),
    "prevention": ("so it cannot happen again", "never happens again", "added a test", "added an alert", "checklist"),
    "recovery": ("got back on track", "caught up", "recovered", "fixed it"),
    "fix": ("fixed", "the fix", "patched", "I replaced"),
    "change made": ("I replaced", "I added", "I changed", "I rewrote", "I removed", "I switched"),
    "changes made": ("I replaced", "I added", "I changed", "I rewrote", "I removed"),
    # people
    "communication": (
        "I told",
        "I informed",
        "kept everyone",
        "in the loop",
        "I wrote to",
        "I emailed",
        "updates",
        "I explained",
        "I called",
    ),
    "stakeholder communication": ("I told", "kept everyone", "in the loop", "informed the", "updated the", "wrote to"),
    "proactive communication": ("told them before", "wrote to", "reached out", "kept them updated"),
    "collaboration": ("together", "worked with", "paired", "side by side"),
    "compromise": ("met halfway", "middle ground", "both agreed", "we agreed"),
    "resolution": ("we agreed", "settled", "resolved", "in the end we"),
    "escalation": ("escalate", "raise it with", "my manager", "bring in"),
    "feedback": ("told me", "pointed out", "criticised", "criticized", "comments"),
    "empathy": ("understand how", "frustrating for", "put myself", "I am sorry"),
    "honesty": ("honest", "openly", "admit", "not sure"),
    "follow-up": ("get back to", "check afterwards", "followed up", "follow up"),
    "expected timeline": ("by tomorrow", "by the end of", "reply within", "when they can expect"),
    "finding the answer": ("look it up", "ask a colleague", "knowledge base", "find out"),
    "talking to the client": ("reach out to",),
    # plans
    "clarifying questions": ("a few questions", "ask questions", "ask my manager", "ask what"),
    "stated assumptions": ("what I am assuming", "write down my assumptions", "what I assumed"),
    "early check-in": ("early draft", "first version", "check in"),
    "delivery": ("deliver", "hand it over", "by the date", "ship it"),
    "alternatives": ("instead", "another option", "other options", "alternative"),
    "trade-offs": ("on the other hand", "at the cost of", "the downside", "trade-off"),
    "risk assessment": ("the risk", "could go wrong", "what if", "worst case"),
    "prioritisation": ("most important first", "prioritise", "prioritize", "what matters most", "order of impact"),
    "timeline": ("within a week", "deadline", "schedule"),
    "rollback decision": ("roll back", "rolled back", "revert"),
    "correlating metrics": ("compare the error",),
    "monitoring": ("dashboards", "alerts", "alerting", "track", "watch the"),
    "alerting": ("alerts", "pages us", "get paged", "alarm"),
    "rate limiting": ("throttle", "rate limit", "limit on requests", "requests per"),
    "quotas": ("allowance", "quota", "monthly limit", "per day"),
    # technical
    "invalidation": ("delete the key", "evict", "purge", "clear the cache"),
    "ttl": ("expire", "expires", "time to live"),
    "hit rate": ("cache hits", "hit ratio"),
    "cache-aside": ("on a miss",),
    "keyboard navigation": ("without a mouse", "tab key", "keyboard"),
    "colour contrast": ("contrast",),
    "screen reader labels": ("alt text", "aria label"),
    "semantic html": ("headings in order",),
    "false positives": ("false alarms",),
    "false negatives": ("missed case", "missed cases"),
    "threshold choice": ("cut-off", "cutoff", "threshold"),
    "business cost": ("money",),
    "hypothesis": ("I expect", "I predict", "my guess is"),
    "single variable": ("only one thing",),
    "sample size": ("how many visitors", "how many users", "enough traffic"),
    "success metric": ("the metric", "conversion rate"),
    "test duration": ("two weeks", "at least a week"),
    # sales
    "differentiation": ("what we do that", "we do better", "unlike them"),
    "total cost of ownership": ("full cost", "total cost"),
    "reference customers": ("references", "case study"),
    "walk-away option": ("walk away",),
    # motivation
    "motivation": ("what drew me", "pulled me in", "attracted me", "I love", "I enjoy", "excites me", "got me into"),
    "company mission": ("your mission",),
    "role fit": ("matches my experience", "fit for the role"),
    "fit with the role": ("what this role needs", "matches my experience", "exactly what"),
    "growth": ("learn", "grow", "become a", "next step"),
    "growth goals": ("next step in my career", "become a"),
    "contribution": ("I could help", "I could bring", "help you", "bring my"),
    "team and culture": ("the culture",),
    "type of work": ("the kind of work",),
    "genuine weakness": ("my weakness", "I struggle", "I find it hard"),
    "improvement steps": ("to work on it", "I practise", "I practice", "asked for feedback"),
    "progress": ("it is working", "improved", "better than before"),
    "first project": ("my first",),
    "what you enjoy": ("I enjoy", "I love", "I like most", "favourite part"),
    "awareness of the field": ("recent", "new models", "lately"),
    "practical impact": ("for users", "in practice", "cheaper"),
    "limitations": ("downside", "limitation", "does not work when"),
    "example": ("for example", "for instance", "one time", "once when"),
    "specific example": ("for example", "for instance", "one time"),
    "concrete example": ("for example", "for instance", "one time"),
}


def sayings(name: str) -> tuple[str, ...]:
    """Everyday wordings of a topic name: by the whole name, else by its last word."""
    key = name.strip().lower()
    found = SAYINGS.get(key)
    if found is None and " " in key:
        found = SAYINGS.get(key.rsplit(" ", 1)[-1])
    return found or ()


#: Words that say the same thing in a talking point, whatever the topic: a topic's content word
#: is matched by any word of its group ("talk to the client" by "phone the client", "cap on
#: requests" by "limit on requests"). Groups are of everyday words, not of one question's
#: answers; a word ambiguous in interviews ("check", "like", "make", "see", "write") is in none.
WORD_GROUPS: tuple[tuple[str, ...], ...] = (
    ("talk", "speak", "call", "phone", "ring", "email", "contact", "message", "chat"),
    ("tell", "inform", "notify", "warn", "announce"),
    ("ask", "request", "query"),
    ("delete", "remove", "evict", "purge"),
    ("expire", "expiry", "expiration", "lifetime"),
    ("measure", "track", "count", "profile", "benchmark", "quantify"),
    ("customer", "client", "buyer"),
    ("fix", "repair", "patch", "resolve", "solve"),
    ("change", "modify", "alter", "adjust", "tweak"),
    ("build", "create", "develop", "implement"),
    ("notice", "spot", "detect", "discover"),
    ("problem", "issue", "bug", "defect", "fault"),
    ("slow", "sluggish", "laggy"),
    ("cost", "price", "expense"),
    ("mistake", "error"),
    ("goal", "aim", "objective", "mission", "purpose"),
    ("limit", "cap", "ceiling", "throttle", "restrict"),
    ("reason", "rationale"),
    ("honest", "openly", "frank", "candid", "truthful", "transparent"),
    ("promise", "pledge"),
    ("expect", "predict", "anticipate"),
    ("graph", "chart", "curve", "plot"),
    ("compare", "correlate"),
    ("revert", "undo"),
    ("guide", "article", "document", "doc", "faq", "tutorial"),
    ("enjoy", "love"),
    ("relationship", "rapport"),
    ("deliver", "ship", "submit"),
    ("assumption", "assume", "presume"),
    ("prevent", "avoid"),
    ("result", "outcome"),
    ("weakness", "flaw", "shortcoming"),
    ("team", "colleague", "teammate"),
    ("user", "visitor"),
    ("duration", "length"),
)


def _group_keys() -> dict[str, str]:
    from scoring.lemma import stem

    keys: dict[str, str] = {}
    for group in WORD_GROUPS:
        head = stem(group[0])
        for word in group:
            keys.setdefault(stem(word), head)
    return keys


_KEYS = _group_keys()


def word_key(stemmed: str) -> str:
    """The comparison key of a stemmed word: its WORD_GROUPS head's stem, else itself."""
    return _KEYS.get(stemmed, stemmed)
