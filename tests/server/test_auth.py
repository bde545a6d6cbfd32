"""Accounts and authentication through the real app on SQLite and PostgreSQL."""

from __future__ import annotations

import logging
import threading
from dataclasses import replace
from datetime import UTC, datetime

import bcrypt
import httpx
import jwt
import pytest
from litestar.testing import AsyncTestClient

from server import passwords
from server.app import create_app
from tests.server.api import register
from tests.support.live_server import serve


async def test_register_returns_tokens_and_never_the_password(client: AsyncTestClient) -> None:
    account = await register(client, target_role="Backend engineer", skills=["Python", "SQL"])
    assert account.tokens["token_type"] == "bearer"
    user = account.tokens["user"]
    assert user["email"].endswith("@example.com")
    assert user["skills"] == ["Python", "SQL"]
    assert user["last_login"] is not None
    assert "password" not in str(account.tokens).replace("refresh", "")
    assert "hashed_password" not in user


async def test_duplicate_email_is_409_case_insensitively(client: AsyncTestClient) -> None:
    account = await register(client)
    response = await client.post(
        "/api/auth/register",
        json={"email": account.email.upper(), "password": "another password", "full_name": "Twin"},
    )
    assert response.status_code == 409
    assert "already exists" in response.json()["detail"]


async def test_login_updates_last_login_and_wrong_password_gives_no_hint(client: AsyncTestClient) -> None:
    account = await register(client)
    first = account.tokens["user"]["last_login"]
    ok = await client.post("/api/auth/login", json={"email": account.email, "password": account.password})
    assert ok.status_code == 200
    assert ok.json()["user"]["last_login"] >= first
    wrong_password = await client.post("/api/auth/login", json={"email": account.email, "password": "nope nope"})
    unknown_email = await client.post("/api/auth/login", json={"email": "ghost@example.com", "password": "nope nope"})
    assert wrong_password.status_code == unknown_email.status_code == 401
    assert wrong_password.json()["detail"] == unknown_email.json()["detail"]


async def test_inactive_user_cannot_log_in_nor_use_old_tokens(client: AsyncTestClient, database) -> None:
    account = await register(client)
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    engine = create_async_engine(database.url)
    async with engine.begin() as connection:
        await connection.execute(text("UPDATE users SET is_active = false WHERE email = :e"), {"e": account.email})
    await engine.dispose()
    login = await client.post("/api/auth/login", json={"email": account.email, "password": account.password})
    assert login.status_code == 401
    old = await client.get("/api/users/me", headers=account.headers)
    assert old.status_code == 401 and old.json()["code"] == "unauthorized"


async def test_refresh_rotates_and_refresh_token_is_not_an_access_token(client: AsyncTestClient) -> None:
    account = await register(client)
    refreshed = await client.post("/api/auth/refresh", json={"refresh_token": account.tokens["refresh_token"]})
    assert refreshed.status_code == 200
    assert refreshed.json()["access_token"] != account.tokens["access_token"]
    as_access = {"Authorization": f"Bearer {account.tokens['refresh_token']}"}
    refused = await client.get("/api/users/me", headers=as_access)
    assert refused.status_code == 401 and refused.json()["code"] == "token_invalid"
    access_as_refresh = await client.post("/api/auth/refresh", json={"refresh_token": account.tokens["access_token"]})
    assert access_as_refresh.status_code == 401 and access_as_refresh.json()["code"] == "token_invalid"


@pytest.mark.parametrize("header", ["Bearer", "Bearer not-a-jwt", "Bearer a.b.c", "Basic dXNlcjpwYXNz"])
async def test_malformed_tokens_are_401(client: AsyncTestClient, header: str) -> None:
    malformed = await client.get("/api/users/me", headers={"Authorization": header})
    assert malformed.status_code == 401 and malformed.json()["code"] == "token_invalid", malformed.text
    assert malformed.headers["www-authenticate"] == "Bearer"
    missing = await client.get("/api/users/me")
    assert missing.status_code == 401 and missing.json()["code"] == "token_missing", missing.text


