"""Keywords: coverage of the question's expected topics ("talking points"), 0-100.

Each topic is matched, best first, as
- exact: its words appear verbatim, in order ("cache invalidation");
- lemma: its content words appear as inflected or derived forms within a short window
  ("invalidating the cache" for "cache invalidation"), via scoring.lemma.stem;
- semantic: one answer sentence is close to it in MiniLM space (cosine >= threshold), a
  paraphrase ("I made sure he felt heard" for "active listening"), credited at
  options.semantic_topic_credit (0.75 by default) because paraphrase detection is less certain.
score = 100 x mean(credit) x context, where context = 0.5 + 0.5 x sentence-structure factor:
topics named in a bare keyword list count half, since naming a topic is not discussing it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from scoring.lemma import stem
from scoring.text import FUNCTION_WORDS, Token

_WORD = re.compile(r"[a-z0-9]+")
#: Extra tokens allowed between a topic's content words for a lemma match.
WINDOW_SLACK = 3


@dataclass(frozen=True)
class TopicMatch:
    topic: str
    kind: str  # "exact" | "lemma" | "semantic" | "missing"
    credit: float
    evidence: str  # the matched words, or the closest sentence
    similarity: float | None  # best sentence cosine when it was computed

    @property
    def covered(self) -> bool:
        return self.kind != "missing"

    def to_json(self) -> dict:
        return {
            "topic": self.topic,
            "match": self.kind,
            "credit": round(self.credit, 2),
            "evidence": self.evidence,
            "similarity": None if self.similarity is None else round(self.similarity, 4),
        }


@dataclass(frozen=True)
class KeywordResult:
    score: float
    topics: tuple[TopicMatch, ...]
    context_factor: float

    @property
    def covered(self) -> list[str]:
        return [t.topic for t in self.topics if t.covered]

    @property
    def missing(self) -> list[str]:
        return [t.topic for t in self.topics if not t.covered]

    def to_json(self) -> dict:
        return {
            "score": round(self.score, 1),
            "covered": self.covered,
            "missing": self.missing,
            "context_factor": round(self.context_factor, 3),
            "topics": [t.to_json() for t in self.topics],
        }


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def answer_words(tokens: Sequence[Token]) -> list[str]:
    """Answer tokens split like topics are ("problem-solving" -> problem, solving)."""
    return [w for t in tokens for w in _words(t.norm)]


def lexical_match(topic: str, words: Sequence[str]) -> tuple[str, str] | None:
    """("exact" | "lemma", evidence) if the topic occurs in the answer words, else None."""
    topic_words = _words(topic)
    if not topic_words:
        return None
    n = len(topic_words)
    for i in range(len(words) - n + 1):
        if list(words[i : i + n]) == topic_words:
            return "exact", " ".join(words[i : i + n])
    content = [stem(w) for w in topic_words if w not in FUNCTION_WORDS] or [stem(w) for w in topic_words]
    stems = [stem(w) for w in words]
    window = len(content) + WINDOW_SLACK
    for i, s in enumerate(stems):
        if s not in content:
            continue
        span = stems[i : i + window]
        if all(c in span for c in content):
            last = max(span.index(c) for c in content)
            return "lemma", " ".join(words[i : i + last + 1])
    return None


def score_keywords(
    topics: Sequence[str],
    tokens: Sequence[Token],
    *,
    sentences: Sequence[str],
    topic_vectors: np.ndarray | None,
    sentence_vectors: np.ndarray | None,
    structure_factor: float,
    threshold: float,
    semantic_credit: float,
) -> KeywordResult:
    """Pure: vectors are unit rows (topic i <-> topic_vectors[i]); None skips semantic matching."""
    words = answer_words(tokens)
    matches: list[TopicMatch] = []
    for i, topic in enumerate(topics):
        similarity, best = None, ""
        if topic_vectors is not None and sentence_vectors is not None and len(sentence_vectors):
            sims = sentence_vectors @ topic_vectors[i]
            j = int(np.argmax(sims))
            similarity, best = float(sims[j]), sentences[j]
        found = lexical_match(topic, words)
        if found:
            matches.append(TopicMatch(topic, found[0], 1.0, found[1], similarity))
        elif similarity is not None and similarity >= threshold:
            matches.append(TopicMatch(topic, "semantic", semantic_credit, best, similarity))
        else:
            matches.append(TopicMatch(topic, "missing", 0.0, best, similarity))
    context = 0.5 + 0.5 * structure_factor
    coverage = sum(m.credit for m in matches) / len(matches) if matches else 0.0
    return KeywordResult(round(100.0 * coverage * context, 1), tuple(matches), context)
