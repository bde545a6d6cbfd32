"""Audio files made in memory for upload tests (encoded by PyAV, so no sox or ffmpeg binary is needed)."""

from __future__ import annotations

import io

import av
import numpy as np


def flac_of_silence(seconds: int, rate: int = 8000, layout: str = "mono") -> bytes:
    """`seconds` of digital silence as a FLAC file at `rate` Hz in channel `layout` (an
    ffmpeg layout name: "mono", "stereo", "7.1(wide)"). FLAC packs silence to almost nothing, so
    an hour of it is a small upload that decodes to a lot of samples."""
    channels = av.AudioLayout(layout).nb_channels
    buffer = io.BytesIO()
    with av.open(buffer, "w", format="flac") as output:
        stream = output.add_stream("flac", rate=rate)
        stream.layout = layout
        second = np.zeros((1, rate * channels), np.int16)  # packed s16: one plane, channels interleaved
        for _ in range(seconds):
            frame = av.AudioFrame.from_ndarray(second, format="s16", layout=layout)
            frame.sample_rate = rate
            for packet in stream.encode(frame):
                output.mux(packet)
        for packet in stream.encode(None):
            output.mux(packet)
    return buffer.getvalue()


def encode_audio(audio: np.ndarray, container: str, codec: str, rate: int) -> bytes:
    """16 kHz mono float audio encoded with PyAV (ffmpeg), as a browser's MediaRecorder
    (webm/opus) or an app would: e.g. ("flac", "flac", 16000), ("webm", "libopus", 48000)."""
    buffer = io.BytesIO()
    with av.open(buffer, "w", format=container) as output:
        stream = output.add_stream(codec, rate=rate)
        stream.layout = "mono"
        frame = av.AudioFrame.from_ndarray((audio * 32767).astype(np.int16)[None, :], format="s16", layout="mono")
        frame.sample_rate = 16000
        resampler = av.AudioResampler(format=stream.format.name, layout="mono", rate=rate)
        for resampled in resampler.resample(frame) + resampler.resample(None):
            for packet in stream.encode(resampled):
                output.mux(packet)
        for packet in stream.encode(None):
            output.mux(packet)
    return buffer.getvalue()
