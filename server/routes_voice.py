"""The interviewer's voice over HTTP: a question spoken as WAV (server/voice.py synthesises it)."""

from __future__ import annotations

import uuid

from litestar import Request, Response, get
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath

from persistence import interviews
from persistence.models import User
from server.db import Db
from server.errors import error_responses
from server.voice import InterviewerVoice

#: A spoken question does not change (same text, same voice): the browser may keep it a day.
CACHE_CONTROL = "private, max-age=86400"
SPOKEN = ResponseSpec(
    bytes, media_type="audio/wav", generate_examples=False, description="The question spoken, 16-bit mono WAV"
)


def voice_path(session_id: uuid.UUID, question_id: uuid.UUID) -> str:
    return f"/api/sessions/{session_id}/questions/{question_id}/voice"


@get(
    "/api/sessions/{session_id:uuid}/questions/{question_id:uuid}/voice",
    tags=["sessions"],
    summary="The question spoken by the interviewer (audio/wav)",
    responses={
        200: SPOKEN,
        304: ResponseSpec(None, description="Not modified (If-None-Match)"),
        **error_responses(401, 404, 503),
    },
)
async def question_voice(
    request: Request[User, object, object], session_id: FromPath[uuid.UUID], question_id: FromPath[uuid.UUID], db: Db
) -> Response[bytes]:
    """The owner's question as speech; 404 for anyone else's ids, 503 `voice_unavailable` when
    the voice is off on this server or cannot speak. Prepared ahead, it comes from the cache."""
    question = await interviews.get_owned_question(db, request.user.id, session_id, question_id)
    voice: InterviewerVoice = request.app.state.voice
    spoken = await voice.wav(question.question_text)
    headers = {"ETag": spoken.etag, "Cache-Control": CACHE_CONTROL}
    if spoken.etag in (tag.strip() for tag in request.headers.get("if-none-match", "").split(",")):
        return Response(b"", status_code=304, headers=headers)
    return Response(spoken.wav, media_type="audio/wav", headers=headers)
