"""The curated question bank: a versioned JSON file, validated strictly into value objects.

File shape: {"version": "1", "questions": [entry, ...]}; each entry has exactly the keys of
`_REQUIRED` plus optionally "skills". Any deviation raises `QuestionBankError` naming the entry
and the field, so a bad edit to the data file fails loudly at start-up, never mid-interview.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from interview.errors import QuestionBankError
from interview.roles import GENERAL, ROLES, normalise_role

DEFAULT_BANK_PATH = Path(__file__).with_name("data") / "question_bank.json"

CATEGORIES: tuple[str, ...] = ("behavioral", "technical", "situational", "general")
DIFFICULTIES: tuple[str, ...] = ("easy", "medium", "hard")
TIME_LIMIT_RANGE = (60, 240)
TOPICS_PER_QUESTION = (3, 6)
#: A topic is one talking point, optionally with the other names it goes by: "A or B or C"
#: (scoring accepts any one of them); each name at most ALTERNATIVE_MAX_CHARS.
TOPIC_MAX_CHARS = 240
ALTERNATIVE_MAX_CHARS = 60
SUPPORTED_VERSIONS = frozenset({"1"})
#: The one placeholder a question text may contain; the planner fills it with the company name.
COMPANY_PLACEHOLDER = "{company}"

_REQUIRED = ("id", "text", "roles", "category", "difficulty", "expected_topics", "time_limit")
_OPTIONAL = ("skills",)
_ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_TAG_RE = re.compile(r"^[a-z0-9][a-z0-9 +#/.\-]*$")


def normalise_text(text: str) -> str:
    """Comparison key for question texts: case, punctuation and spacing do not matter."""
    return " ".join(re.sub(r"[^a-z0-9{}]+", " ", text.lower()).split())


@dataclass(frozen=True, slots=True)
class BankQuestion:
    id: str
    text: str
    #: Canonical roles; ("general",) for role-independent questions.
    roles: tuple[str, ...]
    category: str
    difficulty: str
    expected_topics: tuple[str, ...]
    time_limit: int
    skills: tuple[str, ...] = ()

    @property
    def is_general(self) -> bool:
        return self.roles == (GENERAL,)

    @property
    def needs_company(self) -> bool:
        """True when the text mentions the candidate's target company and so needs one."""
        return COMPANY_PLACEHOLDER in self.text

    def render(self, company: str | None = None) -> str:
        """The text as asked: the company placeholder filled in (or "the company"), its
        possessive written as a person writes it (`possessive`), a sentence that opens with it
        capitalised ("The company's ...")."""
        name = " ".join((company or "").split()) or "the company"
        text = re.sub(re.escape(COMPANY_PLACEHOLDER) + r"'s\b", lambda _: possessive(name), self.text)
        text = text.replace(COMPANY_PLACEHOLDER, name)
        return text[:1].upper() + text[1:]


def possessive(name: str) -> str:
    """ "Stripe's", "Acme Payments'" (a name ending in s takes the apostrophe alone, as a
    plural does: "Acme Payments's" read as a slip, issue #12's QA walk J2), "McDonald's" as it
    is (a name that is already a possessive gets nothing more)."""
    if re.search(r"['\u2019]s$", name, re.IGNORECASE):
        return name
    if name[-1:] in ("s", "S"):
        return name + "'"
    return name + "'s"


