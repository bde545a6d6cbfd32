"""Request and response bodies of the REST API (msgspec Structs).

Limits mirror the schema's column sizes, so an over-long string is a 400 that names the field
instead of a database error. Enumerated fields use Literal types: unknown values are a 400.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

import msgspec
from msgspec import Meta

from server.errors import RequestError

#: A character allowed in an e-mail address here: anything but "@", controls and white space. Spelt
#: out because `\s` means different sets in Python (the validator) and ECMA-262 (the OpenAPI
#: document's regex dialect), and the two must agree on what is valid.
_ADDRESS_CHAR = r"[^@\x00-\x20\x7f-\x9f\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]"
_EMAIL = rf"^{_ADDRESS_CHAR}+@{_ADDRESS_CHAR}+\.{_ADDRESS_CHAR}+$"
Email = Annotated[str, Meta(min_length=3, max_length=255, pattern=_EMAIL)]
#: PostgreSQL text cannot hold NUL characters (SQLite can): every string the server stores or
#: looks up refuses them at validation, so both databases answer the same 400.
_NO_NUL = r"^[^\x00]*$"
#: What each pattern above asks for, in words: a 400 says this instead of the regular expression.
PATTERN_MEANINGS = {
    _EMAIL: "an e-mail address such as name@example.com (no spaces or control characters)",
    _NO_NUL: "text without the NUL character (\\u0000)",
}


def _text(max_length: int, min_length: int = 0) -> Any:
    return Annotated[str, Meta(min_length=min_length, max_length=max_length, pattern=_NO_NUL)]


Password = Annotated[str, Meta(min_length=8, max_length=72)]  # hashed, never stored as text: NUL is fine
Name = _text(100, min_length=1)
Text20 = _text(20)
Text50 = _text(50)
Text100 = _text(100)
Text500 = _text(500)
Skills = Annotated[list[_text(60, min_length=1)], Meta(max_length=50)]
#: A phone number as people write one: an optional "+", at least six digits, and only spaces,
#: dots, hyphens and brackets between them ("+44 20 7946 0000", "(555) 123-4567").
_PHONE = r"^\+?[ ().\-]*(?:[0-9][ ().\-]*){6,}$"
Phone = Annotated[
    str,
    Meta(
        max_length=20,
        pattern=_PHONE,
        description="digits with an optional leading +, spaces, dots, hyphens or brackets",
    ),
]
PATTERN_MEANINGS[_PHONE] = (
    "a phone number: at least six digits, an optional leading +, spaces, dots, hyphens or brackets"
)
Language = _text(10, min_length=2)
LoginEmail = _text(255)  # any text: an unknown address is a 401 like a wrong password
Title = _text(200, min_length=1)
Description = _text(5000)
QuestionText = _text(1000, min_length=5)
Topic = _text(100)
Seed = _text(64)
Difficulty = Literal["easy", "medium", "hard"]
InterviewType = Literal["behavioral", "technical", "mixed"]
Status = Literal["created", "in_progress", "completed", "cancelled"]
#: Timestamps in responses: always with a UTC offset (RFC 3339 `date-time`), see `as_utc`.
UtcTime = Annotated[datetime, Meta(tz=True)]


class ProfileFields(msgspec.Struct, kw_only=True, forbid_unknown_fields=True, omit_defaults=True):
    """Profile and preference fields of `users` that the user owns. Omitted = unchanged."""

    full_name: Name | msgspec.UnsetType = msgspec.UNSET
    profile_picture: Text500 | None | msgspec.UnsetType = msgspec.UNSET
    phone_number: Phone | None | msgspec.UnsetType = msgspec.UNSET
    target_role: Text100 | None | msgspec.UnsetType = msgspec.UNSET
    target_company: Text100 | None | msgspec.UnsetType = msgspec.UNSET
    experience_years: Annotated[int, Meta(ge=0, le=70)] | msgspec.UnsetType = msgspec.UNSET
    education_level: Text50 | None | msgspec.UnsetType = msgspec.UNSET
    skills: Skills | None | msgspec.UnsetType = msgspec.UNSET
    preferred_language: Language | msgspec.UnsetType = msgspec.UNSET
    notification_email: bool | msgspec.UnsetType = msgspec.UNSET
    notification_push: bool | msgspec.UnsetType = msgspec.UNSET

    def __post_init__(self) -> None:
        # "Python, SQL, python" is one skill said twice: keep the first spelling of each, trimmed.
        if isinstance(self.skills, list):
            first_spellings: dict[str, str] = {}
            for skill in self.skills:
                first_spellings.setdefault(skill.strip().casefold(), skill.strip())
            self.skills = list(first_spellings.values())

    def changes(self) -> dict[str, Any]:
        return {name: value for name, value in msgspec.structs.asdict(self).items() if value is not msgspec.UNSET}


class ProfileUpdate(ProfileFields, kw_only=True, forbid_unknown_fields=True, omit_defaults=True):
    """PATCH /api/users/me: the profile fields plus the interview preferences, which the schema
    keeps in the sessions' metadata (see persistence/preferences.py), not in `users`."""

    voice_enabled: bool | msgspec.UnsetType = msgspec.UNSET

    def preference_changes(self) -> dict[str, Any]:
        return {} if self.voice_enabled is msgspec.UNSET else {"voice_enabled": self.voice_enabled}

    def changes(self) -> dict[str, Any]:
        profile = super().changes()
        profile.pop("voice_enabled", None)
        return profile


