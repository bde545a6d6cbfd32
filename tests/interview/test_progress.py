"""The interview's progress: asked, answered, skipped, follow-ups and attempts keyed by question
id; numbering as the candidate sees it ("2 of 3 · follow-up 1"); stored as JSON and read back;
the first stored format (keyed by numbers) still read. Pure: no event loop, no database."""

from __future__ import annotations

import pytest

from interview.phases import ALLOWED as PHASES
from interview.phases import IllegalPhaseChange, Phase, change_phase
from interview.progress import (
    ALLOWED,
    InterviewProgress,
    ProgressError,
    QuestionState,
    RowRef,
)

S = QuestionState


def rows(*ids: str) -> list[RowRef]:
    return [RowRef(q, n) for n, q in enumerate(ids, start=1)]


def three() -> InterviewProgress:
    return InterviewProgress.new(["q1", "q2", "q3"])


def roundtrip(progress: InterviewProgress, *ids: str) -> InterviewProgress:
    return InterviewProgress.from_json(progress.to_json(), rows(*ids))


def test_a_new_interview_asks_the_planned_questions_in_order() -> None:
    progress = three()
    assert progress.current().question_id == "q1"
    progress = progress.asked_now("q1")
    assert progress.current().question_id == "q1"  # asked, not answered: asked again on resume
    progress = progress.answered("q1").asked_now("q2").skipped("q2")
    assert progress.current().question_id == "q3"
    assert [q.state for q in progress.questions] == [S.ANSWERED, S.SKIPPED, S.NOT_ASKED]
    assert progress.answered_planned == 1
    assert progress.upcoming("q1").question_id == "q3"


def test_follow_ups_belong_to_their_question_and_never_change_of_n() -> None:
    progress = three().asked_now("q1").answered("q1").with_follow_up("q1", "f1")
    assert [q.question_id for q in progress.questions] == ["q1", "f1", "q2", "q3"]
    assert progress.current().question_id == "f1"
    first = progress.numbering("f1")
    assert (first.number, first.of, first.follow_up_index, first.follow_up) == (1, 3, 1, True)
    # A second follow-up, asked after the first one's answer, still belongs to question 1.
    progress = progress.asked_now("f1").answered("f1").with_follow_up("f1", "f2")
    assert [q.question_id for q in progress.questions] == ["q1", "f1", "f2", "q2", "q3"]
    assert progress.get("f2").follow_up_of == "q1"
    assert (progress.numbering("f2").number, progress.numbering("f2").follow_up_index) == (1, 2)
    assert (progress.numbering("q2").number, progress.numbering("q2").of, progress.numbering("q2").follow_up) == (
        2,
        3,
        False,
    )
    assert len(progress.follow_ups_of("q1")) == 2 and progress.follow_up_count == 2
    assert progress.answered_planned == 1  # follow-ups are not planned questions


def test_the_counts_of_n_and_a_waiting_follow_up() -> None:
    # History used to say "1/1 answered" with a plain Resume when only a follow-up was open.
    one = InterviewProgress.new(["q1"]).asked_now("q1").answered("q1")
    assert (one.answered_planned, one.skipped_planned, one.follow_up_waiting) == (1, 0, False)
    waiting = one.with_follow_up("q1", "f1")
    assert (waiting.answered_planned, waiting.skipped_planned, waiting.follow_up_waiting) == (1, 0, True)
    asked = waiting.asked_now("f1")
    assert asked.follow_up_waiting and asked.answered_planned == 1  # still "1 of 1"
    assert not asked.answered("f1").follow_up_waiting
    skipped = three().asked_now("q1").skipped("q1")
    assert (skipped.answered_planned, skipped.skipped_planned, skipped.follow_up_waiting) == (0, 1, False)


def test_a_follow_up_needs_an_answer_first() -> None:
    with pytest.raises(ProgressError):
        three().asked_now("q1").with_follow_up("q1", "f1")
    with pytest.raises(ProgressError):
        three().asked_now("q1").skipped("q1").with_follow_up("q1", "f1")


def test_skipping_drops_any_result_and_answering_a_skipped_question_is_refused() -> None:
    progress = three().asked_now("q1").skipped("q1")
    assert progress.get("q1").result is None
    with pytest.raises(ProgressError):
        progress.answered("q1")
    with pytest.raises(ProgressError):
        progress.scored("q1", {"overall": 50})


def test_only_answered_questions_are_scored() -> None:
    with pytest.raises(ProgressError):
        three().asked_now("q1").scored("q1", {"overall": 50})
    progress = three().asked_now("q1").answered("q1").scored("q1", {"overall": 50})
    assert progress.get("q1").result == {"overall": 50}


