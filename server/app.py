"""create_app(settings) -> Litestar: the one place that wires plugins, dependencies, routes and
the lifespan of shared resources (database engine, model, LanguageTool, pub/sub)."""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import AsyncGenerator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import replace
from typing import Any

from litestar import Litestar
from litestar.config.cors import CORSConfig
from litestar.di import Provide
from litestar.openapi.config import OpenAPIConfig

from interview import FollowUpPolicy
from persistence.engine import create_engine, create_session_factory
from server.auth import AUTH_ROUTES, TokenService, build_jwt_auth
from server.db import provide_db
from server.dbhealth import DATABASE_ERROR_HANDLERS
from server.errors import EXCEPTION_HANDLERS
from server.jwt_secret import resolve_jwt_secret
from server.live.control import ControlListener, WatchRegistry, publish_revoked
from server.live.endpoints import interview_socket, unknown_socket, watch_socket
from server.live.interview import LiveDeps
from server.live.locks import LocalSessionLocks, RedisSessionLocks
from server.live.pubsub import channels_plugin, create_redis
from server.live.scheduler import DecodeScheduler
from server.live.spool import WriteSpool
from server.logs import quiet_client_protocol_errors
from server.metrics import AppMetrics, HttpMetricsMiddleware, serve_metrics_port
from server.openapi import StrictStructSchemaPlugin
from server.query_params import check_request
from server.ratelimit import rate_limit as rate_limit_config
from server.ratelimit import rate_limit_stores
from server.resources import follow_up_generator, load_embedder, start_grammar
from server.review import Reviewer
from server.revocation import FileRevocationStore, RedisRevocationStore
from server.routes_health import health, health_head, ready, ready_head
from server.routes_metrics import metrics
from server.routes_sessions import SessionController
from server.routes_uploads import upload_answer
from server.routes_users import MeController
from server.routes_voice import question_voice
from server.routes_web import index, web_router
from server.security_headers import security_headers
from server.settings import Settings, node_name
from server.socket_tokens import SocketTokens
from server.speech.whisper import WhisperTranscriber
from server.upload_limits import UploadLimits
from server.voice import InterviewerVoice

log = logging.getLogger("server")

#: At most this long start-up waits for the interviewer's voice to load (about 2 s of one core;
#: under heavy load more): the server serves after it even if the load is not done.
VOICE_WARM_UP_WAIT_S = 15.0


