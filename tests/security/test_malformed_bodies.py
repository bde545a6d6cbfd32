"""Malformed and loosely typed bodies against every JSON route of the app (enumerated from its
route table, so a new route is covered without being listed), through a real uvicorn server on
SQLite and PostgreSQL: each is a 400 with a clear message, never a 500 or a traceback in the log."""

from __future__ import annotations

import asyncio
import logging
import re
import uuid

import httpx
import pytest
from litestar import Litestar
from litestar.routes import HTTPRoute

from server.app import create_app
from tests.security.conftest import QUESTIONS, new_owner

#: (what it is, body bytes, Content-Type or None for no header)
MALFORMED = [
    ("invalid UTF-8", b'{"full_name":"\xff\xfe","email":"\xff@x.io","title":"\xfe"}', "application/json"),
    ("100,000 nested [", b"[" * 100_000, "application/json"),
    ("100,000 nested { inside a field", b'{"title":' + b'{"a":' * 100_000, "application/json"),
    ("valid but 40 levels deep", b"[" * 40 + b"]" * 40, "application/json"),
    ("truncated JSON", b'{"title": "x", ', "application/json"),
    ("not JSON at all", b"title=x&email=y", "application/json"),
    ("JSON sent as text/plain", b'{"title": "x", "email": "a@b.io", "password": "long enough pw"}', "text/plain"),
    ("JSON sent as a form", b'{"title": "x"}', "application/x-www-form-urlencoded"),
    ("JSON without a Content-Type", b'{"title": "x"}', None),
    ("an empty body", b"", "application/json"),
]


def json_routes(app: Litestar) -> list[tuple[str, str]]:
    """(method, path template) of every handler that takes a JSON `data` body."""
    routes = []
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for method, (handler, _) in route.route_handler_map.items():
            if "data" in handler.parsed_fn_signature.parameters:
                routes.append((method, route.path))
    return sorted(routes)


def concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", lambda _: str(uuid.uuid4()), path)


@pytest.fixture
def routes(settings) -> list[tuple[str, str]]:
    found = json_routes(create_app(settings))
    # The enumeration itself must work: these are the JSON routes as of writing (more may come).
    assert {
        ("POST", "/api/auth/register"),
        ("POST", "/api/auth/login"),
        ("PATCH", "/api/users/me"),
        ("POST", "/api/sessions"),
    } <= set(found)
    return found


async def test_every_malformed_body_is_a_400_on_every_json_route(server, routes, caplog) -> None:
    owner = await asyncio.to_thread(new_owner, server)
    caplog.set_level(logging.WARNING)
    async with httpx.AsyncClient(base_url=server, timeout=60) as http:
        for method, path in routes:
            for what, body, content_type in MALFORMED:
                headers = dict(owner.headers)
                if content_type is not None:
                    headers["Content-Type"] = content_type
                response = await http.request(method, concrete(path), content=body, headers=headers)
                assert response.status_code == 400, (method, path, what, response.status_code, response.text[:300])
                detail = response.json()["detail"]
                assert detail and "internal" not in detail.lower(), (method, path, what, detail)
    errors = [record for record in caplog.records if record.levelno >= logging.ERROR or record.exc_info]
    assert not errors, [record.getMessage() for record in errors]


async def test_the_messages_say_what_is_wrong(server) -> None:
    owner = await asyncio.to_thread(new_owner, server)
    async with httpx.AsyncClient(base_url=server, timeout=60, headers=owner.headers) as http:

        async def detail(body: bytes, content_type: str = "application/json") -> str:
            response = await http.patch("/api/users/me", content=body, headers={"Content-Type": content_type})
            assert response.status_code == 400, response.text
            return response.json()["detail"]

        assert "UTF-8" in await detail(b'{"full_name":"\xff\xfe"}')
        assert "nested" in await detail(b"[" * 100_000)
        assert "Content-Type: application/json" in await detail(b'{"full_name": "A"}', "text/plain")
        assert "not valid JSON" in await detail(b'{"full_name": ')
        # JSON media types with parameters or a +json suffix are JSON.
        for content_type in ("application/json; charset=utf-8", "application/merge-patch+json"):
            ok = await http.patch(
                "/api/users/me", content=b'{"full_name": "Ada"}', headers={"Content-Type": content_type}
            )
            assert ok.status_code == 200 and ok.json()["full_name"] == "Ada", ok.text


@pytest.mark.parametrize("value", ["5", 5.0, 2.5, True, None, [5]])
async def test_num_questions_must_be_an_integer(server, value) -> None:
    owner = await asyncio.to_thread(new_owner, server)
    async with httpx.AsyncClient(base_url=server, timeout=60, headers=owner.headers) as http:
        response = await http.post("/api/sessions", json={"title": "strict", "num_questions": value})
        assert response.status_code == 400, response.text
        assert response.json()["extra"][0]["key"] == "num_questions"
        sessions = (await http.get("/api/sessions")).json()
        assert sessions["total"] == 1  # only the owner's own session: nothing was created