@dataclass(frozen=True)
class QuestionBank:
    version: str
    questions: tuple[BankQuestion, ...]
    _by_id: dict[str, BankQuestion] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {q.id: q for q in self.questions})

    def __len__(self) -> int:
        return len(self.questions)

    def __iter__(self) -> Iterator[BankQuestion]:
        return iter(self.questions)

    def __contains__(self, question_id: object) -> bool:
        return question_id in self._by_id

    def get(self, question_id: str) -> BankQuestion | None:
        return self._by_id.get(question_id)

    @property
    def roles(self) -> frozenset[str]:
        """Every role that has at least one question, "general" included."""
        return frozenset(role for q in self.questions for role in q.roles)

    def for_role(self, role: str | None, *, include_general: bool = True) -> tuple[BankQuestion, ...]:
        """Questions for a role given as free text (normalised first), plus the role-independent
        ones unless `include_general` is False."""
        canonical = normalise_role(role)
        return tuple(q for q in self.questions if canonical in q.roles or (include_general and q.is_general))

    def by_category(self, category: str) -> tuple[BankQuestion, ...]:
        return tuple(q for q in self.questions if q.category == category)

    def by_difficulty(self, difficulty: str) -> tuple[BankQuestion, ...]:
        return tuple(q for q in self.questions if q.difficulty == difficulty)

    def select(
        self,
        *,
        role: str | None = None,
        category: str | None = None,
        difficulty: str | None = None,
        include_general: bool = True,
    ) -> tuple[BankQuestion, ...]:
        """Questions matching every filter given (role is normalised, and includes the general
        questions unless `include_general` is False)."""
        pool: Iterable[BankQuestion] = (
            self.questions if role is None else self.for_role(role, include_general=include_general)
        )
        return tuple(
            q
            for q in pool
            if (category is None or q.category == category) and (difficulty is None or q.difficulty == difficulty)
        )


def load_question_bank(path: str | Path = DEFAULT_BANK_PATH) -> QuestionBank:
    """Read and validate a bank file; raises `QuestionBankError` on any defect."""
    source = Path(path)
    try:
        raw = source.read_text(encoding="utf-8")
    except OSError as exc:
        raise QuestionBankError(f"{source.name}: cannot read the question bank: {exc}") from exc
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise QuestionBankError(f"{source.name}: not valid JSON: {exc}") from exc
    return parse_question_bank(data, source=source.name)


@lru_cache(maxsize=1)
def default_question_bank() -> QuestionBank:
    """The bank shipped with the package, loaded once per process."""
    return load_question_bank(DEFAULT_BANK_PATH)


def parse_question_bank(data: Any, *, source: str = "question bank") -> QuestionBank:
    """Validate already-decoded JSON (see the module docstring for the shape)."""
    if not isinstance(data, dict):
        raise QuestionBankError(f"{source}: the top level must be an object")
    unknown = sorted(set(data) - {"version", "questions"})
    if unknown:
        raise QuestionBankError(f"{source}: unknown top-level key(s) {', '.join(map(repr, unknown))}", field=unknown[0])
    version = data.get("version")
    if version not in SUPPORTED_VERSIONS:
        raise QuestionBankError(
            f"{source}: field 'version' must be one of {sorted(SUPPORTED_VERSIONS)}, got {version!r}", field="version"
        )
    entries = data.get("questions")
    if not isinstance(entries, list) or not entries:
        raise QuestionBankError(f"{source}: field 'questions' must be a non-empty list", field="questions")

    questions: list[BankQuestion] = []
    seen_ids: dict[str, int] = {}
    seen_texts: dict[str, str] = {}
    for index, entry in enumerate(entries):
        question = _parse_entry(entry, index, source)
        if question.id in seen_ids:
            raise QuestionBankError(
                f"{source}: entry #{index} (id {question.id!r}): field 'id' duplicates entry #{seen_ids[question.id]}",
                entry=question.id,
                field="id",
            )
        key = normalise_text(question.text)
        if key in seen_texts:
            raise QuestionBankError(
                f"{source}: entry #{index} (id {question.id!r}): field 'text' duplicates the text of "
                f"{seen_texts[key]!r}",
                entry=question.id,
                field="text",
            )
        seen_ids[question.id] = index
        seen_texts[key] = question.id
        questions.append(question)
    return QuestionBank(version=version, questions=tuple(questions))


