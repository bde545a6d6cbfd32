"""The interview_feedback columns and JSON shapes of shared/spec/schema.md, as checks."""

from __future__ import annotations

FEEDBACK_COLUMNS = {
    "overall_rating",
    "summary",
    "strengths",
    "weaknesses",
    "suggestions",
    "resources",
    "readiness_score",
    "readiness_level",
    "next_steps",
    "question_feedback",
    "ai_insights",
    "comparison_percentile",
}


def check_shapes(row: dict) -> None:
    assert row["overall_rating"] in {"Excellent", "Good", "Fair", "Poor"}
    assert isinstance(row["summary"], str) and row["summary"]
    for key, kind in (("strengths", "strength"), ("weaknesses", "weakness")):
        for item in row[key]:
            assert set(item) == {"category", "type", "message", "priority"} and item["type"] == kind
            assert isinstance(item["priority"], int)
    for item in row["suggestions"]:
        assert set(item) == {"category", "message", "priority"} and isinstance(item["priority"], int)
    for item in row["resources"]:
        assert set(item) == {"title", "type", "url", "skill_area"}
    assert isinstance(row["readiness_score"], int) and 0 <= row["readiness_score"] <= 100
    assert row["readiness_level"] in {"Ready", "Almost Ready", "Needs Practice"}
    assert all(isinstance(step, str) for step in row["next_steps"])
    assert isinstance(row["ai_insights"], str)
    assert row["comparison_percentile"] is None or isinstance(row["comparison_percentile"], int)
