"""Talking points: is each expected topic covered, touched on, or missing, and where (0-100).

A topic may name alternatives, "A or B" ("rollback or feature flag"): any one of them counts.
Each alternative is looked for, best first, as
- exact: its words verbatim, in order ("cache invalidation");
- lemma: its content words as inflected or derived forms within a short window ("invalidating
  the cache"), via scoring.lemma.stem, or as words of one group of scoring.synonyms.WORD_GROUPS
  ("cap on requests" for "limit on requests"), or as words that WordNet gives the same common
  sense or derives from one another (scoring.wordnet: "in little pieces" for "small changes",
  "object storage" for "store the report"); a content word the question already gave may be
  left out ("phone their engineers" for "talk to the client" when the question is about a
  client), unless only a generic verb would remain, and a phrase of three words or more is not
  said by its generic verb alone ("try" is not "what you are trying to do");
- semantic: a short span of the answer (a clause, two clauses, or an 8-word window; see
  scoring.spans) close to it in MiniLM space: a paraphrase ("the real culprit was a missing
  index" for "root cause");
- example: for a topic that asks for an example or a story, a sentence that tells a specific
  past event of the candidate's own ("Last spring our sales team asked for ...": see _story).
A negated mention ("we did not use Redis", "without any tests") is not coverage, and a hedged
one ("maybe the code changed", "try to fix it somehow") is at most touched on.

Verdicts, with the candidate's own words kept as evidence:
- covered: a lexical match inside a clause that says something about it (at least two more
  words, not a list "things like ..."), or a span with cosine >= options.topic_cover_similarity;
- touched on: the topic is only named (a bare list item, "TTL", "things like TTL and so on") or
  hedged ("probably the TTL"), or a span is only loosely close (cosine >=
  options.topic_touch_similarity);
- missing: neither (evidence empty).
score = 100 x mean(credit) x context, credit 1 covered / 0.5 touched / 0, and context =
0.5 + 0.5 x sentence-structure factor: topics named in a bare keyword list count half again.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from scoring import wordnet
from scoring.lemma import stem
from scoring.mentions import asks_for_example, in_passing, story_sentence, without_fillers
from scoring.spans import Span, clauses
from scoring.synonyms import sayings, word_key
from scoring.text import FUNCTION_WORDS, Token

COVERED, TOUCHED, MISSING = "covered", "touched", "missing"
CREDIT = {COVERED: 1.0, TOUCHED: 0.5, MISSING: 0.0}
_WORD = re.compile(r"[a-z0-9]+")
_ALTERNATIVES = re.compile(r"\s+or\s+", re.IGNORECASE)
#: Extra tokens allowed between a topic's content words for a lemma match.
WINDOW_SLACK = 5
#: Words that negate what follows them in a clause. "no" and "without" are included: "we had no
#: monitoring" and "we shipped without tests" deny the point.
_NEGATION = re.compile(
    r"\b(?:not|never|no|none|nobody|nothing|without|neither|nor|cannot|"
    r"(?:do|does|did|is|are|was|were|have|has|had|could|would|should|wo|ca)n[’']?t)\b",
    re.IGNORECASE,
)
_SUBJECT = re.compile(r"\b(?:i|we|i'd|we'd|i'll|we'll)\b", re.IGNORECASE)
#: A topic that is itself about an absence ("no downtime", "without a release") is not negated
#: by those words.
_NEGATIVE_TOPIC = re.compile(r"\b(?:no|not|without|zero|never|avoid\w*|prevent\w*)\b", re.IGNORECASE)


@dataclass(frozen=True)
class TopicMatch:
    """The verdict on one expected topic, with the evidence that decided it."""

    topic: str
    verdict: str  # covered | touched | missing
    how: str  # exact | lemma | wordnet | semantic | example | none
    alternative: str  # the alternative that matched, or the closest one
    evidence: str  # the candidate's words ("" when missing)
    start: int | None  # evidence's character range in the transcript
    end: int | None
    similarity: float | None  # best span cosine, when computed
    negated: bool = False  # a mention was found but denied

    @property
    def covered(self) -> bool:
        return self.verdict == COVERED

    @property
    def credit(self) -> float:
        return CREDIT[self.verdict]

    def to_json(self) -> dict[str, Any]:
        return {
            "topic": self.topic,
            "label": label(self.topic),
            "verdict": self.verdict,
            "match": self.how,
            "alternative": self.alternative,
            "credit": self.credit,
            "evidence": self.evidence,
            "start": self.start,
            "end": self.end,
            "similarity": None if self.similarity is None else round(self.similarity, 4),
            "negated": self.negated,
        }


@dataclass(frozen=True)
class KeywordResult:
    score: float
    topics: tuple[TopicMatch, ...]
    context_factor: float

    @property
    def covered(self) -> list[str]:
        return [t.topic for t in self.topics if t.verdict == COVERED]

    @property
    def touched(self) -> list[str]:
        return [t.topic for t in self.topics if t.verdict == TOUCHED]

    @property
    def missing(self) -> list[str]:
        return [t.topic for t in self.topics if t.verdict == MISSING]

    def labels(self, verdict: str) -> list[str]:
        """The feedback-text names (scoring.keywords.label) of the topics with this verdict."""
        return [label(t.topic) for t in self.topics if t.verdict == verdict]

    def to_json(self) -> dict[str, Any]:
        return {
            "score": round(self.score, 1),
            "covered": self.covered,
            "touched": self.touched,
            "missing": self.missing,
            "context_factor": round(self.context_factor, 3),
            "topics": [t.to_json() for t in self.topics],
        }


def alternatives(topic: str) -> list[str]:
    """The names a topic is given: "rollback or feature flag" -> ["rollback", "feature flag"]."""
    parts = [p.strip() for p in _ALTERNATIVES.split(topic) if p.strip()]
    return parts or [topic.strip()]


def label(topic: str) -> str:
    """How a topic is named in feedback text: its first name ("rollback plan or feature flag"
    reads "rollback plan"); the whole topic stays in the JSON lists."""
    return alternatives(topic)[0]


def wordings(topic: str) -> list[str]:
    """Everything that counts as saying a topic: its names, then the everyday wordings of each
    (scoring.synonyms), without repeats. Only the names are embedded; wordings match lexically."""
    names = alternatives(topic)
    out = dict.fromkeys(names)
    for name in names:
        out.update(dict.fromkeys(sayings(name)))
    return list(out)


def topic_texts(topics: Sequence[str]) -> list[str]:
    """Every alternative of every topic, in order: what the embedder compares spans with."""
    return [alt for topic in topics for alt in alternatives(topic)]


def _positions(transcript: str) -> list[tuple[str, int, int]]:
    """(word, start, end) of the transcript's words, lower-cased, fillers left out."""
    text = without_fillers(transcript.lower())
    return [(m.group(), m.start(), m.end()) for m in _WORD.finditer(text)]


