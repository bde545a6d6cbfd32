"""Structure checks on the browser QA walk's transcripts (QA J16, J17, J22 in /work/qa-findings.md),
each beside cases in other words and the vague answers that must keep lacking what they lack.

The transcripts are speech-recognised: their punctuation and sentence breaks are the recogniser's
("So, the team sees progress ..." after a full stop), and one word may be mis-heard ("I was used to
cut the months" for "I refused to cut the months").
"""

from __future__ import annotations

import pytest

from interview import FollowUpContext, RuleBasedFollowUps
from scoring.star import detect_plan, detect_star
from scoring.text import split_sentences

J16 = (
    "I would talk to customers and the sales team first. I would review the usage metrics and the funnel "
    "to see where users drop off. Around a 40 I would write a draft strategy and vision and test it with "
    "the team and I would ship one or two quick wins. So, the team sees progress while the bigger bets are "
    "planned."
)
J17 = "And I am not sure. I guess I would just keep trying and see what happens."
J22 = (
    "At my last job, a week before quarterly review, my manager asked me to leave two bad months out of a "
    "churn chart so the numbers look better to the board. I felt that hiding data from the people who make "
    "decisions was not the right thing. And it went again, so value of honest reporting. I was used to cut "
    "the months and instead I raised it with him privately and offered a version that showed all months "
    "with the note explaining the cause. He agreed, the board saw the full picture and they approved a "
    "retention project since then my manager asks me to check numbers before big meetings."
)


def _plan(text: str) -> set[str]:
    return set(detect_plan(split_sentences(text)).present)


def _star(text: str) -> set[str]:
    return set(detect_star(split_sentences(text)).present)


@pytest.mark.parametrize(
    ("text", "reasoning"),
    [
        (J16, True),
        # An infinitive of purpose gives the reason for a step.
        ("I would read the support tickets to find out which errors users hit most.", True),
        ("First I would check the dashboards to understand whether the drop is real.", True),
        # A purpose clause the recogniser cut off as its own sentence.
        ("I would ship a small fix this week. So, the customers see that we listen.", True),
        ("I would pair with the new hire for a week. So everyone knows who to ask.", True),
        # A sentence-initial "So" that only introduces the next step or a statement gives no reason.
        ("I would ship a small fix this week. So I would then plan the rest.", False),
        ("I would start from the goal. So the primary metric is the share of deals closed.", False),
        ("I would test it. So the first thing is a meeting.", False),
        # "nice to see what you make" is no purpose.
        ("I would build the page. It is nice to see what you make.", False),
    ],
)
def test_purpose_clauses_are_reasons(text: str, reasoning: bool) -> None:
    assert ("reasoning" in _plan(text)) is reasoning, text


@pytest.mark.parametrize(
    ("text", "approach"),
    [
        (J17, False),
        ("I don't know. I would just see what happens.", False),
        ("I would play it by ear.", False),
        ("I would try my best and hope for the best.", False),
        # A concrete step is an approach even after a hedge in another sentence.
        ("I am not sure. I guess I would first call the client and ask what changed.", True),
        ("I would call the client first and ask what changed.", True),
    ],
)
def test_giving_up_on_a_plan_is_not_an_approach(text: str, approach: bool) -> None:
    assert ("approach" in _plan(text)) is approach, text


@pytest.mark.parametrize(
    ("text", "task", "action"),
    [
        (J22, True, True),
        (
            (
                "Last year my lead told me to ship the release without the failing tests. I refused, and I "
                "flagged the risk to the product owner and offered to fix the tests over the weekend."
            ),
            True,
            True,
        ),
        (
            (
                "Once a client pressured me to sign off a report I had not checked. I declined and I shared "
                "the checklist with him instead."
            ),
            True,
            True,
        ),
        # Nobody set a task here: "nobody had asked me to" is the opposite.
        ("Nobody had asked me to, but the release notes were always late.", False, False),
        # A vague story stays without a task and an action of the speaker's.
        ("We had a hard project once. The team worked a lot and it went fine in the end.", False, False),
        # Telling people it would be fine is no step taken (the evaluation set's mediocre change story).
        ("We had a big change once at work. I told everyone it would be fine and we just did it.", False, False),
    ],
)
def test_first_person_stories_show_task_and_action(text: str, task: bool, action: bool) -> None:
    present = _star(text)
    assert ("task" in present, "action" in present) == (task, action), (text, present)


def test_a_first_person_dilemma_is_not_asked_what_the_candidate_did_personally() -> None:
    """QA J22: the follow-up asked "Which part of that did you do yourself?" of a story told in the
    first person from start to end; the STAR check now sees its action, so that probe is not asked."""
    question = "Tell me about a time you faced an ethical dilemma at work."
    star = frozenset(_star(J22))
    asked = RuleBasedFollowUps().suggest(FollowUpContext(question, "behavioral", J22, star_parts=star))
    assert all("do yourself" not in f.text for f in asked), [f.text for f in asked]
