"""Quoting the candidate back to themselves: a follow-up that says “You said …” quotes a whole
phrase the candidate said, word for word, that reads well inside the question.

`phrase_quote` takes one clause of the answer and returns its words from a phrase start to a
phrase end, never cut mid-phrase ("putting a per-client limit on requests at the…" is cut before
"at" instead: "putting a per-client limit on requests"), or None when no such phrase fits. It
leaves out what a person would not quote: a leading "so", "and", "because", fillers ("um") and
the closing punctuation. The result is at most `max_words` words and `max_chars` characters
(interview.followup_rules reads a quotation of at most 80 characters as one).
"""

from __future__ import annotations

import re

#: Longest quotation, in words and characters.
QUOTE_WORDS = 14
QUOTE_CHARS = 76

_LEAD = re.compile(
    r"^(?:(?:so|and|but|then|well|um|uh|i think|i guess|basically|because|first(?:ly)?|also|finally)[, ]+)+",
    re.IGNORECASE,
)
_WORD = re.compile(r"\S+")
#: Words that start a new phrase: a quotation may end just before one (or start at one).
_STARTS_PHRASE = frozenset(
    "at with to and or but so because that which who where when while if for in on by from about into "
    "until after before since than as without through across over under between during per like".split()
)
#: Words a quoted phrase may start with after the clause's start: determiners, subjects and
#: the phrase starters above.
_OPENS = _STARTS_PHRASE | frozenset("the a an my our their this these those each every i we you they it".split())
#: Conjunctions a quotation starting at a phrase boundary leaves out ("and the decision makers").
_JOINS = frozenset("and or but so because while".split())
#: Words a phrase cannot end on: articles, possessives, prepositions, conjunctions, auxiliaries,
#: subject pronouns ("put a cache in front of a database to make" ends on no object).
_NO_END = frozenset(
    "a an the my our your their his her its this these those some any each every no of to and or but so "
    "with at in on by for from about into as than if because when while which who whose where that "
    "is are was were be been being am would will can could should shall may might must have has had "
    "do does did not very more most i we you they he she make makes made get gets take takes "
    # verbs that need what follows ("segment by signup source to see")
    "see know check decide tell show understand say think find whether".split()
)


def _bare(word: str) -> str:
    return word.strip(" ,.;:!?\u201c\u201d\"'()").lower()


def phrase_quote(
    clause: str, at: int = 0, *, max_words: int = QUOTE_WORDS, max_chars: int = QUOTE_CHARS, must_reach: int = 0
) -> str | None:
    """The candidate's whole phrase around character `at` of `clause` (see the module
    docstring), reaching at least character `must_reach` (the end of the words the follow-up is
    about); None when no whole phrase of at least three words fits the limits."""
    body = _LEAD.sub("", clause.strip())
    shift = len(clause.strip()) - len(body)
    at, must_reach = max(0, at - shift), max(0, must_reach - shift)
    words = [(m.start(), m.end(), m.group()) for m in _WORD.finditer(body)]
    if not words:
        return None
    index = max((i for i, (start, _, _) in enumerate(words) if start <= at), default=0)
    reach = max((i for i, (start, _, _) in enumerate(words) if start < must_reach), default=index)
    # The earliest phrase start from which the quotation still reaches the point of interest
    # within the limits: the clause's start when it fits, else a determiner, a subject or a
    # preposition shortly before it ("the share of conversations that end in a deal within a
    # week", not "in a deal within a week").
    starts = [i for i in range(index + 1) if i == 0 or _bare(words[i][2]) in _OPENS]
    start = next((i for i in starts if reach - i < max_words and words[reach][1] - words[i][0] <= max_chars), index)
    if _bare(words[start][2]) in _JOINS and start < index:
        start += 1
    for end in range(min(len(words), start + max_words), start + 2, -1):
        if end <= reach:
            break
        text = body[words[start][0] : words[end - 1][1]].strip(" ,.;:!?")
        boundary = end == len(words) or _bare(words[end][2]) in _STARTS_PHRASE or words[end - 1][2].endswith(",")
        if len(text) > max_chars or not boundary or _bare(words[end - 1][2]) in _NO_END or len(text.split()) < 3:
            continue
        return text
    return None
