"""Answers show whole: every answer of answers.yaml and every clinic's number, on every
viewport, round included, with its title, number and pose (tests/screen/text_fit.py
estimates the room, generously; on the round screen the text's lines must fit the circle
where they sit)."""

from __future__ import annotations

import pytest

from skill.core.content import load_content
from skill.core.screens import AnswerScreen
from skill.screen.directive import render_directive
from skill.screen.inflate import inflate
from skill.screen.viewports import VIEWPORTS, Viewport
from tests.screen.coach_sets import coach
from tests.screen.text_fit import LINE_EM, box_height, chord, estimated_lines, texts


def answer_screens() -> dict[str, AnswerScreen]:
    """The screen of every answer and every clinic's number, as the coach sends them."""
    content = load_content()
    found = {key: coach().answer_turn(key, None).screen for key in content.answers}
    found |= {f"clinic {key}": coach().booking_turn(key, None).screen for key in content.clinic}
    assert all(isinstance(screen, AnswerScreen) for screen in found.values())
    return found  # type: ignore[return-value]


def test_the_longest_answer_is_long() -> None:
    longest = max(answer_screens().values(), key=lambda screen: len(screen.text))
    assert len(longest.text) > 190  # more than four lines of the round screen's body type


@pytest.mark.parametrize("viewport", VIEWPORTS.values(), ids=lambda v: v.name)
def test_every_answer_shows_whole(viewport: Viewport) -> None:
    for key, screen in answer_screens().items():
        root = inflate(render_directive(screen), viewport, 1000)
        frame, main = root, root.children[0]
        border = frame.props.get("borderWidth", 0)
        width = viewport.width_dp - 2 * border
        needed = box_height(main, width)
        room = viewport.height_dp - 2 * border
        assert needed <= room, (viewport.name, key, needed, room)
        body = [n for n in texts(root) if n.props["text"] == screen.text]
        assert len(body) == 1, (viewport.name, key)
        text = body[0]
        font, cut = text.props["fontSize"], text.props.get("maxLines", 0)
        # the column is centred: the text is its last part, ending at the column's bottom
        bottom = (viewport.height_dp + needed) / 2
        pad = main.props["paddingLeft"] + main.props["paddingRight"]
        inner = width - pad - text.props.get("paddingLeft", 0)
        if main.props.get("direction") == "row":
            continue  # beside the pose on a rectangle: box_height measured it in its column
        lines = estimated_lines(screen.text, font, inner)
        top = bottom - lines * LINE_EM * font
        narrowest = min(inner, chord(viewport, top), chord(viewport, bottom))
        narrow_lines = estimated_lines(screen.text, font, narrowest)
        assert not cut or narrow_lines <= cut, (viewport.name, key, narrow_lines, cut)
        taller = (narrow_lines - lines) * LINE_EM * font
        assert needed + taller <= room, (viewport.name, key, "in the circle", needed + taller)


@pytest.mark.parametrize("viewport", VIEWPORTS.values(), ids=lambda v: v.name)
def test_a_clinic_number_stays_on_one_line(viewport: Viewport) -> None:
    # "(904) 858-" over "7045" is hard to read and to dial: the number never wraps, beside
    # the pose or not (bold digits are wider than the estimate's average glyph: 10% more).
    for key, screen in answer_screens().items():
        if not key.startswith("clinic"):
            continue
        root = inflate(render_directive(screen), viewport, 1000)
        main = root.children[0]
        width = viewport.width_dp - main.props["paddingLeft"] - main.props["paddingRight"]
        if main.props.get("direction") == "row":
            pose, column = main.children[0], main.children[-1]
            width -= pose.props["width"] + column.props.get("paddingLeft", 0)
        if viewport.shape == "round":
            width = min(width, chord(viewport, viewport.height_dp / 2 - 40))
        (number,) = [n for n in texts(root) if n.props["text"] == screen.number]
        font = number.props["fontSize"] * 1.1
        assert estimated_lines(screen.number or "", font, width) == 1, (viewport.name, key, font)