def test_a_question_never_asked_cannot_be_answered() -> None:
    with pytest.raises(ProgressError):
        three().answered("q2")
    with pytest.raises(ProgressError):
        three().get("nope")


def test_trying_again_keeps_the_earlier_attempt_and_counts_the_new_one() -> None:
    progress = three().asked_now("q1").answered("q1").scored("q1", {"overall": 40})
    columns = {"transcript": "first try", "audio_file_path": "/a/q1.wav", "overall_score": 40.0}
    progress = progress.retried("q1", columns)
    question = progress.get("q1")
    assert (question.state, question.attempt, question.result) == (S.ASKED, 2, None)
    assert question.earlier_attempts[0].number == 1 and question.earlier_attempts[0].columns == columns
    assert question.earlier_attempts[0].result == {"overall": 40}
    assert progress.current().question_id == "q1" and progress.answered_planned == 0
    progress = progress.answered("q1").scored("q1", {"overall": 70})
    assert progress.answered_planned == 1 and progress.get("q1").result == {"overall": 70}
    progress = roundtrip(progress, "q1", "q2", "q3")
    assert (
        progress.get("q1").attempt == 2 and progress.get("q1").earlier_attempts[0].columns["transcript"] == "first try"
    )


def test_a_skipped_question_can_be_tried_again_but_not_an_open_one() -> None:
    assert three().asked_now("q1").skipped("q1").retried("q1", {}).get("q1").attempt == 2
    with pytest.raises(ProgressError):
        three().asked_now("q1").retried("q1", {})


def test_an_unanswered_follow_up_is_withdrawn_when_its_question_is_tried_again() -> None:
    progress = three().asked_now("q1").answered("q1").with_follow_up("q1", "f1").asked_now("f1")
    progress = progress.without_follow_up("f1").retried("q1", {})
    assert [q.question_id for q in progress.questions] == ["q1", "q2", "q3"]
    with pytest.raises(ProgressError):
        progress.without_follow_up("q2")  # planned questions are never withdrawn


def test_json_roundtrip_and_reconciliation_with_the_rows() -> None:
    progress = three().asked_now("q1").answered("q1").with_follow_up("q1", "f1")
    assert roundtrip(progress, "q1", "f1", "q2", "q3") == progress
    # A row progress never heard of is a planned question not asked yet, in row order;
    # progress of a row that is gone is dropped.
    reconciled = InterviewProgress.from_json(progress.to_json(), rows("q1", "f1", "new", "q3"))
    assert [q.question_id for q in reconciled.questions] == ["q1", "f1", "new", "q3"]
    assert reconciled.get("new").state is S.NOT_ASKED
    assert InterviewProgress.from_json(None, rows("a", "b")) == InterviewProgress.new(["a", "b"])


def test_the_first_stored_format_keyed_by_numbers_is_read() -> None:
    old = {"skipped": [3], "follow_ups": {"2": 1}, "results": {"1": {"overall": 60}, "2": {"overall": 70}}}
    refs = [RowRef("q1", 1, True), RowRef("f1", 2, True), RowRef("q2", 3, True), RowRef("q3", 4, False)]
    progress = InterviewProgress.from_json(old, refs)
    assert [q.state for q in progress.questions] == [S.ANSWERED, S.ANSWERED, S.SKIPPED, S.NOT_ASKED]
    assert progress.get("f1").follow_up_of == "q1" and progress.get("f1").result == {"overall": 70}
    assert progress.numbering("q3").number == 3 and progress.numbering("q3").of == 3
    assert progress.current().question_id == "q3"


def test_the_question_state_table() -> None:
    assert ALLOWED[S.NOT_ASKED] == {S.ASKED}
    assert S.ANSWERED not in ALLOWED[S.NOT_ASKED] and S.SKIPPED in ALLOWED[S.ASKED]


@pytest.mark.parametrize("current", list(Phase))
@pytest.mark.parametrize("target", list(Phase))
def test_phase_changes_follow_the_table(current: Phase, target: Phase) -> None:
    if target in PHASES[current]:
        assert change_phase(current, target) is target
    else:
        with pytest.raises(IllegalPhaseChange) as refused:
            change_phase(current, target)
        assert refused.value.current is current and refused.value.target is target


def test_the_phase_table_covers_the_interview() -> None:
    # start, close, next question or try again, end from anywhere but the end itself.
    assert Phase.ANSWERING in PHASES[Phase.WAITING]
    assert PHASES[Phase.ANSWERING] == {Phase.CLOSING, Phase.ENDED}
    assert PHASES[Phase.CLOSING] == {Phase.ANSWERING, Phase.ENDED}
    assert PHASES[Phase.ENDED] == frozenset()
