"""Interview sessions of the signed-in user. Every route goes through an owner-scoped lookup,
so another user's id is a 404, never their data."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any, Literal

import msgspec
from litestar import Controller, Request, delete, get, post
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from litestar.response import File

from persistence import answers, interviews, preferences, users
from persistence.errors import NotFound
from persistence.models import InterviewQuestion, InterviewSession, InterviewStatus, User
from server.db import Db
from server.errors import RequestError, error_responses
from server.live import control
from server.planning import plan_questions
from server.progress import earlier_attempt, question_fields, read_progress
from server.review import stored_score
from server.schemas import (
    CreateSessionRequest,
    FeedbackOut,
    QuestionOut,
    SessionDetailOut,
    SessionOut,
    SessionPage,
    ShareOut,
    from_row,
)

#: The largest offset a page may start at: any SQL integer holds it (larger ones would overflow the
#: database driver instead of just returning an empty page).
MAX_OFFSET = 2**31 - 1
#: The list's query parameters. Any other is a 400, as unknown body fields are: a misspelt
#: `?stauts=` must not quietly return the unfiltered list.
LIST_QUERY = frozenset({"status", "limit", "offset"})
#: The playback route's success response as it really is: audio bytes of the answer's own type.
#: (Litestar's default File document has an empty media type and calls the HTTP-date
#: `last-modified` header an RFC 3339 date-time.)
RECORDING = ResponseSpec(
    bytes,
    media_type="audio/*",
    generate_examples=False,
    description="The recording: audio/wav for live answers, an upload's own type",
)

AUDIO_MEDIA_TYPES = {
    "wav": "audio/wav",
    "mp3": "audio/mpeg",
    "webm": "audio/webm",
    "ogg": "audio/ogg",
    "flac": "audio/flac",
}


def question_out(session: InterviewSession, question: InterviewQuestion) -> QuestionOut:
    """A question with its scores' details and its place in the interview (session loaded with
    its questions)."""
    extra = question_fields(session.id, read_progress(session), question)
    return from_row(QuestionOut, question, score_details=stored_score(session, question), **extra)


def session_detail(session: InterviewSession) -> SessionDetailOut:
    return from_row(
        SessionDetailOut,
        session,
        questions=[question_out(session, q) for q in session.questions],
        feedback=from_row(FeedbackOut, session.feedback) if session.feedback else None,
        **progress_counts(session),
    )


def session_summary(session: InterviewSession) -> SessionOut:
    """A session of the list (loaded with its questions), counted as its report counts."""
    return from_row(SessionOut, session, **progress_counts(session))


def progress_counts(session: InterviewSession) -> dict[str, Any]:
    """`questions_skipped`, and `follow_up_waiting` while the interview can still be resumed (a
    follow-up chosen after the last answer of a finished or cancelled one is never asked)."""
    progress = read_progress(session)
    resumable = session.status in (InterviewStatus.CREATED, InterviewStatus.IN_PROGRESS)
    return {
        "questions_skipped": progress.skipped_planned,
        "follow_up_waiting": resumable and progress.follow_up_waiting,
    }


class SessionController(Controller):
    path = "/api/sessions"
    tags = ("sessions",)

    @post(
        "/",
        summary="Create an interview session with its planned questions",
        status_code=201,
        responses=error_responses(401, 413),
    )
    async def create(
        self, request: Request[User, object, object], data: JSONBody[CreateSessionRequest], db: Db
    ) -> SessionDetailOut:
        user = await users.get_user(db, request.user.id)
        questions = await plan_questions(db, user, data)
        changes = {} if data.voice_enabled is msgspec.UNSET else {"voice_enabled": data.voice_enabled}
        meta, prefs = await preferences.with_preferences(
            db, user.id, {"seed": data.seed} if data.seed else None, changes
        )
        session = await interviews.create_session(
            db,
            user_id=user.id,
            fields={
                "title": data.title,
                "description": data.description,
                "target_role": data.target_role or user.target_role,
                "target_company": data.target_company or user.target_company,
                "difficulty": data.difficulty,
                "interview_type": data.interview_type,
                "num_questions": len(questions) or data.num_questions,
                "meta": meta,
            },
            questions=questions,
        )
        if questions and prefs["voice_enabled"]:
            request.app.state.voice.prepare(questions[0]["question_text"])  # spoken before the candidate starts
        return session_detail(await interviews.get_owned_session(db, user.id, session.id, with_details=True))

    @get("/", summary="My sessions, newest first", responses=error_responses(401))
    async def list(
        self,
        request: Request[User, object, object],
        db: Db,
        status: FromQuery[Literal["created", "in_progress", "completed", "cancelled"] | None] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=100)] = 20,
        offset: Annotated[int, QueryParameter(ge=0, le=MAX_OFFSET)] = 0,
    ) -> SessionPage:
        unknown = sorted(set(request.query_params) - LIST_QUERY)
        if unknown:
            raise RequestError(f"unknown query parameter {unknown[0]!r}", field=unknown[0])
        page = await interviews.list_sessions(
            db,
            request.user.id,
            status=InterviewStatus(status) if status else None,
            limit=limit,
            offset=offset,
            with_questions=True,
        )
        return SessionPage(
            items=[session_summary(s) for s in page.items], total=page.total, limit=page.limit, offset=page.offset
        )

    @get(
        "/{session_id:uuid}", summary="One session with its questions and feedback", responses=error_responses(401, 404)
    )
    async def read(
        self, request: Request[User, object, object], session_id: FromPath[uuid.UUID], db: Db
    ) -> SessionDetailOut:
        return session_detail(await interviews.get_owned_session(db, request.user.id, session_id, with_details=True))

    @post(
        "/{session_id:uuid}/cancel",
        summary="Cancel a session that is not finished",
        status_code=200,
        responses=error_responses(401, 404, 409),
    )
    async def cancel(
        self, request: Request[User, object, object], session_id: FromPath[uuid.UUID], db: Db
    ) -> SessionOut:
        """A live interview of the session (on any node) stops at once without storing more."""
        session = await interviews.get_owned_session(db, request.user.id, session_id, with_details=True)
        await interviews.change_status(db, session, InterviewStatus.CANCELLED)
        out = session_summary(session)
        # The open answers' current attempts go; a question being tried again keeps its earlier
        # attempts (their recordings are other files, and the report shows them).
        progress = read_progress(session)
        open_attempts = [
            (q.id, progress.get(q.id).attempt if q.id in progress else 1)
            for q in session.questions
            if q.answered_at is None
        ]
        await answers.forget_open_answers(db, session_id)
        await db.commit()
        await control.session_cancelled(request.app.state, request.user.id, session_id, open_attempts)
        return out

    @delete(
        "/{session_id:uuid}",
        summary="Delete a session with its questions and feedback",
        status_code=204,
        responses=error_responses(401, 404),
    )
    async def remove(self, request: Request[User, object, object], session_id: FromPath[uuid.UUID], db: Db) -> None:
        """Its sockets (on any node) close, and its recordings and sidecars are deleted."""
        await interviews.delete_session(db, await interviews.get_owned_session(db, request.user.id, session_id))
        await db.commit()
        await control.sessions_deleted(request.app.state, request.user.id, [session_id])

    @post(
        "/{session_id:uuid}/share",
        summary="A read-only token to watch this session's live transcript",
        status_code=200,
        responses=error_responses(401, 404),
    )
    async def share(self, request: Request[User, object, object], session_id: FromPath[uuid.UUID], db: Db) -> ShareOut:
        await interviews.get_owned_session(db, request.user.id, session_id)
        hours = request.app.state.settings.live.share_token_hours
        token = request.app.state.tokens.watch_token(session_id, timedelta(hours=hours))
        return ShareOut(
            token=token, watch_path=f"/ws/sessions/{session_id}/watch?token={token}", expires_in=hours * 3600
        )

    @delete(
        "/{session_id:uuid}/share",
        summary="Withdraw every share link of this session (their watch sockets close)",
        status_code=204,
        responses=error_responses(401, 404, 503),
    )
    async def withdraw_shares(
        self, request: Request[User, object, object], session_id: FromPath[uuid.UUID], db: Db
    ) -> None:
        """Every share token issued until now is refused, on every node, and watch sockets that
        use one close with 1008 `share_withdrawn`. The owner's own watch sockets stay; a new
        share link made afterwards works."""
        await interviews.get_owned_session(db, request.user.id, session_id)
        await request.app.state.tokens.withdraw_shares(session_id)
        control.shares_withdrawn(request.app.state, session_id)

    @get(
        "/{session_id:uuid}/questions/{question_id:uuid}/audio",
        summary=(
            "Play back the recorded answer (WAV for live answers; uploads in their own format); "
            "`?attempt=N` an earlier attempt"
        ),
        responses={200: RECORDING, **error_responses(401, 404)},
    )
    async def audio(
        self,
        request: Request[User, object, object],
        session_id: FromPath[uuid.UUID],
        question_id: FromPath[uuid.UUID],
        db: Db,
        attempt: Annotated[int | None, QueryParameter(ge=1, le=1000)] = None,
    ) -> File:
        question = await interviews.get_owned_question(db, request.user.id, session_id, question_id)
        stored_path, audio_format = question.audio_file_path, question.audio_format
        if attempt is not None:
            session = await interviews.get_owned_session(db, request.user.id, session_id, with_details=True)
            progress = read_progress(session)
            if attempt != progress.get(question.id).attempt:
                columns = earlier_attempt(progress, question.id, attempt)
                if columns is None:
                    raise NotFound("this question has no such attempt")
                stored_path, audio_format = columns.get("audio_file_path"), columns.get("audio_format")
        path = Path(stored_path) if stored_path else None
        if path is None or not await asyncio.to_thread(path.is_file):
            raise NotFound("this answer has no recording")
        audio_format = audio_format or "wav"  # an earlier attempt's own: an upload, then a live retry
        return File(
            path=path,
            media_type=AUDIO_MEDIA_TYPES.get(audio_format, "application/octet-stream"),
            filename=f"answer-{question.question_number}.{audio_format}",
            content_disposition_type="inline",
        )

    @get(
        "/{session_id:uuid}/questions/{question_id:uuid}",
        summary="One question with its transcript and scores",
        responses=error_responses(401, 404),
    )
    async def question(
        self,
        request: Request[User, object, object],
        session_id: FromPath[uuid.UUID],
        question_id: FromPath[uuid.UUID],
        db: Db,
    ) -> QuestionOut:
        question = await interviews.get_owned_question(db, request.user.id, session_id, question_id)
        session = await interviews.get_owned_session(db, request.user.id, session_id, with_details=True)
        return question_out(session, question)
