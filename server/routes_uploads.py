"""Recorded answers uploaded over HTTP (for clients that record first): the same transcription,
storage and scoring as a live answer. The format is recognised by content, never by name.

Order of the checks, cheapest first, and nothing of the body read before the third:
1. the caller owns the question (404) and the declared size fits (413);
2. the session's lease (server/live/locks.py, cluster-wide with Redis), held until the answer,
   its scores and any follow-up are stored: one answer at a time per session, whether it comes
   from an upload or a live socket, on any node (409; 503 while Redis is unreachable). Under it:
   the interview is open, the question unanswered and not being answered live (409);
3. an upload slot, global and per user (503 / 429 with Retry-After, server/upload_limits.py);
4. the body is read (413), recognised, checked and decoded in the upload pool (415), stored
   under a name of its own (`<question>.upload.<format>`, `<question>-attempt<n>.upload.<format>`
   after "try again"; never a live recording's, never an earlier attempt's), then
   transcribed (one upload at a time per node by default: `max_transcribing`), stored and scored.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

from litestar import Request, post
from litestar.exceptions import ClientException
from litestar.params import FromPath

from interview.progress import InterviewProgress, QuestionState
from persistence import answers, interviews
from persistence.errors import Conflict
from persistence.models import InterviewQuestion, InterviewStatus, User
from server.errors import ServiceUnavailable, error_responses
from server.live import protocol as wire
from server.live.audio_store import HEADER_BYTES, attempt_path, segments_path
from server.live.endpoints import channel_name
from server.live.locks import Lease, LockUnavailable, SessionLocks
from server.live.recording import transcribe_recording
from server.progress import read_progress, save_progress
from server.routes_sessions import question_out
from server.schemas import QuestionOut
from streaming.events import AnswerComplete
from streaming.vocabulary import decoder_intro

MAX_UPLOAD_BYTES = 25 * 1024 * 1024


@dataclass(frozen=True)
class _Owner:
    user_id: uuid.UUID
    session_id: uuid.UUID


@post(
    "/api/sessions/{session_id:uuid}/questions/{question_id:uuid}/audio",
    tags=["sessions"],
    summary="Upload a recorded answer (wav, mp3, webm/opus, ogg, flac; at most 25 MB, 48 kHz, 2 channels)",
    request_max_body_size=MAX_UPLOAD_BYTES,
    responses=error_responses(401, 404, 409, 413, 415, 429, 503),
    status_code=200,
)
async def upload_answer(
    request: Request[User, object, object], session_id: FromPath[uuid.UUID], question_id: FromPath[uuid.UUID]
) -> QuestionOut:
    state = request.app.state
    owner = _Owner(request.user.id, session_id)
    async with state.db_sessions() as db:
        await interviews.get_owned_question(db, owner.user_id, session_id, question_id)
    _refuse_declared_oversize(request)
    async with answering(state.session_locks, session_id) as lease:
        question, attempt = await _answerable(request, owner, question_id)
        with state.uploads.admit(owner.user_id):
            body = await request.body()
            decoded = await state.uploads.decode(body)
            async with state.db_sessions.begin() as db:
                session = await interviews.get_owned_session(db, owner.user_id, session_id)
                await interviews.change_status(db, session, InterviewStatus.IN_PROGRESS)
                intro = decoder_intro(session.target_role, session.target_company)
            path = upload_path(state.settings.audio_dir, owner, question_id, attempt, decoded.audio_format)
            await state.uploads.run(lambda: _write_atomically(path, body))
            try:
                async with state.uploads.transcription_turn():
                    complete = await transcribe_recording(
                        state.scheduler,
                        state.settings.streaming,
                        decoded.audio,
                        context_prompt=question.question_text,
                        hotwords=" ".join(question.expected_topics or []) or None,
                        intro=intro,
                    )
                if lease.lost.is_set():  # only after a Redis restart race: someone else holds the session now
                    raise Conflict(
                        "this interview was taken over by another connection while the upload was transcribed"
                    )
                progress = await _record(
                    request,
                    owner,
                    question_id,
                    complete,
                    answers.AnswerAudio(str(path), complete.audio_duration, len(body), decoded.audio_format),
                )
            except BaseException:
                # Not stored (deleted or cancelled meanwhile, taken over, failed): nothing of this
                # upload is kept, its file included. A plain unlink: it must run even when cancelled.
                path.unlink(missing_ok=True)
                raise

        def publish(event: wire.ServerEvent) -> None:
            event.question = question.question_number
            state.channels.publish(wire.encode_event(event), channel_name(session_id))

        async with state.db_sessions() as db:
            stored = await interviews.get_owned_question(db, owner.user_id, session_id, question_id)
        if complete.word_count:
            words = [word for segment in complete.segments for word in segment.words]
            await state.reviewer.review_answer(
                owner, stored, words, complete.audio_duration, publish, progress=progress
            )
        async with state.db_sessions() as db:
            session = await interviews.get_owned_session(db, owner.user_id, session_id, with_details=True)
            stored = await interviews.get_owned_question(db, owner.user_id, session_id, question_id)
    return question_out(session, stored)  # as GET .../questions/{id} shows it: state, attempts, score details


async def _record(
    request: Request[User, object, object],
    owner: _Owner,
    question_id: uuid.UUID,
    complete: AnswerComplete,
    audio: answers.AnswerAudio,
) -> InterviewProgress:
    """Store the answer and its place in the progress (an upload without words is skipped), if
    the interview is still open (Conflict otherwise; NotFound if deleted)."""
    async with request.app.state.db_sessions.begin() as db:
        session = await interviews.get_owned_session(db, owner.user_id, owner.session_id, with_details=True)
        if session.status in (InterviewStatus.COMPLETED, InterviewStatus.CANCELLED):
            raise Conflict(f"this interview was {session.status.value} while the upload was transcribed")
        progress = read_progress(session)  # before the row changes: it is read from the rows too
        await answers.record_answer(
            db,
            question_id,
            answers.AnswerTranscript(complete.transcript, complete.confidence, complete.word_count),
            audio,
        )
        if progress.get(question_id).state is QuestionState.NOT_ASKED:
            progress = progress.asked_now(question_id)
        progress = progress.answered(question_id) if complete.word_count else progress.skipped(question_id)
        await save_progress(db, owner.session_id, progress)
        session.questions_answered = progress.answered_planned
        return progress


@contextlib.asynccontextmanager
async def answering(locks: SessionLocks, session_id: uuid.UUID) -> AsyncIterator[Lease]:
    """Hold the session's lease (the live socket's, see server/live/locks.py) while answering:
    Conflict (409) if a live connection or another upload holds it."""
    try:
        lease = await locks.acquire(session_id)
    except LockUnavailable as error:
        raise ServiceUnavailable("answers cannot be locked right now: please try again in a moment") from error
    if lease is None:
        raise Conflict("this interview is being answered right now (live, or by another upload): one answer at a time")
    try:
        yield lease
    finally:
        await lease.release()


async def _answerable(
    request: Request[User, object, object], owner: _Owner, question_id: uuid.UUID
) -> tuple[InterviewQuestion, int]:
    """The question and its current attempt (1, or n after "try again"), if an upload may answer
    it now (checked under the lease); Conflict otherwise. Only the current attempt's recording
    is looked at: an earlier attempt's stays, it is shown in the report."""
    state = request.app.state
    async with state.db_sessions() as db:
        session = await interviews.get_owned_session(db, owner.user_id, owner.session_id, with_details=True)
        question = await interviews.get_owned_question(db, owner.user_id, owner.session_id, question_id)
    if session.status in (InterviewStatus.COMPLETED, InterviewStatus.CANCELLED):
        raise Conflict(f"this interview is {session.status.value}")
    if question.answered_at is not None:
        raise Conflict("this question is already answered")
    progress = read_progress(session)
    attempt = progress.get(question_id).attempt if question_id in progress else 1
    live = attempt_path(state.settings.audio_dir, owner.user_id, owner.session_id, question_id, attempt)
    if await asyncio.to_thread(_live_answer_started, live):  # file calls off the event loop
        # A live answer was started (the socket dropped and may resume it): an upload must not
        # replace what the candidate said, nor be appended to by the live writer later.
        raise Conflict("this question has a live answer in progress: continue it on the interview socket")
    return question, attempt


