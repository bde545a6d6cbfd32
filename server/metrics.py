"""Prometheus metrics through `prometheus-client`: one registry per app holding

- `LiveStateCollector`, which reads the node's live state (sockets, decode queue, spool, pub/sub,
  leases) at scrape time, so nothing is updated on the hot path just to be reported;
- HTTP request metrics (`interview_http_requests_total`, `interview_http_request_duration_seconds`,
  labelled by route template, never by raw path), recorded by `HttpMetricsMiddleware`;
- the process collector (`process_cpu_seconds_total`, `process_resident_memory_bytes`, ...).

The library writes HELP and TYPE for every family and escapes label values. Who may scrape is
decided in `server.routes_metrics` (a token) or by `serve_metrics_port` (a separate listener).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterator
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, ProcessCollector, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector

from server.live.scheduler import LATENCY_BUCKETS

log = logging.getLogger("server.metrics")
HTTP_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class LiveStateCollector(Collector):
    """Today's `interview_*` metrics, computed from `app.state` when scraped (in the event loop:
    the registry is only ever collected there, see `serve_metrics_port`)."""

    def __init__(self, state: Any) -> None:
        self._state = state

    def collect(self) -> Iterator[Metric]:
        state = self._state
        if not hasattr(state, "scheduler"):
            return  # the lifespan has not started (or failed): nothing live to report
        scheduler, stats = state.scheduler, state.scheduler.stats
        yield _gauge("interview_live_streams", "Interview sockets open now.", len(state.live_sessions))
        yield _gauge("interview_live_watchers", "Watch sockets open now.", state.live_watchers)
        yield _gauge("interview_decode_queue_depth", "Final decodes waiting for the model.", scheduler.queue_depth)
        yield _gauge("interview_decode_busy", "Model calls running now.", scheduler.busy)
        yield _gauge(
            "interview_decode_uploads_waiting", "Decodes of uploads waiting for the model.", scheduler.uploads_waiting
        )
        decodes = CounterMetricFamily("interview_decodes_total", "Model calls, by kind of decode.", labels=["kind"])
        decodes.add_metric(["final"], stats.finals)
        decodes.add_metric(["partial"], stats.partials)
        yield decodes
        yield _counter(
            "interview_finals_reused_total",
            "Finals delivered from the decode made during the closing silence (no second decode).",
            stats.finals_reused,
        )
        yield _counter(
            "interview_partials_skipped_total",
            "Partial updates that were due but never decoded (the model was busy).",
            stats.partials_skipped,
        )
        yield _gauge(
            "interview_decode_real_time_factor",
            "Decode seconds per second of audio decoded.",
            stats.real_time_factor() or 0.0,
        )
        refused = CounterMetricFamily(
            "interview_refused_connections_total", "Sockets closed by the server, by reason.", labels=["reason"]
        )
        for reason, count in sorted(state.live_counters.items()):
            refused.add_metric([reason], count)
        yield refused
        bucket_counts = zip(LATENCY_BUCKETS, stats.latency_buckets, strict=True)
        buckets = [(repr(float(bound)), count) for bound, count in bucket_counts]
        yield HistogramMetricFamily(
            "interview_decode_seconds",
            "Model call latency.",
            buckets=[*buckets, ("+Inf", stats.decodes)],
            sum_value=stats.decode_seconds_total,
        )
        yield _gauge(
            "interview_grammar_available",
            "1 while LanguageTool answers (grammar is scored).",
            int(state.grammar.current() is not None),
        )
        if hasattr(state, "uploads"):
            yield _gauge(
                "interview_uploads_in_progress",
                "Recorded-answer uploads admitted and not finished (body, decode, transcription).",
                state.uploads.in_progress,
            )
        yield from _cluster(state)


def _cluster(state: Any) -> Iterator[Metric]:
    """Queue depths, the database write spool, pub/sub and lease health of this node."""
    depths = [live.outbox.qsize() for live in state.live_sessions.values() if getattr(live, "outbox", None) is not None]
    backend = state.channels_backend
    redis = hasattr(backend, "publish_failures")
    info = GaugeMetricFamily(
        "interview_node_info", "This process (NODE_ID or host-pid) and its pub/sub backend.", labels=["node", "pubsub"]
    )
    info.add_metric([state.node, "redis" if redis else "memory"], 1)
    yield info
    outbox = GaugeMetricFamily(
        "interview_outbox_depth", "Events queued for interview sockets (sum and largest).", labels=["stat"]
    )
    outbox.add_metric(["sum"], sum(depths))
    outbox.add_metric(["max"], max(depths, default=0))
    yield outbox
    spool = state.spool
    yield _gauge("interview_spooled_writes", "Database writes waiting for the database to come back.", spool.pending)
    yield _counter(
        "interview_spooled_writes_total", "Database writes that had to wait for the database.", spool.spooled_total
    )
    yield _counter("interview_spool_retries_total", "Retries of spooled database writes.", spool.retries_total)
    yield _gauge(
        "interview_pubsub_connected",
        "1 while Redis pub/sub is reachable (always 1 in memory).",
        int(backend.connected) if redis else 1,
    )
    yield _counter(
        "interview_pubsub_publish_failures_total",
        "Events that could not be published to Redis.",
        backend.publish_failures if redis else 0,
    )
    yield _counter(
        "interview_pubsub_reconnects_total", "Reconnections to Redis pub/sub.", backend.reconnects if redis else 0
    )
    yield _counter(
        "interview_lease_heartbeat_failures_total",
        "Session-lease refreshes that could not reach Redis.",
        getattr(state.session_locks, "heartbeat_failures", 0),
    )
    yield _gauge(
        "interview_shutting_down", "1 while the node drains for a shutdown.", int(state.shutting_down.is_set())
    )


def _gauge(name: str, documentation: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, documentation, value=value)


def _counter(name: str, documentation: str, value: float) -> CounterMetricFamily:
    return CounterMetricFamily(name, documentation, value=value)


class AppMetrics:
    """The registry of one app and its HTTP request instruments."""

    def __init__(self, state: Any) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.registry.register(LiveStateCollector(state))
        ProcessCollector(registry=self.registry)
        self.requests = Counter(
            "interview_http_requests",
            "HTTP requests answered, by method, route template and status.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "interview_http_request_duration_seconds",
            "Time to answer an HTTP request, by method and route template.",
            ["method", "route"],
            buckets=HTTP_BUCKETS,
            registry=self.registry,
        )

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


class HttpMetricsMiddleware:
    """ASGI middleware counting HTTP requests per route template (WebSockets have their own
    metrics). It runs after routing, so `path_template` is known and labels stay bounded."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        metrics: AppMetrics = scope["litestar_app"].state.metrics
        started = time.perf_counter()
        status = 500

        async def observe(message: dict) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, observe)
        finally:
            route = scope.get("path_template", "unmatched")
            metrics.requests.labels(scope["method"], route, str(status)).inc()
            metrics.latency.labels(scope["method"], route).observe(time.perf_counter() - started)


async def serve_metrics_port(metrics: AppMetrics, host: str, port: int) -> asyncio.Server:
    """A second listener that answers every GET with the metrics, for deployments that keep
    metrics off the public port (METRICS_PORT). It runs in the app's event loop, so the live
    state is read where it is changed."""

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            request = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
            if request.startswith(b"GET "):
                body, status = metrics.exposition(), b"200 OK"
            else:
                body, status = b"only GET\n", b"405 Method Not Allowed"
            head = (
                b"HTTP/1.1 " + status + b"\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\n"
                b"Content-Length: " + str(len(body)).encode() + b"\r\nConnection: close\r\n\r\n"
            )
            writer.write(head + body)
            await writer.drain()
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError, ConnectionError):
            pass  # a scraper that went away or sent garbage gets nothing
        finally:
            writer.close()

    server = await asyncio.start_server(answer, host, port)
    log.info("metrics on http://%s:%d/metrics", host, port)
    return server
