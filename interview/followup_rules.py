"""What makes a follow-up question acceptable, checked the same way for every generator (the
built-in rules and a chat model's replies): one natural question, grounded in what was said.

A follow-up fails when it
- is not exactly one question ending with "?" (two questions, a statement, a list);
- is shorter than 4 or longer than 40 words;
- asks about a talking point the answer already covered ("How would you handle Redis here?"
  after an answer built on Redis): an interviewer probes gaps and depth, not what was said;
- says "You mentioned X" for an X the candidate did not say, or quotes words not in the answer;
- drops a multi-word expected-topic phrase the candidate did not say into a template slot ("Could you say a bit about
  accomplishment?"): a bank topic is a label for the scorer, not words an interviewer says;
- (checked by interview.FollowUpContext for an answer to a follow-up) asks again for a piece
  the follow-up just answered asked for (`asks_for`: an example, the outcome, numbers, the
  candidate's own part): "Can you give me one concrete example that shows that?" right after
  an example was given (issue #12's QA walk J8).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from interview.answer_text import without_fillers

_WORD = re.compile(r"[a-z0-9]+")
_MENTIONED = re.compile(r"\byou (?:mentioned|said|talked about|brought up)\s+[\"“']?([^\"”':?,]+)", re.IGNORECASE)
#: A sentence that is itself a question (a second question written with a full stop).
_ASKS = re.compile(
    r"(?:what|how|why|who|when|where|which|can|could|would|do|did|does|is|are|was|were|have|has)\b", re.IGNORECASE
)
_QUOTED = re.compile(r"[\"“]([^\"”]{2,80})[\"”]")
#: Words of a topic that carry no meaning of their own for the overlap test.
_GENERIC = frozenset(
    "a an the of and or to in on for with your you what how who which did do does was were is are be "
    "it its this that their they made taken gained spotted received choice review "
    "we my me us at by as if so no up".split()
)


#: Words that name the same talking point ("result" covered: do not ask for the outcome).
_SAME = {
    "outcome": "result",
    "outcomes": "result",
    "results": "result",
    "impact": "result",
    "ended": "result",
    "end": "result",
}


def _stem(word: str) -> str:
    if word in _SAME:
        return _SAME[word]
    for suffix in ("ations", "ation", "ings", "ing", "ies", "ied", "es", "ed", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def _content(text: str) -> set[str]:
    # Two-letter words count ("job ID" is not "job"); the short function words are generic.
    return {_stem(w) for w in _WORD.findall(text.lower()) if w not in _GENERIC and len(w) > 1}


def _alternatives(topic: str) -> list[str]:
    return [a.strip() for a in re.split(r"\s+or\s+", topic) if a.strip()]


def about_topic(question: str, topic: str) -> bool:
    """Whether a question is about a topic: every content word of one of the topic's
    alternatives appears in it (inflections aside)."""
    words = _content(question)
    return any(_content(alt) and _content(alt) <= words for alt in _alternatives(topic))


#: What a follow-up asks the candidate for, by interview.KINDS name: read from its words, so
#: that an earlier follow-up's stored text says what it asked (the rows keep no kind).
_ASKS_FOR: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("example", re.compile(r"(?<!for )\bexamples?\b|\bconcrete case\b|\bwhat you would actually do\b", re.I)),
    ("result", re.compile(r"\boutcomes?\b|\bresults?\b|\bhow could you tell\b|\bknow it (?:had )?worked\b", re.I)),
    ("numbers", re.compile(r"\bput a number\b|\bnumbers?\b|\bhow (?:much|many)\b", re.I)),
    ("own_action", re.compile(r"\byourself\b|\bon your own\b|\bwhat exactly did you do\b", re.I)),
    ("motivation", re.compile(r"\bspecific moment\b|\bmade you sure\b", re.I)),
    ("more_detail", re.compile(r"\bmore detail\b|\btell me more\b|\bsay more\b|\bwhat happened\b", re.I)),
)


def asks_for(question: str) -> frozenset[str]:
    """The pieces a follow-up asks for ("example", "result", "numbers", "own_action",
    "motivation", "more_detail"): "Can you give me one concrete example that shows that?" asks
    for an example, "What was the outcome, and how could you tell?" for the result. A probe of
    an idea ("what does that choice cost you?") asks for none of them."""
    unquoted = _QUOTED.sub(" ", question)
    return frozenset(kind for kind, pattern in _ASKS_FOR if pattern.search(unquoted))


def follow_up_problems(
    text: str,
    *,
    transcript: str,
    covered_topics: Sequence[str] = (),
    expected_topics: Sequence[str] = (),
    question_text: str = "",
) -> list[str]:
    """Why `text` is not an acceptable follow-up to this answer ([] when it is). A topic's
    words that the interview question itself uses (`question_text`) are the question's words,
    not a label dropped in: a refocus repeats them."""
    problems: list[str] = []
    stripped = " ".join(text.split())
    sentences = [x for x in re.split(r"(?<=[.!?])\s+", stripped) if x]
    if stripped.count("?") != 1 or not stripped.endswith("?") or any(_ASKS.match(x) for x in sentences[:-1]):
        problems.append("not exactly one question ending with '?'")
    words = len(_WORD.findall(stripped.lower()))
    if not 4 <= words <= 40:
        problems.append(f"{words} words (4-40 expected)")
    # The candidate's own words quoted back are grounding, not the question's subject.
    unquoted = _QUOTED.sub(" ", stripped)
    for topic in covered_topics:
        if about_topic(unquoted, topic):
            problems.append(f"asks about a covered talking point: {topic}")
    said = " ".join(_WORD.findall(transcript.lower()))
    # A quotation may leave the candidate's fillers out ("um", "you know,"), nothing else.
    spoken = " ".join(_WORD.findall(without_fillers(transcript).lower()))
    for claim in [*_MENTIONED.findall(stripped), *_QUOTED.findall(stripped)]:
        claimed = " ".join(_WORD.findall(claim.lower()))
        if claimed and f" {claimed} " not in f" {said} " and f" {claimed} " not in f" {spoken} ":
            problems.append(f"claims the candidate said {claim.strip()!r}")
    asked = " ".join(_WORD.findall(question_text.lower()))
    question = " ".join(_WORD.findall(stripped.lower()))
    for topic in expected_topics:
        for alternative in _alternatives(topic):
            phrase = " ".join(_WORD.findall(alternative.lower()))
            if (
                len(phrase.split()) >= 2
                and f" {phrase} " in f" {question} "
                and not any(f" {phrase} " in f" {words} " for words in (said, spoken, asked))
            ):
                problems.append(f"drops the topic label {alternative!r} into the question")
    return problems
