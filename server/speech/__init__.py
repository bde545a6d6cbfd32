"""The edge of the streaming core: the faster-whisper adapter (`whisper.py`, the one place a
model is loaded) and audio decoding through PyAV (`decoding.py`). Synchronous, thread-safe
where it says so; `server/live/scheduler.py` calls the model from its worker pool."""
