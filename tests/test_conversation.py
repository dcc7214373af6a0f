"""Whole conversations through the real Flask endpoint, as a device would hold them.

Every response is checked by tests/checks.py (ask-sdk-model deserialization, SSML limits,
reprompts on open sessions); hold lengths are checked here by the timing model.
"""

from __future__ import annotations

import pytest

from tests.conversation import Conversation, Reply

SEATED = ("seated hamstring stretch", "seated")
SUPINE = ("strap stretch", "supine")
FULL = ("my routine", "full")


def assert_hold(reply: Reply, seconds: int = 30, count: int = 1) -> None:
    """`count` holds (one response plays a whole set), each `seconds` long."""
    assert len(reply.holds) == count, reply.text
    for length in reply.holds:
        assert length >= seconds
        assert length <= seconds + 3  # the marks land close to their offsets


def assert_set(reply: Reply, seconds: int = 30) -> None:
    """A whole leg: three holds in one response (they fit the audio budget up to 45 s)."""
    assert_hold(reply, seconds, count=3)


def during(reply: Reply, n: int) -> float:
    """Seconds into `reply` at which a request lands in the middle of its hold `n` (0-based),
    the playback lag (2 s, docs/hands-free.md) included."""
    assert reply.playing is not None
    _, start_ms, end_ms = reply.playing["holds"][n]
    return (start_ms + end_ms) / 2000 + 2


def finish(talk: Conversation, reply: Reply) -> list[Reply]:
    """Say "ready" after each set until the routine is finished; every set on the way."""
    sets = [reply]
    while "You've finished" not in reply.text:
        assert not reply.ended
        assert len(sets) < 20, reply.text
        reply = talk.say("AMAZON.NextIntent")
        sets.append(reply)
    return sets


def test_launch_has_disclaimer_once_and_offers_the_stretches(talk: Conversation) -> None:
    reply = talk.launch()
    assert "not medical advice" in reply.text
    assert "emergency" in reply.text
    assert "doctor" in reply.text
    for option in ("seated stretch", "lying stretch", "full routine"):
        assert option in reply.text
    assert not reply.ended
    again = talk.launch()  # same conversation
    assert "not medical advice" not in again.text


def test_seated_stretch_end_to_end(talk: Conversation) -> None:
    talk.launch()
    reply = talk.say("StartStretchIntent", Stretch=SEATED)
    assert "edge of a sturdy chair" in reply.text
    assert "heel on the floor" in reply.text
    assert "lean forward at the waist" in reply.text
    assert "Three. Two. One." in reply.text
    assert "Switch to your left leg, and say ready when you are" in reply.text
    sets = finish(talk, reply)
    assert len(sets) == 2  # one response per leg
    for each in sets:
        assert_set(each)
    assert sets[1].text.startswith("Now your left leg.")
    assert "left leg" in sets[1].text
    assert "Well done" in sets[-1].text
    assert "many weeks" in sets[-1].text
    assert "how your week is going" in sets[-1].text
    assert not any(r.ended for r in sets)  # the answer, silence or exit counts the last set
    offer = talk.say("AMAZON.NoIntent")  # no week; the offer of a reminder (issue 20)
    assert "would you like a reminder to stretch tomorrow at" in offer.text
    assert not offer.ended
    bye = talk.say("AMAZON.NoIntent")
    assert bye.ended


@pytest.mark.parametrize("choice", [SUPINE, FULL])
def test_other_routines_reach_the_end(talk: Conversation, choice: tuple[str, str]) -> None:
    reply = talk.say("StartStretchIntent", Stretch=choice)
    sets = finish(talk, reply)
    for each in sets:
        assert_set(each)
    assert len(sets) == (4 if choice is FULL else 2)  # one set per leg of each stretch
    assert "how your week is going" in sets[-1].text
    joined = " ".join(r.text for r in sets)
    assert "dog leash" in joined
    assert "toward your face" in joined