#: Verbs too general to stand for a topic alone once the question's words are left out ("run
#: the test for" is not said by "then you just run it").
_GENERIC_VERBS = frozenset(
    stem(w)
    for w in (
        "run",
        "do",
        "make",
        "use",
        "get",
        "go",
        "have",
        "take",
        "put",
        "set",
        "give",
        "keep",
        "work",
        "try",
        "see",
    )
    + ("look", "say", "find", "show")
)


def _key(word: str) -> str:
    return word_key(stem(word))


def _kindred(answer_word: str, answer_key: str, topic_word: str, topic_key: str) -> bool:
    """Whether an answer word says a topic's content word through WordNet (scoring.wordnet):
    never for function words or the generic verbs, which match only by their own stems."""
    if answer_word in FUNCTION_WORDS or answer_key in _GENERIC_VERBS or topic_key in _GENERIC_VERBS:
        return False
    return wordnet.kindred(answer_word, topic_word)


def _occurrences(
    alternative: str,
    words: Sequence[tuple[str, int, int]],
    *,
    every_word: bool = False,
    context: frozenset[str] = frozenset(),
) -> Iterator[tuple[str, int, int]]:
    """(kind, first word index, last word index) of every lexical occurrence, exact ones first;
    `every_word`: function words count too ("I told" must say "I", not only "tell").

    Content words compare by stem and word group (scoring.synonyms.WORD_GROUPS: "phone the
    client" says "talk to the client"). A content word in `context` (the keys of the question's
    own words) may be left out while another remains: a candidate answering "one client is
    flooding your API" says "I would phone them", not "phone the client"."""
    topic_words = _WORD.findall(alternative.lower())
    if not topic_words:
        return
    n = len(topic_words)
    plain = [w for w, _, _ in words]
    exact_at: set[int] = set()
    for i in range(len(plain) - n + 1):
        if plain[i : i + n] == topic_words:
            exact_at.add(i)
            yield "exact", i, i + n - 1
    # A wording of scoring.synonyms is already an everyday phrase: stems only, no word groups.
    key = _key if not every_word else stem
    content = [key(w) for w in topic_words if every_word or w not in FUNCTION_WORDS] or [key(w) for w in topic_words]
    if not every_word and len(content) > 1:
        rest = [c for c in content if c not in context]
        content = rest if set(rest) - _GENERIC_VERBS else content
    if not every_word and len(topic_words) >= 3 and not set(content) - _GENERIC_VERBS:
        return  # a phrase reduced to a generic verb ("what you are trying to do"): only its exact words say it
    keys = [key(w) for w in plain]
    window = len(content) + WINDOW_SLACK
    lemma_at: set[int] = set()
    for i, k in enumerate(keys):
        if k not in content or i in exact_at:
            continue
        span = keys[i : i + window]
        if all(c in span for c in content):
            lemma_at.add(i)
            yield "lemma", i, i + max(span.index(c) for c in content)
    if every_word:
        return
    # The same window again, where a content word may also be said by a word WordNet calls
    # kindred ("the file sits in object storage" says "store the report").
    spelled = {key(w): w for w in reversed(topic_words)}
    said = [
        {c for c in content if k == c or _kindred(word, k, spelled[c], c)} for word, k in zip(plain, keys, strict=True)
    ]
    for i, here in enumerate(said):
        if not here or i in exact_at or i in lemma_at:
            continue
        first_at: dict[str, int] = {}
        for j in range(i, min(len(said), i + window)):
            for c in said[j]:
                first_at.setdefault(c, j)
        if len(first_at) == len(set(content)):
            yield "wordnet", i, max(first_at.values())


