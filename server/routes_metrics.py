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
        "# HELP interview_partials_skipped_total Partial decodes skipped because the model was busy.",
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
    ]
    return Response("\n".join(lines) + "\n", media_type="text/plain; version=0.0.4")
