"""Interview content: the curated question bank, session planning and conversational follow-ups.

Pure and deterministic (no asyncio, no database, no framework, no network client); the only I/O
is reading the bank file shipped with the package. The optional OpenAI-compatible follow-up
adapter is network code and lives in `server/llm_followups.py`.
"""

from interview.bank import (
    CATEGORIES,
    DEFAULT_BANK_PATH,
    DIFFICULTIES,
    BankQuestion,
    QuestionBank,
    default_question_bank,
    load_question_bank,
    parse_question_bank,
)
from interview.errors import InterviewError, PlanError, QuestionBankError
from interview.followup_rules import follow_up_problems
from interview.followups import (
    KINDS,
    REASONS,
    FollowUp,
    FollowUpContext,
    FollowUpGenerator,
    FollowUpPolicy,
    keep_acceptable,
    should_ask,
)
from interview.followups_builtin import RuleBasedFollowUps
from interview.planner import (
    INTERVIEW_TYPES,
    CustomQuestion,
    PlannedQuestion,
    PlanRequest,
    plan_session,
)
from interview.roles import ROLES, normalise_role, normalise_skill, skill_set

__all__ = [
    "CATEGORIES",
    "DEFAULT_BANK_PATH",
    "DIFFICULTIES",
    "INTERVIEW_TYPES",
    "KINDS",
    "REASONS",
    "ROLES",
    "BankQuestion",
    "CustomQuestion",
    "FollowUp",
    "FollowUpContext",
    "FollowUpGenerator",
    "FollowUpPolicy",
    "InterviewError",
    "PlanError",
    "PlanRequest",
    "PlannedQuestion",
    "QuestionBank",
    "QuestionBankError",
    "RuleBasedFollowUps",
    "default_question_bank",
    "follow_up_problems",
    "keep_acceptable",
    "load_question_bank",
    "normalise_role",
    "normalise_skill",
    "parse_question_bank",
    "plan_session",
    "should_ask",
    "skill_set",
]
