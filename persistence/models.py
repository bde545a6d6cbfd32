"""The four tables of shared/spec/schema.md, exactly: columns, types, defaults, nullability,
uniques, named indexes, the `interview_status` enum and `ON DELETE CASCADE` foreign keys.

Nullability follows the spec's SQL literally: a column is NOT NULL only where the spec says so,
so e.g. `users.is_active` (`BOOLEAN DEFAULT TRUE`) is nullable and typed `bool | None`.
Constraint names are PostgreSQL's own defaults (`users_email_key`, `..._fkey`), given explicitly
so that SQLite and PostgreSQL catalogs name them alike.
"""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    DateTime,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from persistence.types import JsonDocument, RandomUuid, UuidKey, utcnow

NOW = text("CURRENT_TIMESTAMP")


class InterviewStatus(enum.StrEnum):
    """Lifecycle of an interview session (the `interview_status` enum)."""

    CREATED = "created"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class Base(DeclarativeBase):
    """Declarative base; `Base.metadata` is what Alembic migrates and compares against."""


def _uuid_pk() -> Mapped[uuid.UUID]:
    return mapped_column(UuidKey, primary_key=True, default=uuid.uuid4, server_default=RandomUuid())


def _created_at() -> Mapped[datetime | None]:
    return mapped_column(DateTime(), default=utcnow, server_default=NOW)


def _updated_at() -> Mapped[datetime | None]:
    # The spec's "ON UPDATE NOW()": maintained by the ORM on every UPDATE it issues.
    return mapped_column(DateTime(), default=utcnow, onupdate=utcnow, server_default=NOW)


class User(Base):
    __tablename__ = "users"
    __table_args__ = (
        UniqueConstraint("email", name="users_email_key"),
        Index("idx_users_email", "email"),
        Index("idx_users_created_at", "created_at"),
    )

    id: Mapped[uuid.UUID] = _uuid_pk()
    email: Mapped[str] = mapped_column(String(255), nullable=False)
    hashed_password: Mapped[str] = mapped_column(String(255), nullable=False)
    full_name: Mapped[str] = mapped_column(String(100), nullable=False)
    is_active: Mapped[bool | None] = mapped_column(Boolean, default=True, server_default=true())
    is_verified: Mapped[bool | None] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime | None] = _created_at()
    updated_at: Mapped[datetime | None] = _updated_at()
    last_login: Mapped[datetime | None] = mapped_column(DateTime())
    profile_picture: Mapped[str | None] = mapped_column(String(500))
    phone_number: Mapped[str | None] = mapped_column(String(20))
    target_role: Mapped[str | None] = mapped_column(String(100))
    target_company: Mapped[str | None] = mapped_column(String(100))
    experience_years: Mapped[int | None] = mapped_column(Integer, default=0, server_default=text("0"))
    education_level: Mapped[str | None] = mapped_column(String(50))
    skills: Mapped[list[str] | None] = mapped_column(JsonDocument)
    total_interviews: Mapped[int | None] = mapped_column(Integer, default=0, server_default=text("0"))
    average_score: Mapped[float | None] = mapped_column(Float, default=0.0, server_default=text("0.0"))
    best_score: Mapped[float | None] = mapped_column(Float, default=0.0, server_default=text("0.0"))
    preferred_language: Mapped[str | None] = mapped_column(String(10), default="en", server_default=text("'en'"))
    notification_email: Mapped[bool | None] = mapped_column(Boolean, default=True, server_default=true())
    notification_push: Mapped[bool | None] = mapped_column(Boolean, default=True, server_default=true())

    sessions: Mapped[list[InterviewSession]] = relationship(
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True
    )


class InterviewSession(Base):
    __tablename__ = "interview_sessions"
    __table_args__ = (
        Index("idx_sessions_user_id", "user_id"),
        Index("idx_sessions_status", "status"),
        Index("idx_sessions_created_at", "created_at"),
    )

    id: Mapped[uuid.UUID] = _uuid_pk()
    user_id: Mapped[uuid.UUID] = mapped_column(
        UuidKey,
        ForeignKey("users.id", ondelete="CASCADE", name="interview_sessions_user_id_fkey"),
        nullable=False,
    )
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    description: Mapped[str | None] = mapped_column(Text)
    status: Mapped[InterviewStatus] = mapped_column(
        Enum(
            InterviewStatus,
            name="interview_status",
            values_callable=lambda statuses: [status.value for status in statuses],
            create_constraint=True,  # a CHECK on SQLite, where there is no native enum
            validate_strings=True,
        ),
        nullable=False,
        default=InterviewStatus.CREATED,
        server_default=text("'created'"),
    )
    target_role: Mapped[str | None] = mapped_column(String(100))
    target_company: Mapped[str | None] = mapped_column(String(100))
    difficulty: Mapped[str | None] = mapped_column(String(20), default="medium", server_default=text("'medium'"))
    interview_type: Mapped[str | None] = mapped_column(String(50), default="mixed", server_default=text("'mixed'"))
    created_at: Mapped[datetime | None] = _created_at()
    started_at: Mapped[datetime | None] = mapped_column(DateTime())
    completed_at: Mapped[datetime | None] = mapped_column(DateTime())
    total_duration: Mapped[int | None] = mapped_column(Integer)
    num_questions: Mapped[int | None] = mapped_column(Integer, default=5, server_default=text("5"))
    questions_answered: Mapped[int | None] = mapped_column(Integer, default=0, server_default=text("0"))
    overall_score: Mapped[float | None] = mapped_column(Float)
    relevance_avg: Mapped[float | None] = mapped_column(Float)
    grammar_avg: Mapped[float | None] = mapped_column(Float)
    fluency_avg: Mapped[float | None] = mapped_column(Float)
    keyword_avg: Mapped[float | None] = mapped_column(Float)
    notes: Mapped[str | None] = mapped_column(Text)
    # `metadata` is reserved on declarative classes, hence the attribute name.
    meta: Mapped[dict[str, Any] | None] = mapped_column("metadata", JsonDocument)

    user: Mapped[User] = relationship(back_populates="sessions")
    questions: Mapped[list[InterviewQuestion]] = relationship(
        back_populates="session",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="InterviewQuestion.question_number",
    )
    feedback: Mapped[InterviewFeedback | None] = relationship(
        back_populates="session", cascade="all, delete-orphan", passive_deletes=True, uselist=False
    )