class RegisterRequest(ProfileFields, kw_only=True, forbid_unknown_fields=True):
    email: Email
    password: Password
    full_name: Name  # type: ignore[assignment]  # required here


class LoginRequest(msgspec.Struct, forbid_unknown_fields=True):
    email: LoginEmail
    password: Annotated[str, Meta(max_length=72)]


class RefreshRequest(msgspec.Struct, forbid_unknown_fields=True):
    refresh_token: Annotated[str, Meta(max_length=4096)]


class PasswordChangeRequest(msgspec.Struct, forbid_unknown_fields=True):
    current_password: Annotated[str, Meta(max_length=72)]
    new_password: Password


class UserOut(msgspec.Struct):
    """A user as the API shows it: never the password hash."""

    id: uuid.UUID
    email: str
    full_name: str
    is_active: bool | None
    is_verified: bool | None
    created_at: UtcTime | None
    updated_at: UtcTime | None
    last_login: UtcTime | None
    profile_picture: str | None
    phone_number: str | None
    target_role: str | None
    target_company: str | None
    experience_years: int | None
    education_level: str | None
    skills: list[str] | None
    total_interviews: int | None
    average_score: float | None
    best_score: float | None
    preferred_language: str | None
    notification_email: bool | None
    notification_push: bool | None
    #: The interviewer speaks the questions (a preference kept in the sessions' metadata).
    voice_enabled: bool = True
    #: False while the user has no interview: the server has nowhere to keep a preference yet
    #: (the schema is fixed), so a change is answered as asked but not kept; a client keeps it
    #: and sends it with `POST /api/sessions` (`voice_enabled`), which stores it (the web UI does).
    preferences_saved: bool = True


class TokenPair(msgspec.Struct):
    access_token: str
    refresh_token: str
    token_type: str
    expires_in: int
    user: UserOut


class CustomQuestion(msgspec.Struct, forbid_unknown_fields=True):
    text: QuestionText
    category: Literal["behavioral", "technical", "situational", "general"] | None = None
    expected_topics: Annotated[list[Topic], Meta(max_length=10)] = []
    time_limit: Annotated[int, Meta(ge=30, le=600)] | None = None