def question_context(question_text: str) -> frozenset[str]:
    """The comparison keys of the question's content words (see _occurrences)."""
    return frozenset(_key(w) for w in _WORD.findall(question_text.lower()) if w not in FUNCTION_WORDS)


def _clause_at(position: int, parts: Sequence[Span]) -> Span | None:
    return next((c for c in parts if c.start <= position < c.end), None)


def _negated(text: str, topic: str) -> bool:
    return bool(_NEGATION.search(text)) and not _NEGATIVE_TOPIC.search(topic)


def _said(
    alternative: str,
    words: Sequence[tuple[str, int, int]],
    transcript: str,
    names: Sequence[str],
    context: frozenset[str],
) -> Iterator[tuple[str, int, int]]:
    """The occurrences of one wording. A wording of one's own ("I wrote to") is also said when
    its pronoun is the subject earlier in the sentence ("I turned it off, wrote to the users")."""
    if alternative in names:
        yield from _occurrences(alternative, words, context=context)
        return
    yield from _occurrences(alternative, words, every_word=True)
    pronoun, _, rest = alternative.partition(" ")
    if pronoun.lower() not in ("i", "we") or not rest:
        return
    for kind, first, last in _occurrences(rest, words, every_word=True):
        # Only a verb coordinated with the pronoun's own ("I turned it off, wrote to ..."), not
        # one of a relative clause with another subject ("a bug that users saw").
        before = transcript[: words[first][1]]
        sentence = before[max((m.end() for m in re.finditer(r"[.!?]", before)), default=0) :]
        if (
            re.search(rf"\b{pronoun}\b", sentence, re.IGNORECASE)
            and re.search(r"(?:,|\band|\bthen)\s*$", sentence, re.IGNORECASE)
            and not re.search(r"\b(?:that|which|who)\b", sentence, re.IGNORECASE)
        ):
            yield kind, first, last


def _lexical(
    topic: str,
    transcript: str,
    words: Sequence[tuple[str, int, int]],
    parts: Sequence[Span],
    context: frozenset[str] = frozenset(),
) -> TopicMatch | None:
    """The best lexical verdict over all alternatives and occurrences (covered beats touched);
    `context`: question_context() of the question answered."""
    best: TopicMatch | None = None
    negated = False
    topic_words = {w for name in wordings(topic) for w in _WORD.findall(name.lower())}
    names = alternatives(topic)
    for alternative in wordings(topic):
        for kind, first, last in _said(alternative, words, transcript, names, context):
            start, end = words[first][1], words[last][2]
            if re.search(r"[.!?]", transcript[start:end]):
                continue  # a topic's words must meet inside one sentence
            clause = _clause_at(start, parts) or Span(transcript[start:end], start, end)
            if _negated(transcript[clause.start : start], alternative):
                negated = True
                continue
            # Words of the clause that say something beyond the topic's own names: two, or one
            # in a statement of the candidate's own ("I rolled back"), make it a point made.
            clause_words = _WORD.findall(clause.text.lower())
            others = sum(1 for w in clause_words if w not in topic_words)
            said = others >= 2 or (others >= 1 and bool(_SUBJECT.search(clause.text)))
            verdict = COVERED if said and not in_passing(clause.text) else TOUCHED
            match = TopicMatch(topic, verdict, kind, alternative, clause.text, clause.start, clause.end, None)
            if verdict == COVERED:
                return match
            best = best or match
    if best is None and negated:
        return TopicMatch(topic, MISSING, "none", alternatives(topic)[0], "", None, None, None, negated=True)
    return best


def _story(topic: str, transcript: str, alternative: str) -> TopicMatch | None:
    """For a topic that asks for an example: a story of the candidate's own, as covered evidence."""
    span = story_sentence(transcript)
    if span is None:
        return None
    return TopicMatch(topic, COVERED, "example", alternative, span.text, span.start, span.end, None)


