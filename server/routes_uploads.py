"""Recorded answers uploaded over HTTP (for clients that record first): the same transcription,
storage and scoring as a live answer. The format is recognised by content, never by name."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass

from litestar import Request, post
from litestar.params import FromPath

from persistence import answers, interviews
from persistence.errors import Conflict
from persistence.models import InterviewStatus, User
from server.errors import error_responses
from server.live.audio_store import answer_path
from server.live.endpoints import channel_name
from server.live import protocol as wire
from server.live.recording import transcribe_recording
from server.schemas import QuestionOut, from_row
from streaming.audio import decode_audio_bytes, sniff_audio_format
from streaming.errors import UnsupportedAudioError

MAX_UPLOAD_BYTES = 25 * 1024 * 1024
MAX_UPLOAD_SECONDS = 15 * 60


@dataclass(frozen=True)
class _Owner:
    user_id: uuid.UUID
    session_id: uuid.UUID


@post(
    "/api/sessions/{session_id:uuid}/questions/{question_id:uuid}/audio",
    tags=["sessions"],
    summary="Upload a recorded answer (wav, mp3, webm/opus, ogg, flac; at most 25 MB)",
    request_max_body_size=MAX_UPLOAD_BYTES,
    responses=error_responses(401, 404, 409, 413, 415),
    status_code=200,
)
async def upload_answer(
    request: Request[User, object, object], session_id: FromPath[uuid.UUID], question_id: FromPath[uuid.UUID]
) -> QuestionOut:
    state = request.app.state
    owner = _Owner(request.user.id, session_id)
    body = await request.body()
    async with state.db_sessions() as db:
        session = await interviews.get_owned_session(db, owner.user_id, session_id)
        question = await interviews.get_owned_question(db, owner.user_id, session_id, question_id)
        if session.status in (InterviewStatus.COMPLETED, InterviewStatus.CANCELLED):
            raise Conflict(f"this interview is {session.status.value}")
        if question.answered_at is not None:
            raise Conflict("this question is already answered")
        if session_id in state.live_sessions:
            raise Conflict("this interview is streaming live right now")
    audio_format = sniff_audio_format(body[:16])
    if audio_format is None:
        raise UnsupportedAudioError("not a wav, mp3, webm, ogg or flac recording")
    audio = await asyncio.to_thread(decode_audio_bytes, body, max_seconds=MAX_UPLOAD_SECONDS)
    async with state.db_sessions.begin() as db:
        session = await interviews.get_owned_session(db, owner.user_id, session_id)
        await interviews.change_status(db, session, InterviewStatus.IN_PROGRESS)

    path = answer_path(state.settings.audio_dir, owner.user_id, session_id, question_id).with_suffix(f".{audio_format}")
    path.parent.mkdir(parents=True, exist_ok=True)
    await asyncio.to_thread(path.write_bytes, body)
    complete = await transcribe_recording(
        state.scheduler,
        state.settings.streaming,
        audio,
        context_prompt=question.question_text,
        hotwords=" ".join(question.expected_topics or []) or None,
    )
    async with state.db_sessions.begin() as db:
        await answers.record_answer(
            db,
            question_id,
            answers.AnswerTranscript(complete.transcript, complete.confidence, complete.word_count),
            answers.AnswerAudio(str(path), complete.audio_duration, len(body), audio_format),
        )
        session = await interviews.get_owned_session(db, owner.user_id, session_id)
        session.questions_answered = await answers.count_answered(db, session_id)

    def publish(event: wire.ServerEvent) -> None:
        event.question = question.question_number
        state.channels.publish(wire.encode_event(event), channel_name(session_id))

    async with state.db_sessions() as db:
        stored = await interviews.get_owned_question(db, owner.user_id, session_id, question_id)
    if complete.word_count:
        words = [word for segment in complete.segments for word in segment.words]
        await state.reviewer.review_answer(owner, stored, words, complete.audio_duration, publish)
        async with state.db_sessions() as db:
            stored = await interviews.get_owned_question(db, owner.user_id, session_id, question_id)
    return from_row(QuestionOut, stored)
