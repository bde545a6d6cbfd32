"""Follow-up questions from a chat model behind an OpenAI-compatible `/chat/completions` endpoint.

The network half of the follow-up generator: the pure rules and the reply parser live in
`interview.followups`; this adapter satisfies the same `FollowUpGenerator` protocol.
"""

from __future__ import annotations

import logging
from typing import Any

import httpx

from interview import FollowUpContext, FollowUpGenerator, RuleBasedFollowUps
from interview.followups import FollowUp, keep_acceptable, parse_model_follow_ups

log = logging.getLogger("server.llm_followups")


class OpenAICompatibleFollowUps:
    """Follow-ups from a chat model behind an OpenAI-compatible `/chat/completions` endpoint
    (OpenAI, vLLM, llama.cpp server, Ollama, ...). Blocking: call it from a worker thread.

    Any timeout, HTTP error or reply that is not the requested JSON yields the fallback
    generator's suggestions instead; a well-formed empty list is respected as "no follow-up".
    """

    def __init__(
        self,
        base_url: str,
        model: str,
        timeout_s: float = 8.0,
        api_key: str | None = None,
        fallback: FollowUpGenerator | None = None,
        *,
        max_follow_ups: int = 2,
        temperature: float = 0.3,
    ) -> None:
        self.url = base_url.rstrip("/") + "/chat/completions"
        self.model = model
        self.timeout_s = timeout_s
        self.api_key = api_key
        self.fallback: FollowUpGenerator = fallback if fallback is not None else RuleBasedFollowUps()
        self.max_follow_ups = max_follow_ups
        self.temperature = temperature

    def suggest(self, ctx: FollowUpContext) -> list[FollowUp]:
        if ctx.off_topic:
            # Nothing the answer says grounds a probe; the rules bring the candidate back.
            return self.fallback.suggest(ctx)
        headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
        try:
            with httpx.Client(timeout=self.timeout_s) as client:
                response = client.post(self.url, json=self._payload(ctx), headers=headers)
                response.raise_for_status()
                content = response.json()["choices"][0]["message"]["content"]
        except httpx.HTTPError as exc:
            log.warning("follow-up model unavailable (%s: %s); using the fallback", type(exc).__name__, exc)
            return self.fallback.suggest(ctx)
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            log.warning("follow-up model sent an unexpected response (%s); using the fallback", exc)
            return self.fallback.suggest(ctx)
        parsed = parse_model_follow_ups(content, limit=self.max_follow_ups)
        if parsed is None:
            log.warning("follow-up model reply was not the requested JSON; using the fallback")
            return self.fallback.suggest(ctx)
        # The model's questions are held to the same rules as the built-in ones (one question,
        # ends with "?", not about a covered talking point, no invented "you mentioned").
        kept = keep_acceptable(ctx, parsed)
        if parsed and not kept:
            log.warning("follow-up model's questions broke the follow-up rules; using the fallback")
            return self.fallback.suggest(ctx)
        return [FollowUp(f.text, f.reason, i, f.topic, f.source, f.kind) for i, f in enumerate(kept, start=1)]

    def _payload(self, ctx: FollowUpContext) -> dict[str, Any]:
        star = "not a behavioural question" if ctx.star_parts is None else (", ".join(sorted(ctx.star_parts)) or "none")
        user = (
            f"Question ({ctx.category}): {ctx.question_text}\n"
            f"Candidate's answer (speech transcript): {ctx.transcript[:4000]}\n"
            f"Topics a strong answer covers: {', '.join(ctx.expected_topics) or 'not given'}\n"
            f"Topics the answer covered (do not ask about these): {', '.join(ctx.covered_topics or ()) or 'none'}\n"
            f"Topics the answer missed: {', '.join(ctx.missing_topics) or 'none'}\n"
            f"STAR parts present: {star}\n"
            f"Follow-ups already asked for this question: {ctx.asked_count}"
        )
        if ctx.answered_asks:
            # The rules refuse a reply asking for it again (FollowUpContext.problems); saying so
            # keeps the model from spending its reply on a question that is dropped.
            user += (
                f"\nThis question was itself a follow-up asking for: {', '.join(sorted(ctx.answered_asks))}. "
                "The answer is what the candidate had to say to it: never ask for that again; "
                "probe the idea the answer gave, or propose none."
            )
        system = (
            "You are an experienced, friendly interviewer running a spoken mock interview. Propose "
            f"at most {self.max_follow_ups} short follow-up questions that help the candidate show "
            "more. Behavioural answers: ask for their own action, the result or numbers. Hypothetical "
            "answers: ask about risks, trade-offs or what they would do if their plan failed. "
            "Technical answers: probe the depth, edge cases or trade-offs of what they proposed. "
            "General answers: ask for the specifics behind what they said. Never ask about a topic "
            'they covered; say "you mentioned" only for words they actually said. Each item is one '
            'question ending with "?". If the answer is complete and concrete, propose none. '
            "Reply with JSON only, exactly: "
            '{"follow_ups": [{"question": "...", "reason": "missing_result|vague|missing_topic|probe"}]}'
        )
        return {
            "model": self.model,
            "messages": [{"role": "system", "content": system}, {"role": "user", "content": user}],
            "temperature": self.temperature,
            "max_tokens": 300,
        }
