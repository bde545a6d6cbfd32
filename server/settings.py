"""Server settings: composes each package's typed options and reads the environment once.

`Settings.from_env(environ)` is pure (no files, no network, nothing at import): the app is built
from a Settings object, so tests construct one directly instead of patching the environment.
Every variable is documented in README.md ("Configuration") and .env.example.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from persistence.engine import DatabaseOptions
from scoring.options import ScoringOptions, Weights
from server.live.options import LiveOptions
from server.upload_options import UploadOptions
from server.voice import VoiceOptions
from streaming.options import StreamingOptions

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA_DIR = REPO_ROOT / "var"


def node_name(settings: Settings) -> str:
    """NODE_ID, or `<hostname>-<pid>`: unique among the processes sharing Redis and PostgreSQL."""
    return settings.cluster.node_id or f"{socket.gethostname()}-{os.getpid()}"


def sqlite_in(data_dir: Path) -> str:
    """The embedded default database: one SQLite file in the data folder."""
    return f"sqlite+aiosqlite:///{data_dir / 'data' / 'interview.db'}"


class SettingsError(ValueError):
    """An environment variable has a value the server cannot use; the message names it."""


@dataclass(frozen=True)
class AuthOptions:
    jwt_secret: str | None = None  # None: a random secret is generated once and kept in data_dir
    access_token_minutes: float = 30  # ACCESS_TOKEN_MINUTES is whole minutes; tests use fractions
    refresh_token_days: int = 14
    bcrypt_rounds: int = 12
    login_rate_limit_per_minute: int = 10
    #: How often each node re-checks its open sockets' tokens against the revocation store (a
    #: revocation also reaches them at once, pushed: this bounds the time when that push was lost).
    socket_token_recheck_s: float = 30.0


@dataclass(frozen=True)
class ReviewSettings:
    """Where scoring's resources come from, and the follow-up question policy."""

    #: An external LanguageTool server; None: the server starts and supervises its own.
    languagetool_url: str | None = None
    languagetool_jars: Path = DEFAULT_DATA_DIR / "languagetool" / "lib"
    minilm_tokenizer: Path = DEFAULT_DATA_DIR / "models" / "all-MiniLM-L6-v2" / "tokenizer.json"
    #: An OpenAI-compatible chat endpoint (e.g. a local model server) for follow-up questions;
    #: None: the built-in rules. Any error or timeout falls back to the rules.
    llm_base_url: str | None = None
    llm_model: str = "local"
    llm_timeout_s: float = 8.0
    llm_api_key: str | None = None
    follow_ups_per_question: int = 2
    follow_ups_per_session: int = 3


@dataclass(frozen=True)
class ClusterOptions:
    """Running several server processes side by side (shared PostgreSQL, Redis, audio storage)."""

    #: This process's name in logs and /metrics; None: `<hostname>-<pid>`.
    node_id: str | None = None
    #: A live session's lock lives this long without a heartbeat (refreshed every third of it):
    #: how long a candidate whose node died waits before another node takes the session over.
    session_lock_ttl_s: float = 5.0
    #: SIGTERM: how long live sockets get to flush their finals and close with 1012.
    shutdown_grace_s: float = 10.0


@dataclass(frozen=True)
class MetricsOptions:
    """Who may read /metrics (README, "Observability"): nobody by default."""

    #: A scraper sends `Authorization: Bearer <token>` to /metrics on the public port; None: that
    #: route answers 404.
    token: str | None = None
    #: A separate listener for metrics only (no token: keep it on a private interface); None: none.
    port: int | None = None
    host: str = "127.0.0.1"


