"""Rule-based follow-ups: ask for the result when it is missing, for numbers when the claims are
vague, about missed topics, and probe what the candidate actually said; stay quiet when the
answer is complete and concrete; and never exceed the policy's caps."""

from __future__ import annotations

import pytest

from interview import (
    FollowUp,
    FollowUpContext,
    FollowUpGenerator,
    FollowUpPolicy,
    RuleBasedFollowUps,
    should_ask,
)
from interview.answer_text import has_concrete_marker, has_quantity, salient_terms

STAR = frozenset({"situation", "task", "action", "result"})
BEHAVIOURAL_Q = "Tell me about a production incident you owned. What happened, and what changed afterwards?"
COMPLETE = (
    "Last quarter our checkout service started timing out during a Friday release. I was the on-call "
    "engineer, so restoring checkout was my job. I rolled the release back within ten minutes, then "
    "found a missing index on the orders table, added it, and put a canary stage in the pipeline. "
    "As a result, checkout errors went from four percent to zero and we have had no release-related "
    "outage in the six months since."
)
NO_RESULT = (
    "Last year our checkout service started timing out during a release. I was on call, so I rolled "
    "the release back and then I fixed the missing index on the orders table with the team."
)
VAGUE = (
    "We usually had incidents now and then and I generally tried to help the team sort things out. "
    "It was kind of stressful, but we worked well together and basically it was fine in the end, "
    "and everyone was happy with how it went."
)


def ctx(
    transcript: str,
    *,
    question: str = BEHAVIOURAL_Q,
    category: str = "behavioral",
    star=STAR,
    expected=(),
    missing=(),
    asked=0,
    plan_missing=None,
) -> FollowUpContext:
    return FollowUpContext(question, category, transcript, expected, missing, star, asked, plan_missing=plan_missing)


@pytest.fixture
def rules() -> RuleBasedFollowUps:
    return RuleBasedFollowUps()


def test_the_rules_satisfy_the_generator_interface(rules) -> None:
    generator: FollowUpGenerator = rules
    assert generator.suggest(ctx(COMPLETE)) == []


def test_a_complete_concrete_star_answer_gets_no_follow_up(rules) -> None:
    assert rules.suggest(ctx(COMPLETE, expected=("rollback plan", "root cause"))) == []


def test_a_missing_result_asks_for_the_outcome_first(rules) -> None:
    suggestions = rules.suggest(ctx(NO_RESULT, star={"situation", "task", "action"}))
    first = suggestions[0]
    assert (first.reason, first.priority, first.kind) == ("missing_result", 1, "result")
    assert first.text.endswith("?") and "outcome" in first.text


def test_a_covered_result_is_never_asked_for_again(rules) -> None:
    suggestions = rules.suggest(
        ctx(NO_RESULT, star={"situation", "task", "action"}, expected=("outcome or how it ended",), missing=())
    )
    assert all("outcome" not in s.text.lower() for s in suggestions)


def test_a_missing_action_asks_what_the_candidate_did(rules) -> None:
    suggestions = rules.suggest(ctx(COMPLETE, star={"situation", "task", "result"}))
    assert suggestions[0].kind == "own_action" and "yourself" in suggestions[0].text


def test_vague_claims_are_asked_for_numbers(rules) -> None:
    suggestions = rules.suggest(ctx(VAGUE))
    assert [s.kind for s in suggestions] == ["own_action", "numbers"] or "numbers" in [s.kind for s in suggestions]
    assert next(s for s in suggestions if s.kind == "numbers").priority == 2


def test_a_concrete_story_without_numbers_is_asked_to_quantify_the_result(rules) -> None:
    story = (
        "At my last company I led the migration of our billing jobs to a queue. I wrote the plan, "
        "moved the jobs one by one, and the result was that the nightly failures stopped."
    )
    suggestions = rules.suggest(ctx(story))
    assert [(s.kind, s.priority) for s in suggestions] == [("numbers", 3)]