def test_every_hold_variant_and_length_lasts_long_enough(talk: Conversation) -> None:
    for seconds in (30, 45, 60):
        talk.say("SetHoldLengthIntent", Seconds=str(seconds))
        reply = talk.say("StartStretchIntent", Stretch=SUPINE)
        sets = finish(talk, reply)
        holds = [length for each in sets for length in each.holds]
        assert len(holds) == 6  # every hold played once, however they are grouped
        for each in sets:
            assert_hold(each, seconds, count=len(each.holds))
            assert each.plays_seconds <= 240  # Alexa's limit for one response
        if seconds == 60:  # two holds fit, then "rep 3 of 3 is next"
            assert len(sets[0].holds) == 2
        talk.say("AMAZON.NoIntent")


def test_cues_vary_from_rep_to_rep(talk: Conversation) -> None:
    first = talk.say("StartStretchIntent", Stretch=SEATED)  # all three reps of one leg
    holds = first.text.split("[audio")[:3]  # a bell rings at each release
    cue_part = [hold.split("Two. One.")[1] for hold in holds]  # after each count-in
    assert len(set(cue_part)) == 3


def test_hold_cues_cover_the_article(talk: Conversation) -> None:
    reply = talk.say("StartStretchIntent", Stretch=SEATED)
    joined = " ".join(r.text for r in finish(talk, reply)).lower()
    for phrase in (
        "breath",
        "bounc",
        "knee straight",
        "strong stretch",
        "pain",
        "halfway",
        "five. four. three. two. one.",
        "release",
    ):
        assert phrase in joined, phrase


def test_pause_and_resume_restart_the_current_hold(talk: Conversation) -> None:
    start = talk.say("StartStretchIntent", Stretch=SEATED)
    paused = talk.say("AMAZON.PauseIntent", at=during(start, 1))  # during rep 2
    assert "Paused" in paused.text
    assert "start this hold again" in paused.text
    assert paused.holds == []
    assert not paused.ended
    resumed = talk.say("AMAZON.ResumeIntent")
    assert "Rep 2 of 3, right leg" in resumed.text
    assert_hold(resumed, count=2)  # rep 2 again from its start, then rep 3


def test_repeat_says_the_last_thing_again(talk: Conversation) -> None:
    talk.launch()
    answer = talk.say("BouncingIntent")
    again = talk.say("AMAZON.RepeatIntent")
    assert again.ssml == answer.ssml
    hold = talk.say("StartStretchIntent", Stretch=SEATED)
    said_at_once = talk.say("AMAZON.RepeatIntent", at=0.0)
    assert said_at_once.holds == hold.holds  # nothing played: the same set again
    assert "Rep 1 of 3, right leg" not in talk.say("AMAZON.RepeatIntent").text  # played: on


def test_previous_start_over_and_switch_legs(talk: Conversation) -> None:
    start = talk.say("StartStretchIntent", Stretch=SEATED)
    talk.say("AMAZON.NextIntent", at=during(start, 1))  # during rep 2: skip the rest of it
    back = talk.say("AMAZON.PreviousIntent", at=0.0)
    assert "Rep 2 of 3, right leg" in back.text  # rep 3 was next: back to rep 2
    talk.say("AMAZON.PreviousIntent", at=0.0)
    first_again = talk.say("AMAZON.PreviousIntent", at=0.0)
    assert "This is the first hold" in first_again.text
    assert "Rep 1 of 3, right leg" in first_again.text
    switched = talk.say("SwitchLegsIntent", at=0.0)
    assert "left leg" in switched.text
    assert_set(switched)
    over = talk.say("AMAZON.StartOverIntent")
    assert "Starting over" in over.text
    assert "Sit at the edge of the chair" in over.text  # a hold has counted: the one-line set-up
    assert_set(over)


def test_how_many_left(talk: Conversation) -> None:
    assert "haven't started" in talk.say("HowManyLeftIntent").text
    talk.say("StartStretchIntent", Stretch=SEATED)
    reply = talk.say("HowManyLeftIntent")
    # The set just played counts as done; the next one is the one "ready" would start.
    assert "3 of 6 holds, so 3 to go" in reply.text
    assert "rep 1 of 3 on your left leg" in reply.text
    left = talk.say("AMAZON.NextIntent")
    talk.say("AMAZON.PauseIntent", at=during(left, 1))  # during the left leg's rep 2
    paused = talk.say("HowManyLeftIntent")
    assert "4 of 6 holds, so 2 to go" in paused.text  # paused mid-hold: not done