async def test_integers_elsewhere_are_strict_too(server) -> None:
    owner = await asyncio.to_thread(new_owner, server)
    async with httpx.AsyncClient(base_url=server, timeout=60, headers=owner.headers) as http:
        years = await http.patch("/api/users/me", json={"experience_years": "3"})
        assert years.status_code == 400 and years.json()["extra"][0]["key"] == "experience_years"
        limit = await http.post(
            "/api/sessions",
            json={
                "title": "t",
                "num_questions": 1,
                "custom_questions": [{"text": "Why this team?", "time_limit": 60.0}],
            },
        )
        assert limit.status_code == 400 and limit.json()["extra"][0]["key"] == "custom_questions[0].time_limit"
        exact = await http.post(
            "/api/sessions",
            json={"title": "t", "num_questions": 1, "custom_questions": [{"text": "Why this team?", "time_limit": 60}]},
        )
        assert exact.status_code == 201, exact.text


async def test_only_the_bearer_scheme_carries_a_token(server) -> None:
    owner = await asyncio.to_thread(new_owner, server)
    async with httpx.AsyncClient(base_url=server, timeout=60) as http:
        for header in (
            f"Token {owner.access}",
            f"Basic {owner.access}",
            f"JWT {owner.access}",
            owner.access,
            "Bearer",
            f"Bearer{owner.access}",
        ):
            response = await http.get("/api/users/me", headers={"Authorization": header})
            assert response.status_code == 401, (header[:12], response.text)
        for header in (f"Bearer {owner.access}", f"bearer {owner.access}"):  # the scheme is case-insensitive (RFC 7235)
            assert (await http.get("/api/users/me", headers={"Authorization": header})).status_code == 200


async def test_custom_questions_beyond_num_questions_are_an_error_naming_the_field(server) -> None:
    owner = await asyncio.to_thread(new_owner, server)
    custom = [{"text": question["text"]} for question in QUESTIONS] + [{"text": "What would you change first here?"}]
    async with httpx.AsyncClient(base_url=server, timeout=60, headers=owner.headers) as http:
        response = await http.post("/api/sessions", json={"title": "t", "num_questions": 2, "custom_questions": custom})
        assert response.status_code == 400, response.text
        body = response.json()
        assert body["extra"][0]["key"] == "custom_questions" and "num_questions" in body["detail"]
        default = await http.post(
            "/api/sessions", json={"title": "t", "custom_questions": custom * 2}
        )  # 6 > the default 5
        assert default.status_code == 400 and default.json()["extra"][0]["key"] == "custom_questions"
        fits = await http.post("/api/sessions", json={"title": "t", "num_questions": 3, "custom_questions": custom})
        assert fits.status_code == 201, fits.text
        assert (await http.get("/api/sessions")).json()["total"] == 2  # the owner's and `fits`


async def test_messages_say_in_words_what_was_wrong(server) -> None:
    owner = await asyncio.to_thread(new_owner, server)
    async with httpx.AsyncClient(base_url=server, timeout=60) as http:

        async def refusal(path: str, body: bytes, headers: dict[str, str] | None = None) -> dict:
            response = await http.post(
                path, content=body, headers={"Content-Type": "application/json", **(headers or {})}
            )
            assert response.status_code == 400, response.text
            return response.json()

        # A pattern is said in words, not as a 300-character regular expression.
        email = await refusal("/api/auth/register", b'{"email": "nobody", "password": "long enough", "full_name": "A"}')
        assert email["extra"][0]["key"] == "email" and "e-mail address" in email["detail"], email
        assert "regex" not in email["detail"] and len(email["detail"]) < 120, email
        nul = await refusal("/api/sessions", b'{"title": "a\\u0000b"}', owner.headers)
        assert nul["extra"][0]["key"] == "title" and "NUL" in nul["detail"] and "regex" not in nul["detail"], nul
        phone = await http.patch("/api/users/me", json={"phone_number": "call me"}, headers=owner.headers)
        assert phone.status_code == 400 and phone.json()["extra"][0]["key"] == "phone_number", phone.text
        assert "phone number" in phone.json()["detail"] and "regex" not in phone.json()["detail"], phone.text
        # msgspec said "Input data was truncated" of these two.
        assert "empty" in (await refusal("/api/auth/login", b"  "))["detail"]
        surrogate = await refusal("/api/sessions", b'{"title": "\\ud800 alone"}', owner.headers)
        assert "surrogate" in surrogate["detail"] and "truncated" not in surrogate["detail"], surrogate


async def test_a_key_sent_twice_is_refused_not_half_dropped(server) -> None:
    # msgspec keeps the last value of a repeated key and drops the others without a word.
    owner = await asyncio.to_thread(new_owner, server)
    async with httpx.AsyncClient(base_url=server, timeout=60, headers=owner.headers) as http:
        body = b'{"title": "first", "custom_questions": [{"text": "Why this team?", "text": "Why now?"}]}'
        response = await http.post("/api/sessions", content=body, headers={"Content-Type": "application/json"})
        assert response.status_code == 400 and "'text'" in response.json()["detail"], response.text
        assert (await http.get("/api/sessions")).json()["total"] == 1  # nothing was created
        same_key_in_two_objects = (
            b'{"title": "t", "num_questions": 2,'
            b' "custom_questions": [{"text": "Why this team?"}, {"text": "Why now, then?"}]}'
        )
        created = await http.post(
            "/api/sessions", content=same_key_in_two_objects, headers={"Content-Type": "application/json"}
        )
        assert created.status_code == 201, created.text