def test_hypothetical_answers_are_asked_about_risks_not_star_parts(rules) -> None:
    answer = (
        "I would first talk to the client's team, because they may not know about the problem, and then "
        "I would put a limit on their requests so that other users are not slowed down."
    )
    suggestions = rules.suggest(
        ctx(
            answer,
            question="A client floods your API. What do you do?",
            category="situational",
            star=None,
            plan_missing=("risks",),
        )
    )
    kinds = [s.kind for s in suggestions]
    assert kinds[0] == "what_if" and "risk" in kinds
    assert "\u201ctalk to the client's team\u201d" in suggestions[0].text
    assert not {"result", "own_action", "numbers"} & set(kinds)


def test_a_probe_quotes_a_term_the_candidate_used(rules) -> None:
    answer = (
        "We switched to blue-green deployments, so the new version ran next to the old one and we "
        "moved traffic over once it looked healthy."
    )
    suggestions = rules.suggest(
        ctx(
            answer,
            question="How would you release a risky change to a busy API?",
            category="technical",
            star=None,
            expected=("rollback plan",),
            missing=("rollback plan",),
        )
    )
    probe = next(s for s in suggestions if s.kind == "depth")
    assert probe.text == "You mentioned \u201cblue-green deployments\u201d: how did you handle rollback?"


def test_a_probe_is_never_about_a_covered_talking_point(rules) -> None:
    answer = (
        "I would put Redis in front of the database and invalidate the key on every write, so readers "
        "never see stale data for long, and I would watch the hit rate."
    )
    suggestions = rules.suggest(
        ctx(
            answer,
            question="When would you put a cache in front of a database?",
            category="technical",
            star=None,
            expected=("invalidation", "hit rate"),
            missing=(),
        )
    )
    assert all("invalidation" not in s.text for s in suggestions)
    assert [s.kind for s in suggestions][0] in ("depth", "edge_case")


def test_a_probe_can_name_a_technology_outside_the_vocabulary(rules) -> None:
    answer = "Honestly we just moved the event store to Cassandra and it kind of worked out for us, more or less."
    suggestions = rules.suggest(ctx(answer, question="How would you store events?", category="technical", star=None))
    probe = next(s for s in suggestions if s.kind == "depth")
    assert probe.text.startswith("You mentioned \u201cCassandra\u201d:")


def test_a_probe_never_repeats_the_questions_own_words(rules) -> None:
    terms = salient_terms("We used Kubernetes and Kafka for it.", exclude="How would you run Kubernetes in production?")
    assert [t.text for t in terms] == ["Kafka"]


def test_a_complete_technical_answer_gets_only_low_priority_depth_questions(rules) -> None:
    answer = (
        "A canary release sends a small share of traffic to the new version while we compare its "
        "error rate and latency with the old one, and we roll back automatically if it is worse."
    )
    suggestions = rules.suggest(ctx(answer, question="How do you ship safely?", category="technical", star=None))
    assert suggestions and all(s.priority >= 3 and s.kind in ("depth", "edge_case", "trade_off") for s in suggestions)


def test_a_thin_technical_answer_is_asked_for_an_example(rules) -> None:
    suggestions = rules.suggest(
        ctx(
            "It makes things faster because the lookup is quicker overall, and it is a thing that "
            "most databases have in one form or another.",
            question="What is an index?",
            category="technical",
            star=None,
        )
    )
    assert (suggestions[0].reason, suggestions[0].kind) == ("vague", "example")


def test_suggestions_are_ranked_and_capped(rules) -> None:
    suggestions = rules.suggest(
        ctx(
            VAGUE + " We had alerts firing all the time.",
            star={"situation"},
            missing=("root cause", "prevention", "communication"),
        )
    )
    assert [s.priority for s in suggestions] == sorted(s.priority for s in suggestions)
    assert len(suggestions) == 3 and "missing_result" in [s.reason for s in suggestions]
    assert suggestions[0].text.startswith("You said \u201cI generally tried to help the team sort things out\u201d")
    assert all(not s.problems for s in []) and all(s.text.endswith("?") for s in suggestions)
    assert len({s.text for s in suggestions}) == len(suggestions)


