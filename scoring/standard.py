"""A grammar-neutral reading of an answer: the same words with common learner errors in standard
form ("I taked that data" -> "I took that data", "I were sixteen" -> "I was sixteen").

What an answer *says* (its STAR parts, its talking points, what a follow-up should probe) must
not depend on its grammar: grammar is scored once, by LanguageTool, and an over-regularised
verb would otherwise also hide the action it names. The reading is only for detection; the
candidate's own words are what is quoted and shown. Word for word (no word is added or dropped),
so a sentence of the reading lines up with the sentence of the transcript.
"""

from __future__ import annotations

import re

#: Over-regularised past forms ("finded") of irregular verbs -> the standard past form.
OVERREGULARISED = {
    "becomed": "became",
    "begined": "began",
    "breaked": "broke",
    "bringed": "brought",
    "builded": "built",
    "buyed": "bought",
    "catched": "caught",
    "choosed": "chose",
    "comed": "came",
    "cutted": "cut",
    "drawed": "drew",
    "drived": "drove",
    "falled": "fell",
    "feeled": "felt",
    "finded": "found",
    "forgetted": "forgot",
    "getted": "got",
    "gived": "gave",
    "goed": "went",
    "growed": "grew",
    "holded": "held",
    "keeped": "kept",
    "knowed": "knew",
    "leaded": "led",
    "leaved": "left",
    "losed": "lost",
    "maked": "made",
    "meaned": "meant",
    "meeted": "met",
    "payed": "paid",
    "runned": "ran",
    "sayed": "said",
    "selled": "sold",
    "sended": "sent",
    "setted": "set",
    "speaked": "spoke",
    "spended": "spent",
    "standed": "stood",
    "taked": "took",
    "teached": "taught",
    "telled": "told",
    "thinked": "thought",
    "throwed": "threw",
    "understanded": "understood",
    "winned": "won",
    "writed": "wrote",
}
_OVERREGULARISED = re.compile(r"\b(?:" + "|".join(OVERREGULARISED) + r")\b", re.IGNORECASE)
#: Agreement after a personal pronoun: "I were" -> "I was", "we was" -> "we were", "I has" ->
#: "I have", "I starts" -> "I start" (a verb of the list below only: "I always" stays).
_BE = {("i", "were"): "was", ("i", "is"): "am", ("i", "are"): "am", ("we", "was"): "were", ("they", "was"): "were"}
_PRONOUN_BE = re.compile(r"\b(i|we|they) (were|is|are|was)\b", re.IGNORECASE)
_THIRD_PERSON = {"has": "have", "does": "do", "goes": "go", "tries": "try"}
_VERBS_S = (
    *("add", "ask", "begin", "build", "change", "check", "choose", "decide", "explain", "find", "keep", "know"),
    *("look", "make", "measure", "need", "put", "read", "run", "say", "see", "send", "set", "show", "start"),
    *("take", "talk", "tell", "test", "think", "use", "want", "work", "write"),
)
_PRONOUN_S = re.compile(
    r"\b(i|we|they|you)( (?:also |then |always |usually |first |just )?)(has|does|goes|tries|(?:"
    + "|".join(_VERBS_S)
    + r")s)\b",
    re.IGNORECASE,
)
#: "I seed a chance" is "I saw a chance": only straight after a pronoun ("a seed round" stays).
_SEED = re.compile(r"\b(i|we|they|he|she) seed\b", re.IGNORECASE)


def _same_case(word: str, like: str) -> str:
    return word.capitalize() if like[:1].isupper() else word


def standard_reading(text: str) -> str:
    """`text` with over-regularised verbs and pronoun agreement in standard form, word for word."""
    text = _OVERREGULARISED.sub(lambda m: _same_case(OVERREGULARISED[m.group().lower()], m.group()), text)
    text = _SEED.sub(lambda m: f"{m.group(1)} saw", text)
    text = _PRONOUN_BE.sub(
        lambda m: f"{m.group(1)} {_BE.get((m.group(1).lower(), m.group(2).lower()), m.group(2))}", text
    )

    def verb(m: re.Match[str]) -> str:
        word = m.group(3).lower()
        return f"{m.group(1)}{m.group(2)}{_THIRD_PERSON.get(word, word[:-1])}"

    return _PRONOUN_S.sub(verb, text)
