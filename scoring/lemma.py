"""A small deterministic English stemmer for topic matching ("communicating" ~ "communication").

Both sides of a comparison go through the same function, so what matters is that inflected and
derived forms of one word collapse to one key, not that the key is a dictionary word. It follows
the shape of Porter's algorithm (Porter 1980, "An algorithm for suffix stripping") in far fewer
rules: an irregular-form table, inflection stripping, then up to three derivational suffixes, with
minimum stem lengths that keep short words ("user", "client", "is") intact. No data files.
"""

from __future__ import annotations

from functools import lru_cache

from scoring.standard import OVERREGULARISED

IRREGULAR = {
    "went": "go",
    "gone": "go",
    "goes": "go",
    "ran": "run",
    "led": "lead",
    "built": "build",
    "wrote": "write",
    "written": "write",
    "made": "make",
    "took": "take",
    "taken": "take",
    "gave": "give",
    "given": "give",
    "thought": "think",
    "brought": "bring",
    "taught": "teach",
    "caught": "catch",
    "bought": "buy",
    "found": "find",
    "began": "begin",
    "begun": "begin",
    "chose": "choose",
    "chosen": "choose",
    "felt": "feel",
    "kept": "keep",
    "left": "leave",
    "met": "meet",
    "paid": "pay",
    "said": "say",
    "sent": "send",
    "spent": "spend",
    "told": "tell",
    "understood": "understand",
    "won": "win",
    "did": "do",
    "done": "do",
    "was": "be",
    "were": "be",
    "been": "be",
    "is": "be",
    "are": "be",
    "am": "be",
    "had": "have",
    "has": "have",
    "people": "person",
    "children": "child",
    "men": "man",
    "women": "woman",
    "indices": "index",
    "data": "data",
    "criteria": "criterion",
    "better": "good",
    "best": "good",
    "worse": "bad",
    "worst": "bad",
    "mice": "mouse",
    "feet": "foot",
    "analyses": "analysis",
}

# Derivational suffixes without their final "e" (it is dropped first, so "communicate" and
# "communicating" meet at "communicat"), longest first; the stem left must keep 4 letters.
_DERIVATIONAL = (
    "ization",
    "isation",
    "ability",
    "ibility",
    "fulness",
    "ational",
    "ation",
    "ition",
    "ption",
    "ment",
    "ness",
    "ship",
    "ency",
    "ancy",
    "ator",
    "enc",
    "anc",
    "abl",
    "ibl",
    "ity",
    "ent",
    "ant",
    "ful",
    "iv",
    "iz",
    "at",
    "al",
    "er",
    "or",
    "ly",
    "ic",
)
_KEEP_S = ("ss", "us", "is", "ous")


@lru_cache(maxsize=8192)
def stem(word: str) -> str:
    """The comparison key of one word (lower-cased; hyphens and apostrophes are the caller's)."""
    word = word.lower()
    word = OVERREGULARISED.get(word, word)  # "writed" is "wrote" (scoring.standard)
    if word in IRREGULAR:
        return IRREGULAR[word]
    if len(word) <= 3 or not word.isalpha():
        return word
    base = _strip_inflection(word)
    for _ in range(3):
        shorter = _strip_derivational(base)
        if shorter == base:
            break
        base = shorter
    return _tidy(base)


def _strip_inflection(word: str) -> str:
    if word.endswith("'s"):
        word = word[:-2]
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "xes", "ches", "shes", "zes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(_KEEP_S) and len(word) > 3:
        word = word[:-1]
    if word.endswith("ied") and len(word) > 4:
        return word[:-3] + "y"
    for suffix in ("ing", "ed"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            stemmed = word[: -len(suffix)]
            if any(v in stemmed for v in "aeiouy"):
                return _undouble(stemmed)
    return word


def _strip_derivational(word: str) -> str:
    word = word[:-1] if word.endswith("e") and len(word) > 4 else word
    for suffix in _DERIVATIONAL:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return _undouble(word[: -len(suffix)])
    return word


def _undouble(word: str) -> str:
    if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "lsz aeiou":
        return word[:-1]
    return word


def _tidy(word: str) -> str:
    if word.endswith("e") and len(word) > 4:
        word = word[:-1]
    if word.endswith("y") and len(word) > 4:
        word = word[:-1] + "i"
    return word
