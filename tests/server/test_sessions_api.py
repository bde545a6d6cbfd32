"""The sessions REST API through the real app on SQLite and PostgreSQL: ownership, pagination,
lifecycle, statistics."""

from __future__ import annotations

import uuid

from litestar.testing import AsyncTestClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from tests.server.api import create_session, register


async def test_create_and_read_a_session(client: AsyncTestClient) -> None:
    account = await register(client, target_role="Backend engineer", target_company="Acme")
    created = await create_session(
        client, account, title="Backend practice", difficulty="hard", interview_type="technical"
    )
    assert created["status"] == "created"
    assert created["difficulty"] == "hard" and created["interview_type"] == "technical"
    assert created["target_role"] == "Backend engineer"  # taken from the profile when not given
    read = await client.get(f"/api/sessions/{created['id']}", headers=account.headers)
    assert read.status_code == 200
    assert read.json()["id"] == created["id"]
    assert read.json()["feedback"] is None
    questions = read.json()["questions"]
    assert [q["question_number"] for q in questions] == [1, 2, 3]
    assert all(q["question_text"] and q["expected_topics"] and q["time_limit"] for q in questions)
    assert len({q["question_text"] for q in questions}) == 3
    # a "Challenging" session opens on a medium warm-up, not on an easy 60 s one (issue 13)
    assert questions[0]["category"] == "general" and questions[0]["difficulty"] == "medium"
    assert all(q["difficulty"] in ("medium", "hard") for q in questions), [q["difficulty"] for q in questions]


async def test_sessions_are_planned_from_the_bank_with_custom_questions(client: AsyncTestClient) -> None:
    account = await register(client, target_role="DevOps engineer", skills=["Kubernetes", "Terraform"])
    custom = {"text": "How would you migrate our monolith to Kubernetes?", "expected_topics": ["rollback plan"]}
    first = await create_session(
        client, account, num_questions=5, interview_type="technical", custom_questions=[custom], seed="s1"
    )
    texts = [q["question_text"] for q in first["questions"]]
    assert len(texts) == 5 and custom["text"] in texts
    assert first["questions"][0]["category"] == "general"  # a warm-up first
    again = await create_session(client, account, num_questions=5, interview_type="technical", seed="s2")
    assert not set(texts) & {q["question_text"] for q in again["questions"]}  # no repeats of recent questions


async def test_another_users_ids_are_404_everywhere(client: AsyncTestClient) -> None:
    owner = await register(client)
    intruder = await register(client)
    session = await create_session(client, owner)
    sid = session["id"]
    question = str(uuid.uuid4())
    attempts = [
        client.get(f"/api/sessions/{sid}", headers=intruder.headers),
        client.post(f"/api/sessions/{sid}/cancel", headers=intruder.headers),
        client.delete(f"/api/sessions/{sid}", headers=intruder.headers),
        client.get(f"/api/sessions/{sid}/questions/{question}", headers=intruder.headers),
    ]
    for attempt in attempts:
        response = await attempt
        assert response.status_code == 404, response.text
        assert sid not in response.text
    assert (await client.get(f"/api/sessions/{sid}", headers=owner.headers)).json()["status"] == "created"
    listing = (await client.get("/api/sessions", headers=intruder.headers)).json()
    assert listing["total"] == 0


async def test_list_is_paginated_newest_first_and_filterable(client: AsyncTestClient) -> None:
    account = await register(client)
    ids = [(await create_session(client, account, title=f"S{i}"))["id"] for i in range(5)]
    await client.post(f"/api/sessions/{ids[1]}/cancel", headers=account.headers)
    first = (await client.get("/api/sessions?limit=2", headers=account.headers)).json()
    second = (await client.get("/api/sessions?limit=2&offset=2", headers=account.headers)).json()
    assert first["total"] == 5
    titles = [s["title"] for s in first["items"] + second["items"]]
    assert titles == ["S4", "S3", "S2", "S1"]
    cancelled = (await client.get("/api/sessions?status=cancelled", headers=account.headers)).json()
    assert [s["id"] for s in cancelled["items"]] == [ids[1]]
    bad = await client.get("/api/sessions?status=finished", headers=account.headers)
    assert bad.status_code == 400 and "status" in bad.text
    assert (await client.get("/api/sessions?limit=1000", headers=account.headers)).status_code == 400