def test_the_rules_are_deterministic(rules) -> None:
    context = ctx(VAGUE, star={"situation"}, missing=("root cause",))
    assert rules.suggest(context) == RuleBasedFollowUps().suggest(context)


@pytest.mark.parametrize(
    ("text", "quantity"),
    [
        ("it cut latency by 40%", True),
        ("we saved $2k a month", True),
        ("it took three weeks", True),
        ("revenue doubled", True),
        ("it went really well", False),
        ("we improved a lot", False),
    ],
)
def test_quantities_are_detected_in_digits_and_words(text: str, quantity: bool) -> None:
    assert has_quantity(text) is quantity


def test_concrete_markers_are_detected() -> None:
    assert has_concrete_marker("For example, at my last job we migrated the billing system")
    assert not has_concrete_marker("I am a team player and I care about quality")


# --- the policy -----------------------------------------------------------------------------

SUGGESTIONS = [
    FollowUp("Probe?", "probe", 4),
    FollowUp("Outcome?", "missing_result", 1),
    FollowUp("Topic?", "missing_topic", 3),
]


def test_should_ask_picks_the_most_important_suggestion() -> None:
    assert should_ask(SUGGESTIONS, 0, 0).text == "Outcome?"
    assert should_ask([], 0, 0) is None


def test_should_ask_respects_the_per_question_cap() -> None:
    policy = FollowUpPolicy(max_per_question=2, max_per_session=10)
    assert should_ask(SUGGESTIONS, 1, 1, policy) is not None
    assert should_ask(SUGGESTIONS, 2, 2, policy) is None


def test_should_ask_respects_the_session_cap() -> None:
    policy = FollowUpPolicy(max_per_question=2, max_per_session=3)
    assert should_ask(SUGGESTIONS, 0, 2, policy) is not None
    assert should_ask(SUGGESTIONS, 0, 3, policy) is None


def test_should_ask_filters_by_reason_and_priority() -> None:
    assert should_ask(SUGGESTIONS, 0, 0, FollowUpPolicy(reasons=frozenset({"probe"}))).text == "Probe?"
    assert should_ask(SUGGESTIONS[:1], 0, 0, FollowUpPolicy(max_priority=3)) is None


def test_should_ask_never_repeats_a_question_already_asked() -> None:
    # However it is spelt: case, quotes, punctuation and spacing do not make it a new question.
    assert should_ask(SUGGESTIONS, 1, 1, already_asked=["outcome ?"]).text == "Topic?"
    assert should_ask(SUGGESTIONS, 1, 1, already_asked=["Outcome?", "TOPIC", "Probe!"]) is None


def test_the_same_answer_to_a_follow_up_gets_a_different_follow_up(rules) -> None:
    # The rules' fixed wordings fit an answer to a follow-up as well as the first answer: the
    # same answer twice proposes the same follow-up first; the policy then takes the next one.
    answer = ctx(VAGUE, star={"situation"})
    first = should_ask(rules.suggest(answer), 0, 0)
    assert first is not None
    second = should_ask(rules.suggest(answer), 1, 1, already_asked=[BEHAVIOURAL_Q, first.text])
    assert second is not None and second.text != first.text


def test_a_simulated_session_never_exceeds_the_caps(rules) -> None:
    policy = FollowUpPolicy(max_per_question=2, max_per_session=3)
    asked_in_session = 0
    for _question in range(5):
        asked_for_question = 0
        while (
            pick := should_ask(
                rules.suggest(ctx(VAGUE, star={"situation"})), asked_for_question, asked_in_session, policy
            )
        ) is not None:
            assert pick.priority == 1
            asked_for_question += 1
            asked_in_session += 1
        assert asked_for_question <= 2
    assert asked_in_session == 3


TECH_Q = "When would you put a cache in front of a database, and how do you stop it from serving stale data?"
TECH = (
    "I would add a cache when the same data is read far more often than it changes. The service looks in "
    "Redis first, and on writes we delete the affected keys, so a changed price shows up at once."
)