async def test_expired_and_foreign_tokens_are_401(client: AsyncTestClient, settings) -> None:
    account = await register(client)
    now = int(datetime.now(UTC).timestamp())
    claims = {"sub": account.id, "iat": now - 600, "typ": "access"}
    expired = jwt.encode({**claims, "exp": now - 300}, settings.auth.jwt_secret)
    foreign = jwt.encode({**claims, "exp": now + 300}, "another-secret-" + "y" * 40)
    unsigned = jwt.encode({**claims, "exp": now + 300}, None, algorithm="none")
    for token, code in ((expired, "token_expired"), (foreign, "token_invalid"), (unsigned, "token_invalid")):
        response = await client.get("/api/users/me", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401
        assert response.json() == {"status_code": 401, "code": code, "detail": response.json()["detail"]}
    # An expired token that is not ours stays invalid: the signature is checked before the lifetime.
    forged_expired = jwt.encode({**claims, "exp": now - 300}, "another-secret-" + "y" * 40)
    response = await client.get("/api/users/me", headers={"Authorization": f"Bearer {forged_expired}"})
    assert response.json()["code"] == "token_invalid"
    refresh = await client.post("/api/auth/refresh", json={"refresh_token": expired})
    assert refresh.status_code == 401 and refresh.json()["code"] == "token_expired"


async def test_revoked_tokens_say_so(client: AsyncTestClient) -> None:
    account = await register(client)
    assert (await client.post("/api/auth/logout", headers=account.headers)).status_code == 204
    for response in (
        await client.get("/api/users/me", headers=account.headers),
        await client.post("/api/auth/logout", headers=account.headers),
        await client.post("/api/auth/refresh", json={"refresh_token": account.tokens["refresh_token"]}),
    ):
        assert response.status_code == 401 and response.json()["code"] == "token_revoked", response.text
    assert (await client.post("/api/auth/logout")).json()["code"] == "token_missing"
    again = await client.post("/api/auth/login", json={"email": account.email, "password": account.password})
    token = again.json()["refresh_token"]
    assert (await client.post("/api/auth/refresh", json={"refresh_token": token})).status_code == 200
    reused = await client.post("/api/auth/refresh", json={"refresh_token": token})
    assert reused.status_code == 401 and reused.json()["code"] == "token_revoked"
    wrong = await client.post("/api/auth/login", json={"email": account.email, "password": "not the password"})
    assert wrong.status_code == 401 and wrong.json()["code"] == "unauthorized"


async def test_profile_read_update_and_validation(client: AsyncTestClient) -> None:
    account = await register(client)
    update = {
        "target_role": "Data scientist",
        "target_company": "Acme",
        "experience_years": 4,
        "education_level": "MSc",
        "skills": ["python", "statistics"],
        "preferred_language": "en-GB",
        "notification_email": False,
        "notification_push": False,
        "phone_number": "+44 20 7946 0000",
        "profile_picture": "https://example.com/me.png",
    }
    response = await client.patch("/api/users/me", json=update, headers=account.headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert {key: body[key] for key in update} == update
    assert body["updated_at"] >= body["created_at"]
    assert (await client.get("/api/users/me", headers=account.headers)).json()["target_company"] == "Acme"

    too_long = await client.patch("/api/users/me", json={"target_role": "x" * 101}, headers=account.headers)
    assert too_long.status_code == 400
    assert "target_role" in too_long.text
    unknown = await client.patch("/api/users/me", json={"total_interviews": 99}, headers=account.headers)
    assert unknown.status_code == 400
    assert "total_interviews" in unknown.text


async def test_profile_keeps_each_skill_once_and_refuses_a_phone_number_without_digits(client: AsyncTestClient) -> None:
    account = await register(client)
    skills = {"skills": ["Python", "SQL", " python ", "sql", "Go"]}
    response = await client.patch("/api/users/me", json=skills, headers=account.headers)
    assert response.status_code == 200, response.text
    assert response.json()["skills"] == ["Python", "SQL", "Go"]
    for phone in ("(555) 123-4567", "+1 555.123.4567"):
        response = await client.patch("/api/users/me", json={"phone_number": phone}, headers=account.headers)
        assert response.status_code == 200, response.text
    for phone in ("call me", "12345", "+44 ++ 20"):
        refused = await client.patch("/api/users/me", json={"phone_number": phone}, headers=account.headers)
        assert refused.status_code == 400, phone
        assert "phone_number" in refused.text
    assert (await client.get("/api/users/me", headers=account.headers)).json()["phone_number"] == "+1 555.123.4567"


async def test_register_validation_names_the_field(client: AsyncTestClient) -> None:
    cases = {
        "email": {"email": "not-an-email", "password": "long enough", "full_name": "A"},
        "password": {"email": "a@example.com", "password": "short", "full_name": "A"},
        "full_name": {"email": "a@example.com", "password": "long enough", "full_name": "x" * 101},
    }
    for field, body in cases.items():
        response = await client.post("/api/auth/register", json=body)
        assert response.status_code == 400, (field, response.text)
        assert field in response.text


async def test_oversized_json_body_is_rejected(client: AsyncTestClient, settings) -> None:
    body = b'{"email": "a@example.com", "password": "' + b"x" * (settings.max_request_bytes + 10) + b'"}'
    response = await client.post("/api/auth/login", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 413


async def test_account_deletion_cascades(client: AsyncTestClient) -> None:
    from tests.server.api import create_session

    account = await register(client)
    session = await create_session(client, account)
    assert (await client.delete("/api/users/me", headers=account.headers)).status_code == 204
    login = await client.post("/api/auth/login", json={"email": account.email, "password": account.password})
    assert login.status_code == 401
    other = await register(client)
    assert (await client.get(f"/api/sessions/{session['id']}", headers=other.headers)).status_code == 404


async def test_login_is_rate_limited(settings, transcriber, embedder) -> None:
    limited = replace(settings, auth=replace(settings.auth, login_rate_limit_per_minute=3))
    async with AsyncTestClient(create_app(limited, transcriber=transcriber, embedder=embedder)) as client:
        statuses = [
            (await client.post("/api/auth/login", json={"email": "x@example.com", "password": "whatever1"})).status_code
            for _ in range(5)
        ]
    assert statuses[:3] == [401, 401, 401]
    assert statuses[3:] == [429, 429]


async def test_passwords_never_reach_the_logs(client: AsyncTestClient, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    await register(client, password="Sup3r-secret-pass")
    await client.post("/api/auth/login", json={"email": "nobody@example.com", "password": "Sup3r-secret-pass"})
    assert "Sup3r-secret-pass" not in caplog.text


async def test_no_bcrypt_hash_runs_on_the_event_loop(settings, transcriber, embedder, monkeypatch) -> None:
    # A hash blocks its thread for its whole cost (~0.2 s at 12 rounds): on the event loop it
    # stalls every live interview. The first login with an unknown e-mail hashed a dummy inline.
    loop_thread = threading.get_ident()
    on_the_loop: list[str] = []
    real_hashpw = bcrypt.hashpw

    def watched_hashpw(password: bytes, salt: bytes) -> bytes:
        if threading.get_ident() == loop_thread:
            on_the_loop.append("hashpw")
        return real_hashpw(password, salt)

    monkeypatch.setattr(bcrypt, "hashpw", watched_hashpw)
    passwords._dummy_hash.cache_clear()  # made once per process: make the first one here
    async with serve(create_app(settings, transcriber=transcriber, embedder=embedder)) as base:
        async with httpx.AsyncClient(base_url=base, timeout=60) as http:
            body = {"email": "registered@example.com", "password": "long enough pw", "full_name": "R"}
            assert (await http.post("/api/auth/register", json=body)).status_code == 201
            unknown = {"email": "nobody@example.com", "password": "long enough pw"}
            assert (await http.post("/api/auth/login", json=unknown)).status_code == 401
            known = {"email": body["email"], "password": body["password"]}
            assert (await http.post("/api/auth/login", json=known)).status_code == 200
    assert on_the_loop == []