class CreateSessionRequest(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    title: Title
    description: Description | None = None
    target_role: Text100 | None = None
    target_company: Text100 | None = None
    difficulty: Difficulty = "medium"
    interview_type: InterviewType = "mixed"
    num_questions: Annotated[int, Meta(ge=1, le=20)] = 5
    custom_questions: Annotated[list[CustomQuestion], Meta(max_length=20)] = []
    seed: Seed | None = None
    #: The candidate's voice preference, kept with this session (it becomes the newest one):
    #: how a choice made before the first interview reaches the server. Unset: unchanged.
    voice_enabled: bool | msgspec.UnsetType = msgspec.UNSET

    def __post_init__(self) -> None:
        # The planner asks the custom questions first and fills up to `num_questions` from the
        # bank: more custom questions than that were silently dropped.
        if len(self.custom_questions) > self.num_questions:
            raise RequestError(
                f"{len(self.custom_questions)} custom questions but num_questions is {self.num_questions}: "
                "send at most num_questions custom questions (or raise num_questions)",
                field="custom_questions",
            )


class QuestionOut(msgspec.Struct):
    id: uuid.UUID
    session_id: uuid.UUID
    question_number: int
    question_text: str
    category: str | None
    difficulty: str | None
    expected_topics: list[str] | None
    time_limit: int | None
    created_at: UtcTime | None
    answered_at: UtcTime | None
    audio_file_path: str | None
    audio_duration: int | None
    audio_format: str | None
    audio_size_bytes: int | None
    transcript: str | None
    transcript_confidence: float | None
    transcript_language: str | None
    word_count: int | None
    relevance_score: float | None
    grammar_score: float | None
    fluency_score: float | None
    keyword_score: float | None
    overall_score: float | None
    evaluation_summary: str | None
    suggestions: list[Any] | None
    is_evaluated: bool | None
    follow_up_questions: list[Any] | None
    #: The answer's whole score as the live score card showed it (talking points with the
    #: candidate's words, sub-metrics, structure parts; scoring's AnswerScore.to_json()), or
    #: None before the answer is scored.
    score_details: dict[str, Any] | None = None
    #: How the candidate saw it: "Question `planned_number`", a follow-up also with its
    #: `follow_up_index` (1, 2) and `follow_up_of` (the planned question's id).
    planned_number: int | None = None
    follow_up_of: uuid.UUID | None = None
    follow_up_index: int = 0
    #: not_asked, asked, answered or skipped (from the session's progress).
    state: str | None = None
    skipped: bool = False
    #: The current attempt (the row's columns hold it); `attempts` lists every attempt, earlier
    #: ones first, each with its transcript, scores and `audio_url`; the current has `current: true`.
    attempt: int = 1
    attempts: list[dict[str, Any]] = []


class FeedbackOut(msgspec.Struct):
    id: uuid.UUID
    session_id: uuid.UUID
    overall_rating: str
    summary: str
    strengths: list[Any]
    weaknesses: list[Any]
    suggestions: list[Any]
    resources: list[Any] | None
    readiness_score: int | None
    readiness_level: str | None
    next_steps: list[Any] | None
    created_at: UtcTime | None
    updated_at: UtcTime | None
    question_feedback: list[Any] | None
    ai_insights: str | None
    comparison_percentile: int | None


class SessionOut(msgspec.Struct):
    id: uuid.UUID
    user_id: uuid.UUID
    title: str
    description: str | None
    status: Status
    target_role: str | None
    target_company: str | None
    difficulty: str | None
    interview_type: str | None
    created_at: UtcTime | None
    started_at: UtcTime | None
    completed_at: UtcTime | None
    total_duration: int | None
    num_questions: int | None
    questions_answered: int | None
    overall_score: float | None
    relevance_avg: float | None
    grammar_avg: float | None
    fluency_avg: float | None
    keyword_avg: float | None
    notes: str | None
    metadata: dict[str, Any] | None
    #: From the interview's progress, as the report counts: planned questions skipped, and
    #: whether a follow-up is what a resume asks next (only while the interview is open; it
    #: never changes the "of N" counts).
    questions_skipped: int = 0
    follow_up_waiting: bool = False


class SessionDetailOut(SessionOut):
    questions: list[QuestionOut] = []
    feedback: FeedbackOut | None = None


class SessionPage(msgspec.Struct):
    items: list[SessionOut]
    total: int
    limit: int
    offset: int


class ShareOut(msgspec.Struct):
    token: str
    watch_path: str
    expires_in: int


class TrendPointOut(msgspec.Struct):
    session_id: uuid.UUID
    title: str
    completed_at: UtcTime | None
    overall_score: float | None
    relevance: float | None
    grammar: float | None
    fluency: float | None
    keywords: float | None


class StatisticsOut(msgspec.Struct):
    total_interviews: int
    average_score: float | None
    best_score: float | None
    relevance_avg: float | None
    grammar_avg: float | None
    fluency_avg: float | None
    keyword_avg: float | None
    sessions_by_status: dict[str, int]
    trend: list[TrendPointOut]


def as_utc(value: Any) -> Any:
    """The database keeps naive UTC timestamps (the schema's `TIMESTAMP`); the API says so, with
    an offset, because a naive time is not an RFC 3339 `date-time` and a browser would read it as
    local time."""
    if isinstance(value, datetime) and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def from_row(struct: type[msgspec.Struct], row: object, **overrides: Any) -> Any:
    """Build a response struct from an ORM row (or any object) by field name (`metadata` maps to
    `row.meta`); timestamps come out in UTC with an offset."""
    values = {}
    for name in struct.__struct_fields__:
        if name in overrides:
            values[name] = overrides[name]
        elif name == "metadata":
            values[name] = row.meta
        elif hasattr(row, name):
            value = getattr(row, name)
            values[name] = value.value if hasattr(value, "value") and name == "status" else as_utc(value)
    return struct(**values)
