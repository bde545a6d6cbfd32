"""Grammar: LanguageTool matches on the transcript, scored by errors per 100 words.

The checker (LanguageTool over HTTP) lives in server/languagetool.py; this module defines its
interface, the value object of one match, which rules count, and the pure score function.

Which rules are off, and why: a transcript comes from a speech recogniser, not a keyboard.
Capitalisation, punctuation, whitespace and typography are the recogniser's choices, so the
CASING, PUNCTUATION, TYPOGRAPHY categories and the whitespace/quote rules are disabled. Spelling
(TYPOS, incl. MORFOLOGIK_RULE_EN_US) is off too: the recogniser only emits dictionary words, so a
"misspelling" is a name or a technical term it spelled its own way ("Postgres", "Kubernetes"),
not the candidate's mistake. STYLE and REDUNDANCY judge writing style. Word repetition
(ENGLISH_WORD_REPEAT_RULE, "the the") is a disfluency that the fluency score already counts.
Regional preferences are off as well: the profile's language is plain English ("en"), which
LanguageTool checks as en-US, whose BRITISH_ENGLISH category ("afterwards", "at the weekend",
"have a look") and US-only rules in other categories ("per cent", "any more", "home town", "the
United States are": PER_CENT, ANY_MORE, HOME_COMPOUNDS_EN_US, US_ONE_ENTITY) would cost a British,
Indian or Australian speaker points for correct English; AMERICAN_ENGLISH (the en-GB twin,
"gotten") is listed too, so that no variant's check penalises another's. (Ids from
language-en-6.6.jar, org/languagetool/rules/en/en-US/grammar.xml.)
Hyphens and the spelling of compounds are the recogniser's too ("one page brief" or "one-page
brief", "follow up email", "back -end": issue #12, QA J20): nobody can hear a hyphen. The
COMPOUNDING category is off, and so is any match, whatever its category, whose suggested fix
(its first replacement) has the same letters and digits as the words it flags: only hyphens,
spaces, apostrophes, punctuation or capitals change, which is how the words were written, not
what was said. LanguageTool 6.6 files about 140 such hyphen rules under GRAMMAR
(STARS_AND_STEPS "'one page' is missing a hyphen", CA_FOLLOW_UP, END_TO_END_HYPHEN, ...), so a
list of ids would always miss some; the letters test catches them all and never a real error,
which changes a word ("he go" -> "he goes", "a" -> "an").
What remains: GRAMMAR (agreement, verb forms), CONFUSED_WORDS (their/there), COLLOCATIONS, MISC
(a/an): errors a listener hears.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from scoring.errors import GrammarUnavailable
from scoring.spans import overlaps

#: Categories of regional preference (see the module docstring), not errors.
REGIONAL_CATEGORIES = frozenset({"BRITISH_ENGLISH", "AMERICAN_ENGLISH"})
DISABLED_CATEGORIES = (
    frozenset({"CASING", "PUNCTUATION", "TYPOGRAPHY", "TYPOS", "STYLE", "REDUNDANCY", "COMPOUNDING"})
    | REGIONAL_CATEGORIES
)
DISABLED_RULES = frozenset(
    {
        "UPPERCASE_SENTENCE_START",
        "I_LOWERCASE",
        "MORFOLOGIK_RULE_EN_US",
        "WHITESPACE_RULE",
        "COMMA_PARENTHESIS_WHITESPACE",
        "SENTENCE_WHITESPACE",
        "DOUBLE_PUNCTUATION",
        "PUNCTUATION_PARAGRAPH_END",
        "EN_QUOTES",
        "EN_UNPAIRED_BRACKETS",
        "EN_UNPAIRED_QUOTES",
        "COMMA_COMPOUND_SENTENCE",
        "COMMA_COMPOUND_SENTENCE_2",
        "ENGLISH_WORD_REPEAT_RULE",
        "ENGLISH_WORD_REPEAT_BEGINNING_RULE",
        "EN_COMPOUNDS",
        "SENT_START_CONJUNCTIVE_LINKING_ADVERB_COMMA",
        "ALL_OF_THE",
        "TOO_LONG_SENTENCE",
        # Asks for a hyphen ("slow-roasted"): a listener cannot hear hyphens.
        "ADVERB_OR_HYPHENATED_ADJECTIVE",
        # American preferences outside the BRITISH_ENGLISH category (module docstring).
        "PER_CENT",
        "ANY_MORE",
        "HOME_COMPOUNDS_EN_US",
        "US_ONE_ENTITY",
    }
)
#: Tokens a match may cover without counting: the fillers fluency already penalises.
_FILLER_SPANS = frozenset({"um", "umm", "uh", "uhh", "er", "erm", "ah", "hmm", "mm"})
#: Characters around an uncertain word within which a match is not counted (the gap to the
#: neighbouring word, where a dropped word would have been).
UNCERTAIN_SLACK = 2
#: At most this many examples are kept in the summary (all matches are kept for highlighting).
EXAMPLES = 3

__all__ = ["GrammarChecker", "GrammarMatch", "GrammarResult", "GrammarUnavailable", "score_grammar"]


@dataclass(frozen=True)
class GrammarMatch:
    """One LanguageTool finding; `offset`/`length` index the transcript (Python characters)."""

    offset: int
    length: int
    message: str
    replacements: tuple[str, ...]
    rule_id: str
    category: str = ""

    def excerpt(self, text: str) -> str:
        return text[self.offset : self.offset + self.length]

    def to_json(self) -> dict[str, Any]:
        return {
            "offset": self.offset,
            "length": self.length,
            "message": self.message,
            "replacements": list(self.replacements[:5]),
            "rule_id": self.rule_id,
            "category": self.category,
        }


@runtime_checkable
class GrammarChecker(Protocol):
    """Checks English text; raises GrammarUnavailable when the checker cannot be reached."""

    def check(self, text: str) -> list[GrammarMatch]: ...


@dataclass(frozen=True)
class GrammarResult:
    score: float
    errors: int
    words: int
    errors_per_100_words: float
    matches: tuple[GrammarMatch, ...]
    #: Matches on or next to words the recogniser was unsure of: not counted, kept for the UI.
    uncertain: tuple[GrammarMatch, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "score": round(self.score, 1),
            "errors": self.errors,
            "words": self.words,
            "errors_per_100_words": round(self.errors_per_100_words, 2),
            "matches": [m.to_json() for m in self.matches],
            "uncertain_matches": [m.to_json() for m in self.uncertain],
        }


def _letters(text: str) -> str:
    """The letters and digits of `text`, lower case: what a listener can tell apart."""
    return "".join(c for c in text.lower() if c.isalnum())


def only_written(match: GrammarMatch, text: str) -> bool:
    """Whether the match's first suggested fix changes only how the words are written (hyphens,
    spaces, punctuation, capitals), not the words: "one page" -> "one-page"."""
    return bool(match.replacements) and _letters(match.replacements[0]) == _letters(match.excerpt(text))


def counts(match: GrammarMatch, text: str) -> bool:
    """Whether a match is a grammar error we score (see the module docstring for the policy)."""
    if match.rule_id in DISABLED_RULES or match.category in DISABLED_CATEGORIES:
        return False
    if only_written(match, text):
        return False
    return match.excerpt(text).strip(" ,.").lower() not in _FILLER_SPANS


def score_grammar(
    text: str,
    matches: Sequence[GrammarMatch],
    word_count: int,
    points_per_error_rate: float,
    uncertain: Sequence[tuple[int, int]] = (),
) -> GrammarResult:
    """100 - points_per_error_rate x (errors per 100 words), clamped to [0, 100].

    With the default 10 points, one error per 100 words gives 90 and ten give 0. Spoken answers
    in the evaluation set with no deliberate errors get 0-1 errors per 100 words; the
    deliberately ungrammatical ones get 6-12 (Whisper transcripts of native speakers are
    almost always grammatical, so anything LanguageTool still finds is worth a point drop).
    """
    counted = sorted((m for m in matches if counts(m, text)), key=lambda m: m.offset)
    # A match on, or right next to, a word the recogniser was unsure of is more likely its
    # mistake than the candidate's ("a one hour delay" heard as "one hour delay"): not counted.
    doubtful = tuple(m for m in counted if overlaps(m.offset, m.offset + m.length, uncertain, slack=UNCERTAIN_SLACK))
    kept = tuple(m for m in counted if m not in doubtful)
    rate = 100.0 * len(kept) / word_count if word_count else 0.0
    score = max(0.0, min(100.0, 100.0 - points_per_error_rate * rate))
    return GrammarResult(round(score, 1), len(kept), word_count, rate, kept, doubtful)