def _live_answer_started(live: Path) -> bool:
    """Whether the attempt's live recording holds audio or segments (blocking file calls). A
    live answer opened but never spoken into is deleted: nothing of it is worth keeping."""
    recorded = live.stat().st_size if live.exists() else 0
    if recorded > HEADER_BYTES or segments_path(live).exists():
        return True
    if recorded:
        live.unlink(missing_ok=True)
    return False


def upload_path(audio_dir: Path, owner: _Owner, question_id: uuid.UUID, attempt: int, audio_format: str) -> Path:
    """Beside the attempt's live recording, never the same file: `<question>.upload.<format>`
    for attempt 1, `<question>-attempt<n>.upload.<format>` for attempt n (an earlier attempt's
    upload is never overwritten)."""
    live = attempt_path(audio_dir, owner.user_id, owner.session_id, question_id, attempt)
    return live.with_name(f"{live.stem}.upload.{audio_format}")


def _write_atomically(path: Path, body: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_bytes(body)
    os.replace(partial, path)


def _refuse_declared_oversize(request: Request) -> None:
    """413 from the Content-Length header alone, before any lock or slot is taken (a chunked
    body is counted as it is read)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_UPLOAD_BYTES:
        raise ClientException(status_code=413, detail=f"an upload is at most {MAX_UPLOAD_BYTES // (1024 * 1024)} MB")
