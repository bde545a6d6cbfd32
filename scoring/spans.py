"""Short spans of an answer (clauses, their neighbours, word windows) with their place in the
transcript, and the transcript ranges of words the recogniser was unsure of.

Talking points are compared with spans, not whole sentences: a one-phrase topic ("root cause")
is close in MiniLM space to the clause that says it ("the real culprit was a missing index"),
but a 30-word sentence about three things dilutes it below any usable threshold.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass

#: Clause boundaries inside a sentence: punctuation, and the conjunctions that start a new claim.
_CLAUSE_CUT = re.compile(
    r"[,;:\u2014\u2013]\s+|\s+(?=(?:and then|and so|and|but|so|because|which|while|whereas|then|after that|once|"
    r"until|unless|although|though|instead)\b)",
    re.IGNORECASE,
)
_SENTENCE = re.compile(r"[^.!?]+[.!?]*")
_WORD = re.compile(r"[A-Za-z0-9]+(?:['’][A-Za-z]+)*")
#: Two clauses are joined into one span while they have at most this many words together.
PAIR_WORDS = 24
#: At most this many spans are embedded per answer (bounds the cost of a very long answer).
MAX_SPANS = 32
#: A recognised word with a probability below this is "uncertain": faster-whisper's word
#: probability on clean read speech is 0.8-1.0 for correct words, and the misrecognitions of
#: tiny.en on the evaluation audio sit mostly under 0.5.
UNCERTAIN_PROBABILITY = 0.5


@dataclass(frozen=True)
class Span:
    """Part of the transcript: `text` is transcript[start:end] (the candidate's own words)."""

    text: str
    start: int
    end: int

    @property
    def words(self) -> int:
        return len(_WORD.findall(self.text))


def _strip(text: str, start: int) -> Span | None:
    left = len(text) - len(text.lstrip(" ,;:.!?\u2014\u2013"))
    body = text.strip(" ,;:.!?\u2014\u2013")
    return Span(body, start + left, start + left + len(body)) if body else None


def clauses(transcript: str) -> list[Span]:
    """The transcript cut at sentence ends and clause boundaries, in order."""
    out: list[Span] = []
    for sentence in _SENTENCE.finditer(transcript):
        position = sentence.start()
        text = sentence.group()
        cut = 0
        for boundary in _CLAUSE_CUT.finditer(text):
            span = _strip(text[cut : boundary.start()], position + cut)
            if span:
                out.append(span)
            cut = boundary.end()
        span = _strip(text[cut:], position + cut)
        if span:
            out.append(span)
    return out


def answer_spans(transcript: str) -> list[Span]:
    """Clauses, and each clause joined with the next (a point often takes two); unique, at most
    MAX_SPANS. (Sliding 8-word windows as well found no more talking points on the
    talking-point set and tripled the embedding time.)"""
    parts = clauses(transcript)
    spans: list[Span] = list(parts)
    for first, second in itertools.pairwise(parts):
        if first.words + second.words <= PAIR_WORDS:
            spans.append(Span(transcript[first.start : second.end], first.start, second.end))
    unique: dict[tuple[int, int], Span] = {}
    for span in spans:
        unique.setdefault((span.start, span.end), span)
    return list(unique.values())[:MAX_SPANS]


def uncertain_ranges(
    transcript: str, words: Sequence[object], threshold: float = UNCERTAIN_PROBABILITY
) -> tuple[tuple[int, int], ...]:
    """(start, end) character ranges of the transcript holding words whose `.probability` is
    below `threshold`. Words are found in order in the transcript (case-insensitive); a word
    that cannot be found is skipped, so a transcript edited after recognition loses nothing."""
    lowered = transcript.lower()
    position = 0
    out: list[tuple[int, int]] = []
    for word in words:
        text = str(getattr(word, "text", "")).strip().strip(".,!?;:\"'").lower()
        if not text:
            continue
        found = lowered.find(text, position)
        if found < 0:
            continue
        position = found + len(text)
        probability = getattr(word, "probability", 1.0)
        if probability is not None and float(probability) < threshold:
            out.append((found, position))
    return tuple(out)


def overlaps(start: int, end: int, ranges: Sequence[tuple[int, int]], slack: int = 0) -> bool:
    """Whether [start, end) touches any range (widened by `slack` characters on each side)."""
    return any(s - slack < end and start < e + slack for s, e in ranges)
