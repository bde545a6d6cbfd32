"""create_app(settings) -> Litestar: the one place that wires plugins, dependencies, routes and
the lifespan of shared resources (database engine, model, LanguageTool, pub/sub)."""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator, Callable
from contextlib import asynccontextmanager
from typing import Any

from litestar import Litestar
from litestar.config.cors import CORSConfig
from litestar.di import Provide
from litestar.middleware.rate_limit import RateLimitConfig
from litestar.openapi.config import OpenAPIConfig

from persistence.engine import create_engine, create_session_factory
from server.auth import AUTH_ROUTES, TokenService, build_jwt_auth
from server.db import provide_db
from server.errors import EXCEPTION_HANDLERS
from server.routes_health import health, ready
from server.routes_sessions import SessionController
from server.routes_users import MeController
from server.secrets import resolve_jwt_secret
from server.settings import Settings

log = logging.getLogger("server")

#: Turns (user, CreateSessionRequest) into the list of question rows for a new session.
QuestionPlanner = Callable[[Any, Any], list[dict[str, Any]]]

RATE_LIMITED_PATHS = frozenset({"/api/auth/login", "/api/auth/register", "/api/auth/refresh"})


def create_app(settings: Settings, *, question_planner: QuestionPlanner | None = None) -> Litestar:
    secret = resolve_jwt_secret(settings.auth.jwt_secret, settings.data_dir)
    jwt_auth = build_jwt_auth(secret, settings.auth)

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncGenerator[None, None]:
        engine = create_engine(settings.database)
        app.state.db_engine = engine
        app.state.db_sessions = create_session_factory(engine)
        try:
            yield
        finally:
            await engine.dispose()

    rate_limit = RateLimitConfig(
        rate_limit=("minute", settings.auth.login_rate_limit_per_minute),
        check_throttle_handler=lambda request: request.url.path in RATE_LIMITED_PATHS,
    )
    app = Litestar(
        route_handlers=[health, ready, *AUTH_ROUTES, MeController, SessionController],
        dependencies={"db": Provide(provide_db)},
        exception_handlers=EXCEPTION_HANDLERS,  # type: ignore[arg-type]
        on_app_init=[jwt_auth.on_app_init],
        middleware=[rate_limit.middleware],
        lifespan=[lifespan],
        request_max_body_size=settings.max_request_bytes,
        cors_config=CORSConfig(allow_origins=list(settings.allowed_origins)) if settings.allowed_origins else None,
        openapi_config=OpenAPIConfig(
            title="Mock interview server",
            version="1.0.0",
            description="Real-time voice mock interviews: accounts, sessions, questions, scores and feedback.",
            path="/schema",
        ),
    )
    app.state.settings = settings
    app.state.tokens = TokenService(secret, settings.auth)
    app.state.question_planner = question_planner or (lambda user, request: [])
    return app
