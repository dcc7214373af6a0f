"""The voice rules of every turn outside a hold (issue 15): short, the point first.

- at most 35 words before the first question (a hold's timeline is excluded: no hold here);
- every open turn ends with a question and has a reprompt;
- an emergency says to call 911 within its first 10 words, and nothing comes before it;
- a phone answer says the number in its first sentence.
Checked for every answer, in every part of the conversation, by composing the turns.
"""

from __future__ import annotations

import re

import pytest

from skill.core import routine
from skill.core.content import load_content
from skill.core.progress import ProgressSummary
from skill.core.routine import RoutineState, Stage
from skill.core.speech import to_text
from skill.core.turn_base import Turn
from skill.core.turns import Coach

CONTENT = load_content()
COACH = Coach(CONTENT)
MAX_WORDS_BEFORE_QUESTION = 35


def _states() -> dict[str, RoutineState | None]:
    running = routine.start(("supine",), 3, 30).state
    finished = routine.start(("seated",), 1, 30).state
    while finished.stage is not Stage.FINISHED:
        finished = routine.next_hold(finished).state
    return {
        "idle": None,
        "running": running,
        "paused": routine.pause(running).state,
        "finished": finished,
    }


STATES = _states()


def words_before_question(turn: Turn) -> int:
    text = to_text(turn.speech)
    before = text.split("?")[0]
    last_sentence_start = max(before.rfind(". "), before.rfind("! "))
    lead = before[: last_sentence_start + 1] if last_sentence_start >= 0 else ""
    return len(re.findall(r"[\w'-]+", lead))


def check_open_turn(turn: Turn) -> None:
    text = to_text(turn.speech)
    assert not turn.end_session
    assert text.rstrip().endswith("?"), text
    assert turn.reprompt is not None
    assert to_text(turn.reprompt).strip()
    assert words_before_question(turn) <= MAX_WORDS_BEFORE_QUESTION, text


@pytest.mark.parametrize("stage", list(STATES))
@pytest.mark.parametrize("key", sorted(CONTENT.answers))
def test_every_answer_is_short_and_ends_with_a_question(key: str, stage: str) -> None:
    turn = COACH.answer_turn(key, STATES[stage])
    if CONTENT.answers[key].emergency:
        assert turn.end_session
        assert turn.urgent
        assert "911" in " ".join(to_text(turn.speech).split()[:10])
        return
    check_open_turn(turn)
    assert turn.answer_first


@pytest.mark.parametrize("stage", list(STATES))
@pytest.mark.parametrize("key", ["rehab", "injury_care"])
def test_phone_answers_say_the_number_in_the_first_sentence(key: str, stage: str) -> None:
    turn = COACH.booking_turn(key, STATES[stage])
    first_sentence = to_text(turn.speech).split(". ")[0]
    assert re.search(r"\(\d{3}\) \d{3}-\d{4}", first_sentence), first_sentence
    check_open_turn(turn)


@pytest.mark.parametrize("stage", list(STATES))
def test_help_and_fallback_are_short(stage: str) -> None:
    check_open_turn(COACH.help_turn(STATES[stage]))
    check_open_turn(COACH.fallback_turn(STATES[stage]))


@pytest.mark.parametrize("stage", ["running", "paused"])
def test_fallback_during_a_routine_starts_with_safety(stage: str) -> None:
    text = to_text(COACH.fallback_turn(STATES[stage]).speech)
    first_sentences = " ".join(text.split(". ")[:2])
    assert "If something hurts" in first_sentences
    assert "911" in first_sentences
    assert "carry on" not in text


@pytest.mark.parametrize("disclaimer", [True, False])
@pytest.mark.parametrize("returning", [True, False])
def test_launch_is_short_even_with_the_disclaimer(disclaimer: bool, returning: bool) -> None:
    summary = ProgressSummary(days_this_week=2, streak_days=2, total_sessions=3, total_holds=18)
    turn = COACH.launch_turn(summary if returning else None, disclaimer, None)
    check_open_turn(turn)


def test_a_pain_answer_after_the_routine_does_not_say_it_paused() -> None:
    text = to_text(COACH.answer_turn("SharpPainIntent", STATES["finished"]).speech)
    assert "paused" not in text
    assert "paused" in to_text(COACH.answer_turn("SharpPainIntent", STATES["running"]).speech)