def create_app(
    settings: Settings,
    *,
    transcriber: Any | None = None,
    embedder: Any | None = None,
) -> Litestar:
    """Build the app. `transcriber` and `embedder` let several apps in one process (tests, the
    benchmark) share one loaded model; by default each app loads its own at start-up."""
    quiet_client_protocol_errors()
    secret = resolve_jwt_secret(settings.auth.jwt_secret, settings.data_dir)
    jwt_auth = build_jwt_auth(secret, settings.auth)
    # Redis (when configured) carries live events between nodes and the per-session leases; the
    # client connects lazily, inside the server's event loop.
    redis = create_redis(settings.redis_url) if settings.redis_url else None
    channels, channels_backend = channels_plugin(redis)

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncGenerator[None, None]:
        engine = create_engine(settings.database)
        app.state.db_engine = engine
        app.state.db_sessions = create_session_factory(engine)
        app.state.shutting_down = asyncio.Event()
        app.state.live_sessions = {}
        app.state.live_counters = {}
        app.state.live_watchers = 0
        app.state.watch_registry = WatchRegistry()
        app.state.spool = WriteSpool(app.state.db_sessions)
        app.state.session_locks = (
            RedisSessionLocks(redis, ttl_s=settings.cluster.session_lock_ttl_s)
            if redis is not None
            else LocalSessionLocks()
        )
        async with AsyncExitStack() as stack:
            stack.push_async_callback(engine.dispose)
            if redis is not None:
                stack.push_async_callback(redis.aclose)
            stack.push_async_callback(app.state.spool.close)
            app.state.uploads = UploadLimits(settings.uploads)
            stack.callback(app.state.uploads.shutdown)
            if settings.metrics.port is not None:
                listener = await serve_metrics_port(app.state.metrics, settings.metrics.host, settings.metrics.port)
                stack.push_async_callback(listener.wait_closed)
                stack.callback(listener.close)
            # The voice model loads in its worker while LanguageTool, Whisper and MiniLM load.
            voice = InterviewerVoice(settings.voice, settings.voice_dir)
            stack.callback(voice.shutdown)
            voice.warm_up()
            app.state.voice = voice
            grammar = await start_grammar(settings.review, stack)
            # One CTranslate2 worker per pool thread: with fewer, the pool's threads queue
            # inside the model and run one decode at a time (issue 14).
            model_options = replace(settings.streaming.transcriber, num_workers=settings.live.decode_workers)
            model = transcriber or await asyncio.to_thread(WhisperTranscriber, model_options)
            scheduler = DecodeScheduler(model, workers=settings.live.decode_workers)
            stack.callback(scheduler.shutdown)
            reviewer = Reviewer(
                db_sessions=app.state.db_sessions,
                embedder=embedder or await load_embedder(settings.review),
                grammar=grammar.current,
                follow_ups=follow_up_generator(settings.review),
                follow_up_policy=FollowUpPolicy(
                    max_per_question=settings.review.follow_ups_per_question,
                    max_per_session=settings.review.follow_ups_per_session,
                ),
                options=settings.scoring,
            )
            app.state.scheduler = scheduler
            app.state.grammar = grammar
            app.state.reviewer = reviewer
            app.state.live_deps = LiveDeps(
                db_sessions=app.state.db_sessions,
                scheduler=scheduler,
                streaming=settings.streaming,
                options=settings.live,
                audio_dir=settings.audio_dir,
                spool=app.state.spool,
                before_answer=reviewer.prepare_question,
                after_answer=reviewer.review_answer,
                after_session=reviewer.review_session,
                voice=voice,
            )
            # The first question of the first interview must not wait for the voice's load.
            await voice.until_warm(VOICE_WARM_UP_WAIT_S)
            log.info(
                "node %s ready (pub/sub: %s, audio: %s)",
                app.state.node,
                "redis" if redis else "memory",
                settings.audio_dir,
            )
            if redis is not None and settings.auth.jwt_secret is None:
                log.warning(
                    "REDIS_URL is set but JWT_SECRET is not: nodes sharing Redis must share JWT_SECRET, "
                    "or each rejects the others' tokens"
                )
            try:
                yield
            finally:
                await drain_live_sessions(app, settings.cluster.shutdown_grace_s)

    rate_limit = rate_limit_config(settings.auth.login_rate_limit_per_minute)
    app = Litestar(
        route_handlers=[
            health,
            health_head,
            ready,
            ready_head,
            *AUTH_ROUTES,
            MeController,
            SessionController,
            upload_answer,
            question_voice,
            interview_socket,
            watch_socket,
            unknown_socket,
            metrics,
            index,
            web_router(),
        ],
        plugins=[channels, StrictStructSchemaPlugin()],
        dependencies={"db": Provide(provide_db)},
        exception_handlers={**EXCEPTION_HANDLERS, **DATABASE_ERROR_HANDLERS},  # type: ignore[arg-type]
        on_app_init=[jwt_auth.on_app_init],
        middleware=[HttpMetricsMiddleware, rate_limit.middleware],
        stores=rate_limit_stores(redis),
        before_request=check_request,  # a repeated query parameter or a malformed JSON body is a 400, never a 500
        before_send=[security_headers(hsts_seconds=settings.hsts_seconds)],
        lifespan=[lifespan],
        # After the lifespans (the ChannelsPlugin's included): the control channel needs it running.
        on_startup=[start_control_listener, start_socket_tokens],
        on_shutdown=[stop_control_listener, stop_socket_tokens],
        logging_config=None,  # server.logs configures logging (text or JSON lines, session ids)
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
    # Revoked tokens (rotation, log-out, withdrawn shares): in Redis for every node, or for this one
    # node in memory, logged to DATA_DIR so that a restart keeps them.
    app.state.tokens = TokenService(
        secret,
        settings.auth,
        RedisRevocationStore(redis)
        if redis is not None
        else FileRevocationStore(settings.data_dir / "revocations.jsonl"),
    )
    # Sockets opened with a token revoked later close, on every node (pushed, and re-checked).
    app.state.tokens.on_revoked = functools.partial(publish_revoked, channels)
    app.state.socket_tokens = SocketTokens(app.state.tokens, settings.auth.socket_token_recheck_s)
    app.state.channels = channels
    app.state.channels_backend = channels_backend
    app.state.node = node_name(settings)
    app.state.metrics = AppMetrics(app.state)
    return app


async def start_control_listener(app: Litestar) -> None:
    """Listen on the control channel: sessions deleted or cancelled through any node close here."""
    app.state.control_listener = ControlListener(app.state)
    app.state.control_listener.start()


async def start_socket_tokens(app: Litestar) -> None:
    app.state.socket_tokens.start()


async def stop_socket_tokens(app: Litestar) -> None:
    await app.state.socket_tokens.stop()


async def stop_control_listener(app: Litestar) -> None:
    listener = getattr(app.state, "control_listener", None)
    if listener is not None:
        await listener.stop()


async def drain_live_sessions(app: Litestar, timeout: float) -> None:
    """Graceful shutdown: live sockets see `shutting_down`, stop taking audio, flush their finals,
    persist, send them and close with 1012; wait (bounded) for them to get there. Idempotent."""
    state = app.state
    if not hasattr(state, "shutting_down"):
        return  # the lifespan never started
    if not state.shutting_down.is_set():
        log.info("shutting down: draining %d live interviews", len(state.live_sessions))
        state.shutting_down.set()
    deadline = asyncio.get_running_loop().time() + timeout
    while (state.live_sessions or state.live_watchers) and asyncio.get_running_loop().time() < deadline:
        await asyncio.sleep(0.05)
    if state.live_sessions:
        log.error("%d live interviews did not finish within %.0f s", len(state.live_sessions), timeout)
