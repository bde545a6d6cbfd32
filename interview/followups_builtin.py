"""The built-in follow-up generator, `RuleBasedFollowUps`: deterministic follow-ups chosen by the
kind of question and the gaps the scorer found in the answer, each in a fixed interviewer's
wording or quoting the candidate's own words (technical choices are probed through
interview/tech_probes.py). Every suggestion it returns passes interview.followup_rules.
"""

from __future__ import annotations

import re
from dataclasses import replace

from interview.answer_text import (
    first_step,
    has_concrete_marker,
    has_quantity,
    hedge_count,
    salient_terms,
    vague_claim,
    without_fillers,
    word_count,
)
from interview.followups import FollowUp, FollowUpContext, keep_acceptable
from interview.quotes import phrase_quote
from interview.tech_probes import probes as tech_probes

_PAST = re.compile(
    r"\b(?:i|we)(?: just| then| also| first| \w+ly)? "
    r"(?:\w+ed|built|ran|wrote|made|took|found|set up|moved|switched|chose|used)\b",
    re.IGNORECASE,
)
_WOULD = re.compile(
    r"\b(?:i|we|you)(?: would|'d| will|'ll| can| could)\b|\byou (?:can|need|have to|should)\b", re.IGNORECASE
)
_MOTIVATION_QUESTION = re.compile(
    r"\bwhy\b|\bdraws? you\b|\binterested\b|\benjoy\b|\blooking for\b|\bexcites?\b|\binspires?\b", re.IGNORECASE
)
#: Words of a technical answer that is not sure of itself: it gets no probe of a "choice".
_UNSURE = re.compile(r"\b(?:maybe|perhaps|somewhere|something|not (?:totally |really )?sure)\b", re.IGNORECASE)
_DEPENDS = re.compile(r"\bdepend", re.IGNORECASE)
_I_RE = re.compile(r"\b(?:i|i'm|i've|i'd|me|my|myself)\b", re.IGNORECASE)
_WE_RE = re.compile(r"\b(?:we|we're|we've|us|our|the team)\b", re.IGNORECASE)

# Fixed wordings, written as an interviewer says them (no topic label is ever slotted in).
_ASK = {
    "own_action": "Which part of that did you do yourself, and what did you decide on your own?",
    # "how did you know it had worked?" read oddly after a decision or a conflict.
    "result": "What was the outcome, and how could you tell?",
    "numbers": "Can you put a number on the difference it made, for example time saved or problems avoided?",
    "risk": "What could go wrong with that plan, and what would you do then?",
    "what_if": "Suppose your first step does not work out. What would you do next?",
    "trade_off_plan": "What would you be giving up by doing it that way, and why is it worth it?",
    # Worded for a definition as well as a design: "the approach you described" was asked after
    # answers that described none.
    "edge_case": "Where would that stop working, and what would you do in that case?",
    "trade_off_tech": "What does that cost you, and when would you choose something else?",
    "motivation": "What is one specific moment or experience that made you sure about that?",
    "example_general": "Can you give me one concrete example that shows that?",
    "example_plan": "Can you walk me through what you would actually do first, step by step?",
    "example_tech": "Can you walk me through a concrete example of how you have applied this?",
    "more_detail": "Could you take me through your answer in a bit more detail?",
    "refocus": "Let's come back to the question I asked: how would you answer it, with one example?",
}


#: An answer's idea (interview: `_idea_probe`): where they would start, what they would do, and
#: whether they already said how they would measure it.
_PRIORITY = re.compile(r"\b(?:the first thing|first of all|my first|the biggest|the main thing|most important)\b", re.I)
_PROPOSAL = re.compile(r"\b(?:i|we)(?:'d| would| will|'ll) (?!not\b|never\b|be\b|probably\b|say\b)[a-z]+", re.I)
_MEASURED = re.compile(r"\b(?:measur|track|metric|kpi|know (?:it|that it|if it) (?:had )?work)", re.I)
_CLAUSE = re.compile(r"(?<=[.!?;])\s+|,\s+(?=(?:and |but |so |then )?(?:i|we)\b)", re.I)

