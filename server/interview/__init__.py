"""Interview content: the curated question bank, session planning and conversational follow-ups.

Pure and deterministic (no asyncio, no database, no framework); the only I/O is reading the
bank file and the optional OpenAI-compatible follow-up adapter, which uses a sync httpx client
and is meant to be called from a worker thread.
"""
