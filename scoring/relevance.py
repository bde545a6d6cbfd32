"""Relevance: how well the answer addresses the question (0-100).

score = topicality x structure x substance, where
- topicality = calibrated(similarity), the continuous piecewise-linear map of
  `RelevanceCalibration` (documented knots, README "Score mapping"): how far the answer is about
  the question, before its form and length. The
  score is never above it. The off-topic rule reads the score itself (scoring.answer.apply_caps:
  under 20), so a relevance bar can never read "fair" beside "does not address the question";
- similarity blends two views of the answer, each compared with the question and with the
  question followed by its expected topics (whichever is higher):
  * the whole answer: the word-weighted mean of its sentence vectors, not one embedding of the
    transcript (MiniLM truncates at 256 tokens, a two-minute answer is longer; it was trained on
    sentence-length inputs; and it saves embedding the answer twice);
  * its best sentence, the one that answers the question. A good answer names its point and
    then proves it with an example (a STAR story, numbers): the example is on topic for a person
    but shares few words with the question, so the mean alone puts a strong answer to "What is
    your greatest strength?" at 0.09-0.11, among the unrelated answers (trial J1).
  similarity = max(mean, w x best + (1 - w) x mean), w = `best_sentence_weight`: the best
  sentence lifts an answer whose point is on topic, and a whole answer that stays on topic keeps
  its mean; an answer none of whose sentences is near the question stays low;
- structure (scoring.text.sentence_structure_factor) is ~1 for sentences and 0 for a bare list of
  keywords: a keyword list is close to the question in embedding space but answers nothing;
- substance is min(1, words / full_credit_words): a two-sentence answer cannot fully address an
  interview question however on-topic it is.
Per-sentence similarities are kept to point at the sentences that wandered off.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from scoring.options import RelevanceCalibration

#: A sentence whose cosine with the question (plus topics) is below this is counted off-topic;
#: the off-topic answers of the evaluation set have every sentence under 0.10.
OFF_TOPIC_SENTENCE = 0.12


@dataclass(frozen=True)
class RelevanceResult:
    score: float
    #: The blended similarity the score is calibrated from (see the module docstring).
    similarity: float
    #: The whole answer's (mean vector's) cosine with the question (the best of it and its
    #: context questions), and with question + topics.
    similarity_question: float
    similarity_with_topics: float
    structure_factor: float
    substance_factor: float
    sentence_similarities: tuple[float, ...]
    off_topic_sentences: tuple[int, ...]
    #: The best sentence's similarity (0 without sentences).
    best_sentence_similarity: float = 0.0
    #: calibrated(similarity), 0-100: how far the answer is about the question, before the
    #: structure and substance factors; `score` <= `topicality` always.
    topicality: float = 0.0
    #: The topicality was raised to `Calibration.story_topicality`: a story of the candidate's
    #: own work answering an abstract question (scoring/stories.py, `with_story_floor`).
    work_story: bool = False

    def with_story_floor(self, topicality: float) -> RelevanceResult:
        """This result judged on topic at `topicality` at least, its score recomputed with the
        same structure and substance factors (a short story is still short), no sentence of it
        counted off topic."""
        if self.topicality >= topicality:
            return self
        score = round(topicality * self.structure_factor * self.substance_factor, 1)
        # The story is on topic as a whole: none of its sentences is quoted as drifting away.
        return replace(self, topicality=round(topicality, 1), score=score, work_story=True, off_topic_sentences=())

    def to_json(self) -> dict[str, Any]:
        return {
            "score": round(self.score, 1),
            "topicality": round(self.topicality, 1),
            "similarity": round(self.similarity, 4),
            "similarity_question": round(self.similarity_question, 4),
            "similarity_with_topics": round(self.similarity_with_topics, 4),
            "best_sentence_similarity": round(self.best_sentence_similarity, 4),
            "structure_factor": round(self.structure_factor, 3),
            "substance_factor": round(self.substance_factor, 3),
            "sentence_similarities": [round(s, 4) for s in self.sentence_similarities],
            "off_topic_sentences": list(self.off_topic_sentences),
            "work_story": self.work_story,
        }


def calibrate(similarity: float, knots: Sequence[tuple[float, float]]) -> float:
    """Piecewise-linear interpolation through `knots`, clamped to the end values."""
    xs, ys = zip(*knots, strict=True)
    return float(np.interp(similarity, xs, ys))


def answer_embedding(sentence_vectors: np.ndarray, sentences: Sequence[str]) -> np.ndarray:
    """Unit vector of the word-weighted mean of the sentence vectors (zeros if no sentence)."""
    if not len(sentences):
        return np.zeros(sentence_vectors.shape[1] if sentence_vectors.ndim == 2 else 384, dtype=np.float32)
    weights = np.array([max(1, len(s.split())) for s in sentences], dtype=np.float32)
    mean = (sentence_vectors * weights[:, None]).sum(axis=0)
    norm = float(np.linalg.norm(mean))
    return np.asarray(mean / norm if norm > 0 else mean, dtype=np.float32)


def question_prompts(
    question_text: str, expected_topics: Sequence[str], context_questions: Sequence[str] = ()
) -> list[str]:
    """The texts an answer is compared with: the question, the question with topics, then the
    earlier questions it also answers (a follow-up's planned question)."""
    with_topics = question_text
    if expected_topics:
        with_topics = f"{question_text} Topics: {', '.join(expected_topics)}."
    return [question_text, with_topics, *context_questions]


def score_relevance(
    *,
    answer_vector: np.ndarray,
    prompt_vectors: np.ndarray,
    sentence_vectors: np.ndarray,
    structure_factor: float,
    word_count: int,
    calibration: RelevanceCalibration,
    doubtful_sentences: Sequence[int] = (),
) -> RelevanceResult:
    """Pure: all vectors are unit length (rows); `prompt_vectors` are `question_prompts`'s:
    question, question+topics, then any context questions. The answer is judged against the
    one it addresses best: an answer to the follow-up "Can you give me one concrete example
    that shows that?" is about the planned question, and shares no words with the follow-up."""
    sim_question = max(float(answer_vector @ p) for i, p in enumerate(prompt_vectors) if i != 1)
    sim_topics = float(answer_vector @ prompt_vectors[1])
    whole = max(sim_question, sim_topics)
    per_sentence: tuple[float, ...] = ()
    if len(sentence_vectors):
        per_sentence = tuple(float(s) for s in (sentence_vectors @ prompt_vectors.T).max(axis=1))
    best = max(per_sentence, default=0.0)
    weight = calibration.best_sentence_weight
    similarity = max(whole, weight * best + (1 - weight) * whole) if per_sentence else whole
    substance = min(1.0, word_count / calibration.full_credit_words)
    topicality = calibrate(similarity, calibration.knots)
    score = topicality * structure_factor * substance
    return RelevanceResult(
        score=round(score, 1),
        topicality=round(topicality, 1),
        best_sentence_similarity=best,
        similarity=similarity,
        similarity_question=sim_question,
        similarity_with_topics=sim_topics,
        structure_factor=structure_factor,
        substance_factor=substance,
        sentence_similarities=per_sentence,
        # A sentence the recogniser was unsure of may be an on-topic sentence mis-heard: it is
        # never counted (or quoted) as off topic.
        off_topic_sentences=tuple(
            i for i, s in enumerate(per_sentence) if s < OFF_TOPIC_SENTENCE and i not in doubtful_sentences
        ),
    )
