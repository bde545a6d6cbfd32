"""What happens after an answer and after a session: scoring, follow-up questions, the report.

`Reviewer` holds the scoring resources that `create_app` made (the MiniLM embedder, the
LanguageTool checker or nothing while LanguageTool is down, the follow-up generator) and runs
the pure `scoring` and `interview` code in worker threads, storing what it returns and
pushing it to the candidate on the interview socket.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
import uuid
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from persistence import interviews, reviews
from persistence.answers import set_progress
from persistence.models import InterviewQuestion, InterviewSession
from scoring import (
    AnswerInput,
    AnswerScore,
    Embedder,
    GrammarChecker,
    QuestionResult,
    ScoringOptions,
    build_session_feedback,
    reference_texts,
    score_answer,
)
from interview import FollowUp, FollowUpContext, FollowUpGenerator, FollowUpPolicy, should_ask
from server.live import protocol as wire

log = logging.getLogger("server.review")

#: Time given to answer a follow-up question (seconds).
FOLLOW_UP_TIME_LIMIT = 90


class Owner(Protocol):
    """Whose session this is (a LiveInterview, or an upload's request context)."""

    user_id: uuid.UUID
    session_id: uuid.UUID


Emit = Callable[[wire.ServerEvent], None]


@dataclass
class Reviewer:
    db_sessions: async_sessionmaker[AsyncSession]
    embedder: Embedder
    #: The grammar checker, or None while LanguageTool is not available (grammar is then absent).
    grammar: Callable[[], GrammarChecker | None]
    follow_ups: FollowUpGenerator
    follow_up_policy: FollowUpPolicy
    options: ScoringOptions

    async def prepare_question(self, question: InterviewQuestion) -> None:
        """Embed what the answer will be compared with while the candidate speaks, so that
        scoring after the answer only embeds the answer. Best effort: a failure here only
        means scoring embeds these texts itself."""
        texts = reference_texts(question.question_text, question.expected_topics or ())
        try:
            await asyncio.to_thread(self.embedder.embed_references, texts)
        except Exception:  # the embedder raises onnxruntime's assorted errors
            log.warning("preparing question %s for scoring failed", question.id, exc_info=True)

    async def review_answer(
        self, owner: Owner, question: InterviewQuestion, words: list[Any], audio_duration: float, emit: Emit
    ) -> None:
        """Score the stored answer, store and push the scores, maybe insert a follow-up question."""
        answer = AnswerInput(
            question_text=question.question_text,
            category=question.category or "general",
            difficulty=question.difficulty or "medium",
            expected_topics=tuple(question.expected_topics or ()),
            transcript=question.transcript or "",
            words=tuple(words),
            audio_duration=audio_duration,
        )
        score = await asyncio.to_thread(
            score_answer, answer, embedder=self.embedder, grammar=self.grammar(), options=self.options
        )
        suggestions = await asyncio.to_thread(self.follow_ups.suggest, self._follow_up_context(question, score))
        async with self.db_sessions.begin() as db:
            await reviews.record_scores(db, question.id, _score_columns(score, suggestions))
            session = await interviews.get_owned_session(db, owner.user_id, owner.session_id, with_details=True)
            progress = (session.meta or {}).get("progress") or {}
            await set_progress(
                db,
                session,
                results={**progress.get("results", {}), str(question.question_number): _result(question, score).to_json()},
            )
            chosen = self._choose_follow_up(session, question, suggestions)
            if chosen is not None:
                await self._insert_follow_up(db, session, question, chosen)
        emit(wire.Generic(name="score", data=score.to_json()))
        if chosen is not None:
            emit(wire.Generic(name="follow_up", data={"text": chosen.text, "reason": chosen.reason}))

    async def review_session(self, owner: Owner, session: InterviewSession, emit: Emit) -> None:
        """Build, store and push the session's feedback report (with its averages and the user's totals)."""
        results_json = ((session.meta or {}).get("progress") or {}).get("results", {})
        results = [
            QuestionResult.from_json(results_json[str(q.question_number)])
            if str(q.question_number) in results_json
            else QuestionResult.unanswered(q.question_number, q.question_text, q.category or "general", q.difficulty or "medium")
            for q in session.questions
        ]
        preliminary = build_session_feedback(results, options=self.options)
        async with self.db_sessions.begin() as db:
            stored = await interviews.get_owned_session(db, owner.user_id, owner.session_id)
            percentile = await reviews.comparison_percentile(db, stored, preliminary.overall_score)
            feedback = build_session_feedback(results, percentile=percentile, options=self.options)
            await reviews.save_feedback(db, stored, feedback.to_row(), feedback.session_scores())
        emit(wire.Generic(name="feedback", data={**feedback.to_row(), **feedback.session_scores()}))

    def _follow_up_context(self, question: InterviewQuestion, score: AnswerScore) -> FollowUpContext:
        return FollowUpContext(
            question_text=question.question_text,
            category=question.category or "general",
            transcript=question.transcript or "",
            expected_topics=tuple(question.expected_topics or ()),
            missing_topics=tuple([*score.missing_topics, *score.touched_topics]),
            star_parts=None if score.star is None else frozenset(score.star.present),
            asked_count=0,
            covered_topics=tuple(score.covered_topics),
            plan_missing=None if score.structure is None or score.structure.kind != "plan" else tuple(score.structure.missing),
        )

    def _choose_follow_up(self, session: InterviewSession, question: InterviewQuestion, suggestions: list[FollowUp]) -> FollowUp | None:
        follow_ups: dict[str, int] = ((session.meta or {}).get("progress") or {}).get("follow_ups", {})
        root = _root_question(follow_ups, question.question_number)
        for_question = sum(1 for number in follow_ups if _root_question(follow_ups, int(number)) == root)
        return should_ask(suggestions, for_question, len(follow_ups), self.follow_up_policy)

    async def _insert_follow_up(
        self, db: AsyncSession, session: InterviewSession, parent: InterviewQuestion, follow_up: FollowUp
    ) -> None:
        number = await reviews.insert_follow_up(
            db,
            session,
            parent.question_number,
            {
                "question_text": follow_up.text,
                # A follow-up asks for one missing piece, not a whole STAR story: judging its
                # answer as a behavioural answer would flag the parts told the first time.
                "category": "general" if parent.category in ("behavioral", "situational") else parent.category,
                "difficulty": parent.difficulty,
                "expected_topics": [],
                "time_limit": FOLLOW_UP_TIME_LIMIT,
            },
        )
        progress = (session.meta or {}).get("progress") or {}

        def shifted(n: int) -> int:
            return n + 1 if n >= number else n

        follow_ups = {str(shifted(int(k))): shifted(v) for k, v in progress.get("follow_ups", {}).items()}
        follow_ups[str(number)] = parent.question_number
        results = {str(shifted(int(k))): v for k, v in progress.get("results", {}).items()}
        for value in results.values():
            value["question_number"] = shifted(value["question_number"])
        await set_progress(
            db,
            session,
            follow_ups=follow_ups,
            results=results,
            skipped=sorted(shifted(n) for n in progress.get("skipped", [])),
        )


def stored_score(session: InterviewSession, question: InterviewQuestion) -> dict[str, Any] | None:
    """The answer's score details as stored with the session's progress (the same JSON the
    `score` event carried), or None when the question has not been scored."""
    progress = (session.meta or {}).get("progress") or {}
    if isinstance(progress.get("questions"), list):  # the typed progress (interview.progress)
        entry = next((q.get("result") for q in progress["questions"] if q.get("id") == str(question.id)), None)
    else:  # the first format: results keyed by question number
        results = progress.get("results") or {}
        entry = results.get(str(question.id)) or results.get(str(question.question_number))
    if not isinstance(entry, dict) or not question.is_evaluated:
        return None
    return entry.get("score")


def _root_question(follow_ups: dict[str, int], number: int) -> int:
    while str(number) in follow_ups:
        number = follow_ups[str(number)]
    return number


def _result(question: InterviewQuestion, score: AnswerScore) -> QuestionResult:
    return QuestionResult.from_score(
        question.question_number,
        question.question_text,
        question.category or "general",
        question.difficulty or "medium",
        score,
        transcript=question.transcript or "",
    )


def _score_columns(score: AnswerScore, suggestions: list[FollowUp]) -> dict[str, Any]:
    return {
        "relevance_score": score.relevance,
        "grammar_score": score.grammar,
        "fluency_score": score.fluency,
        "keyword_score": score.keywords,
        "overall_score": score.overall,
        "evaluation_summary": score.evaluation_summary,
        "suggestions": score.suggestions_json(),
        "follow_up_questions": [{"text": f.text, "reason": f.reason, "priority": f.priority, "kind": f.kind} for f in suggestions],
    }