class InterviewQuestion(Base):
    __tablename__ = "interview_questions"
    __table_args__ = (
        UniqueConstraint("session_id", "question_number", name="interview_questions_session_id_question_number_key"),
        Index("idx_questions_session_id", "session_id"),
        Index("idx_questions_category", "category"),
    )

    id: Mapped[uuid.UUID] = _uuid_pk()
    session_id: Mapped[uuid.UUID] = mapped_column(
        UuidKey,
        ForeignKey("interview_sessions.id", ondelete="CASCADE", name="interview_questions_session_id_fkey"),
        nullable=False,
    )
    question_number: Mapped[int] = mapped_column(Integer, nullable=False)
    question_text: Mapped[str] = mapped_column(Text, nullable=False)
    category: Mapped[str | None] = mapped_column(String(50), default="general", server_default=text("'general'"))
    difficulty: Mapped[str | None] = mapped_column(String(20), default="medium", server_default=text("'medium'"))
    expected_topics: Mapped[list[str] | None] = mapped_column(JsonDocument)
    time_limit: Mapped[int | None] = mapped_column(Integer, default=120, server_default=text("120"))
    created_at: Mapped[datetime | None] = _created_at()
    answered_at: Mapped[datetime | None] = mapped_column(DateTime())
    audio_file_path: Mapped[str | None] = mapped_column(String(500))
    audio_duration: Mapped[int | None] = mapped_column(Integer)
    audio_format: Mapped[str | None] = mapped_column(String(20))
    audio_size_bytes: Mapped[int | None] = mapped_column(Integer)
    transcript: Mapped[str | None] = mapped_column(Text)
    transcript_confidence: Mapped[float | None] = mapped_column(Float)
    transcript_language: Mapped[str | None] = mapped_column(String(10), default="en", server_default=text("'en'"))
    word_count: Mapped[int | None] = mapped_column(Integer)
    relevance_score: Mapped[float | None] = mapped_column(Float)
    grammar_score: Mapped[float | None] = mapped_column(Float)
    fluency_score: Mapped[float | None] = mapped_column(Float)
    keyword_score: Mapped[float | None] = mapped_column(Float)
    overall_score: Mapped[float | None] = mapped_column(Float)
    evaluation_summary: Mapped[str | None] = mapped_column(Text)
    suggestions: Mapped[list[Any] | None] = mapped_column(JsonDocument)
    is_evaluated: Mapped[bool | None] = mapped_column(Boolean, default=False, server_default=false())
    follow_up_questions: Mapped[list[Any] | None] = mapped_column(JsonDocument)

    session: Mapped[InterviewSession] = relationship(back_populates="questions")


class InterviewFeedback(Base):
    __tablename__ = "interview_feedback"
    __table_args__ = (
        UniqueConstraint("session_id", name="interview_feedback_session_id_key"),
        Index("idx_feedback_session_id", "session_id"),
    )

    id: Mapped[uuid.UUID] = _uuid_pk()
    session_id: Mapped[uuid.UUID] = mapped_column(
        UuidKey,
        ForeignKey("interview_sessions.id", ondelete="CASCADE", name="interview_feedback_session_id_fkey"),
        nullable=False,
    )
    overall_rating: Mapped[str] = mapped_column(String(50), nullable=False)
    summary: Mapped[str] = mapped_column(Text, nullable=False)
    strengths: Mapped[list[Any]] = mapped_column(JsonDocument, nullable=False)
    weaknesses: Mapped[list[Any]] = mapped_column(JsonDocument, nullable=False)
    suggestions: Mapped[list[Any]] = mapped_column(JsonDocument, nullable=False)
    resources: Mapped[list[Any] | None] = mapped_column(JsonDocument)
    readiness_score: Mapped[int | None] = mapped_column(Integer)
    readiness_level: Mapped[str | None] = mapped_column(String(50))
    next_steps: Mapped[list[Any] | None] = mapped_column(JsonDocument)
    created_at: Mapped[datetime | None] = _created_at()
    updated_at: Mapped[datetime | None] = _updated_at()
    question_feedback: Mapped[list[Any] | None] = mapped_column(JsonDocument)
    ai_insights: Mapped[str | None] = mapped_column(Text)
    comparison_percentile: Mapped[int | None] = mapped_column(Integer)

    session: Mapped[InterviewSession] = relationship(back_populates="feedback")
