"""Role and skill vocabularies: free-text profile fields mapped onto the bank's canonical tags.

`normalise_role` turns whatever a user typed as target role ("Senior SWE", "SRE", "UX/UI
designer") into one of `ROLES`; anything unrecognised becomes "general". `normalise_skill`
maps common spellings of a skill ("K8s", "React.js", "Postgres") onto the bank's skill tags.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

GENERAL = "general"

#: Canonical roles of the question bank, in the order used to break keyword ties.
ROLES: tuple[str, ...] = (
    "backend",
    "frontend",
    "data_scientist",
    "ml_engineer",
    "devops",
    "product_manager",
    "designer",
    "sales",
    "marketing",
    "customer_support",
    GENERAL,
)

# Keywords and phrases, with a weight: specific titles outweigh generic words such as
# "developer", so "machine learning developer" lands on ml_engineer, not backend.
_KEYWORDS: dict[str, dict[str, float]] = {
    "backend": {
        "backend": 3,
        "back end": 3,
        "server side": 2,
        "api": 1,
        "software engineer": 1.5,
        "software developer": 1.5,
        "swe": 1.5,
        "sde": 1.5,
        "developer": 0.5,
        "programmer": 1,
        "engineer": 0.25,
        "java": 1,
        "python": 0.5,
        "golang": 1,
        "go developer": 1,
        "full stack": 1.5,
        "fullstack": 1.5,
        "platform engineer": 1,
        "distributed systems": 2,
        "data engineer": 2,
        "data engineering": 2,
    },
    "frontend": {
        "frontend": 3,
        "front end": 3,
        "ui engineer": 3,
        "ui developer": 3,
        "web developer": 2,
        "react": 2,
        "angular": 2,
        "vue": 2,
        "javascript": 1.5,
        "typescript": 1,
        "web": 0.5,
    },
    "data_scientist": {
        "data scientist": 3,
        "data science": 3,
        "data analyst": 3,
        "analyst": 1.5,
        "analytics": 1.5,
        "statistician": 3,
        "business intelligence": 2.5,
        "bi": 1.5,
        "quantitative": 1.5,
        "quant": 1.5,
        "data": 0.5,
    },
    "ml_engineer": {
        "machine learning": 3,
        "ml": 3,
        "mlops": 3,
        "ai": 2,
        "deep learning": 3,
        "applied scientist": 3,
        "research engineer": 2,
        "nlp": 2.5,
        "computer vision": 2.5,
        "llm": 2.5,
    },
    "devops": {
        "devops": 3,
        "dev ops": 3,
        "sre": 3,
        "site reliability": 3,
        "reliability": 2,
        "infrastructure": 2.5,
        "platform": 1,
        "cloud engineer": 2.5,
        "cloud": 1,
        "sysadmin": 3,
        "system administrator": 3,
        "systems administrator": 3,
        "release engineer": 2.5,
        "operations engineer": 2.5,
        "kubernetes": 1.5,
    },
    "product_manager": {
        "product manager": 3,
        "product management": 3,
        "pm": 2.5,
        "apm": 3,
        "product owner": 3,
        "product lead": 3,
        "head of product": 3,
        "program manager": 2,
        "product": 0.5,
    },
    "designer": {
        "designer": 3,
        "design": 1.5,
        "ux": 3,
        "ui ux": 3,
        "user experience": 3,
        "interaction": 1,
        "ux researcher": 3,
        "user researcher": 3,
        "visual": 1,
    },
    "sales": {
        "sales": 3,
        "account executive": 3,
        "ae": 2,
        "sdr": 3,
        "bdr": 3,
        "business development": 3,
        "account manager": 2,
        "seller": 2,
        "salesperson": 3,
    },
    "marketing": {
        "marketing": 3,
        "marketer": 3,
        "growth": 1.5,
        "seo": 2.5,
        "content": 1.5,
        "brand": 2,
        "communications": 1.5,
        "social media": 2,
        "campaign": 1.5,
        "pr": 1,
    },
    "customer_support": {
        "support": 2.5,
        "customer service": 3,
        "customer success": 3,
        "help desk": 3,
        "helpdesk": 3,
        "service desk": 3,
        "call center": 3,
        "call centre": 3,
        "customer care": 3,
        "technical support": 3,
        "customer experience": 2,
    },
}

_ROLE_ALIASES: dict[str, str] = {
    "software engineer": "backend",
    "backend engineer": "backend",
    "backend developer": "backend",
    "frontend engineer": "frontend",
    "frontend developer": "frontend",
    "data scientist": "data_scientist",
    "ml engineer": "ml_engineer",
    "machine learning engineer": "ml_engineer",
    "sre": "devops",
    "devops engineer": "devops",
    "product manager": "product_manager",
    "pm": "product_manager",
    "ux designer": "designer",
    "product designer": "designer",
    "sales": "sales",
    "marketing": "marketing",
    "customer support": "customer_support",
}

_SKILL_ALIASES: dict[str, str] = {
    "k8s": "kubernetes",
    "js": "javascript",
    "ecmascript": "javascript",
    "ts": "typescript",
    "reactjs": "react",
    "react js": "react",
    "node js": "node",
    "nodejs": "node",
    "postgres": "postgresql",
    "psql": "postgresql",
    "golang": "go",
    "ml": "machine learning",
    "scikit learn": "machine learning",
    "sklearn": "machine learning",
    "dl": "deep learning",
    "torch": "pytorch",
    "amazon web services": "aws",
    "google cloud": "gcp",
    "ci cd": "ci/cd",
    "cicd": "ci/cd",
    "continuous integration": "ci/cd",
    "a b testing": "a/b testing",
    "ab testing": "a/b testing",
    "experimentation": "a/b testing",
    "ux": "ux design",
    "ui ux": "ux design",
    "site reliability": "sre",
    "large language models": "llm",
    "llms": "llm",
    "search engine optimisation": "seo",
    "search engine optimization": "seo",
    "hubspot": "crm",
    "salesforce": "crm",
}

# A skill that implies a broader tag the bank also uses.
_SKILL_IMPLIES: dict[str, tuple[str, ...]] = {
    "postgresql": ("sql", "databases"),
    "mysql": ("sql", "databases"),
    "sql": ("databases",),
    "mongodb": ("databases",),
    "redis": ("caching",),
    "react": ("javascript",),
    "typescript": ("javascript",),
    "vue": ("javascript",),
    "angular": ("javascript",),
    "pytorch": ("deep learning", "machine learning"),
    "tensorflow": ("deep learning", "machine learning"),
    "deep learning": ("machine learning",),
    "kubernetes": ("docker",),
    "sre": ("observability",),
    "figma": ("prototyping",),
}


def _canon(text: str) -> str:
    """Lower-case, punctuation to spaces, whitespace collapsed ("UI/UX" -> "ui ux")."""
    return " ".join(re.sub(r"[^a-z0-9+#]+", " ", text.lower()).split())


def normalise_role(text: str | None) -> str:
    """Map a free-text role onto one of `ROLES`: canonical names and aliases exactly, anything
    else by weighted keyword hits; "general" when nothing matches."""
    if not text:
        return GENERAL
    canon = _canon(text)
    slug = canon.replace(" ", "_")
    if slug in ROLES:
        return slug
    if canon in _ROLE_ALIASES:
        return _ROLE_ALIASES[canon]
    padded = f" {canon} "
    scores = {
        role: sum(weight for keyword, weight in keywords.items() if f" {keyword} " in padded)
        for role, keywords in _KEYWORDS.items()
    }
    best = max(scores.values())
    if best < 1:
        return GENERAL
    return next(role for role in ROLES if scores.get(role) == best)


def normalise_skill(text: str) -> str:
    """The bank's spelling of one skill ("K8s" -> "kubernetes", "React.js" -> "react")."""
    canon = _canon(text.replace(".", " ").replace("-", " ").replace("/", " "))
    if canon in _SKILL_ALIASES:
        return _SKILL_ALIASES[canon]
    # Keep the slash in tags that have one ("ci/cd", "a/b testing").
    squashed = text.strip().lower()
    if squashed in {"ci/cd", "a/b testing"}:
        return squashed
    return canon


def skill_set(skills: Iterable[str]) -> frozenset[str]:
    """Normalised skills plus the broader tags they imply ("postgres" also counts as "sql")."""
    out: set[str] = set()
    for raw in skills:
        if not isinstance(raw, str) or not raw.strip():
            continue
        skill = normalise_skill(raw)
        out.add(skill)
        out.update(_SKILL_IMPLIES.get(skill, ()))
    return frozenset(out)
