"""Word error rate: plain Levenshtein distance over normalised words, divided by the reference length."""

from __future__ import annotations

import re
import unicodedata

from tests.support.text import edit_distance

_NUMBER_WORDS = {
    "0": "zero",
    "1": "one",
    "2": "two",
    "3": "three",
    "4": "four",
    "5": "five",
    "6": "six",
    "7": "seven",
    "8": "eight",
    "9": "nine",
    "10": "ten",
}
_SPELLING = {"mr": "mister", "mrs": "missus", "dr": "doctor", "ok": "okay", "etc": "et cetera"}
_FILLERS = {"um", "umm", "uh", "uhh", "hmm", "mm", "er", "ah", "erm"}


def normalise(text: str, *, drop_fillers: bool = False) -> list[str]:
    """Lower-case words without punctuation; hyphens split words; single digits spelled out."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = text.replace("-", " ").replace("’", "'")
    text = re.sub(r"[^\w\s']", " ", text)
    words = []
    for raw in text.split():
        word = raw.strip("'")
        if not word:
            continue
        word = _SPELLING.get(word, _NUMBER_WORDS.get(word, word))
        if drop_fillers and word in _FILLERS:
            continue
        words.extend(word.split())
    return words


def wer(reference: str, hypothesis: str, *, drop_fillers: bool = True) -> float:
    ref = normalise(reference, drop_fillers=drop_fillers)
    hyp = normalise(hypothesis, drop_fillers=drop_fillers)
    if not ref:
        return float(bool(hyp))
    return edit_distance(ref, hyp) / len(ref)


def corpus_wer(pairs: list[tuple[str, str]], *, drop_fillers: bool = True) -> float:
    """Total edits over total reference words (not a mean of per-file rates)."""
    edits = words = 0
    for reference, hypothesis in pairs:
        ref = normalise(reference, drop_fillers=drop_fillers)
        edits += edit_distance(ref, normalise(hypothesis, drop_fillers=drop_fillers))
        words += len(ref)
    return edits / max(1, words)


def repeated_ngrams(text: str, n: int = 3) -> list[tuple[str, ...]]:
    """n-grams that occur twice *back to back* ("a b c a b c"): the signature of duplicated commits."""
    words = normalise(text)
    found = []
    for i in range(len(words) - 2 * n + 1):
        if words[i : i + n] == words[i + n : i + 2 * n]:
            found.append(tuple(words[i : i + n]))
    return found
