"""Text comparison for transcription tests: never exact strings, always WER or key words."""

from __future__ import annotations

import re

_WORD = re.compile(r"[a-z0-9']+")


def normalise_words(text: str) -> list[str]:
    """Lower case, punctuation dropped, hyphens split ("follow-up" -> follow up)."""
    return _WORD.findall(text.lower().replace("-", " "))


def edit_distance(reference: list[str], hypothesis: list[str]) -> int:
    """Levenshtein distance over words (substitutions, insertions, deletions cost 1)."""
    previous = list(range(len(hypothesis) + 1))
    for i, ref_word in enumerate(reference, start=1):
        current = [i] + [0] * len(hypothesis)
        for j, hyp_word in enumerate(hypothesis, start=1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ref_word != hyp_word))
        previous = current
    return previous[-1]


def word_error_rate(reference: str, hypothesis: str) -> float:
    """Word edit distance over normalised words, divided by the reference length."""
    ref, hyp = normalise_words(reference), normalise_words(hypothesis)
    if not ref:
        return float(bool(hyp))
    return edit_distance(ref, hyp) / len(ref)


def repeated_ngrams(text: str, n: int = 3) -> list[tuple[str, ...]]:
    """n-grams that occur back to back ("a b c a b c"): the signature of duplicated output."""
    words = normalise_words(text)
    found = []
    for i in range(len(words) - 2 * n + 1):
        if words[i : i + n] == words[i + n : i + 2 * n]:
            found.append(tuple(words[i : i + n]))
    return found
