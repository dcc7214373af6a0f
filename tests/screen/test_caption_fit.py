"""Captions show whole: every sentence a set can say (tests/screen/coach_sets.py), shown as
the hold screen's caption, fits the lines the caption has on every viewport, round included,
and the screen still holds the pose, the countdown and the buttons (tests/screen/text_fit.py
estimates the room, generously)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from skill.core import routine
from skill.core.content import load_content
from skill.core.preferences import Detail, Preferences
from skill.core.screens import Caption, SetScreen
from skill.screen.directive import render_directive
from skill.screen.inflate import Node, inflate
from skill.screen.viewports import VIEWPORTS, Viewport
from tests.screen.coach_sets import coach, set_sentences
from tests.screen.text_fit import box_height, chord, estimated_lines, texts


def opening_set() -> SetScreen:
    """The full routine's first set as the coach sends it: set-up, holds and rests."""
    content = load_content()
    stretches = tuple(content.stretch_ids)
    start = routine.start(stretches, content.routine.reps_per_leg, 30)
    assert start.step is not None
    turn = coach().set_turn(start.step, start.state, Preferences(detail=Detail.FULL))
    assert isinstance(turn.screen, SetScreen)
    return turn.screen


def moments(screen: SetScreen) -> dict[str, int]:
    """The moments a caption can share the screen with: the lead-in, a rest, a hold."""
    first, second = screen.holds[0], screen.holds[1]
    return {
        "lead-in": 1000,
        "rest": first.end_ms + 3000,
        "mid-hold": second.start_ms + 5000,
    }


def captioned(screen: SetScreen, sentence: str) -> SetScreen:
    """The set with `sentence` as its one caption, up from the start to the end."""
    return replace(screen, captions=(Caption(0, sentence),))


def caption_fit(root: Node, viewport: Viewport, sentence: str) -> tuple[int, int] | None:
    """(lines the caption wraps to, lines it may take) where the caption shows (None: not
    shown at this moment, e.g. beside the set-up list)."""
    main = root.children[0]
    shown = [n for n in texts(root) if n.props["text"] == sentence]
    if not shown:
        return None
    (caption,) = shown
    pad = main.props["paddingLeft"]
    buttons = box_height(main.children[-1], viewport.width_dp - 2 * pad)
    bottom = viewport.height_dp - main.props["paddingBottom"] - buttons
    width = min(viewport.width_dp - 2 * pad, chord(viewport, bottom))
    return estimated_lines(sentence, caption.props["fontSize"], width), caption.props["maxLines"]


@pytest.mark.parametrize("viewport", VIEWPORTS.values(), ids=lambda v: v.name)
def test_every_sentence_a_set_says_shows_whole(viewport: Viewport) -> None:
    screen = opening_set()
    at = moments(screen)["mid-hold"]
    sentences = set_sentences()
    assert len(sentences[0]) >= 100  # a set-up step
    for sentence in sentences:
        root = inflate(render_directive(captioned(screen, sentence)), viewport, at)
        fit = caption_fit(root, viewport, sentence)
        assert fit is not None
        lines, room = fit
        assert lines <= room, (viewport.name, sentence, lines, room)


@pytest.mark.parametrize("viewport", VIEWPORTS.values(), ids=lambda v: v.name)
def test_the_longest_caption_leaves_the_buttons_on_screen(viewport: Viewport) -> None:
    longest = set_sentences()[0]
    screen = captioned(opening_set(), longest)
    directive = render_directive(screen)
    for moment, at in moments(screen).items():
        root = inflate(directive, viewport, at)
        main = root.children[0]
        needed = box_height(main, viewport.width_dp)
        assert needed <= viewport.height_dp, (viewport.name, moment, needed)
        buttons = main.children[-1]
        assert [n.props["text"] for n in texts(buttons)] == ["Pause", "Next", "Stop"] or (
            viewport.mode == "TV"
        ), (viewport.name, moment)
