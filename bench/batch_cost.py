"""What batching decodes across streams would save: CPU per decode of CTranslate2's Whisper
`encode` + greedy `generate` for batches of 1, 2 and 4 windows (issue 14, "Not tried").

Windows are cut from the continuous-speech candidates (bench/continuous_speech.py), each
`--window` seconds of audio on an encoder input of `--encoder` seconds (the streaming path's
short window: a partial's 5 s floor, a final's 10 s), prompted with the filler prompt like the
server's decodes. Word alignment and feature extraction (per window either way) are left out:
this measures only the part a batch could share. CPU time is process time (all threads), robust
on a shared machine; wall time per batch is reported too. Tokens of each batched decode are
compared with the same window decoded alone.

    .venv/bin/python bench/batch_cost.py --windows 24 --audio-dir /work/shared/audio
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import ctranslate2
import numpy as np
from faster_whisper import WhisperModel
from faster_whisper.tokenizer import Tokenizer

from bench.continuous_speech import candidate_audio, human_pieces, piper_pieces, rotation
from server.speech.whisper import resolve_model
from streaming.options import DEFAULT_FILLER_PROMPT, SAMPLE_RATE
from tests.support import speech


def windows(audio_dir: Path, count: int, seconds: float) -> list[np.ndarray]:
    order = rotation(human_pieces(audio_dir), piper_pieces())
    out: list[np.ndarray] = []
    candidate = 0
    while len(out) < count:
        audio, _ = candidate_audio(order, candidate, 60.0)
        step = round(seconds * SAMPLE_RATE)
        out.extend(audio[begin : begin + step] for begin in range(0, audio.size - step, 2 * step))
        candidate += 1
    return out[:count]


def measure(model: WhisperModel, features: list[np.ndarray], prompt: list[int], batch: int, max_length: int) -> dict:
    cpu, wall, tokens = 0.0, 0.0, []
    for begin in range(0, len(features) - len(features) % batch, batch):
        stacked = np.ascontiguousarray(np.stack(features[begin : begin + batch]))
        cpu0, wall0 = time.process_time(), time.perf_counter()
        encoded = model.model.encode(ctranslate2.StorageView.from_array(stacked))
        results = model.model.generate(
            encoded,
            [prompt] * batch,
            beam_size=1,
            max_length=max_length,
            return_scores=True,
            return_no_speech_prob=True,
            suppress_blank=True,
            suppress_tokens=[-1],
        )
        cpu += time.process_time() - cpu0
        wall += time.perf_counter() - wall0
        tokens.extend(result.sequences_ids[0] for result in results)
    decodes = len(tokens)
    return {
        "batch": batch,
        "decodes": decodes,
        "cpu_ms_per_decode": round(1000 * cpu / decodes, 1),
        "wall_ms_per_batch": round(1000 * wall / (decodes / batch), 1),
        "tokens": tokens,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--windows", type=int, default=24)
    parser.add_argument("--window", type=float, default=3.0, help="seconds of audio per window")
    parser.add_argument("--encoders", type=float, nargs="+", default=[5.0, 10.0], help="encoder input seconds")
    parser.add_argument("--batches", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2], help="CTranslate2 intra-op threads")
    parser.add_argument("--audio-dir", type=Path, default=speech.SHARED_AUDIO)
    parser.add_argument("--output", type=Path, default=REPO / "bench" / "results" / "batch_cost.json")
    args = parser.parse_args()
    clips = windows(args.audio_dir, args.windows, args.window)
    report: dict = {
        "command": " ".join(sys.argv),
        "window_s": args.window,
        "windows": len(clips),
        "load_average_before": [round(x, 2) for x in os.getloadavg()],
        "runs": [],
    }
    for threads in args.threads:
        model = WhisperModel(
            resolve_model("tiny.en"), device="cpu", compute_type="int8", cpu_threads=threads, local_files_only=True
        )
        tokenizer = Tokenizer(model.hf_tokenizer, model.model.is_multilingual, task="transcribe", language="en")
        prompt = model.get_prompt(tokenizer, tokenizer.encode(" " + DEFAULT_FILLER_PROMPT), without_timestamps=False)
        max_length = len(prompt) + 8 * round(args.window) + 8
        for encoder_s in args.encoders:
            frames = round(encoder_s * 100)
            features = [model.feature_extractor(clip)[:, :frames] for clip in clips]
            features = [np.pad(f, ((0, 0), (0, frames - f.shape[1]))) for f in features]
            measure(model, features[:2], prompt, 1, max_length)  # warm up
            single = None
            for batch in args.batches:
                run = measure(model, features, prompt, batch, max_length)
                tokens = run.pop("tokens")
                if single is None:
                    single = tokens
                run["same_tokens_as_alone"] = sum(a == b for a, b in zip(tokens, single, strict=False))
                run.update(threads=threads, encoder_s=encoder_s)
                print(json.dumps(run), flush=True)
                report["runs"].append(run)
    report["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    report["measured_at"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
