"""Hands-free sets, counted by the requests' timestamps (docs/hands-free.md).

Each test is a conversation on a device with a clock (tests/conversation.py): a person speaks
once a response has played to its end, unless `at=` says how many seconds into it they cut in.
Each checks the holds counted, the resume point and the seconds spoken.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from flask.testing import FlaskClient

from skill.store.progress_store import ProgressStore
from tests.builders import RequestBuilder
from tests.conversation import Conversation, Reply

SEATED = ("seated stretch", "seated")
MONDAY = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@pytest.fixture
def device(client: FlaskClient, builder: RequestBuilder) -> Conversation:
    return Conversation(client, builder, start=MONDAY)


def store_of(client: FlaskClient) -> ProgressStore:
    return client.application.extensions["progress_store"]


def holds_counted(client: FlaskClient, builder: RequestBuilder) -> int:
    return store_of(client).summary(builder.user_id, MONDAY.date()).total_holds


def resume_point(client: FlaskClient, builder: RequestBuilder) -> dict | None:
    point = store_of(client).get_profile(builder.user_id).resume_point
    return None if point is None else point["routine"]


def played(reply: Reply) -> list[tuple[int, int, int]]:
    """The holds the response plays: (plan index, start, end) in ms from its start."""
    assert reply.playing is not None, "this response plays no holds"
    return [tuple(row) for row in reply.playing["holds"]]  # type: ignore[misc]


def start_seated(device: Conversation) -> Reply:
    device.launch()
    return device.say("StartStretchIntent", Stretch=SEATED)


def test_a_whole_seated_stretch_with_one_ready_between_legs(
    device: Conversation, client: FlaskClient, builder: RequestBuilder
) -> None:
    right = start_seated(device)
    assert [index for index, _, _ in played(right)] == [0, 1, 2]
    assert right.plays_seconds < 240
    count_ins = re.findall(
        r"(?:Get ready|Get into position|Find your position)\. Three\. Two\. One\.", right.text
    )
    assert len(count_ins) == 3
    assert "say ready when you are" in right.text
    assert holds_counted(client, builder) == 0  # nothing counts before it has played

    left = device.say("AMAZON.NextIntent")  # "ready", once the right leg has played
    assert holds_counted(client, builder) == 3
    assert [index for index, _, _ in played(left)] == [3, 4, 5]
    assert left.plays_seconds < 240
    assert "You've finished the seated hamstring stretch, 6 holds in all" in left.text
    assert not left.ended
    assert left.reprompt

    device.end_session("EXCEEDED_MAX_REPROMPTS")  # silence after the last set
    summary = store_of(client).summary(builder.user_id, MONDAY.date())
    assert (summary.total_holds, summary.total_sessions) == (6, 1)
    assert resume_point(client, builder) is None


def test_an_interruption_twelve_seconds_into_the_second_hold(
    device: Conversation, client: FlaskClient, builder: RequestBuilder
) -> None:
    right = start_seated(device)
    (_, _, _), (_, second_start, _), _ = played(right)
    paused = device.say("AMAZON.PauseIntent", at=second_start / 1000 + 12)
    assert "Paused" in paused.text
    assert holds_counted(client, builder) == 1  # the first hold, not the second
    assert resume_point(client, builder)["pos"] == 1
    assert resume_point(client, builder)["done"] == 0b1

    resumed = device.say("AMAZON.ResumeIntent")
    assert resumed.text.startswith("Let's pick up where you were. Rep 2 of 3, right leg.")
    assert [index for index, _, _ in played(resumed)] == [1, 2]  # the second again, then the third
    device.say("AMAZON.StopIntent")
    assert holds_counted(client, builder) == 3


def test_how_long_is_left_mid_hold_says_the_seconds_and_goes_on(
    device: Conversation, client: FlaskClient, builder: RequestBuilder
) -> None:
    right = start_seated(device)
    _, (_, start, end), _ = played(right)
    asked_at = start / 1000 + 12
    answer = device.say("TimeLeftIntent", at=asked_at)
    lag = 2  # playback_lag_seconds: the request's timestamp runs ahead of the audio
    left = -(-(end - (asked_at - lag) * 1000) // 1000)
    assert answer.text.startswith(f"{left:.0f} seconds left in this hold.")
    rows = played(answer)
    assert [index for index, _, _ in rows] == [1, 2]
    _index, start_again, end_again = rows[0]
    assert end_again - start_again == end - (asked_at - lag) * 1000  # the rest of it
    assert "Get ready" not in answer.text.split("Rep 3 of 3")[0]  # no count-in: it goes on
    assert holds_counted(client, builder) == 1
    device.say("AMAZON.NextIntent")
    assert holds_counted(client, builder) == 3


def test_a_question_mid_set_answers_and_offers_to_go_on(
    device: Conversation, client: FlaskClient, builder: RequestBuilder
) -> None:
    right = start_seated(device)
    (_, start, _), *_ = played(right)
    answer = device.say("BouncingIntent", at=start / 1000 + 5)
    assert answer.playing is None  # an answer plays no holds
    assert answer.text.endswith("Ready for rep 1 on your right leg?")
    again = device.say("AMAZON.YesIntent")
    assert [index for index, _, _ in played(again)] == [0, 1, 2]
    assert holds_counted(client, builder) == 0


def test_pain_mid_hold_never_goes_on_by_itself(
    device: Conversation, client: FlaskClient, builder: RequestBuilder
) -> None:
    right = start_seated(device)
    _, (_, start, _), _ = played(right)
    answer = device.say("SharpPainIntent", at=start / 1000 + 3)
    assert answer.playing is None
    assert "paused" in answer.text.lower()
    assert holds_counted(client, builder) == 1


def test_stop_right_after_a_hold_counts_it_and_the_next_launch_offers_what_is_next(
    device: Conversation, client: FlaskClient, builder: RequestBuilder
) -> None:
    right = start_seated(device)
    (_, _, first_end), (_, second_start, _), _ = played(right)
    stop = device.say("AMAZON.StopIntent", at=(first_end + second_start) / 2000)
    assert "You finished 1 of 6 holds" in stop.text
    assert holds_counted(client, builder) == 1
    device.wait(60)
    welcome = device.launch()
    assert "Rep 2 of 3 on your right leg of the seated hamstring stretch is next. Ready?" in (
        welcome.text
    )


def test_silence_after_a_set_then_a_launch_the_next_day(
    device: Conversation, client: FlaskClient, builder: RequestBuilder
) -> None:
    start_seated(device)
    device.end_session("EXCEEDED_MAX_REPROMPTS")
    assert holds_counted(client, builder) == 3
    assert resume_point(client, builder)["pos"] == 3
    device.wait(24 * 3600)
    welcome = device.launch()
    assert "Your left leg of the seated hamstring stretch is next. Ready?" in welcome.text
    left = device.say("AMAZON.YesIntent")
    assert [index for index, _, _ in played(left)] == [3, 4, 5]
    assert left.text.startswith("Let's pick up where you were. Rep 1 of 3, left leg. Sit at")


def test_an_early_or_odd_timestamp_counts_nothing(
    device: Conversation, client: FlaskClient, builder: RequestBuilder
) -> None:
    start_seated(device)
    device.clock = device.clock.replace(year=2020)  # a clock that jumped back
    device.builder.now = device.clock
    device.post(device.builder.intent("AMAZON.PauseIntent", {}, **device._kw()))
    assert holds_counted(client, builder) == 0
    assert resume_point(client, builder)["pos"] == 0


def test_wait_for_me_between_holds_is_remembered(
    device: Conversation, client: FlaskClient, builder: RequestBuilder
) -> None:
    device.launch()
    said = device.say("StepByStepIntent")
    assert said.text.startswith("Okay, I'll wait for you after each hold.")
    one = device.say("StartStretchIntent", Stretch=SEATED)
    assert [index for index, _, _ in played(one)] == [0]
    assert "Say next when you're ready for rep 2" in one.text
    device.say("AMAZON.StopIntent")
    device.wait(3600)
    device.launch()
    device.say("AMAZON.NoIntent")  # start fresh
    again = device.say("StartStretchIntent", Stretch=SEATED)
    assert [index for index, _, _ in played(again)] == [0]
    device.say("ContinuousIntent")
    device.say("AMAZON.StopIntent")
    device.wait(3600)
    device.launch()
    device.say("AMAZON.NoIntent")
    whole = device.say("StartStretchIntent", Stretch=SEATED)
    assert [index for index, _, _ in played(whole)] == [0, 1, 2]


def test_a_known_stretch_gets_a_one_line_set_up_and_how_to_gives_it_all(
    device: Conversation,
) -> None:
    first = start_seated(device)
    assert "Straighten your right leg out in front of you" in first.text
    device.say("AMAZON.StopIntent")
    device.wait(3600)
    device.launch()
    device.say("AMAZON.NoIntent")
    second = device.say("StartStretchIntent", Stretch=SEATED)
    setup = second.text.split("Get ready")[0]
    assert "Straighten your right leg" not in setup
    assert "Sit at the edge of the chair, right leg straight" in setup
    how = device.say("HowToIntent", at=3)
    assert "Straighten your right leg out in front of you" in how.text


def test_just_count_mid_hold_goes_on_with_only_the_count(device: Conversation) -> None:
    right = start_seated(device)
    (_, start, _), *_ = played(right)
    counted = device.say("JustCountIntent", at=start / 1000 + 4)
    assert counted.text.startswith("Okay, I'll just count.")
    assert "Breathe" not in counted.text
    assert "Keep your" not in counted.text
    assert re.search(r"Five\. Four\. Three\. Two\. One\.", counted.text)
    device.say("MoreDetailIntent")
    device.say("AMAZON.StopIntent")


def test_repeat_never_plays_a_finished_hold_again(
    device: Conversation, client: FlaskClient, builder: RequestBuilder
) -> None:
    right = start_seated(device)
    _, _, (_, third_start, _) = played(right)
    again = device.say("AMAZON.RepeatIntent", at=third_start / 1000 + 10)
    # The hold cut short again, and the whole left leg after it: it fits in one response.
    assert [index for index, _, _ in played(again)] == [2, 3, 4, 5]
    assert again.plays_seconds < 240
    assert holds_counted(client, builder) == 2
    after = device.say("AMAZON.RepeatIntent")  # after the last set: its question again
    assert after.text == "Would you like to hear how your week is going?"
    assert after.playing is None
    assert holds_counted(client, builder) == 6
    week = device.say("AMAZON.YesIntent")
    assert "This week you've stretched on 1 day" in week.text


def test_how_long_is_left_between_two_holds_goes_on_with_the_next(
    device: Conversation, client: FlaskClient, builder: RequestBuilder
) -> None:
    right = start_seated(device)
    (_, _, first_end), *_ = played(right)
    answer = device.say("TimeLeftIntent", at=first_end / 1000 + 6)  # in the rest
    assert answer.text.startswith("You're between holds. 5 holds to go, about")
    assert "Sit on the edge of a sturdy chair" not in answer.text  # no set-up again
    assert [index for index, _, _ in played(answer)] == [1, 2]
    assert holds_counted(client, builder) == 1