def test_a_technical_answer_is_probed_on_the_choice_it_made_in_its_own_words(rules) -> None:
    first = rules.suggest(ctx(TECH, question=TECH_Q, category="technical", star=None))[0]
    assert first.text.startswith("You said \u201con writes we delete the affected keys\u201d: ")
    assert first.text.endswith("?") and first.kind in ("depth", "edge_case", "trade_off")
    assert first.topic is not None and first.topic in TECH


def test_a_probe_the_answer_already_deals_with_is_skipped() -> None:
    from interview.tech_probes import probes

    asked = [p.question for p in probes(TECH)]
    assert "what happens if a read puts the old value back just after that delete?" in asked
    dealt_with = TECH + " A version number on each entry stops a race with a late read."
    assert "what happens if a read puts the old value back just after that delete?" not in [
        p.question for p in probes(dealt_with)
    ]


def test_a_vague_technical_answer_is_asked_for_a_case_not_a_trade_off_of_its_choice(rules) -> None:
    vague = "React re-renders when something changes. You can use some tricks to make it faster, it depends on the app."
    first = rules.suggest(
        ctx(vague, question="How does React decide when to re-render?", category="technical", star=None)
    )[0]
    assert first.kind == "example" and "\u201cit depends on the app\u201d" in first.text


def test_a_quotation_leaves_the_fillers_out_and_the_rules_accept_it(rules) -> None:
    filler = TECH.replace("on writes we delete", "on writes, um, we, you know, delete")
    first = rules.suggest(ctx(filler, question=TECH_Q, category="technical", star=None))[0]
    assert "\u201con writes we delete the affected keys\u201d" in first.text
    problems = ctx(filler, question=TECH_Q, category="technical", star=None).problems
    assert problems(first.text) == []
    assert problems("You said \u201con writes we purge the affected keys\u201d: why?") != []


def test_the_follow_up_is_read_from_the_grammar_neutral_reading(rules) -> None:
    clean = "I wrote a setup script and a checklist, and setup went from five days to half a day."
    poor = "I writed a setup script and a checklist, and setup goed from five days to half a day."
    reading = clean  # scoring.standard_reading(poor) gives the clean words back
    assert rules.suggest(ctx(poor, star=frozenset({"action", "result"}))) == rules.suggest(
        ctx(clean, star=frozenset({"action", "result"}))
    )
    with_reading = FollowUpContext(BEHAVIOURAL_Q, "behavioral", poor, star_parts=STAR, reading=reading)
    assert rules.suggest(with_reading) == rules.suggest(ctx(clean))


# --- grounded in what was said: off-topic answers, fragments, whole-phrase quotations ---------

TECH_Q = "How would you design a caching layer for a read-heavy web application?"
JAPAN = (
    "Last year I travelled to Japan with two friends, and we spent most of the time in Kyoto. We "
    "visited old temples and gardens, ate a lot of ramen, and took the fast train to Tokyo."
)


@pytest.mark.parametrize("category", ["technical", "behavioral", "situational", "general"])
def test_an_off_topic_answer_is_brought_back_to_the_question(rules, category) -> None:
    """It used to be asked "What is the hardest edge case for the approach you described?" (no
    approach was described) or "You mentioned “Japan”: how exactly does that part work?"."""
    context = FollowUpContext(TECH_Q, category, JAPAN, star_parts=None, off_topic=True)
    (only,) = rules.suggest(context)
    assert (only.kind, only.reason) == ("refocus", "off_topic")
    assert (
        only.text
        == "Let's come back to the question: how would you design a caching layer for a read-heavy web application?"
    )


