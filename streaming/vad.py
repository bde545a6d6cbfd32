"""Voice activity: a webrtcvad state machine over fixed frames, in sample time.

Silence never reaches Whisper: an utterance opens after `onset_ms` of voiced frames (within
`onset_window_ms`), starts `pre_roll_ms` before them, and closes after `end_of_utterance_ms` of
unvoiced frames, keeping `hangover_ms` of the trailing silence as padding. An utterance is only a
piece of an answer: candidates pause to think, and the *answer* never ends on silence here.

Between the two, once `hangover_ms` of silence followed the last voiced frame, the audio the
utterance would end with is known: a `VadPause` says so (its `sample` is where a `VadStop` without
further speech will put the end), and a `VadResume` withdraws it when speech comes back first.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np
import webrtcvad

from .options import SAMPLE_RATE, VadOptions


@dataclass(frozen=True, slots=True)
class VadStart:
    """An utterance starts at this absolute sample (pre-roll included)."""

    sample: int


@dataclass(frozen=True, slots=True)
class VadStop:
    """The utterance ends at this absolute sample (exclusive, hang-over included);
    `voiced_ms` is how much of it webrtcvad judged voiced."""

    sample: int
    voiced_ms: int


@dataclass(frozen=True, slots=True)
class VadPause:
    """`hangover_ms` of silence after the last voiced frame: if no speech follows, the utterance
    will stop at `sample` (exclusive), so its final audio is already known. `voiced_ms` as in
    `VadStop`."""

    sample: int
    voiced_ms: int


@dataclass(frozen=True, slots=True)
class VadResume:
    """Speech came back during a pause: the last `VadPause` no longer predicts the end."""

    sample: int


VadEvent = VadStart | VadStop | VadPause | VadResume


class VoiceActivityDetector:
    """Feed int16 samples in any amount; get utterance boundaries in absolute samples."""

    def __init__(self, options: VadOptions = VadOptions(), sample_rate: int = SAMPLE_RATE) -> None:
        self.options = options
        self._vad = webrtcvad.Vad(options.aggressiveness)
        self._rate = sample_rate
        self._frame = sample_rate * options.frame_ms // 1000
        self._onset_frames = max(1, options.onset_ms // options.frame_ms)
        self._window: deque[tuple[int, bool]] = deque(maxlen=max(1, options.onset_window_ms // options.frame_ms))
        self._pending = np.zeros(0, dtype=np.int16)
        self._frames_done = 0  # frames classified so far; frame i covers [i*frame, (i+1)*frame)
        self._in_speech = False
        self._last_voiced_end = 0
        self._silence_ms = 0
        self._voiced_ms = 0
        self._last_stop = 0
        self._paused = False
        # int16 RMS below which a frame is silence whatever webrtcvad says
        self._floor = 32768.0 * 10 ** (options.energy_floor_dbfs / 20)
        self._floor_energy = self._floor**2 * self._frame  # the same floor on a frame's sum of squares

    @property
    def in_speech(self) -> bool:
        return self._in_speech

    @property
    def silence_ms(self) -> int:
        """Inside an utterance: how long it has been silent since the last voiced frame."""
        return self._silence_ms if self._in_speech else 0

    @property
    def frame_samples(self) -> int:
        return self._frame

    def process(self, samples: np.ndarray) -> list[VadEvent]:
        samples = np.asarray(samples, dtype=np.int16)
        if self._pending.size:
            samples = np.concatenate([self._pending, samples])
        whole = samples.size - samples.size % self._frame
        self._pending = samples[whole:].copy()
        events: list[VadEvent] = []
        if not whole:
            return events
        # Every frame's energy in one call (a numpy call per 30 ms frame cost more than the VAD).
        frames = samples[:whole].reshape(-1, self._frame).astype(np.float64)
        loud_frames = np.einsum("ij,ij->i", frames, frames) >= self._floor_energy
        for index, begin in enumerate(range(0, whole, self._frame)):
            frame = samples[begin : begin + self._frame]
            voiced = bool(loud_frames[index]) and self._vad.is_speech(frame.tobytes(), self._rate)
            event = self._step(voiced)
            if event is not None:
                events.append(event)
        return events

    def flush(self, total_samples: int) -> list[VadEvent]:
        """End of input: close an open utterance at the audio's end (hang-over as far as it goes)."""
        if not self._in_speech:
            return []
        self._in_speech = False
        self._paused = False
        end = min(self._last_voiced_end + self._ms(self.options.hangover_ms), total_samples)
        self._last_stop = end
        return [VadStop(max(end, self._last_voiced_end), self._voiced_ms)]

    def _ms(self, ms: int) -> int:
        return self._rate * ms // 1000

    def _step(self, voiced: bool) -> VadEvent | None:
        index = self._frames_done
        self._frames_done += 1
        frame_end = (index + 1) * self._frame
        options = self.options
        if not self._in_speech:
            self._window.append((index, voiced))
            voiced_frames = [i for i, v in self._window if v]
            if len(voiced_frames) < self._onset_frames:
                return None
            self._in_speech = True
            self._window.clear()
            self._silence_ms = 0
            self._voiced_ms = len(voiced_frames) * options.frame_ms
            self._last_voiced_end = frame_end
            self._paused = False
            start = voiced_frames[0] * self._frame - self._ms(options.pre_roll_ms)
            return VadStart(max(start, self._last_stop, 0))
        if voiced:
            self._silence_ms = 0
            self._voiced_ms += options.frame_ms
            self._last_voiced_end = frame_end
            if self._paused:
                self._paused = False
                return VadResume(index * self._frame)
            return None
        self._silence_ms += options.frame_ms
        if self._silence_ms < options.end_of_utterance_ms:
            if not self._paused and self._silence_ms >= options.hangover_ms:
                self._paused = True
                return VadPause(self._last_voiced_end + self._ms(options.hangover_ms), self._voiced_ms)
            return None
        self._in_speech = False
        self._paused = False
        end = min(self._last_voiced_end + self._ms(options.hangover_ms), frame_end)
        self._last_stop = end
        return VadStop(end, self._voiced_ms)
