"""Whether WordNet says two words mean the same in their common senses: a shared synset or a
derivationally related form ("little" ~ "small", "storage" ~ "store", "rotate" ~ "rotation",
"decide" ~ "decision"), read from the WordNet 3.0 database files. scoring.keywords uses it for
the content words of a topic's names.

The files are Debian's `wordnet-base` (/usr/share/wordnet: `apt-get install wordnet-base`).
WordNet 3.0 Copyright 2006 by Princeton University, under the WordNet licence: use, copy, modify
and distribute for any purpose without fee, keeping its copyright notice
(https://wordnet.princeton.edu/license-and-commercial-use). Nothing is loaded up front: a word's
index line is found by binary search in the sorted index file and its synsets by their byte
offsets in the data file (the layout of wndb(5WN)), so a lookup costs a few file reads, cached.
Without the files every lookup answers nothing.
"""

from __future__ import annotations

import mmap
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

#: Where Debian's wordnet-base puts the database.
DIRECTORY = Path("/usr/share/wordnet")
POS_FILES = {"n": "noun", "v": "verb", "a": "adj", "r": "adv"}
#: Satellite adjectives live in the adjective files.
_FILE_POS = {"s": "a"}
#: Detachment rules of WordNet's morphy (morph(3WN)): inflected ending -> base ending, by part of speech.
_DETACH = {
    "n": (
        ("s", ""),
        ("ses", "s"),
        ("xes", "x"),
        ("zes", "z"),
        ("ches", "ch"),
        ("shes", "sh"),
        ("men", "man"),
        ("ies", "y"),
    ),
    "v": (("s", ""), ("ies", "y"), ("es", "e"), ("es", ""), ("ed", "e"), ("ed", ""), ("ing", "e"), ("ing", "")),
    "a": (("er", ""), ("est", ""), ("er", "e"), ("est", "e")),
    "r": (),
}


@dataclass(frozen=True)
class Synset:
    """One synset: its words (lower case, multiword lemmas with spaces) and its pointers as
    (symbol, offset, pos, source word number, target word number); 0 numbers: the whole synset."""

    words: tuple[str, ...]
    pointers: tuple[tuple[str, int, str, int, int], ...]


@cache
def _mapped(name: str) -> mmap.mmap | None:
    path = DIRECTORY / name
    try:
        with path.open("rb") as handle:
            return mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
    except (OSError, ValueError):
        return None


def available() -> bool:
    """Whether the WordNet database files are there."""
    return all(_mapped(f"index.{name}") is not None for name in POS_FILES.values())


def _index_fields(pos: str, lemma: str) -> list[str] | None:
    """The fields of `lemma`'s line in index.<pos> (binary search: the file is sorted by lemma)."""
    data = _mapped(f"index.{POS_FILES[pos]}")
    if data is None:
        return None
    key = lemma.replace(" ", "_").encode() + b" "
    low, high = 0, len(data)
    while low < high:
        middle = (low + high) // 2
        start = data.rfind(b"\n", 0, middle) + 1
        end = data.find(b"\n", start)
        end = len(data) if end < 0 else end
        line = data[start:end]
        if line.startswith(b"  "):  # the licence header sorts before every lemma
            low = end + 1
            continue
        if line.startswith(key):
            return line.decode().split()
        if line < key:
            low = end + 1
        else:
            high = start
    return None


@lru_cache(maxsize=4096)
def _synset(pos: str, offset: int) -> Synset:
    data = _mapped(f"data.{POS_FILES[pos]}")
    if data is None:
        return Synset((), ())
    end = data.find(b"\n", offset)
    fields = data[offset:end].decode().split(" | ", 1)[0].split()
    count = int(fields[3], 16)
    words = tuple(fields[4 + 2 * i].lower().split("(")[0].replace("_", " ") for i in range(count))
    at = 4 + 2 * count
    pointers = []
    for i in range(int(fields[at])):
        symbol, target, target_pos, numbers = fields[at + 1 + 4 * i : at + 5 + 4 * i]
        pointers.append(
            (symbol, int(target), _FILE_POS.get(target_pos, target_pos), int(numbers[:2], 16), int(numbers[2:], 16))
        )
    return Synset(words, tuple(pointers))


@cache
def _exceptions(pos: str) -> dict[str, tuple[str, ...]]:
    data = _mapped(f"{POS_FILES[pos]}.exc")
    out: dict[str, tuple[str, ...]] = {}
    if data is not None:
        for line in data[:].decode().splitlines():
            inflected, *bases = line.split()
            out[inflected] = tuple(bases)
    return out


