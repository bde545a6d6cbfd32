"""Prometheus metrics at /metrics (text exposition format, written by hand: a handful of gauges,
counters and one histogram do not need a client library)."""

from __future__ import annotations

from litestar import Request, get
from litestar.response import Response

from server.live.scheduler import LATENCY_BUCKETS


@get("/metrics", tags=["health"], summary="Prometheus metrics", include_in_schema=False)
async def metrics(request: Request) -> Response[str]:
    state = request.app.state
    stats = state.scheduler.stats
    counters = state.live_counters
    lines = [
        "# HELP interview_live_streams Interview sockets open now.",
        "# TYPE interview_live_streams gauge",
        f"interview_live_streams {len(state.live_sessions)}",
        "# HELP interview_decode_queue_depth Final decodes waiting for the model.",
        "# TYPE interview_decode_queue_depth gauge",
        f"interview_decode_queue_depth {state.scheduler.queue_depth}",
        "# HELP interview_decode_busy Model calls running now.",
        "# TYPE interview_decode_busy gauge",
        f"interview_decode_busy {state.scheduler.busy}",
        "# TYPE interview_decodes_total counter",
        f'interview_decodes_total{{kind="final"}} {stats.finals}',
        f'interview_decodes_total{{kind="partial"}} {stats.partials}',
        "# HELP interview_finals_reused_total Finals delivered from the decode made during the closing silence (no second decode).",
        "# TYPE interview_finals_reused_total counter",
        f"interview_finals_reused_total {stats.finals_reused}",
        "# HELP interview_partials_skipped_total Partial updates that were due but never decoded (the model was busy).",
        "# TYPE interview_partials_skipped_total counter",
        f"interview_partials_skipped_total {stats.partials_skipped}",
        "# HELP interview_decode_real_time_factor Decode seconds per second of audio decoded.",
        "# TYPE interview_decode_real_time_factor gauge",
        f"interview_decode_real_time_factor {stats.real_time_factor() or 0.0:.4f}",
        "# HELP interview_refused_connections_total Interview sockets refused, by reason.",
        "# TYPE interview_refused_connections_total counter",
        *(f'interview_refused_connections_total{{reason="{reason}"}} {count}' for reason, count in sorted(counters.items())),
        "# HELP interview_decode_seconds Model call latency.",
        "# TYPE interview_decode_seconds histogram",
        *(f'interview_decode_seconds_bucket{{le="{bound}"}} {count}' for bound, count in zip(LATENCY_BUCKETS, stats.latency_buckets)),
        f'interview_decode_seconds_bucket{{le="+Inf"}} {stats.decodes}',
        f"interview_decode_seconds_sum {stats.decode_seconds_total:.4f}",
        f"interview_decode_seconds_count {stats.decodes}",
        f"interview_grammar_available {int(state.grammar.current() is not None)}",
        *_cluster_lines(state),
    ]
    return Response("\n".join(lines) + "\n", media_type="text/plain; version=0.0.4")


def _cluster_lines(state) -> list[str]:
    """Queue depths, database write spool, pub/sub and lease health of this node."""
    depths = [live.outbox.qsize() for live in state.live_sessions.values() if getattr(live, "outbox", None) is not None]
    spool = state.spool
    backend = state.channels_backend
    redis = hasattr(backend, "publish_failures")
    locks = state.session_locks
    return [
        "# HELP interview_node_info This process (NODE_ID or host-pid).",
        "# TYPE interview_node_info gauge",
        f'interview_node_info{{node="{state.node}",pubsub="{"redis" if redis else "memory"}"}} 1',
        "# HELP interview_live_watchers Watch sockets open now.",
        "# TYPE interview_live_watchers gauge",
        f"interview_live_watchers {state.live_watchers}",
        "# HELP interview_outbox_depth Events queued for interview sockets (sum and largest).",
        "# TYPE interview_outbox_depth gauge",
        f'interview_outbox_depth{{stat="sum"}} {sum(depths)}',
        f'interview_outbox_depth{{stat="max"}} {max(depths, default=0)}',
        "# HELP interview_spooled_writes Database writes waiting for the database to come back.",
        "# TYPE interview_spooled_writes gauge",
        f"interview_spooled_writes {spool.pending}",
        "# TYPE interview_spooled_writes_total counter",
        f"interview_spooled_writes_total {spool.spooled_total}",
        "# TYPE interview_spool_retries_total counter",
        f"interview_spool_retries_total {spool.retries_total}",
        "# HELP interview_pubsub_connected 1 while Redis pub/sub is reachable (always 1 in memory).",
        "# TYPE interview_pubsub_connected gauge",
        f"interview_pubsub_connected {int(backend.connected) if redis else 1}",
        "# TYPE interview_pubsub_publish_failures_total counter",
        f"interview_pubsub_publish_failures_total {backend.publish_failures if redis else 0}",
        "# TYPE interview_pubsub_reconnects_total counter",
        f"interview_pubsub_reconnects_total {backend.reconnects if redis else 0}",
        "# TYPE interview_lease_heartbeat_failures_total counter",
        f"interview_lease_heartbeat_failures_total {getattr(locks, 'heartbeat_failures', 0)}",
        "# HELP interview_shutting_down 1 while the node drains for a shutdown.",
        "# TYPE interview_shutting_down gauge",
        f"interview_shutting_down {int(state.shutting_down.is_set())}",
    ]
