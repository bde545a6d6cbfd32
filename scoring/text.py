"""Text primitives shared by the dimensions: tokens with punctuation context, sentences, and a
measure of how much of a text is made of real sentences (not a bare list of keywords)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Protocol

_TOKEN = re.compile(r"[A-Za-z0-9]+(?:['’][A-Za-z]+)*(?:[-.][A-Za-z0-9]+)*")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_CLAUSE_PUNCT = set(",.;:!?—–-…")


class SpokenWord(Protocol):
    """A recognised word with its time span in seconds (the recogniser's words satisfy it)."""

    @property
    def text(self) -> str: ...
    @property
    def start(self) -> float: ...
    @property
    def end(self) -> float: ...


@dataclass(frozen=True)
class Token:
    """One word of a transcript: lower-cased `norm`, and the punctuation on either side.

    `pre`/`post` hold the punctuation characters between this token and its neighbours ("" if
    none); the first token's `pre` is "^" (a sentence start counts as punctuation).
    `start`/`end` are seconds when the token came from a timed word, else None.
    """

    text: str
    norm: str
    pre: str = ""
    post: str = ""
    start: float | None = None
    end: float | None = None

    @property
    def punct_before(self) -> bool:
        return bool(self.pre)

    @property
    def punct_after(self) -> bool:
        return bool(self.post)


def _punct(gap: str) -> str:
    return "".join(ch for ch in gap if ch in _CLAUSE_PUNCT)


def tokenize(text: str) -> list[Token]:
    """Words of `text` in order, each with the punctuation around it."""
    tokens: list[Token] = []
    position = 0
    for match in _TOKEN.finditer(text):
        gap = _punct(text[position : match.start()])
        if tokens and gap:
            tokens[-1] = replace(tokens[-1], post=gap)
        word = match.group().replace("’", "'")
        tokens.append(Token(word, word.lower(), gap if tokens else "^"))
        position = match.end()
    tail = _punct(text[position:])
    if tokens and tail:
        tokens[-1] = replace(tokens[-1], post=tail)
    return tokens


def tokenize_timed(words: Iterable[SpokenWord]) -> list[Token]:
    """Tokens of timed words (`.text`, `.start`, `.end`), each keeping its word's timing.

    Whisper words carry their punctuation (" um,"); a word that splits into several tokens
    shares its timing; a word that is only punctuation attaches to its neighbour.
    """
    tokens: list[Token] = []
    pending = "^"
    for word in words:
        raw = word.text
        start, end = float(word.start), float(word.end)
        pieces = tokenize(raw)
        if not pieces:
            if tokens and _punct(raw):
                tokens[-1] = replace(tokens[-1], post=tokens[-1].post + _punct(raw))
                pending = _punct(raw)
            continue
        lead = _punct(raw[: raw.find(pieces[0].text)])
        for i, piece in enumerate(pieces):
            pre = (pending or (tokens[-1].post if tokens else "") or lead) if i == 0 else piece.pre
            tokens.append(Token(piece.text, piece.norm, pre, piece.post, start, end))
        pending = ""
    return tokens


def split_sentences(text: str) -> list[str]:
    """Sentences of a transcript; long unpunctuated stretches are cut every 30 words so that
    per-sentence comparisons stay local even when the recogniser emits no full stops."""
    sentences: list[str] = []
    for part in _SENTENCE_END.split(text.strip()):
        words = part.split()
        for i in range(0, len(words), 30):
            chunk = " ".join(words[i : i + 30]).strip()
            if chunk:
                sentences.append(chunk)
    return sentences


# Closed-class words of English (articles, pronouns, auxiliaries, prepositions, conjunctions).
# They make up 40-55 % of running English text but almost none of a keyword list, which is the
# cheap, deterministic signal we use to tell sentences from keyword stuffing.
FUNCTION_WORDS = frozenset(
    """a an the this that these those my your his her its our their i you he she it we they me him
    us them myself is are was were be been being am do does did have has had will would can could
    should shall may might must to of in on at by for with from into onto about over under after
    before during between through and or but so because if then than when while as which who whom
    whose what where how why not no there here also just very really all some any each every
    one more most much many such own same other up out off again once""".split()
)


def function_word_ratio(tokens: list[Token]) -> float:
    """Share of tokens that are function words (0 for an empty text)."""
    if not tokens:
        return 0.0
    return sum(t.norm in FUNCTION_WORDS for t in tokens) / len(tokens)


def sentence_structure_factor(tokens: list[Token]) -> float:
    """1.0 for ordinary prose, falling to 0 for a bare list of keywords.

    Prose has a function-word ratio of 0.4-0.55 (spoken answers in our evaluation set: 0.45-0.6);
    below 0.25 the text no longer reads as sentences, so credit falls linearly to 0 at 0.05.
    """
    ratio = function_word_ratio(tokens)
    return max(0.0, min(1.0, (ratio - 0.05) / 0.20))