_IMPERATIVE = re.compile(
    r"^(?:describe|tell|explain|walk|give|name|talk|share|list|design|write|sell|outline|compare|estimate|pitch)\b",
    re.IGNORECASE,
)
_SENTENCE = re.compile(r"(?<=[.!?])\s+")
_REFOCUSED = re.compile(r"let's come back to the question\b", re.IGNORECASE)
#: How a fragment is asked to say more, by kind of question (the first five letters).
_SAY_MORE = {
    "behav": "can you walk me through what happened and what you did yourself?",
    "situa": "can you walk me through what you would do, step by step?",
    "techn": "can you take me through that in more depth, with one concrete case?",
    "gener": "can you tell me more, with one example?",
}


class RuleBasedFollowUps:
    """Deterministic follow-ups chosen by the kind of question and the gaps of the answer.

    Behavioural (STAR) answers: the candidate's own action when it is missing or hidden behind
    "we" (1-2), the result when it is missing (1), numbers when there are none (2-3).
    Hypothetical answers: risks when the plan names none (2), otherwise "what if that fails" and
    the trade-off (3-4). Technical answers: a probe of a specific thing they proposed, quoting
    their words (3), then an edge case (4); a thin answer is asked for an example (2).
    General answers: the specifics behind the claim (3), an example when vague (2).
    Every suggestion passes interview.followup_rules (never about a covered talking point, no
    invented "you mentioned"); a complete, concrete story gets no follow-up at all.
    Before any of that, grounding: an empty answer gets none, an off-topic one (ctx.off_topic)
    only `refocus` (the question again, in its own words), a fragment (under `fragment_words`)
    only a request to say more, quoting it: nothing in them is a ground for a probe.
    """

    def __init__(self, *, max_suggestions: int = 3, short_answer_words: int = 40, fragment_words: int = 15) -> None:
        self.max_suggestions = max_suggestions
        self.short_answer_words = short_answer_words
        #: An answer shorter than this is a fragment: it is asked to say more, nothing deeper.
        self.fragment_words = fragment_words

    def _say_more(self, text: str, category: str) -> FollowUp:
        """A fragment ("A Safari bug broke checkout.") is asked to tell the rest, its own words
        quoted back when they make a whole phrase."""
        quote = phrase_quote(_SENTENCE.split(text.strip())[0])
        if not quote:
            return FollowUp(_ASK["more_detail"], "vague", 1, kind="more_detail")
        tail = _SAY_MORE.get(category[:5], "can you tell me more, with one example?")
        return FollowUp(f"You said \u201c{quote}\u201d: {tail}", "vague", 1, quote, kind="more_detail")

    def suggest(self, ctx: FollowUpContext) -> list[FollowUp]:
        # Quotations come from the candidate's words without their fillers; what the answer
        # says (numbers, hedges, a concrete story, "we" or "I") from its grammar-neutral reading.
        text = without_fillers(ctx.transcript.strip())
        reading = without_fillers(ctx.reading.strip()) if ctx.reading.strip() else text
        category = ctx.category.strip().lower()
        if not word_count(text):
            return []  # nothing was said: nothing to follow up (the question stands)
        if ctx.off_topic and ctx.is_follow_up:
            return []
        if ctx.off_topic:
            return keep_acceptable(ctx, [FollowUp(refocus(ctx.question_text), "off_topic", 1, kind="refocus")])[:1]
        if word_count(text) < self.fragment_words:
            # A fragment gave nothing of what a follow-up asked for: asking for it again is right.
            return keep_acceptable(replace(ctx, is_follow_up=False), [self._say_more(text, category)])[:1]
        if ctx.star_parts is not None:
            out = self._story(ctx, text, reading)
        elif ctx.plan_missing is not None or category.startswith("situat"):
            out = self._plan(ctx, text, reading)
        elif category == "technical":
            out = self._technical(ctx, text, reading)
        else:
            out = self._general(ctx, text, reading)
        kept = keep_acceptable(ctx, out)
        if out and not kept and ctx.answered_asks:
            # What the rules would ask is what the follow-up just asked for (an example after an
            # example): the idea the answer gave is probed instead, or nothing is asked.
            kept = self._idea_probe(ctx, text)
        ranked = sorted(kept, key=lambda f: f.priority)  # stable
        unique: dict[str, FollowUp] = {}
        for item in ranked:
            unique.setdefault(item.text, item)
        return list(unique.values())[: self.max_suggestions]

    def _idea_probe(self, ctx: FollowUpContext, text: str) -> list[FollowUp]:
        """A probe of the idea an answer to a follow-up gave, quoting the sentence it is about,
        or nothing: a technical answer's design choice (interview.tech_probes); otherwise what
        they would start with ("why there?") or do ("how would you know it worked?", when the
        answer says nothing of measuring it)."""
        found: list[FollowUp] = []
        if ctx.category.strip().lower() == "technical":
            found = [FollowUp(p.text, "probe", 3, p.quote, kind=p.kind) for p in tech_probes(text)]
        measured = bool(_MEASURED.search(text))
        for clause in (c.strip(" ,;") for c in _CLAUSE.split(text)):
            priority, proposal = _PRIORITY.search(clause), _PROPOSAL.search(clause)
            if priority and proposal:
                quote = phrase_quote(clause, priority.start(), must_reach=proposal.end())
                ask = "how would you check that it is the right place to start?"
            elif proposal and not measured:
                quote = phrase_quote(clause, proposal.start(), must_reach=proposal.end())
                ask = "how would you know that it worked?"
            else:
                continue
            if quote:
                found.append(FollowUp(f"You said \u201c{quote}\u201d: {ask}", "probe", 3, quote, kind="depth"))
        return [f for f in found if not ctx.problems(f.text)][:1]

    def _story(self, ctx: FollowUpContext, text: str, reading: str) -> list[FollowUp]:
        parts = ctx.star_parts or frozenset()
        out: list[FollowUp] = []
        # A story that already gives numbers is not vague for one loose phrase in it.
        claim = None if has_quantity(reading) else vague_claim(text)
        if claim:
            out.append(
                FollowUp(
                    f"You said \u201c{claim}\u201d: what exactly did you do?", "vague", 1, claim, kind="own_action"
                )
            )
        if "result" not in parts:
            out.append(FollowUp(_ASK["result"], "missing_result", 1, "result", kind="result"))
        hidden = len(_WE_RE.findall(reading)) > 2 * max(1, len(_I_RE.findall(reading)))
        if "action" not in parts or hidden:
            out.append(
                FollowUp(_ASK["own_action"], "vague", 1 if "action" not in parts else 2, "action", kind="own_action")
            )
        if not has_quantity(reading):
            vague = not has_concrete_marker(reading) or hedge_count(reading) >= 2
            out.append(FollowUp(_ASK["numbers"], "vague", 2 if vague else 3, "numbers", kind="numbers"))
        return out

    def _plan(self, ctx: FollowUpContext, text: str, reading: str) -> list[FollowUp]:
        missing = set(ctx.plan_missing or ())
        out: list[FollowUp] = []
        claim = vague_claim(text)
        if claim:
            out.append(
                FollowUp(
                    f"You said \u201c{claim}\u201d: what exactly would you do first?", "vague", 1, claim, kind="example"
                )
            )
        elif word_count(text) < self.short_answer_words and (hedge_count(reading) or word_count(text) < 20):
            out.append(FollowUp(_ASK["example_plan"], "vague", 2, kind="example"))
        step = first_step(text)
        if step and not claim:
            question = _if_it_fails(step)
            out.append(FollowUp(question, "probe", 2, step, kind="what_if"))
        if "risks" in missing:
            out.append(FollowUp(_ASK["risk"], "probe", 3, "risks", kind="risk"))
        if not step:
            out.append(FollowUp(_ASK["what_if"], "probe", 3, kind="what_if"))
        out.append(FollowUp(_ASK["trade_off_plan"], "probe", 4, kind="trade_off"))
        return out

    def _technical(self, ctx: FollowUpContext, text: str, reading: str) -> list[FollowUp]:
        out: list[FollowUp] = []
        claim = vague_claim(text)
        if claim and _DEPENDS.search(claim):
            question = (
                f"You said \u201c{claim}\u201d: can you give me one concrete case, and what would you choose there?"
            )
            out.append(FollowUp(question, "vague", 2, claim, kind="example"))
        elif claim:
            question = f"You said \u201c{claim}\u201d: how exactly would that work, and where could it go wrong?"
            out.append(FollowUp(question, "vague", 2, claim, kind="depth"))
        thin = (
            word_count(text) < self.short_answer_words
            and not has_concrete_marker(reading)
            and not has_quantity(reading)
            and not salient_terms(reading)
        )
        if thin and not claim:
            out.append(FollowUp(_ASK["example_tech"], "vague", 2, kind="example"))
        # What they proposed, quoted back with its depth, edge case or trade-off (the first one
        # the rules accept: never a covered talking point in the question's own words).
        vague = claim is not None or hedge_count(reading) >= 2 or bool(_UNSURE.search(reading))
        for probe in tech_probes(text, choices_only=vague):
            if not ctx.problems(probe.text):
                out.append(FollowUp(probe.text, "probe", 3, probe.quote, kind=probe.kind))
                break
        # The vocabulary's probes ask about experience ("how did you ..."): only for an answer
        # that tells what the candidate did, not what they would do.
        experience = len(_PAST.findall(reading)) > len(_WOULD.findall(reading))
        for term in salient_terms(text, exclude=ctx.question_text) if experience else ():
            question = f"You mentioned \u201c{term.said}\u201d: {term.probe}"
            if not ctx.problems(question):
                out.append(FollowUp(question, "probe", 3, term.said, kind="depth"))
                break
        out.append(FollowUp(_ASK["edge_case"], "probe", 4, kind="edge_case"))
        out.append(FollowUp(_ASK["trade_off_tech"], "probe", 4, kind="trade_off"))
        return out

    def _general(self, ctx: FollowUpContext, text: str, reading: str) -> list[FollowUp]:
        # A general answer with specifics (a number, a concrete story) needs no follow-up; a
        # vague one is asked for the specifics behind its own words.
        claim = vague_claim(text)
        vague = (
            claim is not None
            or hedge_count(reading) >= 2
            or (not has_concrete_marker(reading) and not has_quantity(reading))
        )
        if not vague:
            return []
        if claim:
            return [
                FollowUp(
                    f"You said \u201c{claim}\u201d: can you give me one concrete example of that?",
                    "vague",
                    2,
                    claim,
                    kind="example",
                )
            ]
        if _MOTIVATION_QUESTION.search(ctx.question_text):
            return [FollowUp(_ASK["motivation"], "vague", 2, kind="motivation")]
        return [FollowUp(_ASK["example_general"], "vague", 2, kind="example")]


