"""Interview content: the curated question bank, session planning and conversational follow-ups.

Pure and deterministic (no asyncio, no database, no framework); the only I/O is reading the
bank file and the optional OpenAI-compatible follow-up adapter, which uses a sync httpx client
and is meant to be called from a worker thread.
"""

from server.interview.bank import (
    CATEGORIES,
    DEFAULT_BANK_PATH,
    DIFFICULTIES,
    BankQuestion,
    QuestionBank,
    default_question_bank,
    load_question_bank,
    parse_question_bank,
)
from server.interview.errors import InterviewError, PlanError, QuestionBankError
from server.interview.followups import (
    REASONS,
    FollowUp,
    FollowUpContext,
    FollowUpGenerator,
    FollowUpPolicy,
    OpenAICompatibleFollowUps,
    RuleBasedFollowUps,
    should_ask,
)
from server.interview.planner import (
    INTERVIEW_TYPES,
    CustomQuestion,
    PlannedQuestion,
    PlanRequest,
    plan_session,
)
from server.interview.roles import ROLES, normalise_role, normalise_skill, skill_set

__all__ = [
    "CATEGORIES", "DEFAULT_BANK_PATH", "DIFFICULTIES", "INTERVIEW_TYPES", "REASONS", "ROLES",
    "BankQuestion", "CustomQuestion", "FollowUp", "FollowUpContext", "FollowUpGenerator",
    "FollowUpPolicy", "InterviewError", "OpenAICompatibleFollowUps", "PlanError", "PlanRequest",
    "PlannedQuestion", "QuestionBank", "QuestionBankError", "RuleBasedFollowUps",
    "default_question_bank", "load_question_bank", "normalise_role", "normalise_skill",
    "parse_question_bank", "plan_session", "should_ask", "skill_set",
]
