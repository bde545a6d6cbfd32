"""The question's vocabulary as a post-pass: domain terms a tiny model mishears, put back.

Prompting with the question and passing its topics as hotwords moves Whisper towards the terms,
but not reliably: tiny.en wrote "Post or SQL" for PostgreSQL on one machine and PostgreSQL on
another (CPU kernels differ in the last bits, and a greedy decode follows them). This pass is
deterministic: after every decode, a run of one to three words that sounds like a term of the
question's vocabulary is replaced by the term.

Only *distinctive* terms are used, so that ordinary words are never rewritten: a word of at
least `MIN_TERM_LETTERS` letters written with a capital inside ("PostgreSQL", "TypeScript"), or
capitalised in a topic or where the question's sentence does not start ("Kubernetes", "Redis").
A run must start with the term's first sound, and its similarity (the mean of difflib's ratio
over the letters and over a rough sound key: vowels merged, doubled letters single, hard c as k)
must reach `MIN_SIMILARITY_ONE_WORD` for one word, `MIN_SIMILARITY` for two or three. One
word that is merely spelled differently ("radius" for "Redis") is only replaced when the model
was unsure of it (`UNSURE_PROBABILITY`): a mishearing of an unknown term usually is, a real word
said clearly is not.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from difflib import SequenceMatcher

from .events import Word

MIN_TERM_LETTERS = 5
MIN_SIMILARITY = 0.7
MIN_SIMILARITY_ONE_WORD = 0.8
MAX_RUN = 3
UNSURE_PROBABILITY = 0.7
CLOSE_SPELLING = 0.8
_TOKEN = re.compile(r"[A-Za-z][A-Za-z0-9+#.\-]*[A-Za-z0-9+#]|[A-Za-z]")
_SENTENCE_END = re.compile(r"[.!?:;]$")
#: Letters that stand for the same first sound often enough in Whisper's mishearings.
_SAME_SOUND = [set("ck"), set("cs"), set("fp"), set("bp"), set("dt"), set("gk"), set("jg"), set("yj")]


def _letters(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


def decoder_intro(role: str | None, company: str | None) -> str:
    """Who the interview is for, as the decoder is told it: "Interview: backend engineer at Acme
    Payments." (`AnswerStream`'s `intro`). Without it tiny.en wrote "acne" for "Acme" in answers
    to questions that do not name the company (issue #12's QA walk J4). The role's plain words
    are lower-cased, as they are said in a sentence ("backend engineer"); acronyms and words
    with an inner capital keep their case ("SRE", "iOS", "DevOps"); the company stays as typed.
    "" when neither is known."""
    words = []
    for word in " ".join((role or "").split()).split():
        keep = word.isupper() or any(ch.isupper() for ch in word[1:])
        words.append(word if keep else word.lower())
    role_text = " ".join(words)
    name = " ".join((company or "").split())
    if role_text and name:
        return f"Interview: {role_text} at {name}."
    if name:
        return f"Interview at {name}."
    return f"Interview: {role_text}." if role_text else ""


def distinctive_terms(question: str | None, topics: Iterable[str] = ()) -> tuple[str, ...]:
    """The terms worth enforcing from a question's text and its topics, in order of appearance."""
    terms: list[str] = []
    for text, sentences in [(question or "", True)] + [(topic, False) for topic in topics]:
        sentence_start = sentences
        for token in text.split():
            word = _TOKEN.search(token)
            if word is not None:
                term = word.group(0).rstrip(".")
                inner_capital = any(ch.isupper() for ch in term[1:])
                proper = term[:1].isupper() and not sentence_start
                if len(_letters(term)) >= MIN_TERM_LETTERS and (inner_capital or proper) and term not in terms:
                    terms.append(term)
            sentence_start = sentences and bool(_SENTENCE_END.search(token))
    return tuple(terms)


def _sound_key(letters: str) -> str:
    key = letters.replace("ph", "f").replace("ck", "k")
    key = re.sub(r"c(?=[^eiy]|$)", "k", key)
    key = re.sub(r"(.)\1+", r"\1", key)
    return re.sub(r"[aeiouy]+", "a", key)


def _same_start(a: str, b: str) -> bool:
    if a[:1] == b[:1]:
        return True
    return any(a[:1] in group and b[:1] in group for group in _SAME_SOUND)


def _spelled(run: str, term: str) -> float:
    return SequenceMatcher(None, run, term, autojunk=False).ratio()


def _similarity(run: str, term: str) -> float:
    spelled = _spelled(run, term)
    sounded = SequenceMatcher(None, _sound_key(run), _sound_key(term), autojunk=False).ratio()
    return (spelled + sounded) / 2


def _every_word_counts(run: Sequence[Word], term_letters: str, score: float) -> bool:
    """A run of several words is the term only if neither its first nor its last word could be
    left out ("the Typescript" is "the" + the term; "radius of" is "radius" + "of")."""
    for shorter in (run[1:], run[:-1]):
        letters = _letters("".join(w.text for w in shorter))
        threshold = MIN_SIMILARITY_ONE_WORD if len(shorter) == 1 else MIN_SIMILARITY
        if letters and _similarity(letters, term_letters) >= max(score, threshold):
            return False  # the shorter run is the term by itself
    return True


def apply_vocabulary(words: Sequence[Word], terms: Iterable[str]) -> list[Word]:
    """`words` with every close run of one to `MAX_RUN` words replaced by its term; the new word
    spans the run, keeps its trailing punctuation and the lowest probability of the run."""
    targets = [(term, _letters(term)) for term in terms]
    out = list(words)
    if not targets:
        return out
    i = 0
    while i < len(out):
        best: tuple[float, int, str] | None = None
        for size in range(1, MAX_RUN + 1):
            run = out[i : i + size]
            if len(run) < size:
                break
            letters = _letters("".join(w.text for w in run))
            if not letters:
                continue
            for term, term_letters in targets:
                if letters == term_letters:
                    if size == 1 and run[0].text.strip(".,!?;:'\"") == term:
                        best = None
                        break  # already the term, as written
                    score = 1.0
                elif not _same_start(letters, term_letters):
                    continue
                else:
                    score = _similarity(letters, term_letters)
                    if (
                        size == 1
                        and run[0].probability >= UNSURE_PROBABILITY
                        and _spelled(letters, term_letters) < CLOSE_SPELLING
                    ):
                        continue
                threshold = MIN_SIMILARITY_ONE_WORD if size == 1 else MIN_SIMILARITY
                if size > 1 and not _every_word_counts(run, term_letters, score):
                    continue
                if score >= threshold and (best is None or score > best[0]):
                    best = (score, size, term)
            else:
                continue
            break  # the word already is a term: leave it
        if best is None:
            i += 1
            continue
        _, size, term = best
        run = out[i : i + size]
        tail = re.search(r"[^\w]*$", run[-1].text)
        suffix = tail.group(0) if tail else ""
        lead = re.match(r"^[^\w]*", run[0].text)
        prefix = lead.group(0) if lead else ""
        merged = Word(prefix + term + suffix, run[0].start, run[-1].end, min(w.probability for w in run))
        out[i : i + size] = [merged]
        i += 1
    return out