def test_a_refocus_may_repeat_the_topic_words_of_its_own_question(rules) -> None:
    """A knitting story to the machine-learning question got no follow-up at all: the refocus
    repeats "recent development" and "in production", which are also topic labels, and was
    refused as a label dropped into the question (docs/follow_ups.md, 2 December)."""
    question = "What recent development in machine learning excites you most, and how might it matter in production?"
    knitting = "My grandmother taught me how to knit when I was a child. Now I knit scarves for everyone."
    topics = ("awareness of the field or recent development or excites me", "practical impact or in production")
    context = FollowUpContext(
        question, "general", knitting, expected_topics=topics, missing_topics=topics, off_topic=True
    )
    (only,) = rules.suggest(context)
    assert only.kind == "refocus" and "recent development in machine learning" in only.text
    # A label the question does not use is still refused.
    assert context.problems("How would you think about practical impact here?")


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        (
            "Describe a time you made a system noticeably faster. How did you know it had worked?",
            "Let's come back to the question: could you describe a time you made a system noticeably faster?",
        ),
        (
            "A pod keeps restarting in CrashLoopBackOff. Walk me through how you debug it.",
            (
                "Let's come back to the question. A pod keeps restarting in CrashLoopBackOff: "
                "could you walk me through how you debug it?"
            ),
        ),
        ("Sell me this pen.", "Let's come back to the question: could you sell me this pen?"),
    ],
)
def test_the_way_back_to_the_question_uses_its_own_words(question, expected) -> None:
    from interview.followup_rules import follow_up_problems
    from interview.followups_builtin import refocus

    assert refocus(question) == expected
    assert not follow_up_problems(expected, transcript=JAPAN)
    # Answered off topic again, the follow-up's own question is asked in the same words.
    assert refocus(expected) == expected


def test_an_off_topic_answer_to_a_follow_up_gets_no_further_one(rules) -> None:
    context = FollowUpContext(TECH_Q, "technical", JAPAN, off_topic=True, is_follow_up=True)
    assert rules.suggest(context) == []


def test_an_empty_answer_gets_no_follow_up(rules) -> None:
    assert rules.suggest(ctx("")) == [] and rules.suggest(ctx("  um, uh ")) == []


@pytest.mark.parametrize(
    ("category", "answer", "expected"),
    [
        (
            "behavioral",
            "A Safari bug broke checkout.",
            "You said “A Safari bug broke checkout”: can you walk me through what happened and what you did yourself?",
        ),
        (
            "technical",
            "Check the logs, then describe the pod.",
            (
                "You said “Check the logs, then describe the pod”: can you take me through that in more depth, "
                "with one concrete case?"
            ),
        ),
        (
            "general",
            "Somewhere I can grow.",
            "You said “Somewhere I can grow”: can you tell me more, with one example?",
        ),
    ],
)
def test_a_fragment_is_asked_to_say_more_in_its_own_words(rules, category, answer, expected) -> None:
    """A few words are not a story to probe for its result or its edge cases: the candidate is
    asked to tell the rest ("Redis in front, with expiry." was asked what happens when Redis
    restarts empty)."""
    star = STAR - {"result", "action"} if category == "behavioral" else None
    (only,) = rules.suggest(ctx(answer, category=category, star=star))
    assert (only.kind, only.text) == ("more_detail", expected)


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (
            (
                "I would protect everyone else by putting a per-client limit on requests at the gateway, "
                "and then I would call the client to find out what changed on their side."
            ),
            (
                "If you “protect everyone else by putting a per-client limit on requests” and that does not help, "
                "what would you do next?"
            ),
        ),
        (
            (
                "I would start by asking my manager a few focused questions about the goal, and then "
                "I would write down what I understood and send it to them."
            ),
            "If “asking my manager a few focused questions about the goal” does not help, what would you do next?",
        ),
    ],
)
def test_what_if_the_first_step_fails_quotes_it_whole_and_grammatically(rules, answer, expected) -> None:
    """It read "Suppose your first step, “protect everyone else by putting a per-client limit on
    requests at the…”, does not work": cut mid-phrase, and a bare verb where a noun belongs."""
    question = "One client is flooding an API you own and slowing it down for everyone else. What do you do?"
    context = FollowUpContext(question, "situational", answer, star_parts=None, plan_missing=())
    texts = [s.text for s in rules.suggest(context)]
    assert expected in texts, texts