def _if_it_fails(step: str) -> str:
    """ "What if your first step fails", the step quoted whole and grammatical in the question: a
    bare step after "I would" ("look it up in our knowledge base") is something "you" do, one
    after "I start by" ("asking my manager") is the step itself."""
    first = step.split()[0].lower()
    if first.endswith("ing") and first not in ("bring", "string", "sing", "ring", "swing"):
        return f"If \u201c{step}\u201d does not help, what would you do next?"
    return f"If you \u201c{step}\u201d and that does not help, what would you do next?"


def refocus(question_text: str) -> str:
    """A follow-up that brings an off-topic answer back to the question, in the question's own
    words: "Let's come back to the question: how would you design a caching layer for …?" An
    imperative ("Describe a time you …") is asked as "could you describe a time you …?", a
    scene set before the question is kept ("A pod keeps restarting …: could you walk me through
    how you debug it?"). Falls back to a plain request when the question is too long to repeat."""
    # A refocus that is itself answered off topic is asked again in the same words (and then
    # `should_ask` sees it was already asked), never "Let's come back to the question: let's …".
    text = " ".join(question_text.split())
    if _REFOCUSED.match(text):
        return text
    sentences = [s.strip() for s in _SENTENCE.split(text) if s.strip()]
    asks = [i for i, s in enumerate(sentences) if s.endswith("?") or _IMPERATIVE.match(s)]
    if not asks:
        return _ASK["refocus"]
    # An imperative first ("Describe a time … . How did you know …?") is the main request.
    main = next((i for i in asks if _IMPERATIVE.match(sentences[i])), asks[-1])
    scene = [s for s in sentences[:main] if not s.endswith("?")]
    ask = sentences[main].rstrip(".?!")
    ask = f"could you {ask[0].lower()}{ask[1:]}" if _IMPERATIVE.match(ask) else f"{ask[0].lower()}{ask[1:]}"
    if scene:
        text = f"Let's come back to the question. {' '.join(scene).rstrip('.')}: {ask}?"
    else:
        text = f"Let's come back to the question: {ask}?"
    return text if len(text.split()) <= 40 else _ASK["refocus"]


__all__ = ["RuleBasedFollowUps", "refocus"]
