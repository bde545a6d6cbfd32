"""A story from the candidate's own work, told to answer an abstract question.

"What is a weakness you are working on?" answered with what happened ("A year ago my lead
pointed out that I said yes to every request ... Now I keep a list of what I have promised")
answers it for a person, who reads the story as evidence about the candidate. MiniLM does not:
the story shares few words with the question (cosine 0.0-0.2, where hobbies told instead of an
answer also sit), so such answers read relevance 0-15 and were capped as off topic.

What tells them apart from an answer about something else is not their similarity but what
they are: a narrative of the candidate's own (several past-tense sentences with "I"/"we", the
candidate acting in at least one: "I spent two afternoons pairing with her"), set
at work (workplace words: a team, a release, a customer; hobbies have none, or one "on the
train to work"). Pure regular expressions, deterministic.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

#: Words that set a story at work. Two different ones are needed: "I read on the train to
#: work" is not a work story.
_WORKPLACE = re.compile(
    r"\b(?:team(?:mate)?s?|colleagues?|co-?workers?|manager|(?:my|our|the|tech|team) lead|boss|directors?|"
    r"customers?|clients?|users?|projects?|releases?|deploy\w*|launch(?:es|ed)?|sprints?|meetings?|"
    r"stand-?ups?|(?:design|code) reviews?|reviewers?|reports?|code|bugs?|features?|product|company|office|"
    r"stakeholders?|designers?|developers?|engineers?|new hires?|new starters?|onboarding|outages?|checkout|"
    r"deadlines?|roadmap|tickets?|pull requests?|production|wiki|one-to-ones?|one-on-ones?|interns?|"
    r"quarterly|prospects?|campaigns?|deals?|sales team|support team|demo|documents?|queries|database)\b",
    re.IGNORECASE,
)
_FIRST_PERSON = re.compile(r"\b(?:i|we|my|our|me|us)\b", re.IGNORECASE)
_PAST = re.compile(
    r"\b(?:was|were|had|did|took|made|found|went|came|got|led|ran|built|wrote|told|saw|spent|broke|gave|"
    r"kept|left|put|set|began|chose|grew|fell|knew|thought|brought|sent|felt|stood|sat|said|rewrote|spoke|"
    r"taught|met|sold|won|lost|paid|held|meant|understood|drove|"
    r"[a-z]{3,}ed)\b",
    re.IGNORECASE,
)
_I = re.compile(r"\bi\b", re.IGNORECASE)
#: A story has at least this many past-tense sentences of the candidate's own ...
STORY_SENTENCES = 2
#: ... and at least this many different workplace words.
WORKPLACE_WORDS = 2


def is_work_story(sentences: Sequence[str]) -> bool:
    """Whether the answer tells a story of the candidate's own set at work (module docstring)."""
    narrative = [s for s in sentences if _FIRST_PERSON.search(s) and _PAST.search(s)]
    # The candidate acts in it: "everyone in the office complained ... we were all happy" is
    # an event at work, not the candidate's conduct.
    if len(narrative) < STORY_SENTENCES or not any(_I.search(s) for s in narrative):
        return False
    places = {m.group().lower() for s in sentences for m in _WORKPLACE.finditer(s)}
    return len(places) >= WORKPLACE_WORDS
