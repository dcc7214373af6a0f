"""Every screen the skill sends passes the checker at every viewport and every moment that
matters (the rules broken one at a time: test_schema_rules.py)."""

from __future__ import annotations

import pytest

from skill.core.screens import AnswerScreen, FinishScreen, ScreenHold, SetScreen, SetupScreen
from skill.screen.directive import render_directive
from skill.screen.schema import moments, validate_directive
from tests.screen.sets import closing_set, hold_set, longest_set, typical_set

SCREENS = {
    "closing set (the base of test_schema_rules)": closing_set(),
    "typical set": typical_set(),
    "longest set with finish": longest_set(),
    "set without set-up": hold_set("supine", "right", 45, with_setup=False),
    "setup": SetupScreen(
        "seated", "left", "Seated hamstring stretch", ("Sit on the edge.", "Lean forward.")
    ),
    "finish": FinishScreen("Well done", holds_done=6, days_this_week=3, streak_days=12),
    "finish, week unknown": FinishScreen("Well done", holds_done=1),
    "urgent answer": AnswerScreen(
        "Call 911", "Numbness in the groin: call 911 now.", "911", urgent=True
    ),
    "clinic answer": AnswerScreen(
        "Your clinic", "Call to book.", "(904) 858-7045", stretch_id="supine"
    ),
    "answer without number": AnswerScreen("Stop the stretch", "Sharp pain means stop."),
    "set without captions": SetScreen(
        "Seated hamstring stretch",
        (ScreenHold("seated", "left", 1, 1, 0, 30_000),),
        (),
        length_ms=32_000,
    ),
    "set without holds": SetScreen("Seated hamstring stretch", (), ()),
    "finish, nothing yet": FinishScreen("Well done", holds_done=0, days_this_week=0, streak_days=0),
}


@pytest.mark.parametrize("name", SCREENS)
def test_every_screen_kind_is_valid_at_every_viewport_and_moment(name: str) -> None:
    assert validate_directive(render_directive(SCREENS[name])) == []


def test_a_set_is_checked_at_the_moments_that_matter() -> None:
    screen = hold_set(offset_ms=2000)
    directive = render_directive(screen)
    times = moments(directive)
    for hold in screen.holds:
        assert 2000 + hold.start_ms in times
        assert 2000 + (hold.start_ms + hold.end_ms) // 2 in times
    assert 2000 + screen.length_ms + 1000 in times
    assert 0 in times
    assert len(times) == 2 + 2 * 3 + 2 + 1