def covered_lexically(topics: Sequence[str], transcript: str, question_text: str = "") -> bool:
    """Whether every topic is covered by its names or wordings alone: then no span of the
    answer needs embedding (scoring a complete answer skips that cost)."""
    words = _positions(transcript)
    parts = clauses(transcript)
    context = question_context(question_text)
    for topic in topics:
        match = _lexical(topic, transcript, words, parts, context)
        if match is None or match.verdict != COVERED:
            return False
    return True


def score_keywords(
    topics: Sequence[str],
    tokens: Sequence[Token],
    *,
    transcript: str,
    spans: Sequence[Span],
    span_vectors: np.ndarray | None,
    alternative_vectors: np.ndarray | None,
    structure_factor: float,
    cover_similarity: float,
    touch_similarity: float,
    ignored: Sequence[tuple[int, int]] = (),
    question_text: str = "",
) -> KeywordResult:
    """Pure. `alternative_vectors` has one unit row per `topic_texts(topics)` entry, in order;
    `span_vectors` one per span; None skips the semantic match. `ignored` are transcript ranges
    (uncertain recognition) that cannot serve as semantic evidence on their own; the words of
    `question_text` need not be repeated in a topic's match (see _occurrences)."""
    words = _positions(transcript)
    parts = clauses(transcript)
    given = question_context(question_text)
    usable = [i for i, s in enumerate(spans) if not _mostly_ignored(s, ignored)]
    matches: list[TopicMatch] = []
    row = 0
    for topic in topics:
        alts = alternatives(topic)
        vectors = None if alternative_vectors is None else alternative_vectors[row : row + len(alts)]
        row += len(alts)
        lexical = _lexical(topic, transcript, words, parts, given)
        if lexical is not None and lexical.verdict == COVERED:
            matches.append(lexical)
            continue
        example = next((a for a in alts if asks_for_example(a)), None)
        story = _story(topic, transcript, example) if example else None
        if story is not None:
            matches.append(story)
            continue
        semantic = _semantic(topic, alts, vectors, spans, span_vectors, usable, cover_similarity, touch_similarity)
        if semantic is not None and semantic.verdict == COVERED:
            matches.append(semantic)
        elif lexical is not None and lexical.verdict == TOUCHED:
            matches.append(lexical)
        elif semantic is not None:
            matches.append(semantic)
        else:
            matches.append(lexical or TopicMatch(topic, MISSING, "none", alts[0], "", None, None, None))
    context = 0.5 + 0.5 * structure_factor
    coverage = sum(m.credit for m in matches) / len(matches) if matches else 0.0
    return KeywordResult(round(100.0 * coverage * context, 1), tuple(matches), context)


def _mostly_ignored(span: Span, ignored: Sequence[tuple[int, int]]) -> bool:
    if not ignored:
        return False
    covered = sum(max(0, min(e, span.end) - max(s, span.start)) for s, e in ignored)
    return covered * 2 > span.end - span.start


def _semantic(
    topic: str,
    alts: Sequence[str],
    vectors: np.ndarray | None,
    spans: Sequence[Span],
    span_vectors: np.ndarray | None,
    usable: list[int],
    cover: float,
    touch: float,
) -> TopicMatch | None:
    """The closest non-negated span over all alternatives: covered, touched, or missing with
    its similarity (None when there is nothing to compare)."""
    if vectors is None or span_vectors is None or not len(span_vectors) or not usable:
        return None
    sims = span_vectors[usable] @ vectors.T  # (spans, alternatives)
    best_sim, best_span, best_alt = -1.0, None, alts[0]
    for k, alternative in enumerate(alts):
        for j in np.argsort(-sims[:, k])[:5]:
            span = spans[usable[int(j)]]
            if _negated(span.text, alternative):
                continue
            if float(sims[j, k]) > best_sim:
                best_sim, best_span, best_alt = float(sims[j, k]), span, alternative
            break
    if best_span is None:
        return TopicMatch(topic, MISSING, "none", alts[0], "", None, None, None, negated=True)
    # A span that is little more than the topic's own words names it without saying anything
    # about it (a keyword list): at most touched on.
    span_words = _WORD.findall(best_span.text.lower())
    bare = (
        len(span_words) < len(_WORD.findall(best_alt.lower())) + 2
        or not FUNCTION_WORDS.intersection(span_words)
        or in_passing(best_span.text)
    )
    if best_sim >= cover and not bare:
        return TopicMatch(
            topic, COVERED, "semantic", best_alt, best_span.text, best_span.start, best_span.end, best_sim
        )
    if best_sim >= touch:
        return TopicMatch(
            topic, TOUCHED, "semantic", best_alt, best_span.text, best_span.start, best_span.end, best_sim
        )
    return TopicMatch(topic, MISSING, "none", best_alt, "", None, None, best_sim)