def test_how_many_left_right_after_the_first_hold(talk: Conversation) -> None:
    start = talk.say("StartStretchIntent", Stretch=("my routine", "full"))
    reply = talk.say("HowManyLeftIntent", at=during(start, 1))  # rep 1 played, rep 2 under way
    assert "1 of 12 holds, so 11 to go" in reply.text
    assert "rep 2 of 3 on your right leg" in reply.text


def test_stop_mid_routine_summarises_then_ends(talk: Conversation) -> None:
    talk.say("StartStretchIntent", Stretch=SEATED)
    reply = talk.say("AMAZON.StopIntent")  # after the right leg's set
    assert reply.ended
    assert "You finished 3 of 6 holds of the seated hamstring stretch" in reply.text
    assert "Goodbye" in reply.text


@pytest.mark.parametrize(
    "intent", ["AMAZON.CancelIntent", "AMAZON.NavigateHomeIntent", "AMAZON.StopIntent"]
)
def test_cancel_and_home_exit(talk: Conversation, intent: str) -> None:
    talk.launch()
    reply = talk.say(intent)
    assert reply.ended
    assert "Goodbye" in reply.text


def test_hold_length_change_and_limits(talk: Conversation) -> None:
    assert "45 seconds" in talk.say("SetHoldLengthIntent", Seconds="45").text
    reply = talk.say("StartStretchIntent", Stretch=SEATED)
    assert_set(reply, 45)
    for bad in ("10", "90", "?", "-5"):
        answer = talk.say("SetHoldLengthIntent", Seconds=bad)
        assert "30 to 60 seconds" in answer.text or "from 30 to 60" in answer.text
        assert not answer.ended
    missing = talk.say("SetHoldLengthIntent")
    assert "How many seconds" in missing.text
    talk.say("SetHoldLengthIntent", Seconds="60")
    assert_hold(talk.say("AMAZON.NextIntent"), 60, count=2)  # two 60 s holds fit


@pytest.mark.parametrize(
    ("intent", "phrases"),
    [
        ("SciaticPainIntent", ["sciatic nerve", "Stop this stretch", "doctor"]),
        ("HowFarIntent", ["strong", "never to the point of pain"]),
        ("BouncingIntent", ["No bouncing"]),
        ("BreathingIntent", ["blood pressure", "breathing"]),
        ("HowLongIntent", ["30 seconds", "3 times"]),
        ("HowManyWeeksIntent", ["many weeks"]),
        ("WhyHamstringsIntent", ["pelvis"]),
        ("StrapAlternativeIntent", ["sheet", "dog leash"]),
        ("SeeDoctorIntent", ["doctor"]),
    ],
)
def test_safety_answers_keep_the_place(talk: Conversation, intent: str, phrases: list[str]) -> None:
    start = talk.say("StartStretchIntent", Stretch=SEATED)
    reply = talk.say(intent, at=during(start, 1))  # asked during rep 2
    for phrase in phrases:
        assert phrase in reply.text
    assert not reply.ended
    resumed = talk.say("AMAZON.ResumeIntent")
    assert "Rep 2 of 3, right leg" in resumed.text


def test_answer_when_idle_offers_to_start_and_yes_starts(talk: Conversation) -> None:
    reply = talk.say("HowLongIntent")
    assert "Would you like to start" in reply.text
    started = talk.say("AMAZON.YesIntent")
    assert "full routine" in started.text
    assert_set(started)


def test_red_flag_stops_the_routine_and_says_call_911(talk: Conversation) -> None:
    talk.say("StartStretchIntent", Stretch=SEATED)
    reply = talk.say("RedFlagIntent")
    assert reply.ended
    assert "911" in reply.text
    assert "can't place the call" in reply.text
    assert "911" in reply.card["content"]


