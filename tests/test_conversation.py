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


def assert_hold(reply: Reply, seconds: int = 30) -> None:
    assert len(reply.holds) == 1, reply.text
    assert reply.holds[0] >= seconds
    assert reply.holds[0] <= seconds + 3  # the marks land close to their offsets


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
    holds = [reply]
    while not reply.ended:
        assert_hold(reply)
        reply = talk.say("AMAZON.NextIntent")
        holds.append(reply)
    assert len(holds) == 6
    assert_hold(holds[-1])
    assert "Switch legs" in holds[3].text
    assert "left leg" in holds[3].text
    assert "Well done" in holds[-1].text
    assert "many weeks" in holds[-1].text
    assert all(not r.ended for r in holds[:-1])


@pytest.mark.parametrize("choice", [SUPINE, FULL])
def test_other_routines_reach_the_end(talk: Conversation, choice: tuple[str, str]) -> None:
    reply = talk.say("StartStretchIntent", Stretch=choice)
    count = 1
    texts = [reply.text]
    while not reply.ended:
        assert_hold(reply)
        reply = talk.say("AMAZON.NextIntent")
        texts.append(reply.text)
        count += 1
    assert count == (12 if choice is FULL else 6)
    joined = " ".join(texts)
    assert "dog leash" in joined
    assert "toward your face" in joined


def test_every_hold_variant_and_length_lasts_long_enough(talk: Conversation) -> None:
    for seconds in (30, 45, 60):
        talk.say("SetHoldLengthIntent", Seconds=str(seconds))
        reply = talk.say("StartStretchIntent", Stretch=SUPINE)
        while not reply.ended:
            assert_hold(reply, seconds)
            reply = talk.say("AMAZON.NextIntent")
        assert_hold(reply, seconds)


def test_cues_vary_from_rep_to_rep(talk: Conversation) -> None:
    first = talk.say("StartStretchIntent", Stretch=SEATED)
    second = talk.say("AMAZON.NextIntent")
    third = talk.say("AMAZON.NextIntent")
    cue_part = [r.text.split("Two. One.")[1] for r in (first, second, third)]
    assert len(set(cue_part)) == 3


def test_hold_cues_cover_the_article(talk: Conversation) -> None:
    texts = []
    reply = talk.say("StartStretchIntent", Stretch=SEATED)
    while not reply.ended:
        texts.append(reply.text)
        reply = talk.say("AMAZON.NextIntent")
    joined = " ".join(texts).lower()
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
    talk.say("StartStretchIntent", Stretch=SEATED)
    talk.say("AMAZON.NextIntent")  # rep 2
    paused = talk.say("AMAZON.PauseIntent")
    assert "Paused" in paused.text
    assert paused.holds == []
    assert not paused.ended
    resumed = talk.say("AMAZON.ResumeIntent")
    assert "Rep 2 of 3, right leg" in resumed.text
    assert_hold(resumed)


def test_repeat_says_the_last_thing_again(talk: Conversation) -> None:
    talk.launch()
    answer = talk.say("BouncingIntent")
    again = talk.say("AMAZON.RepeatIntent")
    assert again.ssml == answer.ssml
    hold = talk.say("StartStretchIntent", Stretch=SEATED)
    assert talk.say("AMAZON.RepeatIntent").ssml == hold.ssml


def test_previous_start_over_and_switch_legs(talk: Conversation) -> None:
    talk.say("StartStretchIntent", Stretch=SEATED)
    talk.say("AMAZON.NextIntent")
    back = talk.say("AMAZON.PreviousIntent")
    assert "Rep 1 of 3, right leg" in back.text
    first_again = talk.say("AMAZON.PreviousIntent")
    assert "This is the first hold" in first_again.text
    assert "Rep 1 of 3, right leg" in first_again.text
    switched = talk.say("SwitchLegsIntent")
    assert "left leg" in switched.text
    assert_hold(switched)
    over = talk.say("AMAZON.StartOverIntent")
    assert "Starting over" in over.text
    assert "edge of a sturdy chair" in over.text


def test_how_many_left(talk: Conversation) -> None:
    assert "haven't started" in talk.say("HowManyLeftIntent").text
    talk.say("StartStretchIntent", Stretch=SEATED)
    talk.say("AMAZON.NextIntent")
    reply = talk.say("HowManyLeftIntent")
    # The hold just played counts as done; the next one is the one "next" would start.
    assert "2 of 6 holds, so 4 to go" in reply.text
    assert "rep 3 of 3 on your right leg" in reply.text
    talk.say("AMAZON.PauseIntent")
    paused = talk.say("HowManyLeftIntent")
    assert "1 of 6 holds, so 5 to go" in paused.text  # paused mid-hold: not done


def test_how_many_left_right_after_the_first_hold(talk: Conversation) -> None:
    talk.say("StartStretchIntent", Stretch=("my routine", "full"))
    reply = talk.say("HowManyLeftIntent")
    assert "1 of 12 holds, so 11 to go" in reply.text
    assert "rep 2 of 3 on your right leg" in reply.text


def test_stop_mid_routine_summarises_then_ends(talk: Conversation) -> None:
    talk.say("StartStretchIntent", Stretch=SEATED)
    talk.say("AMAZON.NextIntent")
    talk.say("AMAZON.NextIntent")
    reply = talk.say("AMAZON.StopIntent")
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
    assert_hold(reply, 45)
    for bad in ("10", "90", "?", "-5"):
        answer = talk.say("SetHoldLengthIntent", Seconds=bad)
        assert "30 to 60 seconds" in answer.text or "from 30 to 60" in answer.text
        assert not answer.ended
    missing = talk.say("SetHoldLengthIntent")
    assert "How many seconds" in missing.text
    talk.say("SetHoldLengthIntent", Seconds="60")
    assert_hold(talk.say("AMAZON.NextIntent"), 60)


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
    talk.say("StartStretchIntent", Stretch=SEATED)
    talk.say("AMAZON.NextIntent")
    reply = talk.say(intent)
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
    assert_hold(started)


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
    talk.say("StartStretchIntent", Stretch=SEATED)
    running = talk.say("AMAZON.FallbackIntent")
    assert "If something hurts" in running.text
    assert "rep 2 on your right leg" in running.text
    help_reply = talk.say("AMAZON.HelpIntent")
    assert "rep 1 of 3, right leg" in help_reply.text
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
    assert_hold(reply)
    assert "quick note" not in talk.say("AMAZON.NextIntent").text


def test_one_shot_emergency_is_not_delayed_by_the_disclaimer(talk: Conversation) -> None:
    reply = talk.say("RedFlagIntent")
    assert reply.text.startswith("Call 911")
