"""How a candidate mentions something: in passing or hedged (not a point made), as a filler (not
a word of the answer at all), or as a story of their own (an example, whether or not they say
"for example"). Pure regular expressions over the transcript, shared by scoring.keywords.
"""

from __future__ import annotations

import re

from scoring.spans import Span

#: A mention in passing: named in a list of things, not discussed.
_PASSING = re.compile(
    r"\b(?:things like|stuff like|and so on|and stuff|that kind of|etc|et cetera|or whatever)\b", re.IGNORECASE
)
#: A hedge: the candidate guesses rather than makes the point ("maybe the code changed", "try
#: to fix it somehow", "I would probably ask someone on the team"). A hedged clause names a topic
#: at most in passing (touched on), like a list item. "kind of" is left out: it is mostly a noun
#: phrase in interview answers ("the same kind of bug").
_HEDGE = re.compile(
    r"\b(?:maybe|perhaps|i guess|i suppose|somehow|probably|or something|something like that|"
    r"i (?:do not|don[’']?t) know|whatever|some things)\b",
    re.IGNORECASE,
)
#: A topic that asks for an example or a story ("a story that shows it or for example").
_EXAMPLE_TOPIC = re.compile(r"\b(?:example|story|a concrete case)\b", re.IGNORECASE)
#: A sentence that tells one specific past event: a time anchor ("last spring", "two years ago",
#: "in March", "once", "at my last job", "when our provider changed its API"). An answer that
#: shows its point by a story gives an example without saying "for example".
_STORY_ANCHOR = re.compile(
    r"\b(?:last|this past) (?:year|spring|summer|autumn|fall|winter|month|week|quarter|sprint)\b|"
    r"\b(?:a|one|two|three|four|five|six|seven|eight|nine|ten|several|a few|\d+) (?:years?|months?|weeks?|days?) ago\b|"
    r"\bin (?:January|February|March|April|May|June|July|August|September|October|November|December|(?:19|20)\d\d)\b|"
    r"\bonce\b|\bat my (?:last|previous|first|old|current) (?:job|company|team|employer|role)\b|"
    r"\bwhen (?:our|my|we|i)\b",
    re.IGNORECASE,
)
#: ... told in the past tense (a habit, "when I get feedback I ...", is not one event).
_PAST = re.compile(
    r"\b(?:was|were|had|did|took|made|found|went|came|got|led|ran|built|wrote|told|saw|spent|broke|gave|"
    r"kept|left|put|set|began|chose|grew|fell|knew|thought|brought|sent|felt|[a-z]+ed)\b",
    re.IGNORECASE,
)
_FIRST_PERSON = re.compile(r"\b(?:i|we|our|my)\b", re.IGNORECASE)
#: A story sentence has at least this many words (a bare "Last year." is not a story).
STORY_WORDS = 8
_SENTENCE = re.compile(r"[^.!?]+[.!?]*")
_WORD = re.compile(r"[a-z0-9]+", re.IGNORECASE)
#: Discourse fillers that are not words of the answer ("like, check, you know, some things"):
#: "you know" must not say "knowing when to stop".
_FILLER = re.compile(r"\b(?:you know|i mean)\b(?=\s*(?:[,.!?]|$))", re.IGNORECASE)


def without_fillers(text: str) -> str:
    """`text` with its discourse fillers blanked out (same length, so positions still hold)."""
    return _FILLER.sub(lambda m: " " * len(m.group()), text)


def asks_for_example(alternative: str) -> bool:
    """Whether a topic's alternative asks for an example or a story ("a story that shows it")."""
    return bool(_EXAMPLE_TOPIC.search(alternative))


def in_passing(text: str) -> bool:
    """A clause that names things without making a point: a list ("things like ...") or a hedge."""
    return bool(_PASSING.search(text) or _HEDGE.search(text))


def story_sentence(transcript: str) -> Span | None:
    """The first sentence that tells a specific past event of the candidate's own (a time
    anchor, the past tense, "I"/"we", at least STORY_WORDS words, no hedge), or None."""
    for sentence in _SENTENCE.finditer(transcript):
        text = sentence.group().strip()
        if (
            len(_WORD.findall(text)) >= STORY_WORDS
            and _STORY_ANCHOR.search(text)
            and _PAST.search(text)
            and _FIRST_PERSON.search(text)
            and not in_passing(text)
        ):
            start = sentence.start() + (len(sentence.group()) - len(sentence.group().lstrip()))
            return Span(text, start, start + len(text))
    return None