async def test_cancel_is_final_and_delete_removes(client: AsyncTestClient) -> None:
    account = await register(client)
    session = await create_session(client, account)
    cancelled = await client.post(f"/api/sessions/{session['id']}/cancel", headers=account.headers)
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    again = await client.post(f"/api/sessions/{session['id']}/cancel", headers=account.headers)
    assert again.status_code == 409
    assert "cancelled" in again.json()["detail"]
    assert (await client.delete(f"/api/sessions/{session['id']}", headers=account.headers)).status_code == 204
    assert (await client.get(f"/api/sessions/{session['id']}", headers=account.headers)).status_code == 404


async def test_create_validation_names_the_field(client: AsyncTestClient) -> None:
    account = await register(client)
    cases = {
        "difficulty": {"title": "x", "difficulty": "impossible"},
        "interview_type": {"title": "x", "interview_type": "telepathic"},
        "title": {"title": "x" * 201},
        "num_questions": {"title": "x", "num_questions": 0},
        "target_company": {"title": "x", "target_company": "c" * 101},
    }
    for field, body in cases.items():
        response = await client.post("/api/sessions", json=body, headers=account.headers)
        assert response.status_code == 400, (field, response.text)
        assert field in response.text
    malformed = await client.post(
        "/api/sessions", content=b"{not json", headers={**account.headers, "Content-Type": "application/json"}
    )
    assert malformed.status_code == 400
    assert (await client.get("/api/sessions/not-a-uuid", headers=account.headers)).status_code in (400, 404)


async def test_question_with_scores_and_statistics(client: AsyncTestClient, database) -> None:
    account = await register(client)
    sessions = [await create_session(client, account, title=f"S{i}") for i in range(3)]
    engine = create_async_engine(database.url)
    async with engine.begin() as connection:
        for score, session in zip((60.0, 80.0), sessions[:2], strict=True):  # the third stays open
            await connection.execute(
                text(
                    "UPDATE interview_sessions SET status='completed', overall_score=:s, relevance_avg=:s, "
                    "grammar_avg=90, fluency_avg=70, keyword_avg=50, completed_at=CURRENT_TIMESTAMP WHERE id=:id"
                ),
                {
                    "s": score,
                    "id": uuid.UUID(session["id"]) if database.backend == "postgres" else uuid.UUID(session["id"]).hex,
                },
            )
        await connection.execute(
            text(
                "UPDATE interview_questions SET transcript = 'I build APIs', relevance_score = 71.5, "
                "overall_score = 70 "
                "WHERE session_id = :sid AND question_number = 1"
            ),
            {
                "sid": uuid.UUID(sessions[0]["id"])
                if database.backend == "postgres"
                else uuid.UUID(sessions[0]["id"]).hex
            },
        )
    await engine.dispose()

    detail = (await client.get(f"/api/sessions/{sessions[0]['id']}", headers=account.headers)).json()
    question = detail["questions"][0]
    read = await client.get(f"/api/sessions/{sessions[0]['id']}/questions/{question['id']}", headers=account.headers)
    assert read.status_code == 200
    assert read.json()["relevance_score"] == 71.5 and read.json()["transcript"] == "I build APIs"

    stats = (await client.get("/api/users/me/stats", headers=account.headers)).json()
    assert stats["total_interviews"] == 2
    assert stats["average_score"] == 70.0 and stats["best_score"] == 80.0
    assert stats["grammar_avg"] == 90.0 and stats["keyword_avg"] == 50.0
    assert stats["sessions_by_status"] == {"completed": 2, "created": 1}
    assert [point["overall_score"] for point in stats["trend"]] and len(stats["trend"]) == 2


async def test_health_ready_and_openapi(client: AsyncTestClient) -> None:
    assert (await client.get("/health")).json() == {"status": "ok"}
    ready = await client.get("/ready")
    assert ready.status_code == 200, ready.text
    assert ready.json()["checks"] == {"database": "ok", "migrations": "ok"}
    schema = (await client.get("/schema/openapi.json")).json()
    assert "/api/sessions" in schema["paths"] and "/api/auth/login" in schema["paths"]
    assert "BearerToken" in schema["components"]["securitySchemes"]
