"""Persistence: the schema as SQLAlchemy 2.0 async models, engine set-up and repositories.

Never imports server, streaming, scoring, litestar or redis.
"""
