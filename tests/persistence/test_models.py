"""The models' constraints and behaviour on the real databases (SQLite with foreign keys on, and
PostgreSQL): cascades, uniques, defaults, `updated_at`, the status enum and the lifecycle."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError, StatementError
from sqlalchemy.ext.asyncio import AsyncSession

from persistence import interviews, users
from persistence.engine import DatabaseOptions, create_engine, create_session_factory
from persistence.errors import Conflict, IllegalTransition, NotFound
from persistence.models import InterviewFeedback, InterviewQuestion, InterviewSession, InterviewStatus, User


@pytest.fixture
async def db(database) -> AsyncIterator[AsyncSession]:
    engine = create_engine(DatabaseOptions(url=database.url))
    async with create_session_factory(engine)() as session:
        yield session
    await engine.dispose()


async def _user(db: AsyncSession, email: str = "a@example.com") -> User:
    return await users.create_user(db, email=email, hashed_password="x", full_name="A")


async def test_defaults_match_the_spec(db: AsyncSession) -> None:
    user = await _user(db)
    session = await interviews.create_session(
        db, user_id=user.id, fields={"title": "t"}, questions=[{"question_text": "Why us?"}]
    )
    await db.commit()
    user_id, session_id = user.id, session.id
    db.expire_all()  # read back what the database stored, not what Python set
    user = await db.get(User, user_id, populate_existing=True)
    assert (user.is_active, user.is_verified, user.experience_years, user.total_interviews) == (True, False, 0, 0)
    assert (user.average_score, user.best_score, user.preferred_language) == (0.0, 0.0, "en")
    assert user.notification_email and user.notification_push and user.created_at is not None
    session = await db.get(InterviewSession, session_id, populate_existing=True)
    assert (session.status, session.difficulty, session.interview_type) == (InterviewStatus.CREATED, "medium", "mixed")
    assert (session.num_questions, session.questions_answered) == (5, 0)
    question = await db.scalar(select(InterviewQuestion))
    assert (question.question_number, question.category, question.time_limit) == (1, "general", 120)
    assert (question.transcript_language, question.is_evaluated) == ("en", False)


async def test_plain_sql_insert_gets_a_uuid_and_timestamps(db: AsyncSession) -> None:
    await db.execute(
        text("INSERT INTO users (email, hashed_password, full_name) VALUES ('raw@example.com', 'x', 'Raw')")
    )
    await db.commit()
    user = await users.find_user_by_email(db, "raw@example.com")
    assert user is not None and user.id is not None and user.created_at is not None


async def test_email_is_unique(db: AsyncSession) -> None:
    await _user(db)
    await db.commit()
    with pytest.raises(Conflict):
        await _user(db, "A@Example.com")


async def test_question_numbers_are_unique_per_session_and_one_feedback_per_session(db: AsyncSession) -> None:
    user = await _user(db)
    session = await interviews.create_session(db, user_id=user.id, fields={"title": "t"})
    await db.commit()
    session_id = session.id  # a rollback expires every loaded object
    db.add_all([InterviewQuestion(session_id=session_id, question_number=1, question_text=q) for q in ("a", "b")])
    with pytest.raises(IntegrityError):
        await db.commit()
    await db.rollback()
    feedback = dict(overall_rating="Good", summary="s", strengths=[], weaknesses=[], suggestions=[])
    db.add_all([InterviewFeedback(session_id=session_id, **feedback) for _ in range(2)])
    with pytest.raises(IntegrityError):
        await db.commit()


async def test_deleting_a_user_cascades_in_the_database(db: AsyncSession) -> None:
    user = await _user(db)
    session = await interviews.create_session(
        db, user_id=user.id, fields={"title": "t"}, questions=[{"question_text": "q1"}, {"question_text": "q2"}]
    )
    db.add(
        InterviewFeedback(
            session_id=session.id, overall_rating="Good", summary="s", strengths=[], weaknesses=[], suggestions=[]
        )
    )
    await db.commit()
    # Plain SQL, so the cascade is proven to be the database's, not the ORM's.
    await db.execute(text("DELETE FROM users"))
    await db.commit()
    for model in (InterviewSession, InterviewQuestion, InterviewFeedback):
        assert await db.scalar(select(func.count()).select_from(model)) == 0


async def test_foreign_keys_are_enforced(db: AsyncSession) -> None:
    import uuid

    db.add(InterviewSession(user_id=uuid.uuid4(), title="orphan"))
    with pytest.raises(IntegrityError):
        await db.commit()


async def test_updated_at_moves_on_update(db: AsyncSession) -> None:
    user = await _user(db)
    await db.commit()
    before = user.updated_at
    await asyncio.sleep(0.01)
    await users.update_profile(db, user, {"target_role": "SRE"})
    await db.commit()
    assert user.updated_at > before


async def test_unknown_status_is_rejected(db: AsyncSession) -> None:
    user = await _user(db)
    await db.commit()
    with pytest.raises((IntegrityError, DBAPIError, StatementError, LookupError)):
        await db.execute(
            text("INSERT INTO interview_sessions (user_id, title, status) VALUES (:u, 't', 'paused')"),
            {"u": user.id if db.bind.dialect.name == "postgresql" else user.id.hex},
        )
        await db.commit()


async def test_lifecycle_stamps_times_and_rejects_illegal_moves(db: AsyncSession) -> None:
    user = await _user(db)
    session = await interviews.create_session(db, user_id=user.id, fields={"title": "t"})
    with pytest.raises(IllegalTransition):
        await interviews.change_status(db, session, InterviewStatus.COMPLETED)
    await interviews.change_status(db, session, InterviewStatus.IN_PROGRESS)
    started = session.started_at
    await interviews.change_status(db, session, InterviewStatus.IN_PROGRESS)  # resume keeps started_at
    assert session.started_at == started
    await interviews.change_status(db, session, InterviewStatus.COMPLETED)
    assert session.completed_at is not None and session.total_duration is not None
    for target in InterviewStatus:
        with pytest.raises(IllegalTransition):
            await interviews.change_status(db, session, target)


async def test_owner_scoped_lookups(db: AsyncSession) -> None:
    owner, other = await _user(db), await _user(db, "b@example.com")
    session = await interviews.create_session(
        db, user_id=owner.id, fields={"title": "t"}, questions=[{"question_text": "q"}]
    )
    await db.commit()
    assert (await interviews.get_owned_session(db, owner.id, session.id)).id == session.id
    with pytest.raises(NotFound):
        await interviews.get_owned_session(db, other.id, session.id)
    with pytest.raises(NotFound):
        await interviews.get_owned_question(db, other.id, session.id, session.questions[0].id)


async def test_comparison_percentile_needs_enough_peers_of_the_same_role_and_difficulty(db: AsyncSession) -> None:
    from persistence import reviews

    me = await _user(db, "me@example.com")
    mine = await interviews.create_session(
        db, user_id=me.id, fields={"title": "t", "target_role": "Backend", "difficulty": "medium"}
    )

    async def peer(number: int, score: float, role: str = "backend", difficulty: str = "medium") -> None:
        user = await _user(db, f"peer{number}@example.com")
        session = await interviews.create_session(
            db, user_id=user.id, fields={"title": "p", "target_role": role, "difficulty": difficulty}
        )
        session.status, session.overall_score = InterviewStatus.COMPLETED, score

    for number, score in enumerate((10.0, 20.0, 30.0, 40.0)):
        await peer(number, score)
    await peer(10, 99.0, role="designer")  # another role: not a peer
    await peer(11, 99.0, difficulty="hard")  # another difficulty: not a peer
    await db.flush()
    assert await reviews.comparison_percentile(db, mine, 45.0) is None  # 4 peers: too few
    await peer(4, 50.0)
    await peer(5, 45.0)
    await db.flush()
    # 6 peers: 4 below, 1 tie (counts half), 1 above -> 75th percentile.
    assert await reviews.comparison_percentile(db, mine, 45.0) == 75
