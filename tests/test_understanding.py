"""Conversations about the body and everyday steering, through the real endpoint: what people
say about pain, what they cannot do, and how the skill answers safely (issue 15).

Statements arrive as Alexa sends them: BodyStatementIntent / CantDoIntent with the words after
the carrier phrase in an AMAZON.SearchQuery slot; the triage picks the answer.
"""

from __future__ import annotations

import pytest

from tests.conversation import Conversation, Reply

SEATED = ("seated stretch", "seated")
SUPINE = ("lying stretch", "supine")


def first_words(reply: Reply, n: int) -> str:
    return " ".join(reply.text.split()[:n])


def start_supine(talk: Conversation) -> Reply:
    talk.launch()
    return talk.say("StartStretchIntent", Stretch=SUPINE)


@pytest.mark.parametrize(
    ("intent", "slot", "words"),
    [
        ("BodyStatementIntent", "Statement", "numbness in my groin"),
        ("BodyStatementIntent", "Statement", "chest pain"),
        ("CantDoIntent", "Task", "breathe"),
        ("CantDoIntent", "Task", "feel my legs"),
        ("RedFlagIntent", None, None),
    ],
)
def test_a_red_flag_mid_hold_says_call_911_first_and_ends(
    talk: Conversation, intent: str, slot: str | None, words: str | None
) -> None:
    start_supine(talk)
    reply = talk.say(intent, **({slot: words} if slot and words else {}))
    assert "911" in first_words(reply, 10), reply.text
    assert reply.ended
    assert reply.card is not None
    assert "911" in reply.card["content"]
    assert "not medical advice" not in reply.text  # nothing delays it


@pytest.mark.parametrize(
    ("intent", "slots"),
    [
        ("BackPainIntent", {}),
        ("TightnessIntent", {}),
        ("BodyStatementIntent", {"Statement": "back is killing me"}),
        ("BodyStatementIntent", {"Statement": "hamstring feels really tight"}),
        ("CantDoIntent", {"Task": "reach my foot"}),
    ],
)
def test_ordinary_discomfort_is_never_an_emergency_and_carries_on(
    talk: Conversation, intent: str, slots: dict[str, str]
) -> None:
    start_supine(talk)
    reply = talk.say(intent, **slots)
    assert "911" not in reply.text, reply.text
    assert not reply.ended
    assert reply.text.rstrip().endswith("?")
    after = talk.say("AMAZON.NextIntent")  # the place was kept: rep 2 follows
    assert "Rep 2 of 3" in after.text


def test_nerve_signs_pause_the_stretch_and_offer_the_clinic(talk: Conversation) -> None:
    start_supine(talk)
    reply = talk.say("BodyStatementIntent", Statement="tingling down the back of my leg")
    assert reply.text.startswith("Stop this stretch")
    assert "sciatic" in reply.text
    assert "911" not in reply.text
    assert not reply.ended
    number = talk.say("AMAZON.YesIntent")
    assert "858" in number.text or "(904) 858-7045" in str(number.card)
    resumed = talk.say("AMAZON.ResumeIntent")
    assert "Rep 1 of 3" in resumed.text  # the paused hold starts again


def test_sharp_pain_stops_and_no_thanks_leaves_it_paused(talk: Conversation) -> None:
    start_supine(talk)
    reply = talk.say("SharpPainIntent")
    assert reply.text.startswith("Stop")
    assert "never pain" in reply.text
    no = talk.say("AMAZON.NoIntent")
    assert "resume" in no.text.lower()
    assert not no.ended


def test_cant_get_down_on_the_floor_offers_the_chair(talk: Conversation) -> None:
    talk.launch()
    reply = talk.say("CantDoIntent", Task="get down on the floor")
    assert "seated stretch" in reply.text
    assert reply.text.rstrip().endswith("?")
    started = talk.say("AMAZON.YesIntent")
    assert "edge of a sturdy chair" in started.text


def test_no_chair_offers_the_floor(talk: Conversation) -> None:
    talk.launch()
    talk.say("NoChairIntent")
    started = talk.say("AMAZON.YesIntent")
    assert "Lie on your back" in started.text


def test_an_empty_statement_gets_the_safe_default(talk: Conversation) -> None:
    start_supine(talk)
    reply = talk.say("BodyStatementIntent")
    assert reply.text.startswith("I'm not sure I understood")
    assert "if something hurts, stop" in reply.text
    assert not reply.ended


