from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from litestar.testing import AsyncTestClient

from server.app import create_app
from server.settings import Settings


@pytest.fixture
async def client(settings: Settings, transcriber, embedder) -> AsyncIterator[AsyncTestClient]:
    async with AsyncTestClient(create_app(settings, transcriber=transcriber, embedder=embedder)) as test_client:
        yield test_client