def test_booking_speaks_number_as_telephone_with_card(talk: Conversation) -> None:
    reply = talk.say("BookAppointmentIntent")
    assert '<say-as interpret-as="telephone">9048587045</say-as>' in reply.ssml
    assert "(904) 858-7045" in reply.card["content"]
    injury = talk.say("InjuryCareIntent")
    assert '<say-as interpret-as="telephone">9045642000</say-as>' in injury.ssml
    assert "JOI-2000" in injury.text
    assert "(904) 564-2000" in injury.card["content"]


def test_fallback_and_help_fit_where_you_are(talk: Conversation) -> None:
    idle = talk.say("AMAZON.FallbackIntent")
    assert "hamstring stretches" in idle.text
    assert not idle.ended
    start = talk.say("StartStretchIntent", Stretch=SEATED)
    running = talk.say("AMAZON.FallbackIntent", at=during(start, 1))  # during rep 2
    assert "If something hurts" in running.text
    assert "rep 2 on your right leg" in running.text
    help_reply = talk.say("AMAZON.HelpIntent")
    assert "rep 2 of 3, right leg" in help_reply.text
    talk.say("AMAZON.PauseIntent")
    assert "resume" in talk.say("AMAZON.HelpIntent").text


def test_unknown_stretch_asks_which(talk: Conversation) -> None:
    reply = talk.say("StartStretchIntent", Stretch=("yoga", None))
    assert "Which one" in reply.text
    assert "Which one" in talk.say("StartStretchIntent").text


def test_unknown_intent_gets_a_reprompt(talk: Conversation) -> None:
    reply = talk.say("SomethingNewIntent")
    assert not reply.ended
    assert reply.reprompt


def test_session_ended_gets_an_empty_valid_answer(talk: Conversation) -> None:
    talk.launch()
    reply = talk.end_session("EXCEEDED_MAX_REPROMPTS")
    assert "outputSpeech" not in reply.response


def test_steering_before_starting_is_answered(talk: Conversation) -> None:
    for intent in (
        "AMAZON.NextIntent",
        "AMAZON.PreviousIntent",
        "AMAZON.PauseIntent",
        "AMAZON.ResumeIntent",
        "AMAZON.StartOverIntent",
        "SwitchLegsIntent",
        "AMAZON.NoIntent",
        "ProgressIntent",
    ):
        reply = talk.say(intent)
        assert not reply.ended
        assert reply.reprompt


def test_tampered_session_attributes_are_ignored(talk: Conversation) -> None:
    talk.attributes = {"routine": {"v": 1, "stretches": ["x"]}, "hold_seconds": "lots", "last": 5}
    reply = talk.say("AMAZON.NextIntent")
    assert "no stretch running" in reply.text


def test_one_shot_start_hears_the_disclaimer_first_then_never_again(talk: Conversation) -> None:
    reply = talk.say("StartStretchIntent", Stretch=SEATED)
    assert reply.text.startswith("A quick note")
    assert_set(reply)
    assert "quick note" not in talk.say("AMAZON.NextIntent").text


def test_one_shot_emergency_is_not_delayed_by_the_disclaimer(talk: Conversation) -> None:
    reply = talk.say("RedFlagIntent")
    assert reply.text.startswith("Call 911")


def test_wait_for_me_between_holds_plays_one_hold_per_response(talk: Conversation) -> None:
    talk.say("StepByStepIntent")
    first = talk.say("StartStretchIntent", Stretch=SEATED)
    assert_hold(first)
    assert "Say next" in first.text
    second = talk.say("AMAZON.NextIntent")
    assert_hold(second)
    assert "Rep 2 of 3" in second.text
    switched = talk.say("ContinuousIntent", at=0.0)  # before rep 2 played: it goes on with it
    assert "wait for you between legs" in switched.text
    assert "Rep 2 of 3, right leg" in switched.text
    assert_hold(switched, count=2)  # reps 2 and 3 in one response
    left = talk.say("AMAZON.NextIntent")
    assert "left leg" in left.text
    assert_set(left)