def test_fallback_mid_routine_starts_with_safety(talk: Conversation) -> None:
    start_supine(talk)
    reply = talk.say("AMAZON.FallbackIntent")
    assert "If something hurts, stop" in first_words(reply, 12)
    assert "carry on" not in reply.text
    assert not reply.ended
    assert reply.reprompt


def test_fallback_outside_a_routine_says_what_the_skill_can_do(talk: Conversation) -> None:
    talk.launch()
    reply = talk.say("AMAZON.FallbackIntent")
    assert "hamstring stretches" in reply.text
    assert "clinic's number" in reply.text
    started = talk.say("AMAZON.YesIntent")
    assert started.text.startswith("Let's do the full routine")
    assert started.playing is not None  # the first set plays
    assert [row[0] for row in started.playing["holds"]] == [0, 1, 2]


def test_phone_on_first_use_says_the_number_before_the_disclaimer(talk: Conversation) -> None:
    reply = talk.say("BookAppointmentIntent")  # a one-shot: the disclaimer is due
    first_sentence = reply.text.split(". ")[0]
    assert "858" in first_sentence or "8 5 8" in first_sentence or "telephone" in reply.ssml
    assert "not medical advice" not in reply.text
    later = talk.say("StartStretchIntent", Stretch=SEATED)
    assert later.text.startswith("A quick note")  # the disclaimer comes before the stretch


@pytest.mark.parametrize(
    ("slots", "seconds"),
    [({"Duration": "PT1M"}, 60), ({"Duration": "PT45S"}, 45), ({"Seconds": "40"}, 40)],
)
def test_hold_length_in_seconds_or_minutes(
    talk: Conversation, slots: dict[str, str], seconds: int
) -> None:
    talk.launch()
    reply = talk.say("SetHoldLengthIntent", **slots)
    assert f"{seconds} seconds" in reply.text


def test_a_duration_that_is_not_a_hold_asks_again(talk: Conversation) -> None:
    talk.launch()
    reply = talk.say("SetHoldLengthIntent", Duration="P1D")
    assert "How many seconds" in reply.text


def test_longer_and_shorter_holds_step_within_the_range(talk: Conversation) -> None:
    talk.launch()
    assert "45 seconds" in talk.say("LongerHoldIntent").text
    assert "60 seconds" in talk.say("LongerHoldIntent").text
    assert "the longest" in talk.say("LongerHoldIntent").text
    assert "45 seconds" in talk.say("ShorterHoldIntent").text
    assert "30 seconds" in talk.say("ShorterHoldIntent").text
    at_min = talk.say("ShorterHoldIntent")
    assert "already 30 seconds" in at_min.text
    hold = talk.say("StartStretchIntent", Stretch=SEATED)
    assert "30 seconds" in hold.text


def test_longer_mid_routine_applies_from_the_next_hold(talk: Conversation) -> None:
    start_supine(talk)
    reply = talk.say("LongerHoldIntent")
    assert "from the next hold on" in reply.text
    nxt = talk.say("AMAZON.NextIntent")
    assert nxt.holds
    assert nxt.holds[0] >= 45


def test_after_an_emergency_the_next_launch_does_not_offer_to_resume(talk: Conversation) -> None:
    start_supine(talk)
    talk.say("AMAZON.NextIntent")
    talk.say("RedFlagIntent")
    reply = talk.launch()
    assert "pick up where you left off" not in reply.text


def test_wait_then_the_leash_slipping_gets_the_strap_answer_and_keeps_the_place(
    talk: Conversation,
) -> None:
    """Issue 16: "wait, my leash keeps sliding off" was the fallback (the leading "wait" hid
    the statement); it is the strap answer, and the routine goes on from where it was."""
    from skill.simulator.nlu import Recognizer
    from tests.nlu_fixture import MODEL

    start_supine(talk)
    heard = Recognizer(MODEL).recognize("wait, my leash keeps sliding off")
    assert heard.intent == "StrapSlippingIntent"
    reply = talk.say(heard.intent)
    assert "bottom of your foot" in reply.text
    assert "If something hurts, stop" not in reply.text
    assert not reply.ended
    after = talk.say("AMAZON.NextIntent")
    assert "Rep 2 of 3" in after.text