@dataclass(frozen=True)
class Settings:
    database: DatabaseOptions = field(default_factory=lambda: DatabaseOptions(url=sqlite_in(DEFAULT_DATA_DIR)))
    auth: AuthOptions = field(default_factory=AuthOptions)
    redis_url: str | None = None  # None: in-process pub/sub (Litestar channels' memory backend)
    data_dir: Path = DEFAULT_DATA_DIR
    host: str = "127.0.0.1"
    port: int = 8000
    #: Addresses (or networks) of the reverse proxies in front of this node (e.g. nginx): only
    #: their X-Forwarded-For / X-Forwarded-Proto are believed; empty: the peer is the client.
    trusted_proxies: tuple[str, ...] = ()
    #: Origins allowed to open WebSockets and call the API cross-site; the server's own origin always is.
    allowed_origins: tuple[str, ...] = ()
    max_request_bytes: int = 1_048_576
    #: Strict-Transport-Security max-age; 0: no HSTS header (set it only when served over HTTPS only).
    hsts_seconds: int = 0
    log_level: str = "info"
    #: "text" (human lines) or "json" (one JSON object per line, with session ids).
    log_format: str = "text"
    #: Answer audio; None: `<data_dir>/audio`. Several nodes must share it (the same path).
    audio_root: Path | None = None
    cluster: ClusterOptions = field(default_factory=ClusterOptions)
    metrics: MetricsOptions = field(default_factory=MetricsOptions)
    streaming: StreamingOptions = field(default_factory=StreamingOptions)
    live: LiveOptions = field(default_factory=LiveOptions)
    uploads: UploadOptions = field(default_factory=UploadOptions)
    scoring: ScoringOptions = field(default_factory=ScoringOptions)
    review: ReviewSettings = field(default_factory=ReviewSettings)
    voice: VoiceOptions = field(default_factory=VoiceOptions)

    @property
    def audio_dir(self) -> Path:
        return self.audio_root or self.data_dir / "audio"

    @property
    def voice_dir(self) -> Path:
        """The interviewer's synthesised questions (a cache: safe to delete)."""
        return self.data_dir / "voice"

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> Settings:
        """Build settings from environment variables; unset ones keep their safe defaults."""
        env = _Env(environ)
        default = cls()
        data_dir = Path(env.text("DATA_DIR", str(default.data_dir)))
        return cls(
            database=DatabaseOptions(
                url=env.text("DATABASE_URL", sqlite_in(data_dir)),
                echo=env.flag("DATABASE_ECHO", False),
            ),
            auth=AuthOptions(
                jwt_secret=env.text("JWT_SECRET", None),
                access_token_minutes=env.integer("ACCESS_TOKEN_MINUTES", default.auth.access_token_minutes, 1),
                refresh_token_days=env.integer("REFRESH_TOKEN_DAYS", default.auth.refresh_token_days, 1),
                bcrypt_rounds=env.integer("BCRYPT_ROUNDS", default.auth.bcrypt_rounds, 4, 16),
                login_rate_limit_per_minute=env.integer(
                    "LOGIN_RATE_LIMIT_PER_MINUTE", default.auth.login_rate_limit_per_minute, 1
                ),
                socket_token_recheck_s=env.integer(
                    "SOCKET_TOKEN_RECHECK_S", default.auth.socket_token_recheck_s, 1, 3600
                ),
            ),
            redis_url=env.text("REDIS_URL", None),
            data_dir=data_dir,
            host=env.text("HOST", default.host),
            port=env.integer("PORT", default.port, 1, 65535),
            trusted_proxies=tuple(p.strip() for p in env.text("TRUSTED_PROXIES", "").split(",") if p.strip()),
            allowed_origins=tuple(o for o in env.text("ALLOWED_ORIGINS", "").split(",") if o.strip()),
            max_request_bytes=env.integer("MAX_REQUEST_BYTES", default.max_request_bytes, 1024),
            hsts_seconds=env.integer("HSTS_SECONDS", default.hsts_seconds, 0),
            log_level=env.text("LOG_LEVEL", default.log_level).lower(),
            log_format=env.choice("LOG_FORMAT", default.log_format, ("text", "json")),
            audio_root=Path(audio) if (audio := env.text("AUDIO_DIR", None)) else None,
            cluster=ClusterOptions(
                node_id=env.text("NODE_ID", None),
                session_lock_ttl_s=env.number("SESSION_LOCK_TTL_S", default.cluster.session_lock_ttl_s, 1.0),
                shutdown_grace_s=env.number("SHUTDOWN_GRACE_S", default.cluster.shutdown_grace_s, 0.0),
            ),
            metrics=_metrics_from_env(env),
            streaming=_streaming_from_env(env, default.streaming),
            live=_live_from_env(env, default.live),
            uploads=_uploads_from_env(env, default.uploads),
            scoring=_scoring_from_env(env, default.scoring),
            review=_review_from_env(env, default.review),
            voice=VoiceOptions(
                enabled=env.flag("VOICE_ENABLED", default.voice.enabled),
                cache_max_bytes=env.integer("VOICE_CACHE_MB", default.voice.cache_max_bytes // 2**20, 1) * 2**20,
                length_scale=env.number("VOICE_LENGTH_SCALE", default.voice.length_scale, 0.5),
            ),
        )

    def with_database(self, url: str) -> Settings:
        return replace(self, database=replace(self.database, url=url))


def _metrics_from_env(env: _Env) -> MetricsOptions:
    token = env.text("METRICS_TOKEN", None)
    if token is not None and len(token) < 16:
        raise SettingsError("METRICS_TOKEN must be at least 16 characters")
    port = env.integer("METRICS_PORT", 0, 0, 65535)
    return MetricsOptions(token=token, port=port or None, host=env.text("METRICS_HOST", MetricsOptions.host))


def _streaming_from_env(env: _Env, default: StreamingOptions) -> StreamingOptions:
    model = default.transcriber
    vad = default.vad
    return replace(
        default,
        transcriber=replace(
            model,
            model=env.text("WHISPER_MODEL", model.model),
            device=env.text("WHISPER_DEVICE", model.device),
            compute_type=env.text("WHISPER_COMPUTE_TYPE", model.compute_type),
            cpu_threads=env.integer("WHISPER_THREADS", model.cpu_threads, 1, 64),
        ),
        vad=replace(
            vad,
            aggressiveness=env.integer("VAD_AGGRESSIVENESS", vad.aggressiveness, 0, 3),
            end_of_utterance_ms=env.integer("VAD_END_OF_UTTERANCE_MS", vad.end_of_utterance_ms, 100, 10_000),
        ),
    )


def _live_from_env(env: _Env, default: LiveOptions) -> LiveOptions:
    return replace(
        default,
        max_live_streams=env.integer("MAX_LIVE_STREAMS", default.max_live_streams, 1, 1000),
        decode_workers=env.integer("DECODE_WORKERS", default.decode_workers, 1, 64),
        max_frame_bytes=env.integer("MAX_AUDIO_FRAME_BYTES", default.max_frame_bytes, 320, 1 << 20),
    )


def _uploads_from_env(env: _Env, default: UploadOptions) -> UploadOptions:
    return replace(
        default,
        max_concurrent=env.integer("MAX_CONCURRENT_UPLOADS", default.max_concurrent, 1, 1000),
        max_per_user=env.integer("MAX_UPLOADS_PER_USER", default.max_per_user, 1, 1000),
        decode_workers=env.integer("UPLOAD_DECODE_WORKERS", default.decode_workers, 1, 64),
        max_transcribing=env.integer("MAX_TRANSCRIBING_UPLOADS", default.max_transcribing, 1, 64),
    )


def _scoring_from_env(env: _Env, default: ScoringOptions) -> ScoringOptions:
    weights = default.weights
    return replace(
        default,
        weights=Weights(
            relevance=env.number("WEIGHT_RELEVANCE", weights.relevance, 0),
            grammar=env.number("WEIGHT_GRAMMAR", weights.grammar, 0),
            fluency=env.number("WEIGHT_FLUENCY", weights.fluency, 0),
            keywords=env.number("WEIGHT_KEYWORDS", weights.keywords, 0),
        ),
    )


def _review_from_env(env: _Env, default: ReviewSettings) -> ReviewSettings:
    return replace(
        default,
        languagetool_url=env.text("LANGUAGETOOL_URL", None),
        languagetool_jars=Path(env.text("LANGUAGETOOL_JARS", str(default.languagetool_jars))),
        llm_base_url=env.text("LLM_BASE_URL", None),
        llm_model=env.text("LLM_MODEL", default.llm_model),
        llm_timeout_s=env.number("LLM_TIMEOUT_S", default.llm_timeout_s, 0.1),
        llm_api_key=env.text("LLM_API_KEY", None),
        follow_ups_per_question=env.integer("FOLLOW_UPS_PER_QUESTION", default.follow_ups_per_question, 0, 5),
        follow_ups_per_session=env.integer("FOLLOW_UPS_PER_SESSION", default.follow_ups_per_session, 0, 20),
    )


class _Env:
    """Typed reads of an environment mapping, with errors that name the variable."""

    def __init__(self, environ: Mapping[str, str]) -> None:
        self._environ = environ

    def text(self, name: str, default):
        value = self._environ.get(name, "").strip()
        return value if value else default

    def choice(self, name: str, default: str, allowed: tuple[str, ...]) -> str:
        value = self.text(name, default).lower()
        if value not in allowed:
            raise SettingsError(f"{name} must be one of {', '.join(allowed)}, not {value!r}")
        return value

    def integer(self, name: str, default: int, low: int | None = None, high: int | None = None) -> int:
        raw = self.text(name, None)
        if raw is None:
            return default
        try:
            value = int(raw)
        except ValueError:
            raise SettingsError(f"{name} must be a whole number, not {raw!r}") from None
        if (low is not None and value < low) or (high is not None and value > high):
            raise SettingsError(f"{name} must be between {low} and {high}, not {value}")
        return value

    def number(self, name: str, default: float, low: float | None = None) -> float:
        raw = self.text(name, None)
        if raw is None:
            return default
        try:
            value = float(raw)
        except ValueError:
            raise SettingsError(f"{name} must be a number, not {raw!r}") from None
        if low is not None and value < low:
            raise SettingsError(f"{name} must be at least {low}, not {value}")
        return value

    def flag(self, name: str, default: bool) -> bool:
        raw = self.text(name, None)
        if raw is None:
            return default
        if raw.lower() in {"1", "true", "yes", "on"}:
            return True
        if raw.lower() in {"0", "false", "no", "off"}:
            return False
        raise SettingsError(f"{name} must be true or false, not {raw!r}")
