"""shared/spec/schema.md as data, for the catalog test: what a live PostgreSQL must report.

(table, column) -> (udt_name, character_maximum_length, nullable, default as PostgreSQL prints it)
"""

from __future__ import annotations

NOW = "CURRENT_TIMESTAMP"
UUID = ("uuid", None, False, "gen_random_uuid()")


def _table(name: str, **columns: tuple) -> dict[tuple[str, str], tuple]:
    return {(name, column): spec for column, spec in columns.items()}


COLUMNS = {
    **_table(
        "users",
        id=UUID,
        email=("varchar", 255, False, None),
        hashed_password=("varchar", 255, False, None),
        full_name=("varchar", 100, False, None),
        is_active=("bool", None, True, "true"),
        is_verified=("bool", None, True, "false"),
        created_at=("timestamp", None, True, NOW),
        updated_at=("timestamp", None, True, NOW),
        last_login=("timestamp", None, True, None),
        profile_picture=("varchar", 500, True, None),
        phone_number=("varchar", 20, True, None),
        target_role=("varchar", 100, True, None),
        target_company=("varchar", 100, True, None),
        experience_years=("int4", None, True, "0"),
        education_level=("varchar", 50, True, None),
        skills=("jsonb", None, True, None),
        total_interviews=("int4", None, True, "0"),
        average_score=("float8", None, True, "0.0"),
        best_score=("float8", None, True, "0.0"),
        preferred_language=("varchar", 10, True, "'en'"),
        notification_email=("bool", None, True, "true"),
        notification_push=("bool", None, True, "true"),
    ),
    **_table(
        "interview_sessions",
        id=UUID,
        user_id=("uuid", None, False, None),
        title=("varchar", 200, False, None),
        description=("text", None, True, None),
        status=("interview_status", None, False, "'created'"),
        target_role=("varchar", 100, True, None),
        target_company=("varchar", 100, True, None),
        difficulty=("varchar", 20, True, "'medium'"),
        interview_type=("varchar", 50, True, "'mixed'"),
        created_at=("timestamp", None, True, NOW),
        started_at=("timestamp", None, True, None),
        completed_at=("timestamp", None, True, None),
        total_duration=("int4", None, True, None),
        num_questions=("int4", None, True, "5"),
        questions_answered=("int4", None, True, "0"),
        overall_score=("float8", None, True, None),
        relevance_avg=("float8", None, True, None),
        grammar_avg=("float8", None, True, None),
        fluency_avg=("float8", None, True, None),
        keyword_avg=("float8", None, True, None),
        notes=("text", None, True, None),
        metadata=("jsonb", None, True, None),
    ),
    **_table(
        "interview_questions",
        id=UUID,
        session_id=("uuid", None, False, None),
        question_number=("int4", None, False, None),
        question_text=("text", None, False, None),
        category=("varchar", 50, True, "'general'"),
        difficulty=("varchar", 20, True, "'medium'"),
        expected_topics=("jsonb", None, True, None),
        time_limit=("int4", None, True, "120"),
        created_at=("timestamp", None, True, NOW),
        answered_at=("timestamp", None, True, None),
        audio_file_path=("varchar", 500, True, None),
        audio_duration=("int4", None, True, None),
        audio_format=("varchar", 20, True, None),
        audio_size_bytes=("int4", None, True, None),
        transcript=("text", None, True, None),
        transcript_confidence=("float8", None, True, None),
        transcript_language=("varchar", 10, True, "'en'"),
        word_count=("int4", None, True, None),
        relevance_score=("float8", None, True, None),
        grammar_score=("float8", None, True, None),
        fluency_score=("float8", None, True, None),
        keyword_score=("float8", None, True, None),
        overall_score=("float8", None, True, None),
        evaluation_summary=("text", None, True, None),
        suggestions=("jsonb", None, True, None),
        is_evaluated=("bool", None, True, "false"),
        follow_up_questions=("jsonb", None, True, None),
    ),
    **_table(
        "interview_feedback",
        id=UUID,
        session_id=("uuid", None, False, None),
        overall_rating=("varchar", 50, False, None),
        summary=("text", None, False, None),
        strengths=("jsonb", None, False, None),
        weaknesses=("jsonb", None, False, None),
        suggestions=("jsonb", None, False, None),
        resources=("jsonb", None, True, None),
        readiness_score=("int4", None, True, None),
        readiness_level=("varchar", 50, True, None),
        next_steps=("jsonb", None, True, None),
        created_at=("timestamp", None, True, NOW),
        updated_at=("timestamp", None, True, NOW),
        question_feedback=("jsonb", None, True, None),
        ai_insights=("text", None, True, None),
        comparison_percentile=("int4", None, True, None),
    ),
}

INDEXES = {
    ("users", "idx_users_email"),
    ("users", "idx_users_created_at"),
    ("interview_sessions", "idx_sessions_user_id"),
    ("interview_sessions", "idx_sessions_status"),
    ("interview_sessions", "idx_sessions_created_at"),
    ("interview_questions", "idx_questions_session_id"),
    ("interview_questions", "idx_questions_category"),
    ("interview_feedback", "idx_feedback_session_id"),
}

UNIQUES = {
    ("users", "users_email_key", "email"),
    ("interview_questions", "interview_questions_session_id_question_number_key", "session_id,question_number"),
    ("interview_feedback", "interview_feedback_session_id_key", "session_id"),
}

FOREIGN_KEYS = {
    ("interview_sessions", "user_id", "users", "id", "CASCADE"),
    ("interview_questions", "session_id", "interview_sessions", "id", "CASCADE"),
    ("interview_feedback", "session_id", "interview_sessions", "id", "CASCADE"),
}