@pytest.mark.parametrize(
    ("clause", "expected"),
    [
        (
            "protect everyone else by putting a per-client limit on requests at the gateway and then talk to them",
            "protect everyone else by putting a per-client limit on requests",
        ),
        (
            "You can put a cache in front of a database to make reads faster for the users who come back often",
            "You can put a cache in front of a database to make reads faster",
        ),
        (
            "so it is a good company and I have heard good things about it from friends who work there",
            "it is a good company and I have heard good things about it",
        ),
        ("Rate limit them right away", "Rate limit them right away"),
    ],
)
def test_a_quotation_is_a_whole_phrase(clause, expected) -> None:
    """Cut before "at", "for", "from": never after "the" nor mid-phrase ("…at the…")."""
    from interview.quotes import phrase_quote

    assert phrase_quote(clause) == expected


# --- an answer to a follow-up is not asked again for what that follow-up asked (QA walk J8) ---

#: QA walk J8: "What do you know about Acme Payments' products ...?" answered vaguely, follow-up 1
#: asked for an example, and this answer is one; follow-up 2 was "Can you give me one concrete
#: example that shows that?".
J8_FOLLOW_UP = (
    "You said \u201cI would probably improve some things\u201d: can you give me one concrete example of that?"
)
J8_EXAMPLE = (
    "Sure, on your website I saw that small online shops use your checkout. The first thing I would fix is the "
    "failed payment retry flow. I would add a clear message and a one tap retry, then measure the recovered "
    "payments. I may be wrong, since I only see it from the outside."
)


@pytest.mark.parametrize(
    ("question", "asks"),
    [
        ("Can you give me one concrete example that shows that?", {"example"}),
        (J8_FOLLOW_UP, {"example"}),
        ("What was the outcome, and how could you tell?", {"result"}),
        ("Can you put a number on the difference it made, for example time saved or problems avoided?", {"numbers"}),
        ("Which part of that did you do yourself, and what did you decide on your own?", {"own_action"}),
        ("What is one specific moment or experience that made you sure about that?", {"motivation"}),
        ("Could you take me through your answer in a bit more detail?", {"more_detail"}),
        (
            "You said \u201cthe first thing I would fix\u201d: how would you check that it is the right place?",
            set(),
        ),
        ("You said \u201cour example app\u201d: what does that choice cost you?", set()),
    ],
)
def test_what_a_follow_up_asks_for_is_read_from_its_words(question: str, asks: set[str]) -> None:
    from interview.followup_rules import asks_for

    assert asks_for(question) == asks


def test_an_example_given_to_a_follow_up_is_not_asked_for_again_its_idea_is_probed(rules) -> None:
    as_first_answer = FollowUpContext(J8_FOLLOW_UP, "general", J8_EXAMPLE)
    assert [s.kind for s in rules.suggest(as_first_answer)][:1] == ["example"]  # what the rules alone would ask
    context = FollowUpContext(J8_FOLLOW_UP, "general", J8_EXAMPLE, asked_count=1, is_follow_up=True)
    suggestions = rules.suggest(context)
    assert suggestions and all("example" not in s.text.lower() for s in suggestions), suggestions
    first = suggestions[0]
    assert (
        first.kind == "depth"
        and "\u201cThe first thing I would fix is the failed payment retry flow\u201d" in first.text
    )
    assert not context.problems(first.text)
    assert context.problems("Can you give me one concrete example that shows that?")


