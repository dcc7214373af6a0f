"""What an Echo Show shows at given moments of a set: set-up during the lead-in, the countdown
and the ring in step with the voice, the caption being spoken, the rest between holds, and the
finish panel after the last release; and the set-up, finish and answer screens."""

from __future__ import annotations

import itertools

import pytest

from skill.core.screens import (
    AnswerScreen,
    Caption,
    FinishScreen,
    ScreenHold,
    SetScreen,
    SetupScreen,
)
from skill.screen.directive import render_directive
from skill.screen.inflate import InflateError, Node, inflate
from skill.screen.viewports import VIEWPORTS
from tests.screen.sets import hold_set, typical_set
from tests.screen.shown import graphics, shown, texts, visible


def ring_progress(node) -> float:  # type: ignore[no-untyped-def]
    (ring,) = [n for n in visible(node) if n.props.get("source") == "ring"]
    return float(ring.props["progress"])


def test_the_lead_in_shows_the_set_up_steps_with_the_picture() -> None:
    screen = typical_set()
    before_first_hold = shown(screen, screen.holds[0].start_ms - 500)
    seen = texts(before_first_hold)
    assert "Get into position" in seen
    assert "1. Sit on the edge of a sturdy chair." in seen
    assert "2. Straighten your right leg out in front of you, with the heel on the floor." in seen
    assert graphics(before_first_hold) == ["pose_seated_right"]
    assert not any(t.startswith("Rep ") for t in seen)


def test_a_set_without_set_up_says_get_ready() -> None:
    screen = hold_set(with_setup=False)
    assert "Get ready" in texts(shown(screen, 0))


def test_the_countdown_and_ring_follow_the_hold_on_the_sets_clock() -> None:
    screen = typical_set()
    first = screen.holds[0]
    at_start = shown(screen, first.start_ms)
    assert "30" in texts(at_start)
    assert ring_progress(at_start) == 0
    after_ten = shown(screen, first.start_ms + 10_200)
    assert "20" in texts(after_ten)  # 19.8 s left, counted up as a device does
    assert "Rep 1 of 3 · right leg" in texts(after_ten)
    assert ring_progress(after_ten) == pytest.approx(10.2 / 30)
    assert graphics(after_ten) == ["pose_seated_right", "ring"]
    last_second = shown(screen, first.end_ms - 400)
    assert "1" in texts(last_second)


def test_the_clock_offset_delays_everything_by_the_speech_said_first() -> None:
    early = typical_set()
    late = hold_set(offset_ms=4000)
    hold = late.holds[1]
    assert texts(shown(late, 4000 + hold.start_ms + 5000)) == texts(
        shown(early, hold.start_ms + 5000)
    )
    assert "Rep 2 of 3 · right leg" not in texts(shown(late, hold.start_ms + 1000))


def test_the_caption_is_the_cue_being_spoken_until_the_next() -> None:
    screen = typical_set()
    directive = render_directive(screen)
    cues = sorted(screen.captions, key=lambda c: c.at_ms)
    held = [c for c in cues if screen.holds[0].start_ms <= c.at_ms < screen.length_ms]
    for cue, following in itertools.pairwise(held):
        if following.at_ms - cue.at_ms < 2:
            continue
        for moment in (cue.at_ms, following.at_ms - 1):
            seen = texts(inflate(directive, VIEWPORTS["hubLandscapeMedium"], moment))
            assert cue.text in seen, (moment, cue.text)
            assert following.text not in seen or following.text == cue.text


def test_during_the_lead_in_the_list_replaces_captions_except_on_a_round_screen() -> None:
    screen = typical_set()
    first_step, second_step = screen.captions[0], screen.captions[1]
    landscape = texts(shown(screen, second_step.at_ms))
    assert second_step.text not in landscape
    assert f"2. {second_step.text}" in landscape
    round_screen = texts(shown(screen, second_step.at_ms, "hubRoundSmall"))
    assert second_step.text in round_screen
    assert first_step.text not in round_screen
    assert not [t for t in round_screen if t.startswith("2. ")]