def base_forms(word: str, pos: str) -> tuple[str, ...]:
    """The dictionary forms of `word` as part of speech `pos` ("decided" -> "decide")."""
    word = word.lower()
    found = dict.fromkeys(b for b in _exceptions(pos).get(word, ()) if _index_fields(pos, b))
    if _index_fields(pos, word):
        found[word] = None
    for ending, base in _DETACH[pos]:
        if word.endswith(ending) and len(word) > len(ending) + 1:
            candidate = word[: -len(ending)] + base
            if _index_fields(pos, candidate):
                found[candidate] = None
    return tuple(found)


def senses(lemma: str, pos: str, limit: int) -> Iterator[tuple[int, int]]:
    """(rank, offset) of `lemma`'s most frequent senses as `pos`, at most `limit`, and only senses
    that were seen in the tagged corpus (WordNet lists a word's senses by their frequency there)."""
    fields = _index_fields(pos, lemma)
    if fields is None:
        return
    synsets, pointer_count = int(fields[2]), int(fields[3])
    tagged = int(fields[5 + pointer_count])
    offsets = fields[6 + pointer_count : 6 + pointer_count + synsets]
    for rank, offset in enumerate(offsets[: min(limit, max(tagged, 1))]):
        yield rank, int(offset)


#: Which senses count: a sense of a word is common when WordNet's tagged corpus (cntlist.rev) saw
#: it at least MIN_COUNT times and at least SHARE of all the word's tagged uses, among its SENSES
#: most frequent ones per part of speech. Rare senses are what costs precision ("honey" ~ "love",
#: "hear" ~ "learn" in their second senses): bench/talking_point_wordnet.py measured SENSES 1 to 3,
#: looser counts and direct hypernyms (HYPERNYM_POS, "notify" is a way to "inform"); only the most
#: frequent sense kept precision on the groups the matcher is tuned on.
MIN_COUNT = 3
SHARE = 0.1
SENSES = 1
HYPERNYM_POS: tuple[str, ...] = ()
_CNT_POS = {"1": "n", "2": "v", "3": "a", "4": "r", "5": "a"}


@lru_cache(maxsize=16384)
def _counts(lemma: str) -> dict[tuple[str, int], int]:
    """(part of speech, sense number) -> how often the tagged corpus saw that sense of `lemma`."""
    data = _mapped("cntlist.rev")
    out: dict[tuple[str, int], int] = {}
    if data is None:
        return out
    key = lemma.replace(" ", "_").encode() + b"%"
    low, high = 0, len(data)
    while low < high:  # the first line whose key is >= lemma%
        middle = (low + high) // 2
        start = data.rfind(b"\n", 0, middle) + 1
        end = data.find(b"\n", start)
        end = len(data) if end < 0 else end
        if data[start:end] < key:
            low = end + 1
        else:
            high = start
    position = low
    while data[position : position + len(key)] == key:
        end = data.find(b"\n", position)
        end = len(data) if end < 0 else end
        sense_key, number, count = data[position:end].decode().split()
        pos = _CNT_POS[sense_key.split("%")[1][0]]
        out[(pos, int(number))] = out.get((pos, int(number)), 0) + int(count)
        position = end + 1
    return out


@lru_cache(maxsize=16384)
def common_senses(word: str) -> frozenset[tuple[str, int]]:
    """(part of speech, synset offset) of the common senses of `word` (any inflection)."""
    out: set[tuple[str, int]] = set()
    for pos in POS_FILES:
        for lemma in base_forms(word, pos):
            counts = _counts(lemma)
            total = sum(counts.values())
            for rank, offset in senses(lemma, pos, SENSES):
                count = counts.get((pos, rank + 1), 0)
                if count >= MIN_COUNT and count >= SHARE * total:
                    out.add((pos, offset))
    return frozenset(out)


@lru_cache(maxsize=16384)
def linked_senses(word: str) -> frozenset[tuple[str, int]]:
    """The common senses of `word`, the senses of the words derived from it in them ("decide" ->
    "decision"), and (HYPERNYM_POS) their direct hypernyms."""
    out = set(common_senses(word))
    for pos, offset in common_senses(word):
        synset = _synset(pos, offset)
        numbers = {i + 1 for i, w in enumerate(synset.words) if w in base_forms(word, pos)}
        for symbol, target, target_pos, source, _ in synset.pointers:
            if (symbol == "+" and source in numbers) or (symbol == "@" and pos in HYPERNYM_POS):
                out.add((target_pos, target))
    return frozenset(out)


def kindred(first: str, second: str) -> bool:
    """Whether two words say the same thing in WordNet: a common sense of one is a common sense,
    a derivation or (HYPERNYM_POS) a direct hypernym of a common sense of the other."""
    return bool(common_senses(first) & linked_senses(second) or common_senses(second) & linked_senses(first))
