"""What happens after an answer and after a session: scoring, follow-up questions, the report.

`Reviewer` holds the scoring resources that `create_app` made (the MiniLM embedder, the
LanguageTool checker or nothing while LanguageTool is down, the follow-up generator) and runs
the pure `scoring` and `interview` code in worker threads, storing what it returns and
pushing it to the candidate on the interview socket.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from interview import FollowUp, FollowUpContext, FollowUpGenerator, FollowUpPolicy, should_ask
from interview.progress import InterviewProgress, QuestionState
from persistence import interviews, reviews
from persistence.models import InterviewQuestion, InterviewSession
from scoring import (
    AnswerInput,
    AnswerScore,
    Embedder,
    GrammarChecker,
    QuestionResult,
    ScoringOptions,
    build_session_feedback,
    judge_topics,
    reference_texts,
    score_answer,
    standard_reading,
)
from server.live import protocol as wire
from server.progress import read_progress, save_progress

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
        self,
        owner: Owner,
        question: InterviewQuestion,
        words: list[Any],
        audio_duration: float,
        emit: Emit,
        *,
        progress: InterviewProgress | None = None,
        pauses: Sequence[tuple[float, float]] = (),
        may_follow_up: Callable[[], bool] = lambda: True,
        on_follow_up: Callable[[str], None] | None = None,
    ) -> tuple[InterviewProgress, InterviewQuestion | None]:
        """Score the stored answer (its VAD `pauses` included), store the scores with the
        progress, maybe insert a follow-up question (never when `may_follow_up()` is false, as
        after End), push the scores. `progress` is the live interview's (None: read it here).
        Returns the new progress and the follow-up row, if one was inserted."""
        if progress is None:
            async with self.db_sessions() as db:
                progress = read_progress(
                    await interviews.get_owned_session(db, owner.user_id, owner.session_id, with_details=True)
                )
        # A follow-up's answer is judged against what was asked: the follow-up read with its
        # planned question ("Can you give me one concrete example that shows that?" alone shares
        # no words with a concrete example, so a good one scored relevance 0, capped at 25).
        planned_id = progress.get(question.id).follow_up_of
        planned: tuple[str, ...] = ()
        planned_topics: tuple[str, ...] = ()
        if planned_id is not None:
            async with self.db_sessions() as db:
                planned_row = await interviews.get_owned_question(
                    db, owner.user_id, owner.session_id, uuid.UUID(planned_id)
                )
                planned = (planned_row.question_text,)
                planned_topics = tuple(planned_row.expected_topics or ())
        answer = AnswerInput(
            question_text=question.question_text,
            category=question.category or "general",
            difficulty=question.difficulty or "medium",
            # A follow-up has no talking points of its own (its row stores none): it asks for one
            # piece (an example, the result), and the planned question's missing points would
            # mark a good example as missing what it was never asked for.
            expected_topics=tuple(question.expected_topics or ()),
            transcript=question.transcript or "",
            words=tuple(words),
            audio_duration=audio_duration,
            pauses=tuple(pauses),
            context_questions=planned,
            # One piece asked for: judged against a follow-up's length, not a whole answer's (QA J28).
            is_follow_up=planned_id is not None,
        )
        score = await asyncio.to_thread(
            score_answer, answer, embedder=self.embedder, grammar=self.grammar(), options=self.options
        )
        # The planned question's talking points made in this follow-up's answer count as made
        # in the report (QA R3), though the follow-up is not scored on them.
        planned_points: tuple[dict[str, Any], ...] = ()
        if planned and planned_topics and answer.transcript.strip():
            judged = await asyncio.to_thread(
                judge_topics,
                planned[0],
                planned_topics,
                answer.transcript,
                embedder=self.embedder,
                options=self.options,
            )
            planned_points = tuple(
                {"topic": t.topic, "verdict": t.verdict, "evidence": t.evidence}
                for t in (judged.topics if judged is not None else ())
                if t.verdict != "missing"
            )
        asked = len(progress.follow_ups_of(question.id))
        is_follow_up = progress.get(question.id).follow_up_of is not None
        context = self._follow_up_context(question, score, asked, is_follow_up=is_follow_up)
        suggestions = await asyncio.to_thread(self.follow_ups.suggest, context)
        async with self.db_sessions.begin() as db:
            await reviews.record_scores(db, question.id, _score_columns(score, suggestions))
            entry = progress.get(question.id)
            number = progress.numbering(question.id)
            result = replace(
                _result(question, score),
                follow_up_of=None if entry.follow_up_of is None else number.number,
                attempt=entry.attempt,
                planned_talking_points=planned_points,
            )
            progress = progress.scored(question.id, {"result": result.to_json(), "score": score.to_json()})
            chosen = None
            if may_follow_up():
                # Never the same question twice: not the planned question, not a follow-up of it.
                root = entry.follow_up_of or entry.question_id
                group = [uuid.UUID(root), *(uuid.UUID(q.question_id) for q in progress.follow_ups_of(root))]
                chosen = should_ask(
                    suggestions,
                    asked,
                    progress.follow_up_count,
                    self.follow_up_policy,
                    already_asked=await reviews.question_texts(db, owner.session_id, group),
                )
            follow_up = None
            if chosen is not None:
                follow_up = await self._insert_follow_up(db, owner.session_id, question, chosen)
                progress = progress.with_follow_up(question.id, follow_up.id)
            await save_progress(db, owner.session_id, progress)
        if chosen is not None and on_follow_up is not None:
            on_follow_up(chosen.text)  # the voice starts speaking it now
        emit(
            wire.Generic(
                name="score",
                data={
                    **score.to_json(),
                    "question_id": str(question.id),
                    "attempt": entry.attempt,
                    "number": number.number,
                    "follow_up_index": number.follow_up_index,
                },
            )
        )
        if chosen is not None and follow_up is not None:
            numbering = progress.numbering(follow_up.id)
            emit(
                wire.Generic(
                    name="follow_up",
                    data={
                        "text": chosen.text,
                        "reason": chosen.reason,
                        "question_id": str(follow_up.id),
                        "number": numbering.number,
                        "follow_up_index": numbering.follow_up_index,
                    },
                )
            )
        return progress, follow_up

    async def review_session(self, owner: Owner, session: InterviewSession, emit: Emit) -> None:
        """Build, store and push the session's feedback report (with its averages and the user's
        totals). Every planned question counts (skipped and unanswered ones as not answered);
        follow-ups count only when answered, never against completion."""
        progress = read_progress(session)
        rows = {str(q.id): q for q in session.questions}
        results = []
        for entry in progress.questions:
            q = rows[entry.question_id]
            stored = (entry.result or {}).get("result") if entry.state is QuestionState.ANSWERED else None
            if entry.is_follow_up and stored is None:
                continue  # a follow-up not answered (or never asked) says nothing about the candidate
            number = progress.numbering(entry.question_id).number
            if stored is not None:
                result = QuestionResult.from_json(stored)
            else:
                result = QuestionResult.unanswered(
                    q.question_number, q.question_text, q.category or "general", q.difficulty or "medium"
                )
            results.append(
                replace(
                    result,
                    question_number=q.question_number,
                    follow_up_of=number if entry.is_follow_up else None,
                    shown_number=number,
                    skipped=entry.state is QuestionState.SKIPPED,
                    attempt=entry.attempt,
                )
            )
        preliminary = build_session_feedback(results, options=self.options)
        async with self.db_sessions.begin() as db:
            stored_session = await interviews.get_owned_session(db, owner.user_id, owner.session_id)
            percentile = await reviews.comparison_percentile(db, stored_session, preliminary.overall_score)
            feedback = build_session_feedback(results, percentile=percentile, options=self.options)
            await reviews.save_feedback(db, stored_session, feedback.to_row(), feedback.session_scores())
        emit(wire.Generic(name="feedback", data={**feedback.to_row(), **feedback.session_scores()}))

    def _follow_up_context(
        self, question: InterviewQuestion, score: AnswerScore, asked: int, *, is_follow_up: bool = False
    ) -> FollowUpContext:
        return FollowUpContext(
            question_text=question.question_text,
            category=question.category or "general",
            transcript=question.transcript or "",
            reading=standard_reading(question.transcript or ""),
            expected_topics=tuple(question.expected_topics or ()),
            missing_topics=tuple([*score.missing_topics, *score.touched_topics]),
            star_parts=None if score.star is None else frozenset(score.star.present),
            asked_count=asked,
            covered_topics=tuple(score.covered_topics),
            plan_missing=None
            if score.structure is None or score.structure.kind != "plan"
            else tuple(score.structure.missing),
            off_topic=score.details.non_answer,
            is_follow_up=is_follow_up,
        )

    async def _insert_follow_up(
        self, db: AsyncSession, session_id: uuid.UUID, parent: InterviewQuestion, follow_up: FollowUp
    ) -> InterviewQuestion:
        """The follow-up's row, right after the question it follows (later rows move down)."""
        return await reviews.insert_follow_up(
            db,
            session_id,
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


def stored_score(session: InterviewSession, question: InterviewQuestion) -> dict[str, Any] | None:
    """The answer's score details as stored with the session's progress (the same JSON the
    `score` event carried), or None when the current attempt has not been scored."""
    progress = read_progress(session)
    if question.id not in progress or not question.is_evaluated:
        return None
    entry = progress.get(question.id).result
    return entry.get("score") if isinstance(entry, dict) else None


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
        "follow_up_questions": [
            {"text": f.text, "reason": f.reason, "priority": f.priority, "kind": f.kind} for f in suggestions
        ],
    }