def test_no_caption_stays_after_the_set_ends() -> None:
    screen = typical_set()
    last = max(screen.captions, key=lambda c: c.at_ms)
    assert last.text in texts(shown(screen, last.at_ms))
    assert last.text not in texts(shown(screen, screen.length_ms + 100))


def test_between_holds_the_rest_counts_down_to_the_next_rep() -> None:
    screen = typical_set()
    first, second = screen.holds[0], screen.holds[1]
    resting = shown(screen, first.end_ms + 3000)
    seen = texts(resting)
    assert "Rest" in seen
    assert "Next: Rep 2 of 3 · right leg" in seen
    assert str((second.start_ms - first.end_ms - 3000) // 1000) in seen
    assert "Rep 1 of 3 · right leg" not in seen


def test_after_the_last_release_the_finish_panel_when_the_routine_ends() -> None:
    finish = FinishScreen("Routine done", holds_done=6, days_this_week=1, streak_days=4)
    screen = hold_set(finish=finish)
    seen = texts(shown(screen, screen.length_ms + 500))
    assert [
        t
        for t in seen
        if t in {"Routine done", "6", "holds today", "1", "day this week", "4", "days in a row"}
    ] == ["Routine done", "6", "holds today", "1", "day this week", "4", "days in a row"]
    assert not [
        n for n in visible(shown(screen, screen.length_ms + 500)) if n.type == "TouchWrapper"
    ]


def test_after_a_set_that_does_not_end_the_routine_a_plain_done_line() -> None:
    screen = typical_set()
    seen = texts(shown(screen, screen.length_ms + 500))
    assert "Nice work. That set is done." in seen
    assert "Routine done" not in seen


def test_touch_screens_have_pause_next_and_stop_buttons_that_send_their_action() -> None:
    node = shown(typical_set(), 10_000, "hubLandscapeLarge")
    buttons = [n for n in visible(node) if n.type == "TouchWrapper"]
    assert [b.props["onPress"][0]["arguments"] for b in buttons] == [["pause"], ["next"], ["stop"]]
    assert [texts(b)[0] for b in buttons] == ["Pause", "Next", "Stop"]


def test_a_tv_has_no_touch_so_no_buttons_but_says_what_to_say() -> None:
    node = shown(typical_set(), 10_000, "tvLandscapeXLarge")
    assert not [n for n in visible(node) if n.type == "TouchWrapper"]
    assert "Say “pause”, “next” or “stop”." in texts(node)


def test_a_round_screen_stacks_everything_in_one_column_without_the_title() -> None:
    screen = typical_set()
    node = shown(screen, screen.holds[0].start_ms + 1000, "hubRoundSmall")
    assert screen.title not in texts(node)
    rows = [n for n in visible(node) if n.props.get("direction") == "row"]
    assert [r for r in rows if any(c.type == "TouchWrapper" for c in r.children)] == rows
    large = shown(screen, screen.holds[0].start_ms + 1000, "hubLandscapeLarge")
    assert screen.title in texts(large)
    # the pose's panel (a Frame around the drawing) is smaller on the round screen
    (pose,) = [n for n in visible(large) if _holds_pose(n)]
    (small_pose,) = [n for n in visible(node) if _holds_pose(n)]
    assert small_pose.props["width"] < pose.props["width"]


def _holds_pose(node: Node) -> bool:
    return node.type == "Frame" and any(
        c.props.get("source") == "pose_seated_right" for c in node.children
    )


def test_a_hold_picked_up_midway_starts_its_ring_part_full() -> None:
    hold = ScreenHold("seated", "left", 2, 3, start_ms=1000, end_ms=21_000, skipped_ms=10_000)
    screen = SetScreen(
        "Seated hamstring stretch", (hold,), (Caption(1000, "Keep going."),), length_ms=23_000
    )
    node = shown(screen, 1000)
    assert ring_progress(node) == pytest.approx(1 / 3)
    assert "20" in texts(node)
    assert "Rep 2 of 3 · left leg" in texts(node)


def test_a_document_carries_only_the_drawings_and_layouts_its_screen_uses() -> None:
    directive = render_directive(hold_set("supine", "left"))
    assert sorted(directive["document"]["graphics"]) == ["pose_supine_left", "ring"]
    assert sorted(directive["document"]["layouts"]) == ["Buttons", "FinishPanel", "Heading", "Pose"]
    clinic = render_directive(
        AnswerScreen("Your clinic", "Call to book.", "(904) 858-7045", stretch_id="seated")
    )
    assert sorted(clinic["document"]["graphics"]) == ["pose_seated_right"]
    assert sorted(clinic["document"]["layouts"]) == ["Pose"]
    urgent = render_directive(
        AnswerScreen("Call 911", "Call 911 now.", "911", urgent=True, stretch_id="seated")
    )
    assert "graphics" not in urgent["document"]
    finish = render_directive(FinishScreen("Well done", holds_done=3))
    assert sorted(finish["document"]["layouts"]) == ["FinishPanel"]


def test_the_set_up_screen_lists_the_steps_beside_the_picture() -> None:
    steps = ("Lie on your back.", "Loop a strap around your left foot.")
    node = shown(SetupScreen("supine", "left", "Supine hamstring stretch", steps), 0)
    assert texts(node) == [
        "Supine hamstring stretch",
        "1. Lie on your back.",
        "2. Loop a strap around your left foot.",
    ]
    assert graphics(node) == ["pose_supine_left"]


def test_the_finish_screen_leaves_out_what_is_not_known() -> None:
    node = shown(FinishScreen("Well done", holds_done=1), 0)
    assert texts(node) == ["Well done", "1", "hold today"]


def test_an_urgent_answer_shows_911_plainly_in_red_with_nothing_competing() -> None:
    node = shown(
        AnswerScreen("Call 911", "Numbness or weakness: call 911 now.", "911", urgent=True), 0
    )
    assert texts(node) == ["Call 911", "911", "Numbness or weakness: call 911 now."]
    number = next(n for n in visible(node) if n.props.get("text") == "911")
    assert number.props["color"] == "#FF5247"
    assert not graphics(node)
    assert not [n for n in visible(node) if n.type == "TouchWrapper"]
    assert node.props["borderWidth"] == 12
    assert node.props["borderRadius"] == 0
    on_round = shown(
        AnswerScreen("Call 911", "Call 911 now.", "911", urgent=True), 0, "hubRoundSmall"
    )
    assert on_round.props["borderRadius"] == 240  # the red border follows the round screen


def test_a_clinic_answer_shows_the_number_large_beside_the_picture() -> None:
    answer = AnswerScreen(
        "Your clinic", "Call to book a visit.", "(904) 858-7045", stretch_id="seated"
    )
    node = shown(answer, 0, "hubLandscapeLarge")
    number = next(n for n in visible(node) if n.props.get("text") == "(904) 858-7045")
    assert number.props["fontSize"] == 80  # a phone number: smaller than 911's, on one line
    assert number.props["color"] == "#53C7A4"
    assert graphics(node) == ["pose_seated_right"]


def test_a_document_whose_parameter_has_no_data_source_does_not_inflate() -> None:
    directive = render_directive(FinishScreen("Well done", holds_done=1))
    directive["datasources"] = {}
    with pytest.raises(InflateError, match="no data source named 'screen'"):
        inflate(directive, VIEWPORTS["hubRoundSmall"], 0)


def test_type_grows_with_the_screen_from_round_to_extra_large() -> None:
    screen = typical_set()
    moment = screen.holds[0].start_ms + 1000
    sizes = []
    for viewport in (
        "hubRoundSmall",
        "hubLandscapeMedium",
        "hubLandscapeLarge",
        "hubLandscapeXLarge",
    ):
        node = shown(screen, moment, viewport)
        (countdown,) = [n for n in visible(node) if n.props.get("text") == "29"]
        sizes.append(countdown.props["fontSize"])
    assert sizes == sorted(sizes)
    assert len(set(sizes)) == 4