def _parse_entry(entry: Any, index: int, source: str) -> BankQuestion:
    label = f"{source}: entry #{index}"
    if not isinstance(entry, dict):
        raise QuestionBankError(f"{label}: must be an object", entry=f"#{index}")
    raw_id = entry.get("id")
    name = raw_id if isinstance(raw_id, str) and raw_id else f"#{index}"
    if isinstance(raw_id, str) and raw_id:
        label = f"{label} (id {raw_id!r})"

    def fail(field_name: str, problem: str) -> QuestionBankError:
        return QuestionBankError(f"{label}: field {field_name!r} {problem}", entry=name, field=field_name)

    unknown = sorted(set(entry) - set(_REQUIRED) - set(_OPTIONAL))
    if unknown:
        raise fail(unknown[0], f"is not a known key (allowed: {', '.join(_REQUIRED + _OPTIONAL)})")
    for key in _REQUIRED:
        if key not in entry:
            raise fail(key, "is missing")

    qid = entry["id"]
    if not isinstance(qid, str) or not _ID_RE.match(qid):
        raise fail("id", f"must be a lower-case slug such as 'be-tech-caching', got {qid!r}")

    text = entry["text"]
    if not isinstance(text, str) or len(text.strip()) < 10:
        raise fail("text", "must be a question of at least 10 characters")
    if text != text.strip() or "  " in text:
        raise fail("text", "has stray whitespace")
    if re.sub(re.escape(COMPANY_PLACEHOLDER), "", text).count("{") or "}" in text.replace(COMPANY_PLACEHOLDER, ""):
        raise fail("text", f"may contain no placeholder other than {COMPANY_PLACEHOLDER}")

    roles = entry["roles"]
    if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
        raise fail("roles", "must be a list of role names")
    bad_roles = [r for r in roles if r not in ROLES]
    if bad_roles:
        raise fail("roles", f"has unknown role {bad_roles[0]!r}; expected one of {', '.join(ROLES)}")
    if len(set(roles)) != len(roles):
        raise fail("roles", "lists a role twice")
    if GENERAL in roles and len(roles) > 1:
        raise fail("roles", "cannot mix 'general' with specific roles")
    role_tuple = tuple(roles) if roles else (GENERAL,)

    category = entry["category"]
    if category not in CATEGORIES:
        raise fail("category", f"has unknown value {category!r}; expected one of {', '.join(CATEGORIES)}")
    difficulty = entry["difficulty"]
    if difficulty not in DIFFICULTIES:
        raise fail("difficulty", f"has unknown value {difficulty!r}; expected one of {', '.join(DIFFICULTIES)}")

    topics = entry["expected_topics"]
    low, high = TOPICS_PER_QUESTION
    if not isinstance(topics, list) or not topics:
        raise fail("expected_topics", "must be a non-empty list of short phrases")
    if not all(isinstance(t, str) and t.strip() and len(t) <= TOPIC_MAX_CHARS for t in topics):
        raise fail("expected_topics", f"must contain only non-empty phrases of at most {TOPIC_MAX_CHARS} characters")
    long_alternative = next(
        (a for t in topics for a in re.split(r"\s+or\s+", t) if len(a.strip()) > ALTERNATIVE_MAX_CHARS), None
    )
    if long_alternative is not None:
        raise fail(
            "expected_topics",
            f"has an alternative longer than {ALTERNATIVE_MAX_CHARS} characters: {long_alternative!r}",
        )
    if not low <= len(topics) <= high:
        raise fail("expected_topics", f"must list {low} to {high} topics, got {len(topics)}")
    if len({t.strip().lower() for t in topics}) != len(topics):
        raise fail("expected_topics", "lists a topic twice")

    time_limit = entry["time_limit"]
    t_low, t_high = TIME_LIMIT_RANGE
    if not isinstance(time_limit, int) or isinstance(time_limit, bool) or not t_low <= time_limit <= t_high:
        raise fail("time_limit", f"must be a whole number of seconds from {t_low} to {t_high}, got {time_limit!r}")

    skills = entry.get("skills", [])
    if not isinstance(skills, list) or not all(isinstance(s, str) and _TAG_RE.match(s) for s in skills):
        raise fail("skills", "must be a list of lower-case skill tags")

    return BankQuestion(
        id=qid,
        text=text,
        roles=role_tuple,
        category=category,
        difficulty=difficulty,
        expected_topics=tuple(t.strip() for t in topics),
        time_limit=time_limit,
        skills=tuple(skills),
    )
