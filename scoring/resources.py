"""The curated learning-resource catalogue (resources.json beside this file) and its lookup."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

CATALOGUE = Path(__file__).with_name("resources.json")

#: Which skill areas help with a weak dimension or aspect of the session.
AREAS_FOR = {
    "Relevance": ("Answer Relevance",),
    "Grammar": ("Spoken Grammar",),
    "Fluency": ("Fluency & Delivery",),
    "Keywords": ("Technical Vocabulary",),
    "Structure": ("Interview Structure",),
    "Technical": ("System Design", "CS Fundamentals"),
}


@dataclass(frozen=True)
class Resource:
    """One catalogue entry, the JSON shape of interview_feedback.resources."""

    title: str
    type: str
    url: str
    skill_area: str

    def to_json(self) -> dict[str, Any]:
        return {"title": self.title, "type": self.type, "url": self.url, "skill_area": self.skill_area}


@cache
def catalogue(path: Path = CATALOGUE) -> tuple[Resource, ...]:
    """All resources, in file order (read once)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return tuple(Resource(**entry) for entry in data["resources"])


def resources_for(aspects: list[str], per_area: int = 2, limit: int = 6) -> list[Resource]:
    """Up to `per_area` resources for each aspect's skill areas, in aspect order, deduplicated."""
    chosen: list[Resource] = []
    for aspect in aspects:
        for area in AREAS_FOR.get(aspect, ()):
            for resource in [r for r in catalogue() if r.skill_area == area][:per_area]:
                if resource not in chosen:
                    chosen.append(resource)
    return chosen[:limit]
