"""The probe table for systems answers (caching and data stores, releases and operations): each row
is a design choice a candidate may name, the question a good interviewer asks about it, its kind
(depth | edge_case | trade_off) and what the answer says when it already dealt with that (the
row is then skipped). Rows are regular expressions, matched case-insensitively at a word start;
questions are worded for any tense and never repeat a talking point's label.
"""

from __future__ import annotations

#: (pattern in the answer, question, kind, unless: the answer already says this). Most specific
#: first: the first choice in this order that the rules accept is asked (interview/tech_probes.py).
SYSTEMS_CHOICES: tuple[tuple[str, str, str, str], ...] = (
    # caching and data
    (
        r"delet\w* (?:the |its |their )?(?:affected )?(?:keys?|entr(?:y|ies))|evict\w*|purg\w*",
        "what happens if a read puts the old value back just after that delete?",
        "edge_case",
        r"race|version|lease|old value back|delete (?:it |them )?(?:again|twice)|(?:second|delayed) delete",
    ),
    (
        r"only one request rebuilds|one of them rebuild|single flight|request coalescing",
        "what do the waiting requests do if that one rebuild is slow or fails?",
        "edge_case",
        r"timeout|old value|stale value|rebuild (?:is slow|fails|failed)",
    ),
    (
        r"cache[- ]aside|on a miss|looks in (?:redis|the cache) first|reads? from the cache first",
        "what happens to reads and writes when the cache node itself is down?",
        "edge_case",
        (
            r"(?:cache|redis)(?: node)? (?:is |goes |went )?down|fall back to the database|straight to the database|"
            r"without the cache"
        ),
    ),
    (
        r"time to live|\bttl\b|expir\w* (?:after|on its own)|lives? for",
        "how would you pick that lifetime, and what do users see until it runs out?",
        "trade_off",
        r"",
    ),
    (
        r"\bredis\b|memcached",
        "what happens to your reads when that Redis node restarts empty?",
        "edge_case",
        r"restarts?|warm(?:s|ed|ing)? (?:it )?up|cold (?:cache|start)|persist|snapshot|\baof\b|replica",
    ),
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
        r"replication lag|\blag\b|read (?:your|their) own writes|from the primary|stale reads?",
    ),
    (
        r"shard\w*|partition\w*",
        "what happens when one key gets far more traffic than the rest?",
        "edge_case",
        r"hot|skew|uneven",
    ),
    (
        r"idempotency keys?|request ids?|dedupl\w*",
        "what happens when two copies of one request arrive at the very same moment?",
        "edge_case",
        r"unique constraint|(?:same|very same) (?:moment|time)|concurrent|simultaneous|\block",
    ),
    (
        # "If the worker fails, the job is retried": the failure is dealt with; what is left is
        # how the queue learns of it (issue #12's QA walk J11 asked what happens to a job whose
        # worker crashes, quoting the answer's queue sentence instead).
        (
            r"(?:job|task|message)s? (?:is|are|gets?|will be) (?:retried|requeued|put back)"
            r"|retr(?:y|ies) (?:the|that|a) (?:failed )?(?:job|task)"
        ),
        "how would the queue know that the worker died halfway through, and not just slowly?",
        "edge_case",
        r"heartbeat|visibility timeout|acknowledg\w*|\backs?\b|lease|time ?out",
    ),
    (
        r"\bretr(?:y|ies|ied)\b",
        "how do you keep those retries from piling onto a service that is already struggling?",
        "edge_case",
        r"back ?off|jitter|circuit breaker|retry budget|(?:max(?:imum)?|at most|limit (?:the|of)) (?:\w+ )?retr",
    ),
    (
        r"(?:message|job|task) queues?|(?:on|to|onto) (?:a|the) queue|background (?:job|worker)s?|queue workers?",
        "what happens to a job whose worker crashes halfway through it?",
        "edge_case",
        (
            r"dead[- ]letter|retr(?:y|ies|ied)|idempoten\w*|worker (?:fails|failed|crashes|crashed|dies|died)|"
            r"visibility timeout|acknowledg\w*|heartbeat"
        ),
    ),
    (
        r"\block(?:s|ing)?\b|database transactions?",
        "what happens when two requests need the same rows at the same moment?",
        "edge_case",
        r"deadlock|lock order|same rows|optimistic|version (?:column|number)|for update",
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
        r"in flight|cancel\w*",
    ),
    (r"\bbatch\w*", "how would you choose how long to wait for a batch to fill?", "trade_off", r""),
    (
        r"\bcdn\b|content delivery network",
        "how would you handle content that changes while the CDN still serves the old copy?",
        "edge_case",
        r"purge|invalidat|cache[- ]bust\w*|versioned|hash in the (?:file ?)?name|short (?:ttl|lifetime)",
    ),
    (
        r"\bcach(?:e|es|ing)\b",
        "what would you do when a cached result is no longer right?",
        "edge_case",
        r"stale|invalidat|\bttl\b|time to live|expir\w*|delet\w* (?:the |its )?(?:key|entry)|evict\w*|out of date",
    ),
    # releases and operations
    (
        r"feature (?:flags?|toggles?)",
        "what happens to users already halfway through a flow when you switch it off?",
        "edge_case",
        r"halfway|mid-?flow|in the middle of|existing sessions",
    ),
    (
        r"canar(?:y|ies)",
        "which numbers would make you stop it, and how soon would you see them?",
        "depth",
        r"",
    ),
    (
        r"blue[- ]green",
        "what do you do about database changes the old version cannot read?",
        "edge_case",
        r"backwards?[- ]compatible|expand and contract|migration|schema",
    ),
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
        r"before it (?:writes|logs)|no logs|(?:empty|nothing in the) logs|exit code",
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
)
