"""The probe table for data, product and people answers (experiments and models, front end and
design, sales, marketing and support), in the shape of interview/tech_probes_systems.py: (pattern,
question, kind, unless), most specific first.
"""

from __future__ import annotations

#: (pattern in the answer, question, kind, unless: the answer already says this). Most specific
#: first: the first choice in this order that the rules accept is asked (interview/tech_probes.py).
PRODUCT_CHOICES: tuple[tuple[str, str, str, str], ...] = (
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
        r"not enough (?:traffic|visitors|users)|too (?:little|low) traffic|run it longer|bigger change",
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
        r"on (?:top of )?(?:an |the )?(?:image|gradient|photo)|overlay",
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
        r"find[- ]in[- ]page|screen readers?|aria-rowcount",
    ),
    (
        r"lazy[- ]load\w*|code[- ]split\w*",
        "how would you avoid a blank gap when that part is needed at once?",
        "edge_case",
        r"placeholder|skeleton|preload\w*|prefetch\w*|spinner",
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
    (
        r"prototyp\w*",
        "what would you do if the prototype tested well but the real thing did not?",
        "edge_case",
        r"real thing|after (?:the )?launch|in production",
    ),
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
        r"\bbreach\w*|two tickets|at the same (?:moment|time)",
    ),
    (r"champion\w*", "how would you test that your champion really has influence?", "depth", r""),
    (r"segment\w*", "how would you know the segments behave differently enough to matter?", "depth", r""),
    (r"macros?\b|templates?\b", "how do you keep a template reply from sounding like one?", "trade_off", r""),
    (r"escalat\w*", "what exactly makes an issue worth escalating, and what do you include?", "depth", r""),
    (
        r"chatbot\w*|\bbot\b",
        "how would the customer reach a person when the bot gets it wrong?",
        "edge_case",
        r"hand ?off|hand (?:it )?over|(?:a |real )(?:person|human|agent)\b|talk to someone",
    ),
)
