"""/metrics through a real uvicorn server: prometheus-client's exposition with HELP and TYPE for
every family, today's metric names, HTTP request and process metrics, escaped labels; refused
without the token, absent without one configured, and served on a separate port when asked."""

from __future__ import annotations

from dataclasses import replace

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from server.app import create_app
from server.settings import MetricsOptions
from tests.support.live_server import METRICS_HEADERS, METRICS_TOKEN, free_port, serve

pytestmark = pytest.mark.parametrize("migrated_database", ["sqlite"], indirect=True)

#: The names README's "Observability" table promises (kept from the hand-written exposition).
TODAYS_FAMILIES = {
    "interview_live_streams", "interview_live_watchers", "interview_decode_queue_depth", "interview_decode_busy",
    "interview_outbox_depth", "interview_decode_seconds", "interview_decodes", "interview_decode_real_time_factor",
    "interview_partials_skipped", "interview_finals_reused", "interview_refused_connections",
    "interview_spooled_writes", "interview_spool_retries", "interview_pubsub_connected",
    "interview_pubsub_publish_failures", "interview_pubsub_reconnects", "interview_lease_heartbeat_failures",
    "interview_shutting_down", "interview_node_info", "interview_grammar_available",
}  # fmt: skip
NODE = 'node "a"\\b'  # a quote and a backslash must come out escaped


async def test_metrics_need_the_token_and_describe_every_family(settings, transcriber, embedder) -> None:
    port = free_port()
    settings = replace(
        settings,
        cluster=replace(settings.cluster, node_id=NODE),
        metrics=MetricsOptions(token=METRICS_TOKEN, port=port),
    )
    async with serve(create_app(settings, transcriber=transcriber, embedder=embedder)) as base:
        async with httpx.AsyncClient(base_url=base) as http:
            assert (await http.get("/health")).status_code == 200
            assert (await http.get("/metrics")).status_code == 401
            wrong = await http.get("/metrics", headers={"Authorization": "Bearer " + "x" * 40})
            assert wrong.status_code == 401 and wrong.json()["code"] == "unauthorized"
            scraped = await http.get("/metrics", headers=METRICS_HEADERS)
            assert scraped.status_code == 200 and scraped.headers["content-type"].startswith(
                "text/plain; version=0.0.4"
            )
            separate = await http.get(f"http://127.0.0.1:{port}/metrics")
    text = scraped.text
    families = {family.name: family for family in text_string_to_metric_families(text)}
    assert TODAYS_FAMILIES <= set(families)
    announced = {
        kind: {line.split()[2] for line in text.splitlines() if line.startswith(f"# {kind} ")}
        for kind in ("HELP", "TYPE")
    }
    for line in text.splitlines():  # every sample's family is announced with HELP and TYPE
        if line and not line.startswith("#"):
            name = line.split("{")[0].split(" ")[0]
            for kind, names in announced.items():
                assert any(name == n or name.startswith(n + "_") for n in names), (kind, name)
    assert all(family.documentation for family in families.values())
    info = families["interview_node_info"].samples[0]
    assert info.labels == {"node": NODE, "pubsub": "memory"}
    assert 'node="node \\"a\\"\\\\b"' in text  # escaped in the exposition itself
    requests = {
        (s.labels["route"], s.labels["status"]): s.value
        for s in families["interview_http_requests"].samples
        if s.name.endswith("_total")
    }
    assert requests[("/health", "200")] >= 1 and requests[("/metrics", "401")] >= 2
    assert families["process_resident_memory_bytes"].samples[0].value > 0
    assert families["interview_decode_seconds"].type == "histogram"
    # The separate listener serves the same registry, without a token.
    assert separate.status_code == 200 and "interview_live_streams 0.0" in separate.text


async def test_without_a_token_metrics_are_not_served_on_the_public_port(settings, transcriber, embedder) -> None:
    async with serve(
        create_app(replace(settings, metrics=MetricsOptions()), transcriber=transcriber, embedder=embedder)
    ) as base:
        async with httpx.AsyncClient(base_url=base) as http:
            assert (await http.get("/metrics")).status_code == 404
            assert (await http.get("/metrics", headers=METRICS_HEADERS)).status_code == 404
