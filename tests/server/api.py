"""A small API client over Litestar's test client: register users, call the API as them."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

from litestar.testing import AsyncTestClient

_counter = itertools.count()


@dataclass
class Account:
    email: str
    password: str
    tokens: dict[str, Any]

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens['access_token']}"}

    @property
    def id(self) -> str:
        return self.tokens["user"]["id"]


async def register(client: AsyncTestClient, **profile: Any) -> Account:
    number = next(_counter)
    body = {"email": f"user{number}@example.com", "password": "correct horse battery", "full_name": f"User {number}"}
    body.update(profile)
    response = await client.post("/api/auth/register", json=body)
    assert response.status_code == 201, response.text
    return Account(body["email"], body["password"], response.json())


async def create_session(client: AsyncTestClient, account: Account, **fields: Any) -> dict[str, Any]:
    body = {"title": "Practice", "difficulty": "medium", "interview_type": "mixed", "num_questions": 3}
    body.update(fields)
    response = await client.post("/api/sessions", json=body, headers=account.headers)
    assert response.status_code == 201, response.text
    return response.json()