@pytest.mark.parametrize(
    ("follow_up", "answer", "never"),
    [
        (
            "What was the outcome, and how could you tell?",
            (
                "The result was that release notes went from two days late to ready on release day, "
                "and support tickets about new features dropped by about a third, "
                "which the support lead showed me in her weekly report."
            ),
            "result",
        ),
        (
            "Which part of that did you do yourself, and what did you decide on your own?",
            (
                "I wrote the migration script myself and I decided on my own to run it on a copy of the "
                "database first, then I scheduled the switch for a quiet Sunday morning "
                "and I told the support team in advance."
            ),
            "own_action",
        ),
        (
            "Can you put a number on the difference it made, for example time saved or problems avoided?",
            (
                "It saved each of us about two hours a week, and the release went from a whole afternoon "
                "to forty minutes, so over a quarter the team got back roughly twenty days of work."
            ),
            "numbers",
        ),
    ],
)
def test_a_piece_given_to_a_follow_up_is_never_asked_for_again(rules, follow_up: str, answer: str, never: str) -> None:
    from interview.followup_rules import asks_for

    context = FollowUpContext(follow_up, "general", answer, asked_count=1, is_follow_up=True)
    assert all(never not in asks_for(s.text) for s in rules.suggest(context)), rules.suggest(context)


def test_a_fragment_answer_to_a_follow_up_may_be_asked_again(rules) -> None:
    """A fragment gave nothing of what was asked: it is asked to say more, as a first answer is."""
    context = FollowUpContext(J8_FOLLOW_UP, "general", "I would fix the checkout.", asked_count=1, is_follow_up=True)
    assert [s.kind for s in rules.suggest(context)] == ["more_detail"]


# --- a probe never asks what the answer already answered (QA walk J11) ------------------------

#: QA walk J11: the answer to "An API request triggers a report that takes five minutes to build"
#: ended on what happens when a worker fails; the probe asked "what happens to a job whose worker
#: crashes halfway through it?", quoting its queue sentence.
J11_ANSWER = (
    "The API would put a job on a queue and answer right away with a 202 and a job ID. A background worker "
    "builds the report and stores it. The client can poll a status endpoint with the job ID, or we send an "
    "email with a download link when it is ready. If the worker fails, the job is retried, and the job is "
    "idempotent so a retry does not build two reports."
)


def test_a_probe_of_an_edge_case_the_answer_dealt_with_is_not_asked() -> None:
    from interview.tech_probes import probes

    asked = [p.text for p in probes(J11_ANSWER)]
    assert not any("crashes halfway" in text for text in asked), asked
    # What is left is how the queue learns of it, asked about the sentence that said it.
    first = probes(J11_ANSWER)[0]
    assert first.quote == "the job is retried" and "queue know" in first.question, first.text
    # Without the retry sentence, the crash is still the question to ask about the queue.
    bare = J11_ANSWER.split(" If the worker")[0]
    assert any("crashes halfway" in p.text and "queue" in p.quote for p in probes(bare)), probes(bare)


def test_every_edge_case_probe_first_checks_the_answer_for_it() -> None:
    """Each edge-case row of the probe tables names what an answer says when it already dealt
    with that edge case (`unless`), so that it is skipped for such an answer."""
    from interview.tech_probes_product import PRODUCT_CHOICES
    from interview.tech_probes_systems import SYSTEMS_CHOICES

    unchecked = [
        question
        for _, question, kind, unless in SYSTEMS_CHOICES + PRODUCT_CHOICES
        if kind == "edge_case" and not unless
    ]
    assert not unchecked, unchecked


@pytest.mark.parametrize(
    ("answer", "never"),
    [
        (
            "We put the report job on a queue, and a dead letter queue keeps jobs that failed three times.",
            "crashes halfway",
        ),
        (
            "Reads go to a read replica, and a user's own writes are read from the primary for a minute.",
            "replica right after",
        ),
        ("We cache the page in Redis and warm it up again from the database when the node restarts.", "restarts empty"),
        (
            "On writes we delete the affected keys, then delete them again a second later for a late read.",
            "old value back",
        ),
        ("Every call has a retry with exponential backoff and jitter, at most three times.", "piling onto"),
    ],
)
def test_an_edge_case_answered_in_the_answer_is_not_probed(answer: str, never: str) -> None:
    from interview.tech_probes import probes

    assert not any(never in p.text for p in probes(answer)), [p.text for p in probes(answer)]
