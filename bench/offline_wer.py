"""Offline accuracy and speed of the transcriber: WER and decode time per configuration.

    PYTHONPATH=. .venv/bin/python bench/offline_wer.py [--sets human,asterisk,piper] [--configs full,short]

Every configuration decodes the same files; WER is corpus-level (tests/streaming/wer.py).
With --stream it also runs the VAD-segmented offline path and a live simulation (20 ms chunks,
every partial decoded). Results are summarised in streaming/transcriber.py's docstring; e.g.
`--sets human,piper --every 3 --configs full,short --stream` on the idle 2-core machine:

    full   WER 0.081 decode 9.9 s | VAD-segmented WER 0.098 (11.1 s) | streaming 20 ms WER 0.098 (73.3 s)
    short  WER 0.093 decode 6.6 s | VAD-segmented WER 0.098 (9.0 s)  | streaming 20 ms WER 0.098 (58.7 s)
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from server.speech.whisper import WhisperTranscriber
from streaming.options import StreamingOptions, TranscriberOptions
from tests.streaming.wer import corpus_wer
from tests.support import speech

PIPER_SCRIPTS = [
    "I led the migration of our billing service to a new database without any downtime.",
    "The hardest part was convincing the team to write tests before refactoring the old code.",
    "We measured latency every week and cut the slowest query from two seconds to fifty milliseconds.",
    "My manager asked me to mentor two junior engineers, and both of them were promoted within a year.",
    "When the release failed, I rolled it back, wrote a postmortem, and added a canary stage to the pipeline.",
    "I prefer small pull requests because reviewers catch more problems and the history stays readable.",
]

CONFIGS = {
    "full": dict(short_encoder=False),
    "short": dict(short_encoder=True),
    "full-tail0": dict(short_encoder=False, min_tail_window_s=0.0),
    "short-tail0": dict(short_encoder=True, min_tail_window_s=0.0),
    "short-m0": dict(short_encoder=True, encoder_margin_s=0.0),
    "short-m2": dict(short_encoder=True, encoder_margin_s=2.0),
    "short-f10": dict(short_encoder=True, encoder_floor_s=10.0),
    "short-f15": dict(short_encoder=True, encoder_floor_s=15.0),
    "short-f2": dict(short_encoder=True, encoder_floor_s=2.0),
    "short-beam5": dict(short_encoder=True, beam_size=5),
    "full-beam5": dict(short_encoder=False, beam_size=5),
    "short-nofill": dict(short_encoder=True, filler_prompt=""),
    "full-nofill": dict(short_encoder=False, filler_prompt=""),
    "short-f10-nofill": dict(short_encoder=True, encoder_floor_s=10.0, filler_prompt=""),
    "short-f10-m2": dict(short_encoder=True, encoder_floor_s=10.0, encoder_margin_s=2.0),
}


def dataset(sets: set[str]) -> list[tuple[str, object, str]]:
    items = []
    if "human" in sets:
        for row in speech.shared_manifest():
            if row["transcript"] and not row["file"].startswith("noise/"):
                audio = speech.load_audio_file(speech.SHARED_AUDIO / row["file"])
                if audio.size / 16000 <= 29:
                    items.append((row["file"], audio, row["transcript"]))
    if "asterisk" in sets:
        for path, text in speech.asterisk_prompts()[::8]:
            items.append((path.name, speech.load_audio_file(path), text))
    if "piper" in sets:
        for i, text in enumerate(PIPER_SCRIPTS):
            items.append((f"piper-{i}", speech.synthesize(text), text))
    return items


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sets", default="human,asterisk,piper")
    parser.add_argument("--configs", default="full,short")
    parser.add_argument("--stream", action="store_true", help="also run AnswerStream at 20 ms chunks")
    parser.add_argument("--every", type=int, default=1, help="keep every n-th file (a quicker run)")
    args = parser.parse_args()
    items = dataset(set(args.sets.split(",")))[:: args.every]
    audio_seconds = sum(a.size for _, a, _ in items) / 16000
    print(f"{len(items)} files, {audio_seconds:.0f} s of audio")
    for name in args.configs.split(","):
        options = replace(TranscriberOptions(), **CONFIGS[name])
        transcriber = WhisperTranscriber(options)
        transcriber.transcribe(items[0][1])  # warm-up
        pairs = []
        started = time.perf_counter()
        for _, audio, reference in items:
            pairs.append((reference, transcriber.transcribe(audio).text))
        elapsed = time.perf_counter() - started
        line = f"{name:14s} WER {corpus_wer(pairs):.3f}  decode {elapsed:6.1f} s  RTF {elapsed / audio_seconds:.3f}"
        if args.stream:
            from streaming.offline import simulate_live, transcribe_offline

            streaming_options = replace(StreamingOptions(), transcriber=options)
            started = time.perf_counter()
            offline = [(ref, transcribe_offline(transcriber, a, streaming_options).transcript) for _, a, ref in items]
            offline_time = time.perf_counter() - started
            started = time.perf_counter()
            live = [(ref, simulate_live(transcriber, a, streaming_options).answer.transcript) for _, a, ref in items]
            live_time = time.perf_counter() - started
            line += (
                f" | VAD-segmented WER {corpus_wer(offline):.3f} ({offline_time:.1f} s)"
                f" | streaming 20 ms WER {corpus_wer(live):.3f} ({live_time:.1f} s)"
            )
        print(line, flush=True)


if __name__ == "__main__":
    main()
