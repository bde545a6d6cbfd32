"""Fillers and repetitions in a token stream (pure text analysis; timing is fluency.py's job).

Fillers: "um", "uh", "er", "ah" (and their spellings) always; "like", "you know" and "I mean"
only in their discourse use. The rules lean on the punctuation Whisper writes around discourse
markers ("So, like, we...", "it worked, you know."), because the lexical context alone is
ambiguous: "I like Python" (verb), "a cache like Redis" (preposition) and "you know the drill"
(verb) are not fillers and must not be counted.

Repetitions and restarts: the same word or the same 2-3 words said twice in a row once the
fillers are removed ("I I think", "we, um, we decided", "the database the database").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from scoring.text import Token

SIMPLE_FILLERS = frozenset({"um", "umm", "uh", "uhh", "uhm", "er", "erm", "ah", "ahh", "hmm", "mm", "mhm"})
# "like" right after these (with no punctuation between) is the verb: "I like", "we'd like".
_LIKE_VERB_BEFORE = frozenset(
    """i you we they he she people users would i'd you'd we'd they'd don't doesn't didn't do does
    did to really also always still will might could should not never generally""".split()
)
_BE = frozenset({"is", "was", "were", "are", "it's", "that's", "he's", "she's", "i'm", "they're", "we're"})
# After a comma, "like" followed by one of these starts a clause: a discourse marker.
_CLAUSE_STARTERS = frozenset(
    """i we you they he she it there so and but then um uh really just maybe probably i'm we're
    it's that's we'd i'd""".split()
)
_INTENSIFIERS = frozenset({"really", "so", "very", "totally", "super", "just", "literally"})
# After "you know" these make it the verb: "you know what/how/that/the...".
_KNOW_OBJECT = frozenset(
    {
        "what",
        "how",
        "that",
        "the",
        "a",
        "an",
        "it",
        "him",
        "her",
        "them",
        "about",
        "why",
        "when",
        "where",
        "which",
        "who",
        "this",
        "those",
        "these",
    }
)
# Before "you know" these make it the verb: "do you know", "if you know".
_KNOW_VERB_BEFORE = frozenset({"do", "did", "don't", "if", "as", "whether", "would", "will", "might"})
_MEAN_OBJECT = frozenset({"it", "that", "to", "this", "by", "what", "him", "her", "them"})
_MEAN_VERB_BEFORE = frozenset({"what", "which", "didn't", "don't", "really", "do", "that"})
# Doubled words that are grammatical ("she said that that was fine", "we had had enough").
_LEGIT_DOUBLES = frozenset({"that", "had", "very", "really", "so", "bye", "no", "yes"})


@dataclass(frozen=True)
class Filler:
    text: str
    index: int  # token index of the filler's first word
    start: float | None

    def to_json(self) -> dict[str, Any]:
        return {"text": self.text, "index": self.index, "start": self.start}


@dataclass(frozen=True)
class Repetition:
    text: str
    index: int  # token index of the repeated copy
    start: float | None

    def to_json(self) -> dict[str, Any]:
        return {"text": self.text, "index": self.index, "start": self.start}


def find_fillers(tokens: Sequence[Token]) -> list[Filler]:
    """Fillers in order; a two-word filler ("you know") is reported once, at its first word."""
    found: list[Filler] = []
    i = 0
    while i < len(tokens):
        size = _filler_size(tokens, i)
        if size:
            text = " ".join(t.norm for t in tokens[i : i + size])
            found.append(Filler(text, i, tokens[i].start))
            i += size
        else:
            i += 1
    return found


def _filler_size(tokens: Sequence[Token], i: int) -> int:
    token = tokens[i]
    word = token.norm
    prev = tokens[i - 1] if i > 0 else None
    nxt = tokens[i + 1] if i + 1 < len(tokens) else None
    if word in SIMPLE_FILLERS:
        return 1
    if word == "like":
        verb_context = prev is not None and not token.pre and prev.norm in _LIKE_VERB_BEFORE
        if verb_context:
            return 0
        if token.post:  # ", like," / "was like, no"
            return 1
        if token.pre and nxt is not None and nxt.norm in _CLAUSE_STARTERS:
            return 1  # "So, like we" (but ", like account balances" is "such as")
        if prev is not None and prev.norm in _BE and nxt is not None and nxt.norm in _INTENSIFIERS:
            return 1  # "it was like really hard"
        return 0
    if word == "you" and nxt is not None and nxt.norm == "know" and not token.post:
        if prev is not None and not token.pre and prev.norm in _KNOW_VERB_BEFORE:
            return 0
        after = tokens[i + 2] if i + 2 < len(tokens) else None
        if nxt.post or after is None:
            return 2  # "..., you know." / "you know, we"
        if token.pre and after.norm not in _KNOW_OBJECT:
            return 2  # "and, you know we shipped it"
        return 0
    if word == "i" and nxt is not None and nxt.norm == "mean" and not token.post:
        if prev is not None and not token.pre and prev.norm in _MEAN_VERB_BEFORE:
            return 0
        after = tokens[i + 2] if i + 2 < len(tokens) else None
        if nxt.post:
            return 2  # "I mean, ..."
        if after is not None and after.norm not in _MEAN_OBJECT and token.pre:
            return 2  # "... . I mean we should"
        return 0
    return 0


def find_repetitions(tokens: Sequence[Token], fillers: Sequence[Filler]) -> list[Repetition]:
    """Immediate repeats of 1-3 words, ignoring fillers between the copies."""
    skip: set[int] = set()
    for filler in fillers:
        skip.update(range(filler.index, filler.index + len(filler.text.split())))
    kept = [(i, t) for i, t in enumerate(tokens) if i not in skip]
    words = [t.norm for _, t in kept]
    found: list[Repetition] = []
    i = 0
    while i < len(words):
        for n in (3, 2, 1):
            if i + 2 * n <= len(words) and words[i : i + n] == words[i + n : i + 2 * n]:
                if n == 1 and (words[i] in _LEGIT_DOUBLES or words[i].isdigit()):
                    continue
                index, token = kept[i + n]
                found.append(Repetition(" ".join(words[i : i + n]), index, token.start))
                i += n
                break
        else:
            i += 1
    return found
