"""Scripted interview answers streamed by the benchmarks (`bench/`), with their pauses.

Each script alternates text and a pause in seconds, the shape `tests.support.speech.synthesize`
takes. Every answer is padded with half a second of silence before and a second after, as a
candidate's microphone would hear it.
"""

from __future__ import annotations

import numpy as np

from tests.support.speech import SAMPLE_RATE, ScriptPiece, synthesize

PAYMENTS = (
    "In my last role I was the backend engineer responsible for our payments service.",
    0.9,
    "We had a problem with slow database queries during the holiday peak.",
    1.3,
    "I profiled the slowest endpoints, added two indexes and moved reporting to a read replica.",
    0.8,
    "Latency dropped by sixty percent and we handled twice the traffic without new servers.",
)
CODE_REVIEW = (
    "Um, I think the most important thing in code review is kindness.",
    1.0,
    "Reviews are about the code, not the person, so I ask questions instead of giving orders.",
    1.2,
    "I also try to review small changes quickly, usually within a few hours.",
    0.7,
    "That keeps the team moving and makes feedback feel like help rather than judgement.",
)
DISAGREEMENT = (
    "When two teammates disagreed about our deployment strategy, I set up a short meeting.",
    1.1,
    "Each of them wrote down the risks they saw, and we compared them with real incident data.",
    0.9,
    "We chose blue green deployments with automatic rollback.",
    1.0,
    "Since then we have had no failed releases, and both of them felt heard.",
)


def answer_clip(script: tuple[ScriptPiece, ...]) -> np.ndarray:
    """The script spoken by Piper, float32 at 16 kHz, with the lead and tail silence."""
    lead = np.zeros(SAMPLE_RATE // 2, np.float32)
    tail = np.zeros(SAMPLE_RATE, np.float32)
    return np.concatenate([lead, synthesize(script), tail])
